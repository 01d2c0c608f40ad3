// hgi.go is added to Go 1.19's runtime package by run.sh (with
// runtime.diff, which calls it): one line on standard error per event,
// "HGI <nanotime> <event> p=<P> g=<goroutine> <a> <b> <c>", P -1 for a
// thread without one (sysmon), g -1 for no user goroutine.
package runtime

func hgi(event string, a, b, c int64) {
	gp := getg()
	pid := int32(-1)
	if gp.m != nil && gp.m.p != 0 {
		pid = gp.m.p.ptr().id
	}
	gid := int64(-1)
	if gp.m != nil && gp.m.curg != nil {
		gid = int64(gp.m.curg.goid)
	}
	printlock()
	print("HGI ", nanotime(), " ", event, " p=", pid, " g=", gid, " ", a, " ", b, " ", c, "\n")
	printunlock()
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
