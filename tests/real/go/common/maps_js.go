//go:build js

package common

import (
	"fmt"
	"syscall/js"
)

// linearMemory asks the runner (wasm_run.js) for the byte length of the
// instance's linear memory.
func linearMemory() int {
	f := js.Global().Get("heapgrowLinearMemory")
	if f.Type() != js.TypeFunction {
		return -1
	}
	return f.Invoke().Int()
}

func platformFields() string { return fmt.Sprintf(" LinearMemory=%d", linearMemory()) }

func printMaps() { fmt.Printf("LINEARMEMORY %d\n", linearMemory()) }
