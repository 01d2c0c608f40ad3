#!/usr/bin/env bash
# corpus.sh HEAPGROW SRC - the hostile corpus (tests/hostile/corpus/, its
# expected exit statuses in tests/hostile/corpus.expect): each input is
# replayed with statistics and a picture asked for; the exit status must be
# the expected one, a failed run must print one "heapgrow: " message and
# leave no output and no temporary file, a pre-existing output must survive
# a failed run unchanged, and a run that reaches a verdict (0, or 3 for a
# modeled out of memory) must write both outputs.
set -u
hg=${1:?usage: corpus.sh HEAPGROW SRC}
src=${2:?usage: corpus.sh HEAPGROW SRC}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
n=0
while read -r name want; do
	n=$((n + 1))
	in=$src/tests/hostile/corpus/$name
	rm -rf "$work/out" && mkdir "$work/out" || exit 1
	echo keep >"$work/out/old.json"
	"$hg" replay "$in" -q --stats "$work/out/new.json" \
		-o "$work/out/new.svg" 2>"$work/err"
	rc=$?
	[ "$rc" -eq "$want" ] || { fail "$name: exit $rc, expected $want"; cat "$work/err"; continue; }
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]; then
		# A verdict (3: modeled out of memory) still writes them.
		[ -s "$work/out/new.json" ] && [ -s "$work/out/new.svg" ] ||
			fail "$name: exit $rc without both outputs"
	else
		grep -q '^heapgrow: ' "$work/err" || fail "$name: no message"
		[ ! -e "$work/out/new.json" ] && [ ! -e "$work/out/new.svg" ] ||
			fail "$name: output written on exit $rc"
		# A failed run leaves a pre-existing output as it was.
		"$hg" replay "$in" -q --stats "$work/out/old.json" 2>/dev/null
		[ "$(cat "$work/out/old.json")" = keep ] ||
			fail "$name: a failed run replaced an existing output"
	fi
	left=$(ls -A "$work/out" | grep -v -e '^old.json$' -e '^new.json$' -e '^new.svg$')
	[ -z "$left" ] || fail "$name: left behind: $left"
done <"$src/tests/hostile/corpus.expect"
[ "$n" -ge 25 ] || fail "only $n corpus entries"
echo "$n inputs"
exit $((fails > 0))
