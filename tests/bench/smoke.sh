#!/bin/sh
# smoke.sh BENCH_SH BUILD_DIR - runs the benchmark at tiny sizes
# (bench.sh --smoke) and checks that it ends well and prints every ratio
# line of the targets, each with a value and PASS, MISS or n/a. No timing
# is asserted: at these sizes the figures mean nothing.
set -eu
out=$(mktemp)
trap 'rm -f "$out"' EXIT
bash "$1" "$2" --smoke >"$out" 2>&1 || {
	cat "$out"
	echo "smoke.sh: bench.sh failed"
	exit 1
}
fail=0
for want in \
	"compact replay / heapgrow check, mix, 2000 events" \
	"compact replay / heapgrow check, mix, 8000 events" \
	"compact replay / heapgrow check, heap only, 2000 events" \
	".hgt.gz replay / gzip -dc, mix, 2000 events" \
	"YAML replay / heapgrow check of the YAML, mix, 2000 events" \
	"heaptrack_print events/s / replay events/s (mix, 2000)" \
	"cost per event at 1000 live spans / at 10" \
	"peak RSS at 8000 events / at 2000 (mix: flat)" \
	"bytes per live span (peak RSS)" \
	"replay --check (linear) / replay, mix, 1000 events" \
	"replay --check (linear) / replay, mix, 2000 events" \
	"replay --log / replay, mix, 2000 events"; do
	line=$(grep -F -- "$want" "$out" | head -n 1)
	case $line in
	*" PASS" | *" MISS" | *" n/a") echo "ok: $line" ;;
	*)
		echo "smoke.sh: no ratio line '$want' with a verdict"
		fail=1
		;;
	esac
done
grep -q '^replay.mix.8000 ' "$out" || { echo "smoke.sh: no replay.mix.8000 row"; fail=1; }
[ $fail = 0 ] || cat "$out"
exit $fail
