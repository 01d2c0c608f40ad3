#!/usr/bin/env bash
# hostmem.sh HEAPGROW - the host running out of memory is its own error:
# under `ulimit -v` a replay whose model needs more than the limit exits 2
# with "heapgrow: out of host memory", never 3 (the modeled runtime's
# throw), and leaves no output behind. Skipped (77) where a small replay
# cannot run under the limit at all (sanitizer builds reserve terabytes).
set -u
hg=${1:?usage: hostmem.sh HEAPGROW}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
limit=120000 # KiB of virtual memory
printf 'heapgrow-trace 1\na A 1M\n' >small.hgt
(ulimit -v $limit && "$hg" replay small.hgt -q) 2>/dev/null || exit 77
fails=0
# check_oom NAME: the replay of NAME.hgt under the limit ran out of host
# memory: exit 2 with the message, no statistics, nothing left behind.
check_oom() {
	(ulimit -v $limit && exec "$hg" replay "$1.hgt" -q --stats "$1.json") 2>err
	rc=$?
	case $rc in
	2)
		grep -qx 'heapgrow: out of host memory' err ||
			{ echo "FAIL: $1: exit 2 without the host-memory message:"; cat err; fails=1; }
		[ ! -e "$1.json" ] || { echo "FAIL: $1: statistics written on exit 2"; fails=1; }
		;;
	*) echo "FAIL: $1: exit $rc under a host memory limit (want 2):"; cat err; fails=1 ;;
	esac
}
# 10 TiB of live span, freed and taken again: the page allocator keeps
# wholly allocated or free chunks in its compact form (a few MiB of model,
# not the 390 MB one bitmap per chunk would take), so it fits.
printf 'heapgrow-trace 1\na A 10T\nf A\na B 10T\n' >big.hgt
(ulimit -v $limit && exec "$hg" replay big.hgt -q --stats out.json) 2>err
rc=$?
[ $rc = 0 ] && [ -s out.json ] ||
	{ echo "FAIL: 10 TiB span: exit $rc under the limit:"; cat err; fails=1; }
# What the heap holds costs host memory: 60000 spans of 256 MiB and more,
# every other one freed, leave 30000 holes whose edges split chunks (the
# page allocator's bitmaps of those chunks, about 600 MB in all); under
# the limit the host runs out in the page allocator.
awk 'BEGIN { print "heapgrow-trace 1"
	for (i = 0; i < 60000; i++) {
		printf "a S%d %dK\n", i, 262152 + 8 * i
		if (i % 2) printf "f S%d\n", i - 1
	} }' >holes.hgt
check_oom holes
# Many live ids: the id table runs out.
awk 'BEGIN { print "heapgrow-trace 1"
	for (i = 0; i < 3000000; i++) printf "sa id%d 4K\n", i }' >ids.hgt
check_oom ids
[ -z "$(ls -A | grep -v -e '^small.hgt$' -e '^big.hgt$' -e '^holes.hgt$' \
	-e '^ids.hgt$' -e '^err$' -e '^out.json$')" ] ||
	{ echo "FAIL: files left:"; ls -A; fails=1; }
exit $fails
