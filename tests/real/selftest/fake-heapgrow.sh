#!/bin/sh
# A stand-in for heapgrow in the fidelity harness's own test (run.cmake):
# `replay FILE -q [OPTIONS] --stats OUT` copies the canned stats of FILE
# (its name without .trace.gz or .allocfreetrace.gz, plus .stats.json) to
# OUT, and refuses, as heapgrow refuses a trace it cannot read, a recording
# that has none. It accepts --go and --platform, checks that a recording
# named *-go119-* or *-go126-* got the matching --go, and refuses
# --set gomaxprocs=N as an unknown config key.
[ "${1:-}" = replay ] || exit 2
in=$2
shift 2
out= go=
while [ $# -gt 0 ]; do
	case $1 in
	-q) shift ;;
	--stats) out=$2; shift 2 ;;
	--go) go=$2; shift 2 ;;
	--platform) shift 2 ;;
	--set)
		case $2 in
		gomaxprocs=*) echo "heapgrow: --set $2: unknown config key 'gomaxprocs'" >&2; exit 2 ;;
		esac
		shift 2
		;;
	*) echo "heapgrow: unexpected argument '$1'" >&2; exit 2 ;;
	esac
done
case $in in
*/probe.yaml) echo '{"heapgrow": 1}' >"$out"; exit 0 ;;
*-go119-*) [ "$go" = 1.19 ] || { echo "heapgrow: $in: expected --go 1.19" >&2; exit 2; } ;;
*-go126-*) [ "$go" = 1.26 ] || { echo "heapgrow: $in: expected --go 1.26" >&2; exit 2; } ;;
esac
base=${in%.trace.gz}
base=${base%.allocfreetrace.gz}
[ -f "$base.stats.json" ] || { echo "heapgrow: $in:1: unknown event kind" >&2; exit 2; }
cp "$base.stats.json" "$out"
