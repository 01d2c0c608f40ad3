// stacks: many goroutines recursing deep enough that their stacks grow
// (copied to larger stacks), parked at the bottom, then released; in
// three waves with a GC after each (which frees and shrinks stacks).
package main

import (
	"runtime"
	"strconv"
	"sync"

	"heapgrow.test/real/common"
)

var sink [64]int

//go:noinline
func recurse(depth int, at chan<- struct{}, release <-chan struct{}) int {
	var frame [32]int // 256 bytes a frame
	frame[depth%32] = depth
	if depth == 0 {
		at <- struct{}{}
		<-release
		return frame[0]
	}
	r := recurse(depth-1, at, release)
	sink[depth%64] = frame[(depth+1)%32]
	return r + frame[depth%32]
}

func main() {
	common.Start()
	common.Mark("start")
	for w := 0; w < 3; w++ {
		s := strconv.Itoa(w)
		n := 150 + 50*w
		at := make(chan struct{})
		release := make(chan struct{})
		var wg sync.WaitGroup
		for g := 0; g < n; g++ {
			depth := 8 + (g*37)%(200+100*w) // 4..128 KiB stacks
			wg.Add(1)
			go func() {
				defer wg.Done()
				recurse(depth, at, release)
			}()
		}
		for g := 0; g < n; g++ {
			<-at
		}
		common.Mark("wave_" + s + "_deep")
		close(release)
		wg.Wait()
		common.Mark("wave_" + s + "_done")
		runtime.GC()
		common.Mark("wave_" + s + "_gc")
	}
	runtime.GC()
	common.Mark("end_gc")
	common.Finish()
}
