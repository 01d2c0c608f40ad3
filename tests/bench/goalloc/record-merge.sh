#!/bin/sh
# Re-records tests/bench/goalloc/merge-N.trace.gz, a regression trace of
# the go-trace importer's merge (tests/bench/goalloc/check-merge.sh):
# goalloc run for N operations (default 40000) on two Ps under Go 1.26
# with GODEBUG=traceallocfree=1, its execution trace gzip'd.
#
# What it must hold: an M that frees memory (a sweep's HeapObjectFrees, a
# SpanFree) and whose next event comes late (over 1 ms: a P flushing its
# mcache with the world stopped in startTheWorldWithSema's procresize,
# which starts the other Ps before it traces STWDone; or the OS takes the
# CPU from it after the sweep) while another M allocates that memory. The
# importer of commit fbb3ee44 (before the fix) kept such a free for its
# M's next event and found the allocation's memory live ("allocation at
# 0x..., which is live: the old object freed first"). Each run records
# another interleaving and only some hold that, so the script records
# pairs of runs at once (they compete for the CPUs) until one makes that
# importer (built here from commit fbb3ee44) warn and HEAPGROW does not.
#
# merge-100000.trace.gz holds the other order that importer got wrong: a
# goroutine preempted in runtime.postMallocgcDebug (its object taken, not
# yet traced) whose allocation it took from a later run of that goroutine
# on another M (the first GoStart of it within 64 events of an M) instead
# of its next run (the GoStart with its next sequence number), so that the
# allocation came before a free of that slot. A run of 100000 holds it
# about once in 60; the script keeps the first run that holds either.
#
# Usage: sh tests/bench/goalloc/record-merge.sh HEAPGROW [N]
#   (needs go 1.26 on PATH, cmake and a C compiler; a few minutes)
set -eu
[ $# -ge 1 ] && [ $# -le 2 ] ||
	{ echo "usage: record-merge.sh HEAPGROW [N]" >&2; exit 2; }
hg=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
n=${2:-40000}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/old"
git -C "$root" archive fbb3ee44 | tar -x -C "$work/old"
cmake -S "$work/old" -B "$work/old/build" -DCMAKE_BUILD_TYPE=Release \
	>/dev/null
cmake --build "$work/old/build" --target heapgrow -j 2 >/dev/null
old=$work/old/build/cli/heapgrow
(cd "$here" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
	go build -o "$work/goalloc" .)
i=0
while [ $i -lt 300 ]; do
	i=$((i + 1))
	for k in a b; do
		GOMAXPROCS=2 GODEBUG=traceallocfree=1 \
			HG_TRACE=$work/$k.trace "$work/goalloc" "$n" >/dev/null &
	done
	wait
	for k in a b; do
		if "$old" check --from go-trace "$work/$k.trace" 2>&1 |
			grep -q warning &&
			! "$hg" check --from go-trace "$work/$k.trace" 2>&1 |
			grep -q warning; then
			gzip -9c "$work/$k.trace" >"$here/merge-$n.trace.gz"
			echo "record-merge.sh: run $i: kept"
			"$old" check --from go-trace "$work/$k.trace" || true
			exit 0
		fi
	done
done
echo "record-merge.sh: no run of 600 held it" >&2
exit 1
