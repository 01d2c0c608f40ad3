#!/usr/bin/env bash
# bench.sh BUILD_DIR [--quick | --smoke] [--repeat N] [--markdown FILE]
#
# The benchmark of README "Performance", in one run: it generates the
# traces, records the real programs, runs every baseline beside heapgrow
# on the same input and prints each time, then the ratios of the targets
# with PASS or MISS.
#
#   traces   the mix (tests/bench/gentrace: heap spans of 1-4 pages with
#            a tail to 8 MiB, 20% off-heap stacks, a foreign mapping every
#            500 events, a scavenge every 50,000, a mark every 100,000) at
#            three lengths, compact; at the first length also as YAML and
#            as .hgt.gz, a heap-only trace (no stacks, no foreign
#            mappings), and an object-level churn (gentrace -k objects);
#            a steady churn at 1K, 100K and 1M live spans (gentrace -k
#            steady) for the cost per event as the live set grows
#   programs tests/bench/mallocs (C: millions of malloc and free) recorded
#            by heaptrack and by glibc's mtrace(); tests/bench/goalloc (Go:
#            millions of objects) recorded as an execution trace with
#            GODEBUG=traceallocfree=1
#   baselines heapgrow check (parsing and ids, no model), gzip -dc,
#            heaptrack_print on the heaptrack recording
#
# Times are CPU seconds (user + system, tests/bench/benchtime: the least
# of --repeat runs, 3 by default, once for runs over 8M events; the
# machine may be shared), events/s and
# ns/event from them; maxRSS is the least peak RSS of those runs. A tool
# that is missing (heaptrack, go, glibc's libc_malloc_debug) leaves its
# rows out and its ratios "n/a".
#
# --markdown FILE also writes the runs and the ratios as Markdown tables
# (the README's). --quick runs lengths of 100K, 400K and 1.6M events (the live sets 1K,
# 10K, 100K); --smoke tiny ones, once each (ctest: that the script runs
# and prints every ratio line; its figures mean nothing).
set -euo pipefail

usage() {
	echo "usage: bench.sh BUILD_DIR [--quick | --smoke] [--repeat N] [--markdown FILE]" >&2
	exit 2
}
[ $# -ge 1 ] || usage
build=$(cd "$1" && pwd)
shift
mode=full
repeat=3
md=
while [ $# -gt 0 ]; do
	case $1 in
	--markdown)
		[ $# -ge 2 ] || usage
		md=$2
		shift
		;;
	--quick) mode=quick ;;
	--smoke) mode=smoke ;;
	--repeat)
		[ $# -ge 2 ] || usage
		repeat=$2
		shift
		;;
	*) usage ;;
	esac
	shift
done

case $mode in
full)
	sizes="1000000 4000000 16000000"
	checks="100000 1000000"
	lives="1000 100000 1000000"
	churn=1000000
	mtrace_n=3000000
	go_n=1500000
	;;
quick)
	sizes="100000 400000 1600000"
	checks="20000 100000"
	lives="1000 10000 100000"
	churn=200000
	mtrace_n=500000
	go_n=250000
	;;
smoke)
	sizes="2000 4000 8000"
	checks="1000 2000"
	lives="10 100 1000"
	churn=2000
	mtrace_n=2000
	go_n=1000
	repeat=1
	;;
esac

here=$(cd "$(dirname "$0")" && pwd)
hg=$build/cli/heapgrow
gen=$build/tests/gentrace
bt=$build/tests/benchtime
mallocs=$build/tests/mallocs
for x in "$hg" "$gen" "$bt" "$mallocs"; do
	[ -x "$x" ] || {
		echo "bench.sh: $x is missing (cmake --build $build)" >&2
		exit 2
	}
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
set -- $sizes
s1=$1
slast=${!#}

# ------------------------------------------------------------------
# Measuring

# t NAME EVENTS COMMAND...: runs it, keeps "seconds maxrss" in $work/NAME.t
# and the event count in $work/NAME.n, prints the row.
t() {
	local name=$1 n=$2
	shift 2
	local r reps=$repeat
	# The longest runs once: the whole benchmark stays within minutes.
	[ "$n" -gt 8000000 ] && reps=1
	if ! r=$("$bt" -r "$reps" -- "$@"); then
		echo "bench.sh: $name failed: $*" >&2
		exit 1
	fi
	echo "$r" >"$work/$name.t"
	echo "$n" >"$work/$name.n"
	awk -v name="$name" -v n="$n" -v r="$r" -v md="$work/runs.md" 'BEGIN {
		split(r, a, " "); s = a[1]; rss = a[2]
		eps = s > 0 ? n / s : 0; ns = n > 0 ? s * 1e9 / n : 0
		printf "%-34s %10d %9.3f %12.0f %9.1f %9.1f\n", name, n, s, eps, ns, rss / 1024
		printf "| %s | %d | %.3f | %.0f | %.1f | %.1f |\n", name, n, s, eps, ns, rss / 1024 >>md
	}'
}

secs() { cut -d' ' -f1 "$work/$1.t"; }
rss() { cut -d' ' -f2 "$work/$1.t"; }
have() { [ -f "$work/$1.t" ]; }

# events TRACE [OPTIONS]: the event count heapgrow check gives.
events() {
	"$hg" check "$@" | sed -n 's/.*(\([0-9]*\) events).*/\1/p'
}

# ratio LABEL VALUE TARGET (VALUE <= TARGET passes; "n/a": not measured)
ratio() {
	awk -v l="$1" -v v="$2" -v t="$3" -v md="$work/ratios.md" 'BEGIN {
		if (v == "n/a") {
			printf "  %-66s %8s  target <= %-5s n/a\n", l, v, t
			printf "| %s | n/a | <= %s | n/a |\n", l, t >>md
			exit
		}
		verdict = v <= t ? "PASS" : "MISS"
		printf "  %-66s %8.2f  target <= %-5s %s\n", l, v, t, verdict
		printf "| %s | %.2f | <= %s | %s |\n", l, v, t, verdict >>md
	}'
}

# div A B: A / B of two measured times ("n/a" when either is missing)
div() {
	if have "$1" && have "$2"; then
		awk -v a="$(secs "$1")" -v b="$(secs "$2")" \
			'BEGIN { if (b > 0) printf "%.4f", a / b; else print "n/a" }'
	else
		echo n/a
	fi
}

# eps NAME: events/s of a measured run
eps() {
	awk -v n="$(cat "$work/$1.n")" -v s="$(secs "$1")" \
		'BEGIN { if (s > 0) printf "%.0f", n / s; else print 0 }'
}

# ------------------------------------------------------------------
# Traces and recordings

echo "heapgrow benchmark ($mode): $(uname -m), $(nproc) cores, build $build"
echo "generating traces..."
mix="-f compact -o 20 -m 500"
for n in $sizes $checks; do
	[ -f "$work/mix.$n.hgt" ] || "$gen" $mix -n "$n" >"$work/mix.$n.hgt"
done
"$gen" -f yaml -o 20 -m 500 -n "$s1" >"$work/mix.$s1.yaml"
gzip -c "$work/mix.$s1.hgt" >"$work/mix.$s1.hgt.gz"
"$gen" -f compact -n "$s1" >"$work/heap.$s1.hgt"
"$gen" -f compact -n "$s1" -k objects -o 2 >"$work/objects.$s1.hgt"
for l in $lives; do
	"$gen" -f compact -k steady -l "$l" -n "$l" >"$work/fill.$l.hgt"
	"$gen" -f compact -k steady -l "$l" -n $((l + churn)) >"$work/steady.$l.hgt"
done

echo "recording programs..."
# heaptrack of the C program, about as many events as the mix's first length
ht=
if command -v heaptrack >/dev/null && command -v heaptrack_print >/dev/null; then
	timeout 300 heaptrack -o "$work/ht" "$mallocs" "$s1" >"$work/ht.out" 2>&1 || true
	ht_n=$(sed -n 's/^mallocs: \([0-9]*\) events$/\1/p' "$work/ht.out")
	ht=$(ls "$work"/ht.zst "$work"/ht.gz 2>/dev/null | head -n 1 || true)
	if [ -z "$ht" ] || [ -z "$ht_n" ]; then
		echo "bench.sh: heaptrack made no recording" >&2
		ht=
	fi
else
	echo "bench.sh: no heaptrack: its rows are left out" >&2
fi
# mtrace of the same program (glibc: libc_malloc_debug does the logging)
mt=
dbg=$(ls /usr/lib/*/libc_malloc_debug.so.0 /lib/*/libc_malloc_debug.so.0 2>/dev/null | head -n 1 || true)
if [ -n "$dbg" ]; then
	LD_PRELOAD=$dbg MALLOC_TRACE=$work/prog.mtrace timeout 300 "$mallocs" "$mtrace_n" >/dev/null
	mt=$work/prog.mtrace
	"$hg" import --from mtrace "$mt" -o "$work/prog.hgt" 2>/dev/null
	# The same program at span level: each malloc a span, each free its
	# free, no gc.
	awk '$1 == "n" { print "a", $2, $3; next } $1 == "d" { print "f", $2; next }
	     $1 == "g" { next } { print }' "$work/prog.hgt" >"$work/prog.spans.hgt"
else
	echo "bench.sh: no libc_malloc_debug.so.0: the mtrace rows are left out" >&2
fi
# an execution trace of the Go program
gt=
if command -v go >/dev/null &&
	(cd "$here/goalloc" && GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
		go build -o "$work/goalloc" . 2>/dev/null); then
	GODEBUG=traceallocfree=1 HG_TRACE=$work/prog.trace "$work/goalloc" "$go_n" >/dev/null
	gt=$work/prog.trace
else
	echo "bench.sh: no go (or goalloc did not build): the go-trace rows are left out" >&2
fi

# ------------------------------------------------------------------
# Runs

echo
printf '%-34s %10s %9s %12s %9s %9s\n' run events seconds events/s ns/event maxRSS_MiB
for n in $sizes; do
	t "check.mix.$n" "$n" "$hg" check "$work/mix.$n.hgt"
	t "replay.mix.$n" "$n" "$hg" replay -q "$work/mix.$n.hgt"
done
t "check.heap.$s1" "$s1" "$hg" check "$work/heap.$s1.hgt"
t "replay.heap.$s1" "$s1" "$hg" replay -q "$work/heap.$s1.hgt"
t "check.yaml.$s1" "$s1" "$hg" check "$work/mix.$s1.yaml"
t "replay.yaml.$s1" "$s1" "$hg" replay -q "$work/mix.$s1.yaml"
t "gzip-dc.hgt.gz.$s1" "$s1" gzip -dc "$work/mix.$s1.hgt.gz"
t "check.hgt.gz.$s1" "$s1" "$hg" check "$work/mix.$s1.hgt.gz"
t "replay.hgt.gz.$s1" "$s1" "$hg" replay -q "$work/mix.$s1.hgt.gz"
t "replay.log.$s1" "$s1" "$hg" replay -q --log "$work/log.jsonl" "$work/mix.$s1.hgt"
rm -f "$work/log.jsonl"
for n in $checks; do
	have "replay.mix.$n" || t "replay.mix.$n" "$n" "$hg" replay -q "$work/mix.$n.hgt"
	t "replay.check.$n" "$n" "$hg" replay -q --check "$work/mix.$n.hgt"
done
t "replay.objects.$s1" "$s1" "$hg" replay -q "$work/objects.$s1.hgt"
for l in $lives; do
	t "replay.fill.$l" "$l" "$hg" replay -q "$work/fill.$l.hgt"
	t "replay.steady.$l" $((l + churn)) "$hg" replay -q "$work/steady.$l.hgt"
done
if [ -n "$ht" ]; then
	t "heaptrack_print.$ht_n" "$ht_n" heaptrack_print "$ht"
fi
if [ -n "$mt" ]; then
	mt_n=$(events "$mt" --from mtrace)
	t "check.mtrace" "$mt_n" "$hg" check --from mtrace "$mt"
	t "replay.mtrace" "$mt_n" "$hg" replay -q --from mtrace "$mt"
	t "replay.mtrace.objects.hgt" "$mt_n" "$hg" replay -q "$work/prog.hgt"
	t "replay.mtrace.spans.hgt" "$(events "$work/prog.spans.hgt")" \
		"$hg" replay -q "$work/prog.spans.hgt"
fi
if [ -n "$gt" ]; then
	gt_n=$(events "$gt" --from go-trace)
	t "check.go-trace" "$gt_n" "$hg" check --from go-trace "$gt"
	t "replay.go-trace" "$gt_n" "$hg" replay -q --from go-trace "$gt"
fi

# ------------------------------------------------------------------
# Live spans: the cost of one churn event (a free or an allocation) once
# the live set is filled, (steady - fill) / churn events, and the memory
# per live span, from the peak RSS of the smallest and largest live sets.

echo
echo "per-event cost by live spans (the churn after the fill)"
for l in $lives; do
	awk -v l="$l" -v c="$churn" -v a="$(secs "replay.steady.$l")" \
		-v b="$(secs "replay.fill.$l")" -v r="$(rss "replay.steady.$l")" -v md="$work/live.md" 'BEGIN {
		printf "  %9d live spans: %7.1f ns/event, maxRSS %7.1f MiB\n", l, (a - b) * 1e9 / c, r / 1024
		printf "| %d | %.1f | %.1f |\n", l, (a - b) * 1e9 / c, r / 1024 >>md
	}'
done
set -- $lives
l1=$1
llast=${!#}
cost() { awk -v a="$(secs "replay.steady.$1")" -v b="$(secs "replay.fill.$1")" -v c="$churn" \
	'BEGIN { v = (a - b) / c; print (v > 0 ? v : 1e-12) }'; }
per_id=$(awk -v a="$(rss "replay.steady.$llast")" -v b="$(rss "replay.steady.$l1")" \
	-v la="$llast" -v lb="$l1" 'BEGIN { printf "%.1f", (a - b) * 1024 / (la - lb) }')
echo "  bytes per live span: $per_id (peak RSS difference over $l1..$llast live spans)"

# ------------------------------------------------------------------
# Ratios (README "Performance", the targets of the benchmark)

echo
echo "ratios (CPU time of heapgrow over its baseline on the same file; PASS: within the target)"
for n in $sizes; do
	ratio "compact replay / heapgrow check, mix, $n events" "$(div "replay.mix.$n" "check.mix.$n")" 2
done
ratio "compact replay / heapgrow check, heap only, $s1 events" "$(div "replay.heap.$s1" "check.heap.$s1")" 1.5
ratio ".hgt.gz replay / gzip -dc, mix, $s1 events" "$(div "replay.hgt.gz.$s1" "gzip-dc.hgt.gz.$s1")" 1.5
ratio "YAML replay / heapgrow check of the YAML, mix, $s1 events" "$(div "replay.yaml.$s1" "check.yaml.$s1")" 1.3
if [ -n "$ht" ]; then
	hte=$(eps "heaptrack_print.$ht_n")
	ratio "heaptrack_print events/s / replay events/s (mix, $s1)" \
		"$(awk -v a="$hte" -v b="$(eps "replay.mix.$s1")" 'BEGIN { printf "%.4f", a / b }')" 2
	[ -n "$mt" ] && ratio "heaptrack_print events/s / replay events/s (same program, mtrace)" \
		"$(awk -v a="$hte" -v b="$(eps replay.mtrace)" 'BEGIN { printf "%.4f", a / b }')" 2
else
	ratio "heaptrack_print events/s / replay events/s (mix, $s1)" n/a 2
fi
ratio "cost per event at $llast live spans / at $l1" \
	"$(awk -v a="$(cost "$llast")" -v b="$(cost "$l1")" 'BEGIN { printf "%.4f", a / b }')" 1.5
ratio "peak RSS at $slast events / at $s1 (mix: flat)" \
	"$(awk -v a="$(rss "replay.mix.$slast")" -v b="$(rss "replay.mix.$s1")" 'BEGIN { printf "%.4f", a / b }')" 1.1
ratio "bytes per live span (peak RSS)" "$per_id" 64
for n in $checks; do
	ratio "replay --check (linear) / replay, mix, $n events" "$(div "replay.check.$n" "replay.mix.$n")" 10
done
ratio "replay --log / replay, mix, $s1 events" "$(div "replay.log.$s1" "replay.mix.$s1")" 1.5
echo
echo "other ratios (no target)"
printf '  %-66s %8s\n' "replay.objects / replay.heap (object layer, per event)" "$(div "replay.objects.$s1" "replay.heap.$s1")"
if [ -n "$mt" ]; then
	printf '  %-66s %8s\n' "same program: objects / spans (object layer over span level)" \
		"$(div replay.mtrace.objects.hgt replay.mtrace.spans.hgt)"
	printf '  %-66s %8s\n' "mtrace replay / heapgrow check of it" "$(div replay.mtrace check.mtrace)"
fi
[ -n "$gt" ] && printf '  %-66s %8s\n' "go-trace replay / heapgrow check of it" "$(div replay.go-trace check.go-trace)"
printf '  %-66s %8s\n' "mix replay, $slast events / $s1 events, per event" \
	"$(awk -v a="$(secs "replay.mix.$slast")" -v b="$(secs "replay.mix.$s1")" -v na="$slast" -v nb="$s1" \
		'BEGIN { printf "%.2f", (a / na) / (b / nb) }')"
if [ -n "$md" ]; then
	{
		echo "| run | events | CPU seconds | events/s | ns/event | peak RSS (MiB) |"
		echo "|---|---|---|---|---|---|"
		cat "$work/runs.md"
		echo
		echo "| live spans | ns per churn event | peak RSS (MiB) |"
		echo "|---|---|---|"
		cat "$work/live.md"
		echo
		echo "| ratio | measured | target | |"
		echo "|---|---|---|---|"
		cat "$work/ratios.md"
	} >"$md"
fi
exit 0
