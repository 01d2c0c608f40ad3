#!/bin/sh
# Replays every recorded real Go run (tests/real/data) with heapgrow and
# compares heapgrow's figures at every mark with the MEMSTATS the program
# printed there; prints one Markdown table (hg_fidelity) and exits 1 when a
# figure misses its target (tests/real/targets unless --targets is given)
# or a recording cannot be replayed, 2 on a usage error.
#
#   tests/real/fidelity.sh [--heapgrow PATH] [--tool PATH] [--targets FILE]
#       [--target FIGURE=TOLERANCE[@GLOB]]... [--figures LIST]
#       [--summary|--matrix] [--data DIR] [--settings FILE] [--keep DIR]
#       [--update FILE] [NAME...]
#
# NAME limits the run to those recordings (default: all of DIR). --summary
# prints one row per recording and figure instead of one per mark, --matrix
# one row per recording with a column per figure (largest error, marks
# within target). --keep
# keeps each replay's stats as DIR/NAME.json. The options for each replay
# come from tests/real/settings. --update FILE writes the output into FILE
# instead, between its lines "<!-- fidelity.sh begin -->" and
# "<!-- fidelity.sh end -->" (the exit status is the same).
set -u
set -f # no pathname expansion: words are split on purpose below, never globbed

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
heapgrow=${HEAPGROW:-$root/build/cli/heapgrow}
tool=${HG_FIDELITY:-$root/build/tests/hg_fidelity}
targets=$here/targets
data=$here/data
settings=$here/settings
keep=
update=
extra=

usage() {
	sed -n '8,11p' "$0" | sed 's/^# *//' >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--heapgrow) [ $# -ge 2 ] || usage; heapgrow=$2; shift 2 ;;
	--tool) [ $# -ge 2 ] || usage; tool=$2; shift 2 ;;
	--targets) [ $# -ge 2 ] || usage; targets=$2; shift 2 ;;
	--target) [ $# -ge 2 ] || usage; extra="$extra
--target
$2"; shift 2 ;;
	--figures) [ $# -ge 2 ] || usage; extra="$extra
--figures
$2"; shift 2 ;;
	--summary | --matrix) extra="$extra
$1"; shift ;;
	--data) [ $# -ge 2 ] || usage; data=$2; shift 2 ;;
	--settings) [ $# -ge 2 ] || usage; settings=$2; shift 2 ;;
	--keep) [ $# -ge 2 ] || usage; keep=$2; shift 2 ;;
	--update) [ $# -ge 2 ] || usage; update=$2; shift 2 ;;
	--) shift; break ;;
	-*) usage ;;
	*) break ;;
	esac
done

for f in "$heapgrow" "$tool"; do
	[ -x "$f" ] || { echo "fidelity.sh: $f: not an executable (build first, or --heapgrow/--tool)" >&2; exit 2; }
done
[ -d "$data" ] || { echo "fidelity.sh: $data: no such directory" >&2; exit 2; }
begin='<!-- fidelity.sh begin -->' end='<!-- fidelity.sh end -->'
if [ -n "$update" ]; then
	[ "$(grep -cxF -e "$begin" "$update" 2>/dev/null)" = 1 ] && [ "$(grep -cxF -e "$end" "$update")" = 1 ] || {
		echo "fidelity.sh: $update: needs one line '$begin' and one '$end'" >&2
		exit 2
	}
	out=$(mktemp) || exit 2
	trap 'rm -f "$out"' EXIT INT TERM
	exec 3>&1 >"$out"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp" ${out:+"$out"}' EXIT INT TERM
[ -n "$keep" ] && mkdir -p "$keep"

# The recordings: every NAME.stdout with a NAME.trace.gz or
# NAME.allocfreetrace.gz (or a heapgrow trace, NAME.yaml or NAME.hgt,
# possibly gzip'd).
if [ $# -eq 0 ]; then
	set -- $(ls "$data" | sed -n 's/\.stdout$//p')
fi
[ $# -gt 0 ] || { echo "fidelity.sh: no recordings in $data" >&2; exit 2; }

# A tiny trace to find out which options this heapgrow accepts.
cat >"$tmp/probe.yaml" <<'PROBE'
heapgrow: 1
name: probe
events:
  - alloc: {id: a, size: 8K}
PROBE

# options NAME: the settings lines that apply, one word per line, without
# the options this heapgrow rejects (each noted once in $tmp/notes).
options() {
	[ -f "$settings" ] || return 0
	while read -r glob opt val rest; do
		case $glob in '' | '#'*) continue ;; esac
		# shellcheck disable=SC2254
		case $1 in
		$glob)
			key="$opt $val"
			if ! grep -qxF -e "$key" "$tmp/probed" 2>/dev/null; then
				echo "$key" >>"$tmp/probed"
				if "$heapgrow" replay "$tmp/probe.yaml" -q "$opt" "$val" --stats "$tmp/probe.json" \
					>/dev/null 2>"$tmp/probe.err"; then
					echo "$key" >>"$tmp/accepted"
				else
					echo "- \`$key\` left out of the replays: $(head -n 1 "$tmp/probe.err")" >>"$tmp/notes"
				fi
			fi
			if grep -qxF -e "$key" "$tmp/accepted" 2>/dev/null; then
				printf '%s\n%s\n' "$opt" "$val"
			fi
			;;
		esac
	done <"$settings"
}

: >"$tmp/notes"
: >"$tmp/args"
failed=0
for name in "$@"; do
	rec=
	for s in trace.gz allocfreetrace.gz yaml yaml.gz hgt hgt.gz; do
		[ -f "$data/$name.$s" ] && rec=$data/$name.$s
	done
	if [ -z "$rec" ] || [ ! -f "$data/$name.stdout" ]; then
		echo "- $name: no recording ($data/$name.stdout and .trace.gz, .allocfreetrace.gz, .yaml or .hgt)" >>"$tmp/notes"
		failed=1
		continue
	fi
	stats=$tmp/$name.json
	opts=$(options "$name")
	# A js/wasm run's module: where its static data ends (MODULE end=,
	# the break's start) and its initial linear memory (INITIAL bytes=),
	# as wasm_run.js read them from the program's module.
	if [ -f "$data/$name.stderr" ]; then
		mod=$(sed -n 's/^MODULE end=\([0-9][0-9]*\)$/module_end=\1/p' "$data/$name.stderr" | head -n 1)
		ini=$(sed -n 's/^INITIAL bytes=\([0-9][0-9]*\) .*/initial_memory=\1/p' "$data/$name.stderr" | head -n 1)
		[ -n "$mod" ] && opts="$opts
--set
$mod"
		[ -n "$mod" ] && [ -n "$ini" ] && opts="$opts
--set
$ini"
	fi
	# one option word per line: split on newlines only
	old_ifs=$IFS
	IFS='
'
	# shellcheck disable=SC2086
	"$heapgrow" replay "$rec" -q $opts --stats "$stats" >/dev/null 2>"$tmp/$name.err"
	status=$?
	IFS=$old_ifs
	if [ $status -ne 0 ] && [ $status -ne 3 ]; then
		echo "- $name: not replayed (exit $status): $(head -n 1 "$tmp/$name.err")" >>"$tmp/notes"
		failed=1
		continue
	fi
	[ $status -eq 3 ] && echo "- $name: the modeled runtime ran out of memory: $(head -n 1 "$tmp/$name.err")" >>"$tmp/notes"
	[ -n "$keep" ] && cp "$stats" "$keep/$name.json"
	# the real figures: MEMSTATS lines, and a js/wasm run's GROW and
	# INITIAL lines
	cat "$data/$name.stdout" >"$tmp/$name.real"
	[ -f "$data/$name.stderr" ] && grep -E '^(GROW|INITIAL) ' "$data/$name.stderr" >>"$tmp/$name.real"
	printf '%s\n%s\n%s\n' "$name" "$stats" "$tmp/$name.real" >>"$tmp/args"
done

status=0
if [ -s "$tmp/args" ]; then
	old_ifs=$IFS
	IFS='
'
	# shellcheck disable=SC2046,SC2086
	"$tool" --targets "$targets" $extra -- $(cat "$tmp/args")
	status=$?
	IFS=$old_ifs
	[ $status -eq 2 ] && { [ -n "$update" ] && rm -f "$out"; exit 2; }
else
	echo "No recording could be replayed."
	status=1
fi
if [ -s "$tmp/notes" ]; then
	echo
	sed "s|$data/||g" "$tmp/notes"
fi
[ $failed -ne 0 ] && [ $status -eq 0 ] && status=1
if [ -n "$update" ]; then
	exec >&3 3>&-
	awk -v b="$begin" -v e="$end" -v f="$out" '
		$0 == b { print; while ((getline l < f) > 0) print l; skip = 1; next }
		$0 == e { skip = 0 }
		!skip' "$update" >"$update.new" && mv "$update.new" "$update"
	rm -f "$out"
fi
exit $status
