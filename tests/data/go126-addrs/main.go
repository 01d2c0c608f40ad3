// Command go126-addrs prints the addresses of a short sequence of heap
// allocations on a fresh heap, for the object layer's unit test
// (tests/unit/test_malloc.c). output.txt was recorded with Go 1.26.8 on
// linux/amd64, the heap base fixed and one P:
//
//	GOEXPERIMENT=norandomizedheapbase64 go build -o addrs . &&
//	GOMAXPROCS=1 ./addrs >output.txt
//
// Runs differ a little: in about one run of four the runtime's own
// allocations before main take 32 KiB more, so that every span here lies
// 32 KiB or more higher (the large objects then do not start at the page
// cache block's end); output.txt is the more common result.
//
// Each line is: name size noscan address. The allocations are stored in
// package variables so that none of them is moved to the stack, and the
// addresses are printed only after the last allocation, so that printing
// allocates nothing in between.
package main

import (
	"fmt"
	"os"
	"unsafe"
)

type node struct {
	next *node
	val  [5]int64
} // 48 bytes with a pointer

var (
	sinkBytes [8][]byte
	sinkNodes [4]*node
	sinkPtrs  [2]*[3]*int
	sinkTiny  [4]*[4]byte
	addrs     [32]uintptr
	names     [32]string
	sizes     [32]int
	noscan    [32]bool
	n         int
)

func note(name string, p unsafe.Pointer, size int, ns bool) {
	names[n], addrs[n], sizes[n], noscan[n] = name, uintptr(p), size, ns
	n++
}

func main() {
	sinkBytes[0] = make([]byte, 100)
	note("b100a", unsafe.Pointer(&sinkBytes[0][0]), 100, true)
	sinkBytes[1] = make([]byte, 100)
	note("b100b", unsafe.Pointer(&sinkBytes[1][0]), 100, true)
	sinkNodes[0] = new(node)
	note("node1", unsafe.Pointer(sinkNodes[0]), 48, false)
	sinkNodes[1] = new(node)
	note("node2", unsafe.Pointer(sinkNodes[1]), 48, false)
	sinkBytes[2] = make([]byte, 40<<10)
	note("large40k", unsafe.Pointer(&sinkBytes[2][0]), 40<<10, true)
	sinkBytes[3] = make([]byte, 1<<20)
	note("large1m", unsafe.Pointer(&sinkBytes[3][0]), 1<<20, true)
	sinkBytes[4] = make([]byte, 5000)
	note("b5000", unsafe.Pointer(&sinkBytes[4][0]), 5000, true)
	sinkPtrs[0] = new([3]*int)
	note("ptrs24", unsafe.Pointer(sinkPtrs[0]), 24, false)
	sinkTiny[0] = new([4]byte)
	note("tiny4a", unsafe.Pointer(sinkTiny[0]), 4, true)
	sinkTiny[1] = new([4]byte)
	note("tiny4b", unsafe.Pointer(sinkTiny[1]), 4, true)
	sinkBytes[5] = make([]byte, 3<<20)
	note("large3m", unsafe.Pointer(&sinkBytes[5][0]), 3<<20, true)
	sinkBytes[6] = make([]byte, 100)
	note("b100c", unsafe.Pointer(&sinkBytes[6][0]), 100, true)
	for i := 0; i < n; i++ {
		ns := ""
		if noscan[i] {
			ns = " noscan"
		}
		fmt.Fprintf(os.Stdout, "%s %d%s %#x\n", names[i], sizes[i], ns, addrs[i])
	}
}
