#!/bin/sh
# Runs the waves program (tests/real/go/waves) at GOMAXPROCS=2 under an
# instrumented Go 1.19 runtime, to see when the background scavenger runs
# and what it releases between a cycle and the next mark, and where the
# GC takes its work buffers (README.md there, "Go 1.19's HeapReleased"
# and "GOMAXPROCS=2: the mark workers and the mcaches' spans").
#
#   tests/real/go119-scavenger/run.sh [OUTDIR [RUNS [PROGRAM]]]
#
# (default: data, 6, waves); PROGRAM limit runs the limit program with
# GOMEMLIMIT=40MiB, as record.sh does (limit-go119-p2-memlimit-runK).
#
# The runtime is Go 1.19's ($GO119, default /usr/lib/go-1.19/bin/go) with
# runtime.diff applied to a copy of six of its files and hgi.go added,
# built with `go build -overlay`: the added lines only print events, they
# allocate nothing, so the allocfreetrace log is what the plain runtime
# writes. runtime.diff holds added lines only, at their places in Go
# 1.19.8's runtime (Debian's golang-1.19-go). Each event is a line
# "HGI <nanotime> <event> p=<P> g=<goroutine> <a> <b> <c>":
#
#   gcstart KIND           gcStart (KIND: gcTrigger's kind, 0 heap, 2 cycle)
#   markterm               gcMarkTermination (then tracegc() is printed)
#   finishsweep_wake R G   finishsweep_m's scavenger.wake at a cycle's
#                          start: heapRetained R, gcPercentGoal G
#   ready                  sweepone found the sweep list empty:
#                          scavenger.ready (sysmon is to wake it)
#   sysmon_wake DELAY IDLE sysmon saw the ready and wakes the scavenger
#                          (its sleep DELAY us, IDLE ticks without work)
#   sysmon_note DELAY IDLE WOKEN  sysmon back from its wait while every P
#                          was idle or the world stopped
#   wake PARKED            scavengerState.wake (PARKED 1: it injects it)
#   scav_unparked, scav_woke SLEPT  the scavenger runs after a park, or
#                          after a sleep of SLEPT ns
#   scav_run R G M         a run starts: heapRetained R, gcPercentGoal G
#                          (-1: none), mappedReady M
#   scav_ran N W R         it released N bytes in W ns of work, retained R
#   scav_sleep T W         it sleeps T ns after W ns of work (counted)
#   grow_scav N G          allocSpan's scavenging of N bytes for a growth G
#   pcache BASE P          allocSpan refilled P's page cache with the
#                          64-page block at BASE
#   manual BASE N TYPE     allocSpan made a manual span of N pages at BASE
#                          (TYPE 1 a stack, 3 work buffers)
#   wbuf_alloc BASE N      getempty took that span for work buffers (a
#                          mark worker, or a goroutine's mark assist)
#   wbuf_free BASE N       freeSomeWbufs gives it back (the sweeper)
#   rms_enter, rms_stw R   ReadMemStats called; the world stopped (its
#                          figures are read now), heapRetained R
#
# For each run K OUTDIR gets NAME-runK.allocfreetrace.gz and
# .stdout, the log and MEMSTATS as record.sh keeps them (the HGI lines
# left out; `fidelity.sh --data OUTDIR` replays them), NAME-runK.hgi.gz
# (the HGI, MARK and tracegc lines and the dumps' goroutine headers, in
# order), and OUTDIR/summary.txt (waves) or summary-limit.txt, written by
# summarize below from the .hgi.gz files (RUNS 0: only that, from the
# files OUTDIR has).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/data}
runs=${2:-6}
prog=${3:-waves}
case $prog in
waves) env="GOMAXPROCS=2 GODEBUG=allocfreetrace=1" base=waves-go119-p2 sum=summary.txt ;;
limit) env="GOMEMLIMIT=40MiB GOMAXPROCS=2 GODEBUG=allocfreetrace=1" base=limit-go119-p2-memlimit sum=summary-limit.txt ;;
*) echo "run.sh: PROGRAM is waves or limit, not $prog" >&2; exit 2 ;;
esac
GO119=${GO119:-/usr/lib/go-1.19/bin/go}
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
files="mgc.go mgcscavenge.go mgcsweep.go mgcwork.go mheap.go mstats.go proc.go"

v=$("$GO119" env GOVERSION 2>/dev/null) || v=
case $v in
go1.19*) ;;
*)
	echo "run.sh: no Go 1.19 ($GO119; Debian: apt-get install golang-1.19-go)" >&2
	exit 1
	;;
esac
root=$("$GO119" env GOROOT)
mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/rt"
for f in $files; do cp "$root/src/runtime/$f" "$tmp/rt/$f"; done
patch -s -d "$tmp/rt" -p1 <"$here/runtime.diff"
cp "$here/hgi.go" "$tmp/rt/hgi.go"
{
	printf '{"Replace":{'
	sep=
	for f in $files hgi.go; do
		printf '%s"%s":"%s"' "$sep" "$root/src/runtime/$f" "$tmp/rt/$f"
		sep=,
	done
	printf '}}\n'
} >"$tmp/overlay.json"
(cd "$here/../go" && "$GO119" build -overlay "$tmp/overlay.json" -o "$tmp/$prog" "./$prog")

# record.sh's filter of a log (afl_tracebacks), taken from there
eval "$(awk '/^afl_tracebacks\(\) \{/,/^}/' "$here/../record.sh")"

# summarize FILE.hgi.gz...: per run, the order of events (MARK labels in
# brackets, |S a cycle's start, T its mark termination, r the sweep's
# end, R<MiB> a scavenger run that released, the scavenger's state in
# each dump in parentheses), then for each mark that follows a sweep's
# end: the time from that end to ReadMemStats's stopped world, sysmon's
# wake of the scavenger in between (ms after the end, its delay), and
# what the scavenger released before the figures were read; last, the work
# buffers of each cycle (from its start to the next): W a span a mark
# worker took, A one the goroutine that started the cycle took (its
# assist), f one the sweeper gave back
summarize() {
	for f in "$@"; do
		n=${f##*/}
		n=${n%.hgi.gz}
		gzip -dc "$f" | awk -v name="$n" '
		function ms(t) { return sprintf("%.2f", (t - ready) / 1e6) }
		$1 == "HGI" && $3 == "scav_run" && sg == "" { sg = substr($5, 3) }
		{ lines[NR] = $0 }
		END {
			seq = ""; det = ""; ready = 0; dump = 0
			for (i = 1; i <= NR; i++) {
				split(lines[i], f, " ")
				if (f[1] == "HGI") {
					k = f[3]
					if (k == "gcstart") seq = seq " |S"
					else if (k == "markterm") { seq = seq " T"; ready = 0 }
					else if (k == "ready") { seq = seq " r"; ready = f[2]; rel = 0; sys = "" }
					else if (k == "scav_ran" && f[6] > 0) {
						seq = seq sprintf(" R%.1f", f[6] / 1048576)
						if (ready) rel += f[6]
					} else if (k == "sysmon_wake" && ready && sys == "")
						sys = sprintf(", sysmon %s ms after (delay %s us)", ms(f[2]), f[6])
					if (k == "markterm") ended = 1
					if (k == "gcstart" && (!ncyc || ended)) {
						if (ncyc) wbs = wbs " " (wb == "" ? "-" : wb)
						wb = ""; ncyc++; ended = 0; starter = f[5]
					}
					if (k == "wbuf_alloc") { wb = wb (f[5] == starter ? "A" : "W"); nwb++ }
					if (k == "wbuf_free") wb = wb "f"
					if (k == "rms_stw") {
						if (ready && mark != "")
							det = det sprintf("  %-12s sweep end to stopped world %7s ms%s, released before: %.2f MiB\n", mark, ms(f[2]), sys, rel / 1048576)
						mark = ""
					}
				} else if (f[1] == "MARK") {
					seq = seq " [" f[2] "]"; mark = f[2]
				} else if (lines[i] == "tracegc()") dump = 1
				else if (lines[i] == "end tracegc") dump = 0
				else if (dump && f[1] == "goroutine" && f[2] == sg) {
					st = lines[i]; sub(/^[^[]*\[/, "", st); sub(/\].*$/, "", st)
					seq = seq " (" st ")"
				}
			}
			printf "%s:%s\n%s", name, seq, det
			if (nwb)
				printf "  work buffers per cycle:%s %s\n", wbs, wb
		}'
	done
}

k=1
while [ "$k" -le "$runs" ]; do
	name=$base-run$k
	# shellcheck disable=SC2086 # $env: the variables, one word each
	env -i $env "$tmp/$prog" >"$tmp/out" 2>"$tmp/err"
	sed "s|$tmp/|./|g" "$tmp/out" >"$out/$name.stdout"
	grep -q '^GOVERSION ' "$out/$name.stdout" || {
		echo "run.sh: $name: the program did not finish" >&2
		exit 1
	}
	{
		for v in $env; do printf 'ENV %s\n' "$v"; done
		grep -v '^HGI ' "$tmp/err" | afl_tracebacks
	} | gzip -9n >"$out/$name.allocfreetrace.gz"
	awk '/^tracegc\(\)$/ { d = 1 } /^end tracegc$/ { d = 0; print; next }
		/^(HGI|MARK) / || /^tracegc\(\)$/ || (d && /^goroutine [0-9]+ \[/)' \
		"$tmp/err" | gzip -9n >"$out/$name.hgi.gz"
	echo "run.sh: $name"
	k=$((k + 1))
done
summarize "$out/$base"-run*.hgi.gz >"$out/$sum"
