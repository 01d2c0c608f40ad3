#!/bin/sh
# gen_spans.sh N - a compact trace that leaves N live heap spans, each next
# to a free one: 2N allocations of 8-32 KiB (a fixed pseudo-random
# sequence), every other one freed, a mark, a partial scavenge, then N/4
# more allocations that reuse the holes. The worst case for pictures: about
# 2N runs of alternating classes. Usage: gen_spans.sh 1000000 | gzip > t.hgt.gz
n=${1:-1000000}
awk -v n="$n" 'BEGIN {
	print "heapgrow-trace 1"
	print "# " n " live spans, interleaved with free ones"
	x = 12345
	for (i = 0; i < 2 * n; i++) {
		x = (x * 1103515245 + 12345) % 2147483648
		printf "a %d %dK\n", i, 8 * (1 + int(x / 65536) % 4)
	}
	print "m allocated"
	for (i = 1; i < 2 * n; i += 2)
		printf "f %d\n", i
	print "m freed half"
	print "s " int(n * 4) "K"
	print "m scavenged"
	for (i = 0; i < n / 4; i++)
		printf "a r%d 8K\n", i
	print "m refilled"
}'
