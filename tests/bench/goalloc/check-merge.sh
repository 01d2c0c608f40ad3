#!/bin/sh
# The go-trace importer merges these recordings of goalloc
# (tests/bench/goalloc/record-merge.sh) into ops without one inconsistent
# record: `heapgrow check --from go-trace` of each exits 0 and prints
# nothing on stderr (a skipped or repaired record prints a warning, such
# as "allocation at 0x..., which is live: the old object freed first"),
# and the replay's own checks pass.
#   sh check-merge.sh HEAPGROW TRACE...
set -u
[ $# -ge 2 ] || { echo "usage: check-merge.sh HEAPGROW TRACE..." >&2; exit 2; }
hg=$1
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
for t in "$@"; do
	bad=0
	if ! "$hg" check --from go-trace "$t" >"$work/out" 2>"$work/err"; then
		echo "FAIL: $t: heapgrow check exited non-zero" >&2
		bad=1
	fi
	if [ -s "$work/err" ]; then
		echo "FAIL: $t: the importer warned:" >&2
		cat "$work/err" >&2
		bad=1
	fi
	if ! "$hg" replay -q --check --from go-trace "$t" 2>"$work/err"; then
		echo "FAIL: $t: replay --check failed:" >&2
		cat "$work/err" >&2
		bad=1
	fi
	[ "$bad" -ne 0 ] && fail=1 || cat "$work/out"
done
exit "$fail"
