// Command relcost measures what releasing 64 KiB of memory to the OS
// (madvise MADV_DONTNEED, as the Go runtime's scavenger does for each of
// its 64 KiB quanta on Linux) costs on this machine, in the situations a
// Go program's scavenger meets: pages resident or never touched, the
// program's other threads idle, or one of them running on the other CPU,
// or another process running there. It then times the runtime's own
// release (debug.FreeOSMemory after a GC) the same ways.
//
//	relcost [-n QUANTA] [-rounds R]
//
// Output, one line per situation: "madvise SITUATION n=N median_ns=..
// mean_ns=.. p10_ns=.. p90_ns=.." (nanoseconds per 64 KiB) and
// "runtime SITUATION released=BYTES ns=.. ns_per_64k=..". With "-spin" it
// only spins (the other process of the "other-process" situations).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

const quantum = 64 << 10

var sink atomic.Uint64

// spin runs on its own thread until stop is set, touching nothing but a
// counter: the other CPU is busy with a thread of this process.
func spin(stop *atomic.Bool, started chan<- struct{}) {
	runtime.LockOSThread()
	close(started)
	var n uint64
	for !stop.Load() {
		n++
	}
	sink.Add(n)
}

// tlbShootdowns is the sum over CPUs of the kernel's count of TLB
// shootdown interrupts (the "TLB:" line of /proc/interrupts, x86), -1
// where there is none.
func tlbShootdowns() int64 {
	b, err := os.ReadFile("/proc/interrupts")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || f[0] != "TLB:" {
			continue
		}
		var sum int64
		for _, x := range f[1:] {
			v, err := strconv.ParseInt(x, 10, 64)
			if err != nil {
				break
			}
			sum += v
		}
		return sum
	}
	return -1
}

func percentile(s []int64, p float64) int64 {
	return s[int(p*float64(len(s)-1))]
}

// measure releases n quanta of region one at a time and returns the ns
// each madvise took and whether the kernel sent a TLB shootdown during
// it (the /proc/interrupts count read around it, outside the timing).
// touch: every 4 KiB page of a quantum is written before (resident),
// otherwise the quantum was never touched.
func measure(region []byte, n int, touch bool) ([]int64, []bool) {
	ns := make([]int64, 0, n)
	shot := make([]bool, 0, n)
	for i := 0; i < n; i++ {
		q := region[i*quantum : (i+1)*quantum]
		if touch {
			for p := 0; p < quantum; p += 4096 {
				q[p] = 1
			}
		}
		tlb0 := tlbShootdowns()
		t0 := time.Now()
		if err := syscall.Madvise(q, syscall.MADV_DONTNEED); err != nil {
			fmt.Fprintln(os.Stderr, "relcost: madvise:", err)
			os.Exit(1)
		}
		ns = append(ns, time.Since(t0).Nanoseconds())
		shot = append(shot, tlbShootdowns() != tlb0)
	}
	return ns, shot
}

func run(what string, region []byte, n int, touch bool) {
	ns, shot := measure(region, n, touch)
	var with, without []int64
	for i, v := range ns {
		if shot[i] {
			with = append(with, v)
		} else {
			without = append(without, v)
		}
	}
	report(what, ns)
	if len(with) > 0 {
		report(what+"/with-shootdown", with)
	}
	if len(without) > 0 && len(with) > 0 {
		report(what+"/without-shootdown", without)
	}
}

func report(what string, ns []int64) {
	var sum int64
	for _, v := range ns {
		sum += v
	}
	s := append([]int64(nil), ns...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	fmt.Printf("madvise %s n=%d median_ns=%d mean_ns=%d p10_ns=%d p90_ns=%d\n",
		what, len(s), percentile(s, 0.5), sum/int64(len(s)),
		percentile(s, 0.1), percentile(s, 0.9))
}

// withSpinner runs f while a thread of this process spins on the other
// CPU (same: true) or while another process spins (same: false).
func withSpinner(same bool, f func()) {
	if same {
		var stop atomic.Bool
		started := make(chan struct{})
		go spin(&stop, started)
		<-started
		time.Sleep(20 * time.Millisecond)
		f()
		stop.Store(true)
		time.Sleep(5 * time.Millisecond)
		return
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, "relcost:", err)
		os.Exit(1)
	}
	cmd := exec.Command(self, "-spin")
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "relcost:", err)
		os.Exit(1)
	}
	time.Sleep(20 * time.Millisecond)
	f()
	cmd.Process.Kill()
	cmd.Wait()
}

var keep [][]byte

// released runs the runtime's own release: mb MiB of 1 MiB objects,
// written (resident) or not, dropped and swept by a GC; then a second GC
// is timed (what a GC costs with nothing to release) and
// debug.FreeOSMemory (a GC, then the scavenger's release of every free
// page, 64 KiB at a time through sysUnused) is timed: the release took
// the difference. Returns the bytes released, the ns of FreeOSMemory and
// of the GC alone, and the TLB shootdowns during FreeOSMemory.
func released(mb int, touch bool) (uint64, int64, int64, int64) {
	keep = nil
	for i := 0; i < mb; i++ {
		b := make([]byte, 1<<20)
		if touch {
			for p := 0; p < len(b); p += 4096 {
				b[p] = 1
			}
		}
		keep = append(keep, b)
	}
	keep = nil
	runtime.GC()
	t0 := time.Now()
	runtime.GC()
	gc := time.Since(t0).Nanoseconds()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	tlb0 := tlbShootdowns()
	t0 = time.Now()
	debug.FreeOSMemory()
	d := time.Since(t0).Nanoseconds()
	tlb := tlbShootdowns() - tlb0
	runtime.ReadMemStats(&after)
	return after.HeapReleased - before.HeapReleased, d, gc, tlb
}

func reportRuntime(what string, mb int, touch bool, rounds int) {
	var rel uint64
	var ns, gcns, tlb int64
	for r := 0; r < rounds; r++ {
		b, d, g, t := released(mb, touch)
		rel += b
		ns += d
		gcns += g
		tlb += t
	}
	per := int64(0)
	if rel > 0 {
		per = (ns - gcns) * quantum / int64(rel)
	}
	fmt.Printf("runtime %s released=%d freeosmemory_ns=%d gc_ns=%d release_ns_per_64k=%d tlb_shootdowns=%d\n",
		what, rel, ns, gcns, per, tlb)
}

func main() {
	n := flag.Int("n", 400, "quanta per situation")
	rounds := flag.Int("rounds", 5, "rounds of the runtime's release per situation")
	spinOnly := flag.Bool("spin", false, "only spin (the other process)")
	flag.Parse()
	if *spinOnly {
		runtime.LockOSThread()
		var n uint64
		for {
			n++
			if n == 0 {
				sink.Add(n)
			}
		}
	}
	runtime.LockOSThread()
	debug.SetGCPercent(-1)
	region, err := syscall.Mmap(-1, 0, *n*quantum,
		syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		fmt.Fprintln(os.Stderr, "relcost: mmap:", err)
		os.Exit(1)
	}
	fmt.Printf("GOVERSION %s GOMAXPROCS=%d NumCPU=%d\n",
		runtime.Version(), runtime.GOMAXPROCS(0), runtime.NumCPU())
	// Warm up: the first touches and releases of the region.
	measure(region, *n, true)

	run("untouched-alone", region, *n, false)
	run("resident-alone", region, *n, true)
	withSpinner(true, func() {
		run("untouched-thread-running", region, *n, false)
		run("resident-thread-running", region, *n, true)
	})
	withSpinner(false, func() {
		run("resident-process-running", region, *n, true)
	})
	run("resident-alone-again", region, *n, true)

	debug.SetGCPercent(100)
	reportRuntime("resident-alone", 32, true, *rounds)
	withSpinner(true, func() { reportRuntime("resident-thread-running", 32, true, *rounds) })
	withSpinner(false, func() { reportRuntime("resident-process-running", 32, true, *rounds) })
	reportRuntime("untouched-alone", 32, false, *rounds)
}
