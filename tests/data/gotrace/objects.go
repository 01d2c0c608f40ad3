// objects.go: a small Go program whose execution trace, recorded with
// GODEBUG=traceallocfree=1, tests heapgrow's go-trace importer
// (record.sh re-records it). It allocates small objects with pointers,
// noscan buffers, one large object, runs goroutines (for stacks) and two
// forced GCs, and prints what the test checks: NumGC over the traced
// interval, GOMAXPROCS, addresses (%p) of objects it allocated and of a
// local variable on each goroutine's stack.
package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
	"sync"
	"unsafe"
)

type node struct {
	next *node
	val  [5]int64
}

var sink []*node
var bufs [][]byte
var big []byte

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: objects OUT.trace")
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		panic(err)
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	gc0 := ms.NumGC
	if err := trace.Start(f); err != nil {
		panic(err)
	}
	ctx := context.Background()
	trace.Log(ctx, "mark", "start")

	for i := 0; i < 2000; i++ {
		sink = append(sink, &node{val: [5]int64{int64(i)}})
	}
	for i := 0; i < 300; i++ {
		bufs = append(bufs, make([]byte, 1000))
	}
	big = make([]byte, 100000)
	fmt.Printf("node %p\n", sink[0])
	fmt.Printf("buf %p\n", &bufs[0][0])
	fmt.Printf("big %p\n", &big[0])
	trace.Log(ctx, "mark", "allocated")

	// Goroutines whose frames need more than the initial stack: each
	// records where a local variable of its grown stack is.
	var wg sync.WaitGroup
	var locals [20]uintptr
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var a [3000]byte
			a[i] = byte(i)
			locals[i] = uintptr(unsafe.Pointer(&a[i]))
		}(i)
	}
	wg.Wait()
	for i := range locals {
		fmt.Printf("stack 0x%x\n", locals[i])
	}
	trace.Log(ctx, "mark", "goroutines")
	trace.Log(ctx, "phase", "logged")

	sink = append([]*node(nil), sink[:500]...)
	bufs = nil
	runtime.GC()
	trace.Log(ctx, "mark", "gc 1")
	big = nil
	runtime.GC()
	trace.Log(ctx, "mark", "gc 2")

	runtime.ReadMemStats(&ms)
	fmt.Printf("numgc %d\n", ms.NumGC-gc0)
	fmt.Printf("gomaxprocs %d\n", runtime.GOMAXPROCS(0))
	trace.Stop()
	if err := f.Close(); err != nil {
		panic(err)
	}
}
