//go:build linux

package common

import (
	"fmt"
	"os"
	"strings"
)

func platformFields() string { return "" }

// isHeap tells whether a maps line starts in the 0xc0xxxxxxxx arena range.
func isHeap(l string) bool {
	lo := strings.SplitN(l, "-", 2)[0]
	return strings.HasPrefix(lo, "c0") && len(lo) == 10
}

// printMaps prints /proc/self/maps as MAP lines (MAP HEAP for the Go heap
// range) and Size, Rss, AnonHugePages and VmFlags of each heap mapping as
// SMAPS HEAP lines.
func printMaps() {
	b, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		fmt.Println("MAPS error:", err)
		return
	}
	for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
		if isHeap(l) {
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
			if isHeap(l) {
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
