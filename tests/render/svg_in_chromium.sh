#!/bin/sh
# svg_in_chromium.sh HEAPGROW PNGCMP TRACE WORK - the map's SVG, rendered
# by headless Chromium, must look like the map's PNG (same pixels within a
# tolerance: text rasterises differently, regions must not). Exit 77 (skip)
# when there is no Chromium.
set -u
heapgrow=$1 pngcmp=$2 trace=$3 work=$4
chromium=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chromium" ]; then
	echo "no chromium: skipped"
	exit 77
fi
rm -rf "$work" && mkdir -p "$work" || exit 2
"$heapgrow" replay "$trace" -q -o "$work/map.png" -o "$work/map.svg" -o "$work/map.scene" || exit 2
size=$(sed -n '1s/^scene \([0-9]*\) \([0-9]*\)$/\1,\2/p' "$work/map.scene")
[ -n "$size" ] || { echo "no size in map.scene"; exit 2; }
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic \
	--no-first-run --disable-background-networking --disable-component-update \
	--disable-sync --hide-scrollbars --force-device-scale-factor=1 \
	--user-data-dir="$profile" --window-size="$size" \
	--screenshot="$work/chromium.png" "file://$(readlink -f "$work/map.svg")" \
	>"$work/chromium.log" 2>&1
if [ ! -s "$work/chromium.png" ]; then
	cat "$work/chromium.log"
	echo "chromium wrote no screenshot"
	exit 1
fi
# Regions are crisp in both; text differs by antialiasing and hinting pixel
# by pixel, so compare the mean colour of 6 x 6 blocks.
"$pngcmp" "$work/map.png" "$work/chromium.png" --crop --block 6 --tol 40 --max-frac 0.02 \
	--diff "$work/diff.png"
