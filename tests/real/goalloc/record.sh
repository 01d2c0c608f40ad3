#!/bin/sh
# Re-records tests/real/goalloc/goalloc-250000.trace.gz: the benchmark's
# Go program (tests/bench/goalloc: allocations and frees on two Ps) run
# for 250000 operations under Go 1.26 with GODEBUG=traceallocfree=1, its
# execution trace gzip'd. Each run records a different interleaving; the
# ctest real.goalloc replays the committed one with --check.
# Usage: sh tests/real/goalloc/record.sh   (needs go 1.26 on PATH)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$here/../../bench/goalloc" &&
	GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
		go build -o "$work/goalloc" .)
GODEBUG=traceallocfree=1 HG_TRACE=$work/goalloc.trace "$work/goalloc" 250000 >/dev/null
gzip -9c "$work/goalloc.trace" >"$here/goalloc-250000.trace.gz"
