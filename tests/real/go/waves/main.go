// waves: large objects (each its own span) allocated in waves, half of each
// wave kept into the next, with runtime.GC and debug.FreeOSMemory between
// waves, so the heap grows, is collected, and is given back to the OS.
package main

import (
	"runtime"
	"runtime/debug"
	"strconv"

	"heapgrow.test/real/common"
)

var (
	kept  [][]byte
	small []*[48]byte
)

func wave(w int) {
	var cur [][]byte
	for i := 0; i < 24; i++ {
		size := (64 << 10) << uint((i+w)%5) // 64 KiB .. 1 MiB
		b := make([]byte, size)
		b[0] = byte(i)
		cur = append(cur, b)
		for j := 0; j < 40; j++ {
			small = append(small, new([48]byte))
		}
	}
	// keep every other object of this wave, drop the previous wave's
	var next [][]byte
	for i := 0; i < len(cur); i += 2 {
		next = append(next, cur[i])
	}
	kept = next
	if len(small) > 2000 {
		small = small[len(small)-500:]
	}
}

func main() {
	common.Start()
	common.Mark("start")
	for w := 0; w < 5; w++ {
		s := strconv.Itoa(w)
		wave(w)
		common.Mark("wave_" + s)
		runtime.GC()
		common.Mark("wave_" + s + "_gc")
		if w%2 == 1 {
			debug.FreeOSMemory()
			common.Mark("wave_" + s + "_free")
		}
	}
	kept = nil
	small = nil
	runtime.GC()
	debug.FreeOSMemory()
	common.Mark("end_free")
	common.Finish()
}
