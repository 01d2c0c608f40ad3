// tree: small pointer-bearing objects. A long-lived binary tree, short-lived
// trees built and dropped in rounds, a map from ints to tree nodes and
// strings, then everything dropped and collected.
package main

import (
	"runtime"
	"strconv"

	"heapgrow.test/real/common"
)

type node struct {
	left, right *node
	val         int
}

func build(depth, val int) *node {
	n := &node{val: val}
	if depth > 0 {
		n.left = build(depth-1, 2*val)
		n.right = build(depth-1, 2*val+1)
	}
	return n
}

func (n *node) count() int {
	if n == nil {
		return 0
	}
	return 1 + n.left.count() + n.right.count()
}

type entry struct {
	n    *node
	name string
}

var (
	long  *node
	index map[int]*entry
	sink  int
)

func main() {
	common.Start()
	common.Mark("start")
	long = build(12, 1) // 8191 nodes kept to the end
	common.Mark("long_tree")
	for round := 0; round < 4; round++ {
		for i := 0; i < 2; i++ {
			sink += build(10, i).count() // 2047 nodes, dropped
		}
		common.Mark("short_trees_" + strconv.Itoa(round))
	}
	index = make(map[int]*entry)
	for i := 0; i < 8000; i++ {
		index[i] = &entry{n: &node{val: i}, name: "k" + strconv.Itoa(i*7919)}
	}
	common.Mark("map_filled")
	for i := 0; i < 8000; i += 2 {
		delete(index, i)
	}
	runtime.GC()
	common.Mark("map_half_gc")
	index = nil
	long = nil
	runtime.GC()
	common.Mark("end_gc")
	common.Finish()
}
