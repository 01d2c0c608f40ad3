#!/usr/bin/env bash
# seeds.sh HEAPGROW - every seed of randomize_heap_base allocates a 1 MiB
# span on a fresh heap (README, "The random heap base"), and without the
# runtime's start-up span (startup_alloc=0) some seed meets Go's throw, so
# the test can tell the two apart.
set -u
hg=${1:?usage: seeds.sh HEAPGROW}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'heapgrow-trace 1\na A 1M\n' >"$work/t.hgt"
fails=0 thrown=0
for s in $(seq 0 99); do
	"$hg" replay "$work/t.hgt" -q --check --set randomize_heap_base=$s ||
		{ echo "FAIL: seed $s: exit $?"; fails=$((fails + 1)); }
	"$hg" replay "$work/t.hgt" -q --set randomize_heap_base=$s \
		--set startup_alloc=0 2>"$work/err"
	rc=$?
	if [ $rc -eq 3 ]; then
		grep -q 'no adequate free space' "$work/err" ||
			{ echo "FAIL: seed $s: other throw"; fails=$((fails + 1)); }
		thrown=$((thrown + 1))
	elif [ $rc -ne 0 ]; then
		echo "FAIL: seed $s, startup_alloc=0: exit $rc"
		fails=$((fails + 1))
	fi
done
[ $thrown -gt 0 ] || { echo "FAIL: no seed throws without startup_alloc"; fails=$((fails + 1)); }
echo "seeds without startup_alloc that throw: $thrown of 100"
exit $((fails > 0))
