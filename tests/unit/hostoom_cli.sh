#!/bin/sh
# The heapgrow program out of host memory (heapgrow_hostoom, the program
# over tests/unit/hostoom.h): each command below is run once to count its
# allocations, then once for each N = 1, 2, ... with the Nth failing.
# Each such run must end cleanly: exit status 2 with the one line on
# stderr that says so, "heapgrow: out of host memory" (whichever reader,
# writer or the model failed), and no output file left in its directory (the
# outputs are temporary files renamed at the end: none partial, none
# left over), or, when the program did without what it could not get,
# exit status 0 and the very outputs of the run without a failure. A
# crash, a sanitizer's report (a leak at exit) or any other status fails.
#   sh hostoom_cli.sh HEAPGROW_HOSTOOM SOURCE_DIR
set -u
[ $# -eq 2 ] || { echo "usage: hostoom_cli.sh PROGRAM SOURCE_DIR" >&2; exit 2; }
hg=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/out" "$work/ref"
# A span-level trace: spans of 8 KiB to 1 MiB allocated and freed.
awk 'BEGIN { print "heapgrow-trace 1"
	for (i = 0; i < 200; i++) {
		printf "a s%d %d\n", i, 8192 * 2 ^ (i % 8)
		if (i >= 40 && i % 3) printf "f s%d\n", i - 40
		if (i % 50 == 49) printf "m step%d\n", i
	} }' >"$work/spans.hgt"
fail=0
# check NAME ARGS...: ARGS write their outputs into $work/out.
check() {
	name=$1
	shift
	rm -f "$work/out/"* "$work/out/".[!.]* 2>/dev/null
	HG_HOSTOOM_COUNT=$work/count "$hg" "$@" >"$work/stdout" 2>"$work/stderr"
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: $name: status $rc without a failure" >&2
		cat "$work/stderr" >&2
		fail=1
		return
	fi
	rm -rf "$work/ref"
	cp -r "$work/out" "$work/ref"
	cp "$work/stdout" "$work/ref.stdout"
	read -r total fired <"$work/count"
	n=1 ehost=0 without=0 bad=0
	while [ "$n" -le "$total" ]; do
		rm -f "$work/out/"* "$work/out/".[!.]* "$work/count" 2>/dev/null
		HG_HOSTOOM_AT=$n HG_HOSTOOM_COUNT=$work/count "$hg" "$@" \
			>"$work/stdout" 2>"$work/stderr"
		rc=$?
		fired=0
		[ -f "$work/count" ] && read -r _ fired <"$work/count"
		why=
		if [ "$fired" != 1 ]; then
			why="allocation $n never came"
		elif [ "$rc" -eq 2 ]; then
			if [ "$(wc -l <"$work/stderr")" -ne 1 ] ||
				[ "$(cat "$work/stderr")" != \
					"heapgrow: out of host memory" ]; then
				why="status 2 and: $(head -c 300 "$work/stderr")"
			elif [ -n "$(ls -A "$work/out")" ]; then
				why="output left: $(ls -A "$work/out" | tr '\n' ' ')"
			else
				ehost=$((ehost + 1))
			fi
		elif [ "$rc" -eq 0 ]; then
			if diff -r "$work/out" "$work/ref" >/dev/null &&
				cmp -s "$work/stdout" "$work/ref.stdout"; then
				without=$((without + 1))
			else
				why="status 0 with other outputs"
			fi
		else
			why="status $rc: $(head -c 300 "$work/stderr")"
		fi
		if [ -n "$why" ]; then
			bad=$((bad + 1))
			[ "$bad" -le 10 ] && echo "FAIL: $name: allocation $n of $total failing: $why" >&2
		fi
		n=$((n + 1))
	done
	echo "$name: $total allocations: $ehost runs out of host memory, $without did without, $bad failed"
	[ "$bad" -eq 0 ] && [ "$ehost" -gt 0 ] || fail=1
}
check "import go-trace" import --from go-trace \
	"$src/tests/data/gotrace/objects.trace.gz" -o "$work/out/objects.hgt"
check "replay --stats" replay -q --check --stats "$work/out/stats.json" \
	"$work/spans.hgt"
check "convert yaml" convert "$src/traces/examples/objects.yaml" \
	-o "$work/out/objects.hgt"
check "check" check "$src/traces/examples/objects.yaml"
printf 'go: "1.19"\n' >"$work/config.yaml"
check "replay --config" replay -q --config "$work/config.yaml" \
	--stats "$work/out/stats.json" "$src/traces/examples/objects.yaml"
# Two statistics files of the same trace under different configurations:
# diff warns of it, but not when it runs out of memory first.
"$hg" replay -q --stats "$work/base.json" "$work/spans.hgt" &&
	"$hg" replay -q --go 1.19 --stats "$work/new.json" "$work/spans.hgt" ||
	fail=1
check "diff" diff "$work/base.json" "$work/new.json"
exit "$fail"
