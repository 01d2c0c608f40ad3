#!/bin/sh
# color.sh HEAPGROW SRCDIR WORKDIR - diff and compare colour their changes
# on a terminal (script(1)'s pseudo-terminal), green where a figure got
# better and red where worse; never with NO_COLOR, TERM=dumb or
# HEAPGROW_COLOR=never, never on a pipe. Exit 77 (skip) without script(1).
hg=$1
src=$2
work=$3
command -v script >/dev/null 2>&1 || { echo "no script(1): skipped"; exit 77; }
rm -rf "$work" && mkdir -p "$work" || exit 1
cd "$work" || exit 1
esc=$(printf '\033')
diff_cmd="\"$hg\" diff \"$src/tests/golden/stats/seed-002-go1.16.json\" \"$src/tests/golden/stats/seed-002-go1.17.json\""
cmp_cmd="\"$hg\" compare \"$src/traces/examples/seed-002-prepare-in-grow.yaml\" --vs go=1.16 --vs go=1.17"
# on_tty ENV CMD: run CMD on the terminal with ENV, its output in typescript.
on_tty() {
	rm -f typescript
	script -q -e -c "env $1 TERM=xterm $2" "$work/typescript" >/dev/null
}
fail=0
for c in diff_cmd cmp_cmd; do
	eval cmd=\$$c
	# (compare exits 3 here: one configuration runs out of memory.)
	on_tty "" "$cmd"
	# HeapSys grew from go1.16 to go1.17: worse, red.
	if grep "HeapSys" typescript | grep -q "${esc}\[31m"; then
		echo "ok: $c: HeapSys in red on a terminal"
	else
		echo "FAIL: $c: no red HeapSys on a terminal:"; cat -v typescript; fail=1
	fi
	for e in NO_COLOR=1 HEAPGROW_COLOR=never; do
		on_tty "$e" "$cmd"
		if grep -q "${esc}\[3" typescript; then
			echo "FAIL: $c: colour with $e"; fail=1
		else
			echo "ok: $c: no colour with $e"
		fi
	done
	rm -f typescript
	script -q -e -c "env TERM=dumb $cmd" "$work/typescript" >/dev/null
	if grep -q "${esc}\[3" typescript; then echo "FAIL: $c: colour with TERM=dumb"; fail=1; fi
	# A pipe: never colour.
	eval "$cmd" | cat > pipe.txt
	if grep -q "$esc" pipe.txt; then echo "FAIL: $c: colour on a pipe"; fail=1; fi
done
# reserved shrank from go1.16 to go1.17: better, green.
on_tty "" "$diff_cmd"
grep "final.classes.reserved" typescript | grep -q "${esc}\[32m" ||
	{ echo "FAIL: reserved not green:"; cat -v typescript; fail=1; }
exit $fail
