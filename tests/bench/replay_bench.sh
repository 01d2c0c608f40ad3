#!/usr/bin/env bash
# replay_bench.sh BUILD_DIR [EVENTS]
#
# Measures `heapgrow replay` on synthetic traces of EVENTS events (default
# 1,000,000) in YAML, compact text and gzip-compressed YAML, and prints each
# time beside baselines that read the same bytes:
#   cat FILE     - reading the file at all
#   gzip -dc     - decompressing the .gz trace
#   heapgrow check - parsing and id validation without the model
# Ratios above 1 mean heapgrow takes that many times longer than the
# baseline. The "mixed" trace makes half the allocations off-heap
# (sysalloc/sysfree), which exercises the simulated address space. The
# "objects" trace is an object-level churn of the same length and live-set
# bound (new/del through the object layer, gc, stacks, two Ps): its ratio
# to the span-level replay is the object layer's cost per event. Peak
# memory (max RSS) shows that replay streams the trace.
set -euo pipefail
build=${1:?usage: replay_bench.sh BUILD_DIR [EVENTS]}
events=${2:-1000000}
hg=$build/cli/heapgrow
gen=$build/tests/gentrace
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$gen" -f yaml -n "$events" >"$work/t.yaml"
"$gen" -f compact -n "$events" >"$work/t.hgt"
gzip -c "$work/t.yaml" >"$work/t.yaml.gz"
"$gen" -f yaml -n $((events * 4)) >"$work/t4.yaml"
"$gen" -f compact -n "$events" -o 50 >"$work/mixed.hgt"
"$gen" -f compact -n "$events" -k objects -o 2 >"$work/objects.hgt"

# run LABEL CMD... -> prints seconds and max RSS (KiB)
measure() {
	local out
	out=$( { /usr/bin/time -f '%e %M' "$@" >/dev/null; } 2>&1 | tail -n 1)
	echo "$out"
}

printf '%-28s %10s %10s %12s\n' "run" "seconds" "maxRSS" "events/s"
row() {
	local label=$1; shift
	local r; r=$(measure "$@")
	local t=${r% *} rss=${r#* }
	local eps
	eps=$(awk -v n="$events" -v t="$t" 'BEGIN { if (t > 0) printf "%.0f", n / t; else print "-" }')
	printf '%-28s %10s %8sKiB %12s\n' "$label" "$t" "$rss" "$eps"
	echo "$t" >"$work/$label.t"
}
row cat.yaml cat "$work/t.yaml"
row gzip-dc.yaml.gz gzip -dc "$work/t.yaml.gz"
row check.yaml "$hg" check "$work/t.yaml"
row replay.yaml "$hg" replay -q "$work/t.yaml"
row replay.yaml.gz "$hg" replay -q "$work/t.yaml.gz"
row check.hgt "$hg" check "$work/t.hgt"
row replay.hgt "$hg" replay -q "$work/t.hgt"
row check.mixed.hgt "$hg" check "$work/mixed.hgt"
row replay.mixed.hgt "$hg" replay -q "$work/mixed.hgt"
row check.objects.hgt "$hg" check "$work/objects.hgt"
row replay.objects.hgt "$hg" replay -q "$work/objects.hgt"
r4=$(measure "$hg" replay -q "$work/t4.yaml")

ratio() { awk -v a="$(cat "$work/$1.t")" -v b="$(cat "$work/$2.t")" \
	'BEGIN { if (b > 0) printf "%.1f", a / b; else print "-" }'; }
echo
echo "ratios"
echo "  replay.yaml.gz / gzip -dc      $(ratio replay.yaml.gz gzip-dc.yaml.gz)"
echo "  replay.yaml / check.yaml       $(ratio replay.yaml check.yaml)  (model cost over parsing)"
echo "  replay.hgt / check.hgt         $(ratio replay.hgt check.hgt)"
echo "  replay.yaml / replay.hgt       $(ratio replay.yaml replay.hgt)  (YAML over compact)"
echo "  replay.mixed / check.mixed     $(ratio replay.mixed.hgt check.mixed.hgt)  (half the allocations off-heap)"
echo "  replay.objects / replay.hgt    $(ratio replay.objects.hgt replay.hgt)  (object layer over span level, per event)"
echo
echo "scaling: ${events} events: $(cat "$work/replay.yaml.t")s, maxRSS $(measure "$hg" replay -q "$work/t.yaml" | cut -d' ' -f2)KiB;" \
	"$((events * 4)) events: ${r4% *}s, maxRSS ${r4#* }KiB"
