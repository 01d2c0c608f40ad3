// wasmphases: for js/wasm, where the heap is the instance's linear memory
// grown by memory.grow: small objects, then large ones in two waves, a GC
// and FreeOSMemory (which cannot shrink linear memory), reported with the
// linear memory size at every mark.
package main

import (
	"runtime"
	"runtime/debug"

	"heapgrow.test/real/common"
)

type node struct {
	left, right *node
	val         int
}

func build(depth int) *node {
	n := &node{val: depth}
	if depth > 0 {
		n.left = build(depth - 1)
		n.right = build(depth - 1)
	}
	return n
}

var (
	tree *node
	big  [][]byte
)

func main() {
	common.Start()
	common.Mark("start")
	tree = build(12)
	common.Mark("small_objects")
	for i := 0; i < 16; i++ {
		big = append(big, make([]byte, 256<<10))
	}
	common.Mark("wave_0")
	big = big[:4]
	runtime.GC()
	common.Mark("wave_0_gc")
	for i := 0; i < 24; i++ {
		big = append(big, make([]byte, 512<<10))
	}
	common.Mark("wave_1")
	big = nil
	tree = nil
	runtime.GC()
	debug.FreeOSMemory()
	common.Mark("end_free")
	common.Finish()
}
