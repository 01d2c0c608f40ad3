#!/usr/bin/env bash
# bigheap.sh HEAPGROW HG_MAXRSS [sanitize] - the model's host memory follows
# what the heap holds, not how big it is (README "Limits"): a 100 TiB span
# on a fresh linux/amd64 heap replays in under 64 MiB of resident memory,
# and so does a trace that frees such a span and reuses parts of it, with
# --check (the invariant checker walks the compact form), the figures and
# addresses exact. With "sanitize" (ASan+UBSan builds, whose shadow memory
# is not the model's) the memory limit is not enforced, the rest is.
set -u
hg=${1:?usage: bigheap.sh HEAPGROW HG_MAXRSS [sanitize]}
maxrss=${2:?usage: bigheap.sh HEAPGROW HG_MAXRSS [sanitize]}
limit=65536 # KiB
[ "${3:-}" = sanitize ] && limit=100000000
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fails=0
fail() { echo "FAIL: $*"; fails=1; }

# figure FILE NAME: the final value of memstats NAME in a stats file.
figure() {
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["final"]["memstats"][sys.argv[2]])' "$1" "$2"
}

# 1. The 26-byte trace: one 100 TiB span.
printf 'heapgrow-trace 1\na A 100T\n' >t100.hgt
"$maxrss" $limit "$hg" replay t100.hgt -q --stats t100.json 2>err
rc=$?
cat err
[ $rc = 0 ] || fail "a A 100T: exit $rc (over $limit KiB, or the replay failed)"
[ "$(figure t100.json HeapInuse)" = 109951162777600 ] ||
	fail "a A 100T: HeapInuse $(figure t100.json HeapInuse)"

# 2. Free it and reuse parts of its space; scavenge parts and all.
cat >giant.hgt <<'TRACE'
heapgrow-trace 1
a A 100T
a B 8K
f A
a C 3M
a D 40T
a E 12K
s 1G
a F 50T
f D
a G 30T
s 5T
f C
a H 1M
f F
s all
a I 55T
m end
TRACE
"$maxrss" $limit "$hg" replay giant.hgt -q --check --stats giant.json \
	--log giant.log 2>err
rc=$?
cat err
[ $rc = 0 ] || fail "giant.hgt --check: exit $rc"
# Live: B 8K, E 16K (two pages), H 1M, G 30T, I 55T.
want=$((8192 + 16384 + 1048576 + 30 * 2 ** 40 + 55 * 2 ** 40))
[ "$(figure giant.json HeapInuse)" = $want ] ||
	fail "giant.hgt: HeapInuse $(figure giant.json HeapInuse), want $want"
# First fit in the freed span: C and then H at its base, D after C, G in
# D's place, I in F's place after E and G's tail; the 40 TiB released
# at once; B where the heap grew past A.
for ev in '"id":"B","addr":"0x64c000000000"' '"id":"C","addr":"0xc000000000"' \
	'"id":"D","addr":"0xc000300000"' '"id":"G","addr":"0xc000300000"' \
	'"id":"H","addr":"0xc000000000"' '"id":"I","addr":"0x28c000380000"' \
	'"released":1073741824' '"released":5497558138880' \
	'"released":71467180490752'; do
	grep -qF "$ev" giant.log || fail "giant.hgt: no event with $ev in the log"
done

# 3. Many 100 TiB churns in one replay stay bounded too (not under the
# sanitizers, where releasing 100 TiB chunk by chunk takes minutes).
[ "${3:-}" = sanitize ] && exit $fails
{
	echo 'heapgrow-trace 1'
	for i in 1 2 3 4; do
		echo "a X$i $((i * 16))T"
		echo "a Y$i $((100 - i * 16))T"
		echo "f X$i"
		echo "s $i""T"
		echo "f Y$i"
	done
	echo 's all'
	echo 'a Z 100T'
} >churn.hgt
"$maxrss" $limit "$hg" replay churn.hgt -q --check 2>err
rc=$?
cat err
[ $rc = 0 ] || fail "churn.hgt --check: exit $rc"
exit $fails
