// goalloc: a Go program that allocates and drops millions of small
// objects with a bounded live set, under an execution trace into the file
// $HG_TRACE (runtime/trace), for the benchmark's go-trace importer run:
// recorded with GODEBUG=traceallocfree=1, every object's allocation and
// free is in the trace.
//
//	goalloc [OBJECTS]   (default 1,000,000)
package main

import (
	"fmt"
	"os"
	"runtime/trace"
	"strconv"
)

type node struct {
	next *node
	val  [4]int
}

var live [20000]*node
var blobs [2000][]byte

func main() {
	n := 1000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	if name := os.Getenv("HG_TRACE"); name != "" {
		f, err := os.Create(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer f.Close()
		if err := trace.Start(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer trace.Stop()
	}
	s := uint64(1)
	for i := 0; i < n; i++ {
		s = s*6364136223846793005 + 1442695040888963407
		r := s >> 20
		if r%10 == 0 {
			blobs[r%2000] = make([]byte, 64+int(r%4096))
			continue
		}
		live[r%20000] = &node{val: [4]int{i}}
	}
	fmt.Println(n)
}
