#!/bin/sh
# Runs the waves program (tests/real/go/waves) at GOMAXPROCS=2 under an
# instrumented Go 1.19 runtime, to see when the background scavenger runs
# and what it releases between a cycle and the next mark (README.md there,
# "Go 1.19's HeapReleased").
#
#   tests/real/go119-scavenger/run.sh [OUTDIR [RUNS]]   (default: data, 6)
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
#   rms_enter, rms_stw R   ReadMemStats called; the world stopped (its
#                          figures are read now), heapRetained R
#
# For each run K OUTDIR gets waves-go119-p2-runK.allocfreetrace.gz and
# .stdout, the log and MEMSTATS as record.sh keeps them (the HGI lines
# left out; `fidelity.sh --data OUTDIR` replays them),
# waves-go119-p2-runK.hgi.gz (the HGI, MARK and tracegc lines and the
# dumps' goroutine headers, in order), and OUTDIR/summary.txt, written by
# summarize below from the .hgi.gz files.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/data}
runs=${2:-6}
GO119=${GO119:-/usr/lib/go-1.19/bin/go}
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0
files="mgc.go mgcscavenge.go mgcsweep.go mheap.go mstats.go proc.go"

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
(cd "$here/../go" && "$GO119" build -overlay "$tmp/overlay.json" -o "$tmp/waves" ./waves)

# record.sh's filter of a log (afl_tracebacks), taken from there
eval "$(awk '/^afl_tracebacks\(\) \{/,/^}/' "$here/../record.sh")"

# summarize FILE.hgi.gz...: per run, the order of events (MARK labels in
# brackets, |S a cycle's start, T its mark termination, r the sweep's
# end, R<MiB> a scavenger run that released, the scavenger's state in
# each dump in parentheses), then for each mark that follows a sweep's
# end: the time from that end to ReadMemStats's stopped world, sysmon's
# wake of the scavenger in between (ms after the end, its delay), and
# what the scavenger released before the figures were read
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
					else if (k == "rms_stw") {
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
		}'
	done
}

k=1
while [ "$k" -le "$runs" ]; do
	name=waves-go119-p2-run$k
	env -i GOMAXPROCS=2 GODEBUG=allocfreetrace=1 "$tmp/waves" >"$tmp/out" 2>"$tmp/err"
	sed "s|$tmp/|./|g" "$tmp/out" >"$out/$name.stdout"
	grep -q '^GOVERSION ' "$out/$name.stdout" || {
		echo "run.sh: $name: the program did not finish" >&2
		exit 1
	}
	{
		printf 'ENV GOMAXPROCS=2\nENV GODEBUG=allocfreetrace=1\n'
		grep -v '^HGI ' "$tmp/err" | afl_tracebacks
	} | gzip -9n >"$out/$name.allocfreetrace.gz"
	awk '/^tracegc\(\)$/ { d = 1 } /^end tracegc$/ { d = 0; print; next }
		/^(HGI|MARK) / || /^tracegc\(\)$/ || (d && /^goroutine [0-9]+ \[/)' \
		"$tmp/err" | gzip -9n >"$out/$name.hgi.gz"
	echo "run.sh: $name"
	k=$((k + 1))
done
summarize "$out"/waves-go119-p2-run*.hgi.gz >"$out/summary.txt"
