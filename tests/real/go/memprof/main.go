// Command memprof prints whether the runtime mapped the memory profiler's
// hash table (BuckHashSys) before main and after 4 MiB of allocations.
// Built as it is, nothing reads the heap profile (the linker sets
// MemProfileRate to 0); built with -tags memprofile it calls
// runtime.MemProfile, which keeps MemProfileRate at 512 KiB.
package main

import (
	"fmt"
	"runtime"
)

var (
	ms   runtime.MemStats
	keep [][]byte
)

func report(label string) {
	runtime.ReadMemStats(&ms)
	fmt.Printf("MEMPROF %s GOVERSION=%s GOOS=%s GOARCH=%s MemProfileRate=%d BuckHashSys=%d\n",
		label, runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.MemProfileRate,
		ms.BuckHashSys)
}

func main() {
	report("start")
	for i := 0; i < 4096; i++ {
		keep = append(keep, make([]byte, 1024))
	}
	readProfile()
	report("after_4MiB")
}
