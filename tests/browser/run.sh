#!/bin/sh
# run.sh HEAPGROW SRCDIR WORK [SPANS] - heapgrow's HTML reports in a real
# browser: writes the reports of a few examples, two seed compares and a
# trace of SPANS live spans (default 1000000, tests/render/gen_spans.sh)
# into WORK, then drives Debian's Chromium on them with
# Playwright (report_test.js; screenshots stay in WORK). Exit 77 (skip)
# when Chromium, Node.js or tests/browser/node_modules (npm ci) is missing.
set -u
heapgrow=$1 src=$2 work=$3 spans=${4:-1000000}
here=$src/tests/browser
chromium=${HG_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ] || ! command -v node >/dev/null 2>&1 ||
	[ ! -d "$here/node_modules/playwright-core" ]; then
	echo "no chromium, node or tests/browser/node_modules (npm ci): skipped"
	exit 77
fi
rm -rf "$work" && mkdir -p "$work" || exit 2
ex=$src/traces/examples
"$heapgrow" replay "$src/tests/render/basic.yaml" -q -o "$work/basic.html" \
	--log "$work/basic.jsonl" || exit 2
"$heapgrow" replay "$src/tests/render/basic.yaml" -q -o "$work/basic-at.html" \
	--at "GC 1" || exit 2
"$heapgrow" replay "$src/tests/render/basic.yaml" -q -o "$work/basic-range.html" \
	--range 0xc000000000:0xc001000000 || exit 2
# Every example, and each seed's before and after (as README "The five
# seeds" compares them): the HTML report (screenshot by report_test.js)
# and the PNG map, timeline and curves, kept in WORK/png as the test's
# artefacts (share/doc/pictures.md says what each shows).
mkdir -p "$work/png" || exit 2
for t in "$ex"/*.yaml; do
	n=$(basename "$t" .yaml)
	"$heapgrow" replay "$t" -q -o "$work/$n.html" -o "$work/png/$n.png" \
		--timeline "$work/png/$n.timeline.png" \
		--curves "$work/png/$n.curves.png" 2>>"$work/stderr"
	[ $? -le 3 ] || exit 2
done
# AT: the mark where the seed's story shows on the map ("-": the end).
while read -r seed a b at; do
	n=compare-${seed#seed-}
	"$heapgrow" compare "$ex/$seed.yaml" --vs "$a" --vs "$b" -q \
		-o "$work/$n.html" -o "$work/png/$n.png" \
		--timeline "$work/png/$n.timeline.png" \
		--curves "$work/png/$n.curves.png" 2>>"$work/stderr"
	[ $? -le 3 ] || exit 2
	[ "$at" = - ] && continue
	"$heapgrow" compare "$ex/$seed.yaml" --vs "$a" --vs "$b" -q \
		-o "$work/png/$n.at.png" --at "$at" 2>>"$work/stderr"
	[ $? -le 3 ] || exit 2
done <<EOS
seed-000-wasm-bloc go=1.21 go=1.24 -
seed-001-strand-limit go=1.8 go=1.9 -
seed-002-prepare-in-grow go=1.16 go=1.17 first allocation
seed-003-incremental-grow go=1.13 go=1.14 24 MiB of spans
seed-004-plan9-freelist policy.sbrk_free=top-only policy.sbrk_free=freelist -
EOS
echo "pictures: $(ls "$work/png" | wc -l) PNGs in $work/png"
for f in "$work/png"/*.png; do
	[ -s "$f" ] || { echo "empty picture $f"; exit 1; }
done
sh "$src/tests/render/gen_spans.sh" "$spans" >"$work/spans.hgt" || exit 2
start=$(date +%s)
"$heapgrow" replay "$work/spans.hgt" -q -o "$work/spans.html" || exit 2
echo "$spans-span report written in $(($(date +%s) - start)) s," \
	"$(wc -c <"$work/spans.html") bytes"
rm -f "$work/spans.hgt"
HG_CHROMIUM=$chromium HG_SPANS=$spans node "$here/report_test.js" "$work"
