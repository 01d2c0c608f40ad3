#!/bin/sh
# Replays recorded real Go runs (tests/real/data) with heapgrow's invariant
# checker (--check) and the options tests/real/settings gives each; exits
# 1 when a replay fails (a broken invariant is exit 2 with its message),
# 2 on a usage error.
#
#   tests/real/check.sh HEAPGROW NAME...
set -u
set -f # the settings' words are split on purpose, never globbed

here=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 2 ] || { sed -n '7p' "$0" | sed 's/^# *//' >&2; exit 2; }
heapgrow=$1
shift
[ -x "$heapgrow" ] || { echo "check.sh: $heapgrow: not an executable" >&2; exit 2; }

failed=0
for name in "$@"; do
	rec=
	for s in trace.gz allocfreetrace.gz; do
		[ -f "$here/data/$name.$s" ] && rec=$here/data/$name.$s
	done
	[ -n "$rec" ] || { echo "check.sh: $name: no recording" >&2; exit 2; }
	opts=
	while read -r glob opt val rest; do
		case $glob in '' | '#'*) continue ;; esac
		# shellcheck disable=SC2254
		case $name in $glob) opts="$opts $opt $val" ;; esac
	done <"$here/settings"
	# shellcheck disable=SC2086
	if ! "$heapgrow" replay "$rec" -q --check $opts; then
		echo "check.sh: $name: replay --check$opts failed" >&2
		failed=1
	fi
done
exit $failed
