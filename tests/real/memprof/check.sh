#!/bin/sh
# Checks heapgrow's default of mem_profile against the recordings of this
# directory (record.sh): for every run of a program that does not link
# runtime.MemProfile (MemProfileRate=0), replayed under the preset of its
# release (--go 1.N; a release newer than heapgrow's newest preset under
# that one) and on its platform, mem_profile must be true exactly when the
# run had the profiler's hash table mapped at main (BuckHashSys at least
# 179999 pointers). The runs with -tags memprofile (they link it) must
# show the table mapped after 4 MiB (set mem_profile=true for them), the
# GODEBUG=profstackdepth=0 runs no table (set it false for them).
#
#   tests/real/memprof/check.sh HEAPGROW [DIR]
set -eu

[ $# -ge 1 ] || {
	echo "usage: check.sh HEAPGROW [DIR]" >&2
	exit 2
}
heapgrow=$1
here=$(cd "$(dirname "$0")" && pwd)
dir=${2:-$here}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
printf 'heapgrow: 1\nevents:\n  - new: {id: a, size: 64}\n' >"$tmp/t.yaml"

# the newest preset heapgrow has
newest=$("$heapgrow" replay "$tmp/t.yaml" --format json |
	sed -n 's/^ *"go": "1\.\([0-9]*\)",*$/\1/p' | head -n 1)
[ -n "$newest" ] || {
	echo "check.sh: no go key in heapgrow's output" >&2
	exit 1
}

# field LINE NAME: the value of NAME=... in LINE
field() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

n=0 fail=0
for f in "$dir"/*.txt.gz; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .txt.gz)
	start=$(gzip -dc "$f" | grep '^MEMPROF start ')
	after=$(gzip -dc "$f" | grep '^MEMPROF after_4MiB ')
	v=$(field "$start" GOVERSION)
	goos=$(field "$start" GOOS)
	goarch=$(field "$start" GOARCH)
	rate=$(field "$start" MemProfileRate)
	ptr=8
	case $goarch in 386 | arm) ptr=4 ;; esac
	table=$((179999 * ptr))
	mapped() { [ "$(field "$1" BuckHashSys)" -ge "$table" ] && echo true || echo false; }
	n=$((n + 1))
	case $name in
	*-memprofile)
		if [ "$rate" = 0 ] || [ "$(mapped "$after")" != true ]; then
			echo "FAIL $name: a program that links runtime.MemProfile: rate $rate, table mapped after 4 MiB: $(mapped "$after")"
			fail=$((fail + 1))
		else
			echo "ok   $name: links MemProfile, table mapped by 4 MiB (mem_profile=true)"
		fi
		continue
		;;
	*-profstackdepth0)
		if [ "$(mapped "$after")" != false ]; then
			echo "FAIL $name: GODEBUG=profstackdepth=0 mapped the table"
			fail=$((fail + 1))
		else
			echo "ok   $name: no table (mem_profile=false)"
		fi
		continue
		;;
	esac
	minor=$(echo "$v" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
	[ "$minor" -gt "$newest" ] && minor=$newest
	want=$(mapped "$start")
	got=$("$heapgrow" replay "$tmp/t.yaml" --go "1.$minor" --platform "$goos/$goarch" \
		--format json | sed -n 's/^ *"mem_profile": \([a-z]*\),*$/\1/p')
	if [ "$rate" != 0 ] || [ "$got" != "$want" ]; then
		echo "FAIL $name: BuckHashSys $(field "$start" BuckHashSys) at main (rate $rate): the table mapped: $want; heapgrow --go 1.$minor --platform $goos/$goarch: mem_profile $got"
		fail=$((fail + 1))
	else
		echo "ok   $name: --go 1.$minor --platform $goos/$goarch: mem_profile $got (BuckHashSys $(field "$start" BuckHashSys))"
	fi
done
# The importers leave mem_profile to the preset: a recorded Go 1.26 linux
# execution trace replays with it, the Go 1.26 js/wasm trace and a Go 1.19
# allocfreetrace log (under --go 1.19) without it, and the Go 1.19 log
# under --go 1.26 (what the program would do under Go 1.26) with it.
real=$here/../data
while read -r rec opts want; do
	[ -f "$real/$rec" ] || continue
	n=$((n + 1))
	# shellcheck disable=SC2086
	got=$("$heapgrow" replay "$real/$rec" $opts --format json 2>/dev/null |
		sed -n 's/^ *"mem_profile": \([a-z]*\),*$/\1/p')
	if [ "$got" != "$want" ]; then
		echo "FAIL $rec $opts: mem_profile $got, not $want"
		fail=$((fail + 1))
	else
		echo "ok   $rec $opts: mem_profile $got"
	fi
done <<LIST
tree-go126-p1.trace.gz --go=1.26 true
tree-go126-p1.trace.gz --go=1.25 false
wasmphases-go126-js.trace.gz --platform=js/wasm false
wasmphases-go126-js.trace.gz --go=1.26 false
tree-go119-p1.allocfreetrace.gz --go=1.19 false
tree-go119-p1.allocfreetrace.gz --go=1.26 true
LIST
[ "$n" -gt 0 ] || {
	echo "check.sh: no recording in $dir" >&2
	exit 1
}
echo "$((n - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
