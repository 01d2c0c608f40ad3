#!/bin/sh
# progress.sh HEAPGROW WORKDIR - the progress line: shown on a terminal
# once a replay has run for a second, never with -q or when standard error
# is not a terminal. The terminal is script(1)'s pseudo-terminal; the
# replay reads a pipe that stalls for a while half-way, so it runs for
# over a second on any machine. Exit 77 (skip) without script(1).
hg=$1
work=$2
command -v script >/dev/null 2>&1 || { echo "no script(1): skipped"; exit 77; }
rm -rf "$work" && mkdir -p "$work" || exit 1
cd "$work" || exit 1
awk 'BEGIN { print "heapgrow-trace 1"; for (i = 0; i < 20000; i++) printf "a %d 8K\n", i }' > t.hgt
head -n 12000 t.hgt > first.hgt
tail -n +12001 t.hgt > rest.hgt
# stalled ARGS: replay the stalling pipe with ARGS, on the terminal.
stalled() {
	script -q -e -c "sh -c '{ cat first.hgt; sleep 1.5; cat rest.hgt; } | \"$hg\" replay - $*'" "$work/typescript" >/dev/null
}
fail=0
stalled -q --stats s.json || { echo "FAIL: replay failed"; fail=1; }
if grep -q 'events/s' typescript; then echo "FAIL: a progress line with -q"; fail=1; fi
stalled --stats s.json || { echo "FAIL: replay failed"; fail=1; }
if grep -q 'heapgrow: 16384 events, .* M events/s, .* MiB read' typescript; then
	echo "ok: progress line on a terminal"
else
	echo "FAIL: no progress line on a terminal:"; cat -v typescript; fail=1
fi
# Not a terminal: nothing on standard error.
{ cat first.hgt; sleep 1.5; cat rest.hgt; } | "$hg" replay - --stats s.json 2>err.txt >/dev/null
if [ -s err.txt ]; then echo "FAIL: standard error on a file:"; cat err.txt; fail=1; fi
exit $fail
