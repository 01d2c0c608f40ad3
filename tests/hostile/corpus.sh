#!/usr/bin/env bash
# corpus.sh HEAPGROW SRC - the hostile corpus (tests/hostile/corpus/, each
# input's exit status, class and mode in tests/hostile/corpus.expect, the
# count of each class in tests/hostile/README.md): each input is replayed
# with statistics and a picture asked for; the exit status must be the
# expected one, a failed run must print one "heapgrow: " message and leave
# no output and no temporary file, a pre-existing output must survive a
# failed run unchanged, and a run that reaches a verdict (0, or 3 for a
# modeled out of memory) must write both outputs whole. Every file of the
# corpus is listed, and the README's table counts each class right.
set -u
hg=${1:?usage: corpus.sh HEAPGROW SRC}
src=${2:?usage: corpus.sh HEAPGROW SRC}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
corpus=$src/tests/hostile/corpus
base=$src/traces/examples/contiguous-growth.yaml

# The run-time inputs: device nodes (as root) and a FIFO.
mkdir "$work/dev"
root=0
[ "$(id -u)" -eq 0 ] && mknod "$work/dev/zero" c 1 5 2>/dev/null &&
	mknod "$work/dev/null" c 1 3 2>/dev/null && root=1
mkfifo "$work/dev/fifo"
{ printf 'platform: '; head -c 2097152 /dev/zero | tr '\0' x; echo; } \
	>"$work/dev/config-huge"

# run IN MODE STATS SVG: one replay of IN as MODE reads it.
run() {
	local in=$1 mode=$2
	shift 2
	case $mode in
	config) "$hg" replay "$base" -q -c "$in" "$@" ;;
	stdin) "$hg" replay - -q "$@" <"$in" ;;
	*) "$hg" replay "$in" -q "$@" ;;
	esac
}
# input NAME: its path, feeding the FIFO for this run.
feed() {
	printf 'heapgrow-trace 1\na A 1M\nm fed\nf A\n' >"$work/dev/fifo" &
}

n=0 skipped=0
declare -A count
while read -r name want class mode; do
	case $name in '#'* | '') continue ;; esac
	mode=${mode:-trace}
	n=$((n + 1))
	count[$class]=$((${count[$class]:-0} + 1))
	case $name in
	@*)
		in=$work/dev/${name#@}
		if [ ! -e "$in" ]; then
			skipped=$((skipped + 1))
			continue
		fi ;;
	*) in=$corpus/$name ;;
	esac
	what="$name ($mode)"
	rm -rf "$work/out" && mkdir "$work/out" || exit 1
	echo keep >"$work/out/old.json"
	[ "$name" = @fifo ] && feed
	run "$in" "$mode" --stats "$work/out/new.json" -o "$work/out/new.svg" \
		2>"$work/err"
	rc=$?
	wait
	[ "$rc" -eq "$want" ] || { fail "$what: exit $rc, expected $want"; cat "$work/err"; continue; }
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 3 ]; then
		# A verdict (3: modeled out of memory) still writes them.
		grep -q '"HeapSys"' "$work/out/new.json" &&
			grep -q '</svg>' "$work/out/new.svg" ||
			fail "$what: exit $rc without both outputs whole"
	else
		[ "$(grep -c '^heapgrow: ' "$work/err")" -eq 1 ] ||
			fail "$what: not one message: $(cat "$work/err")"
		[ ! -e "$work/out/new.json" ] && [ ! -e "$work/out/new.svg" ] ||
			fail "$what: output written on exit $rc"
		# A failed run leaves a pre-existing output as it was.
		[ "$name" = @fifo ] && feed
		run "$in" "$mode" --stats "$work/out/old.json" 2>/dev/null
		wait
		[ "$(cat "$work/out/old.json")" = keep ] ||
			fail "$what: a failed run replaced an existing output"
	fi
	left=$(ls -A "$work/out" | grep -v -e '^old.json$' -e '^new.json$' -e '^new.svg$')
	[ -z "$left" ] || fail "$what: left behind: $left"
done <"$src/tests/hostile/corpus.expect"

# Every file of the corpus has its line.
for f in "$corpus"/*; do
	b=$(basename "$f")
	grep -q "^$b " "$src/tests/hostile/corpus.expect" ||
		fail "$b is not in corpus.expect"
done
# The README's table: | `class` | count | ...
total=0
for class in "${!count[@]}"; do
	total=$((total + count[$class]))
	grep -q "^| \`$class\` | ${count[$class]} |" "$src/tests/hostile/README.md" ||
		fail "README.md: class $class should count ${count[$class]}"
done
grep -q "^| total | $total |" "$src/tests/hostile/README.md" ||
	fail "README.md: the total should be $total"
[ "$n" -ge 60 ] || fail "only $n corpus entries"
echo "$n inputs in ${#count[@]} classes ($skipped device nodes skipped: not root)"
exit $((fails > 0))
