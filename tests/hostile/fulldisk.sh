#!/usr/bin/env bash
# fulldisk.sh HEAPGROW SRC - a full file system: outputs written onto a
# 256 KiB tmpfs mounted in a private mount namespace (unshare -m, as
# root), filled but for a few KiB. Every kind of output (statistics, log,
# PNG, SVG, HTML report, timeline, curves, convert) that does not fit
# fails with status 2 and the system's reason, leaves its pre-existing
# target as it was and no temporary file, and gives the space back; one
# output that does not fit keeps every other output of the run, on the
# full file system or elsewhere, from replacing its target; outputs that
# fit are written whole. Skipped (status 77) where no tmpfs can be
# mounted: not root, no unshare, no mount namespaces.
set -u
hg=${1:?usage: fulldisk.sh HEAPGROW SRC}
src=${2:?usage: fulldisk.sh HEAPGROW SRC}
if [ "${HG_FULLDISK_NS:-}" != 1 ]; then
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: not root, no tmpfs to mount"; exit 77; }
	command -v unshare >/dev/null || { echo "SKIP: no unshare"; exit 77; }
	unshare -m --propagation private true 2>/dev/null ||
		{ echo "SKIP: no private mount namespace"; exit 77; }
	HG_FULLDISK_NS=1 exec unshare -m --propagation private \
		bash "$0" "$@"
fi
work=$(mktemp -d)
mnt=$work/full
mkdir "$mnt"
if ! mount -t tmpfs -o size=256k,mode=0755 heapgrow-full "$mnt" 2>/dev/null; then
	rm -rf "$work"
	echo "SKIP: cannot mount a tmpfs"
	exit 77
fi
trap 'umount "$mnt" 2>/dev/null; rm -rf "$work"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
leftovers() { ls -A "$1" | grep -E '^\..*\.[A-Za-z0-9]{6}$'; }
free_kb() { df -k --output=avail "$mnt" | tail -1 | tr -d ' '; }

trace=$work/t.hgt
sh "$src/tests/render/gen_spans.sh" 2000 >"$trace" || exit 1
small=$src/traces/examples/contiguous-growth.yaml

# Outputs that fit are written whole (the file system works).
"$hg" replay "$small" -q --stats "$mnt/ok.json" -o "$mnt/ok.svg" ||
	fail "small outputs on an empty tmpfs: exit $?"
grep -q '"HeapSys"' "$mnt/ok.json" && grep -q '</svg>' "$mnt/ok.svg" ||
	fail "small outputs not whole"
rm -f "$mnt/ok.json" "$mnt/ok.svg"

# Pre-existing outputs, then a filler that leaves a few KiB free.
for f in s.json l.jsonl m.png m.svg r.html tl.png c.svg conv.yaml; do
	echo keep >"$mnt/$f"
done
dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null
rm -f "$mnt/filler"
dd if=/dev/zero of="$mnt/filler" bs=4k count=$(($(free_kb) / 4 - 1)) 2>/dev/null
before=$(free_kb)
echo "full file system: $before KiB free"

# try NAME ARGS...: a run onto the full file system must fail alone.
try() {
	local name=$1
	shift
	"$hg" "$@" 2>"$work/err"
	local st=$?
	[ "$st" -eq 2 ] || fail "$name: exit $st, expected 2"
	grep -q "No space left on device" "$work/err" ||
		fail "$name: no reason given: $(head -c 300 "$work/err")"
	[ "$(grep -c '^heapgrow: ' "$work/err")" -ge 1 ] || fail "$name: no message"
	for f in s.json l.jsonl m.png m.svg r.html tl.png c.svg conv.yaml; do
		[ "$(cat "$mnt/$f")" = keep ] || fail "$name: $f was replaced"
	done
	[ -z "$(leftovers "$mnt")" ] || fail "$name: left $(leftovers "$mnt")"
	[ "$(free_kb)" -ge "$before" ] || fail "$name: space not given back"
}
try stats replay "$trace" -q --stats "$mnt/s.json"
try log replay "$trace" -q --log "$mnt/l.jsonl"
try png replay "$trace" -q -o "$mnt/m.png"
try svg replay "$trace" -q -o "$mnt/m.svg"
try html replay "$trace" -q -o "$mnt/r.html"
try timeline replay "$trace" -q --timeline "$mnt/tl.png"
try curves replay "$trace" -q --curves "$mnt/c.svg"
try compare compare "$trace" --vs go=1.19 --vs go=1.26 -o "$mnt/m.svg"
try convert convert "$trace" -o "$mnt/conv.yaml"

# All or none: outputs elsewhere are not replaced either.
mkdir "$work/else"
echo keep >"$work/else/s.json"
echo keep >"$work/else/m.svg"
try "a set" replay "$trace" -q --stats "$work/else/s.json" \
	-o "$work/else/m.svg" --log "$mnt/l.jsonl"
[ "$(cat "$work/else/s.json")" = keep ] && [ "$(cat "$work/else/m.svg")" = keep ] ||
	fail "a set: an output on another file system was replaced"
[ -z "$(leftovers "$work/else")" ] || fail "a set: left $(leftovers "$work/else")"

# A modeled out of memory (status 3) writes its outputs: onto a full disk
# the run fails with 2 all the same.
try "oom" replay "$src/traces/examples/commit-limit.yaml" -q \
	--log "$mnt/l.jsonl" -o "$mnt/m.png"

[ "$fails" -eq 0 ] && echo "fulldisk: all promises kept"
exit $((fails != 0))
