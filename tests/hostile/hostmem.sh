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
# 10 TiB of live span: about 390 MB of model without sparse chunks.
printf 'heapgrow-trace 1\na A 10T\nf A\na B 10T\n' >big.hgt
(ulimit -v $limit && exec "$hg" replay big.hgt -q --stats out.json) 2>err
rc=$?
case $rc in
0) [ -s out.json ] || { echo "FAIL: exit 0 but no statistics"; fails=1; } ;;
2)
	grep -qx 'heapgrow: out of host memory' err ||
		{ echo "FAIL: exit 2 without the host-memory message:"; cat err; fails=1; }
	[ ! -e out.json ] || { echo "FAIL: statistics written on exit 2"; fails=1; }
	;;
*) echo "FAIL: exit $rc under a host memory limit:"; cat err; fails=1 ;;
esac
[ -z "$(ls -A | grep -v -e '^small.hgt$' -e '^big.hgt$' -e '^err$' -e '^out.json$')" ] ||
	{ echo "FAIL: files left:"; ls -A; fails=1; }
exit $fails
