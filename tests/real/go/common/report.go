// Package common is what every recorded program shares: the marks (a
// MARK line on standard error, a trace.Log "mark" event in the execution
// trace, then a MEMSTATS line on standard output) and, at the end, the
// program's memory map.
package common

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/trace"
)

var (
	ms        runtime.MemStats
	traceFile *os.File
)

// Start begins an execution trace into the file $HG_TRACE when it is set.
func Start() {
	name := os.Getenv("HG_TRACE")
	if name == "" {
		return
	}
	f, err := os.Create(name)
	if err != nil {
		fmt.Fprintln(os.Stderr, "HG_TRACE:", err)
		os.Exit(1)
	}
	if err := trace.Start(f); err != nil {
		fmt.Fprintln(os.Stderr, "trace.Start:", err)
		os.Exit(1)
	}
	traceFile = f
}

// Mark records one phase boundary: "MARK label" on standard error (in
// order with the runtime's allocfreetrace lines), the same label as a
// trace.Log event of category "mark", then the MemStats of that moment.
func Mark(label string) {
	println("MARK", label)
	trace.Log(context.Background(), "mark", label)
	runtime.ReadMemStats(&ms)
	fmt.Printf("MEMSTATS %s HeapSys=%d HeapIdle=%d HeapInuse=%d HeapReleased=%d HeapAlloc=%d NextGC=%d Sys=%d HeapObjects=%d Mallocs=%d Frees=%d NumGC=%d StackInuse=%d StackSys=%d TotalAlloc=%d MSpanInuse=%d MSpanSys=%d MCacheInuse=%d MCacheSys=%d GCSys=%d OtherSys=%d NumForcedGC=%d%s\n",
		label, ms.HeapSys, ms.HeapIdle, ms.HeapInuse, ms.HeapReleased, ms.HeapAlloc, ms.NextGC, ms.Sys,
		ms.HeapObjects, ms.Mallocs, ms.Frees, ms.NumGC, ms.StackInuse, ms.StackSys, ms.TotalAlloc,
		ms.MSpanInuse, ms.MSpanSys, ms.MCacheInuse, ms.MCacheSys, ms.GCSys, ms.OtherSys, ms.NumForcedGC,
		platformFields())
}

// Finish stops the execution trace and prints the memory map.
func Finish() {
	if traceFile != nil {
		trace.Stop()
		traceFile.Close()
	}
	fmt.Printf("GOVERSION %s GOMAXPROCS=%d NumCPU=%d GOOS=%s GOARCH=%s\n", runtime.Version(),
		runtime.GOMAXPROCS(0), runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)
	printMaps()
}
