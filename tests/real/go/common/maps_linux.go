//go:build linux

package common

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"unsafe"
)

func platformFields() string { return "" }

type span struct{ lo, hi uint64 }

func parseRange(l string) (span, bool) {
	f := strings.Fields(l)
	if len(f) == 0 {
		return span{}, false
	}
	r := strings.SplitN(f[0], "-", 2)
	if len(r) != 2 {
		return span{}, false
	}
	lo, err1 := strconv.ParseUint(r[0], 16, 64)
	hi, err2 := strconv.ParseUint(r[1], 16, 64)
	return span{lo, hi}, err1 == nil && err2 == nil
}

var probe *[64]byte

// heapRange is the run of adjacent mappings around a heap object: the Go
// heap's arenas (at 0xc000000000 up to Go 1.25, at a random base in Go
// 1.26), reserved and mapped parts alike.
func heapRange(lines []string) span {
	probe = new([64]byte)
	p := uint64(uintptr(unsafe.Pointer(probe)))
	var rs []span
	for _, l := range lines {
		r, _ := parseRange(l)
		rs = append(rs, r)
	}
	for i, r := range rs {
		if r.lo <= p && p < r.hi {
			a, b := i, i
			for a > 0 && rs[a-1].hi == rs[a].lo {
				a--
			}
			for b+1 < len(rs) && rs[b].hi == rs[b+1].lo {
				b++
			}
			return span{rs[a].lo, rs[b].hi}
		}
	}
	return span{}
}

func (h span) holds(l string) bool {
	r, ok := parseRange(l)
	return ok && h.lo <= r.lo && r.hi <= h.hi && r.lo < r.hi
}

// printMaps prints /proc/self/maps as MAP lines (MAP HEAP for the Go heap's
// mappings) and Size, Rss, AnonHugePages and VmFlags of each heap mapping
// as SMAPS HEAP lines.
func printMaps() {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		fmt.Println("MAPS error:", err)
		return
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	heap := heapRange(lines)
	for _, l := range lines {
		if heap.holds(l) {
			fmt.Println("MAP HEAP " + l)
		} else {
			fmt.Println("MAP " + l)
		}
	}
	b, err = os.ReadFile("/proc/self/smaps")
	if err != nil {
		fmt.Println("SMAPS error:", err)
		return
	}
	cur := ""
	var fields []string
	flush := func() {
		if cur != "" {
			fmt.Println("SMAPS HEAP " + cur + " " + strings.Join(fields, " "))
		}
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		if strings.Contains(f[0], "-") && !strings.HasSuffix(f[0], ":") {
			flush()
			cur, fields = "", nil
			if heap.holds(l) {
				cur = f[0] + " " + f[1]
			}
			continue
		}
		if cur == "" {
			continue
		}
		switch f[0] {
		case "Size:", "Rss:", "AnonHugePages:":
			fields = append(fields, strings.TrimSuffix(f[0], ":")+"="+f[1]+"kB")
		case "VmFlags:":
			fields = append(fields, "VmFlags="+strings.Join(f[1:], ","))
		}
	}
	flush()
}
