#!/usr/bin/env bash
# diff.sh HEAPGROW SRC - `heapgrow diff` refuses stats files whose figures
# have the wrong type or that lack what a gate names: exit 2, with the
# file, its position and the figure named.
set -u
hg=${1:?usage: diff.sh HEAPGROW SRC}
src=${2:?usage: diff.sh HEAPGROW SRC}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
"$hg" replay "$src/traces/examples/contiguous-growth.yaml" -q --stats a.json ||
	{ echo "FAIL: no stats"; exit 1; }
"$hg" diff a.json a.json >/dev/null || fail "a file against itself: exit $?"
# expect NAME SED-EXPR MESSAGE [GATE]: the edited copy is refused.
expect() {
	sed -E "$2" a.json >"$1.json"
	cmp -s a.json "$1.json" && { fail "$1: the edit changed nothing"; return; }
	if [ $# -ge 4 ]; then
		"$hg" diff a.json "$1.json" --fail-if "$4" >/dev/null 2>err
	else
		"$hg" diff a.json "$1.json" >/dev/null 2>err
	fi
	rc=$?
	[ $rc -eq 2 ] || fail "$1: exit $rc, expected 2"
	grep -q "^heapgrow: $1.json:.*$3" err ||
		{ fail "$1: message"; cat err; }
}
expect string 's/"HeapSys": [0-9]+/"HeapSys": "big"/' "figure 'final.memstats.HeapSys' is a string"
expect negative 's/"HeapSys": [0-9]+/"HeapSys": -5/' "figure 'final.memstats.HeapSys' is negative"
expect boolean 's/"map": [0-9]+/"map": true/' "figure 'os_calls.map' is a boolean"
expect null 's/"heap_grows": [0-9]+/"heap_grows": null/' "figure 'heap_grows' is null"
expect nofinal 's/"final"/"finale"/' "no 'final' figures"
expect missing '/"HeapSys"/d' "'final.memstats.HeapSys'" 'final.memstats.HeapSys > +10%'
exit $((fails > 0))
