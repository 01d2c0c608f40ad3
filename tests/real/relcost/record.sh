#!/bin/sh
# Records what releasing memory to the OS costs on this machine
# (main.go: madvise(MADV_DONTNEED) of 64 KiB resident or never touched,
# with a thread of the program, another process or nothing on the other
# CPU; then the runtime's own release, debug.FreeOSMemory) into
# data/relcost-go126-p2.txt, built and run by Go 1.26 ($GO126, default
# go) at GOMAXPROCS=2, three runs after each other (the machine is
# shared: how often the other CPU was free for the program's own thread
# varies; the with-shootdown and without-shootdown lines split each
# situation by what the kernel did). The figures are the README's "The
# scavengers".
#
#   tests/real/relcost/record.sh [OUTFILE]
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/data/relcost-go126-p2.txt}
GO126=${GO126:-go}
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

(cd "$here" && "$GO126" build -o "$tmp/relcost" .)
mkdir -p "$(dirname "$out")"
{
	echo "UNAME $(uname -srm)"
	echo "NPROC $(nproc)"
	echo "THP $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo none)"
	for run in 1 2 3; do
		echo "RUN $run LOADAVG $(cut -d' ' -f1-3 /proc/loadavg)"
		env -i GOMAXPROCS=2 "$tmp/relcost"
	done
} >"$out"
