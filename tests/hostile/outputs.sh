#!/usr/bin/env bash
# outputs.sh HEAPGROW SRC - the promises about output files:
# non-regular targets written in place and never replaced, symbolic links
# followed, an input never overwritten, the outputs of a run replaced all
# together or not at all, no temporary file left by a signal.
set -u
hg=${1:?usage: outputs.sh HEAPGROW SRC}
src=${2:?usage: outputs.sh HEAPGROW SRC}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1
trace=$src/traces/examples/contiguous-growth.yaml
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
leftovers() { ls -A | grep -E '^\..*\.[A-Za-z0-9]{6}$'; }

# A FIFO gets the data in place and stays a FIFO.
mkfifo fifo
cat fifo >from-fifo &
"$hg" replay "$trace" -q --stats fifo || fail "stats to a FIFO: exit $?"
wait
[ -p fifo ] || fail "the FIFO was replaced"
grep -q '"HeapSys"' from-fifo || fail "the FIFO reader got no statistics"

# A character device stays one (a private node, never the system's).
if [ "$(id -u)" -eq 0 ] && mknod null c 1 3 2>/dev/null; then
	"$hg" replay "$trace" -q --stats null --log null -o null.svg ||
		fail "stats to a device: exit $?"
	[ -c null ] || fail "the device node was replaced by a regular file"
	rm -f null null.svg
	# A full disk: each picture format says why it failed.
	for fmt in png svg; do
		mknod "full.$fmt" c 1 7 2>/dev/null || continue
		"$hg" replay "$trace" -q -o "full.$fmt" 2>err
		[ $? -eq 2 ] || fail "a full device as $fmt: not exit 2"
		grep -q "No space left on device" err ||
			fail "a full device as $fmt: no reason given: $(cat err)"
		[ -c "full.$fmt" ] || fail "full.$fmt was replaced"
		rm -f "full.$fmt"
	done
fi

# Text from a trace that is not UTF-8 never reaches a picture.
printf 'heapgrow-trace 1\n# name: bad \377 name\na x 8K\n' >badname.hgt
printf 'heapgrow-trace 1\na x 8K\nm mark \303\050 here\n' >badmark.hgt
for t in badname.hgt badmark.hgt; do
	"$hg" replay "$t" -q -o "$t.svg" 2>err
	[ $? -eq 2 ] || fail "$t: not exit 2"
	grep -q "^heapgrow: $t:[0-9]*:[0-9]*: .*not valid UTF-8" err ||
		fail "$t: no positioned error: $(cat err)"
	[ ! -e "$t.svg" ] || fail "$t: an SVG was written"
done

# Standard output by name, through a pipe.
"$hg" replay "$trace" -q --stats /dev/stdout | grep -q '"HeapSys"' ||
	fail "--stats /dev/stdout"
"$hg" replay "$trace" -q --log /dev/stdout | grep -q '"op":"alloc"' ||
	fail "--log /dev/stdout"
"$hg" replay "$trace" -q --stats - | grep -q '"HeapSys"' || fail "--stats -"

# A symbolic link is followed: the link stays, its target gets the data.
echo old >real.json
ln -s real.json link.json
"$hg" replay "$trace" -q --stats link.json || fail "stats to a link: exit $?"
[ -L link.json ] || fail "the symbolic link was replaced"
grep -q '"HeapSys"' real.json || fail "the link's target was not written"
ln -s sub/new.json dangling.json
mkdir sub
"$hg" replay "$trace" -q --stats dangling.json ||
	fail "stats to a dangling link: exit $?"
[ -L dangling.json ] && [ -f sub/new.json ] ||
	fail "a dangling link's target was not created"

# An output that is an input is refused and the input kept.
cp "$trace" t.yaml
cp t.yaml t.orig
ln -s t.yaml t-link.yaml
for target in t.yaml t-link.yaml; do
	"$hg" replay t.yaml -q --stats "$target" 2>err
	[ $? -eq 2 ] || fail "--stats $target onto the trace: not exit 2"
	grep -q "is the input" err || fail "no message for --stats $target"
	cmp -s t.yaml t.orig || fail "--stats $target changed the trace"
done
printf 'platform: linux/amd64\n' >c.yaml
"$hg" replay t.yaml -q -c c.yaml -o c.yaml 2>/dev/null
[ $? -eq 2 ] || fail "-o onto the config file: not exit 2"
grep -q '^platform' c.yaml || fail "-o onto the config file replaced it"
"$hg" convert t.yaml -o t.yaml 2>/dev/null
[ $? -eq 2 ] || fail "convert onto its input: not exit 2"
cmp -s t.yaml t.orig || fail "convert onto its input changed it"

# All or none: one output that cannot be written keeps every other one
# from replacing its target.
echo keep >map.svg
"$hg" replay "$trace" -q -o map.svg --stats missing/dir/s.json 2>/dev/null
[ $? -eq 2 ] || fail "an unwritable output: not exit 2"
[ "$(cat map.svg)" = keep ] || fail "map.svg replaced although the run failed"
"$hg" replay "$trace" -q -o map.svg --stats s.json -o missing/m.png 2>/dev/null
[ "$(cat map.svg)" = keep ] && [ ! -e s.json ] ||
	fail "outputs replaced although a picture could not be written"
[ -z "$(leftovers)" ] || fail "temporary files left: $(leftovers)"

# A signal removes the temporary files: the replay blocks on a FIFO input
# after it has opened its outputs. Job control, so that a background job
# does not start with SIGINT ignored.
set -m
for sig in INT TERM HUP PIPE; do
	rm -f in s2.json l2.jsonl
	mkfifo in
	(printf 'heapgrow-trace 1\na x 8K\n'; sleep 30) >in &
	feeder=$!
	"$hg" replay in -q --stats s2.json --log l2.jsonl &
	pid=$!
	for _ in $(seq 100); do
		[ -n "$(leftovers)" ] && break
		sleep 0.05
	done
	[ -n "$(leftovers)" ] || fail "SIG$sig: no temporary file seen"
	kill -s "$sig" "$pid"
	wait "$pid"
	st=$?
	kill "$feeder" 2>/dev/null
	wait "$feeder" 2>/dev/null
	[ "$st" -gt 128 ] || fail "SIG$sig: exit status $st, not death by signal"
	[ -z "$(leftovers)" ] || fail "SIG$sig left $(leftovers)"
	[ ! -e s2.json ] && [ ! -e l2.jsonl ] || fail "SIG$sig: outputs written"
done

[ "$fails" -eq 0 ] && echo "outputs: all promises kept"
exit $((fails != 0))
