// limit: a live set of about 24 MiB of 64 KiB buffers and small records,
// churned by 160 MiB of garbage, with no explicit GC: run with GOMEMLIMIT
// below twice the live heap, the memory limit rather than GOGC paces the
// collector and the scavenger returns memory to stay under the limit.
package main

import (
	"strconv"

	"heapgrow.test/real/common"
)

type rec struct {
	next *rec
	buf  []byte
	id   int
}

var (
	ring  [384][]byte // 384 x 64 KiB = 24 MiB live
	recs  *rec
	nrecs int
)

func main() {
	common.Start()
	common.Mark("start")
	for i := range ring {
		ring[i] = make([]byte, 64<<10)
	}
	common.Mark("live_set")
	const total = 2560 // x 64 KiB = 160 MiB of churn
	for i := 0; i < total; i++ {
		ring[(i*7)%len(ring)] = make([]byte, 64<<10)
		for j := 0; j < 3; j++ {
			recs = &rec{next: recs, buf: make([]byte, 40), id: i}
			nrecs++
		}
		if nrecs > 2000 {
			recs, nrecs = nil, 0
		}
		if (i+1)%(total/8) == 0 {
			common.Mark("churn_" + strconv.Itoa((i+1)/(total/8)))
		}
	}
	common.Mark("end")
	common.Finish()
}
