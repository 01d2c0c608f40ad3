#!/usr/bin/env bash
# signals.sh HEAPGROW SRC - SIGINT, SIGTERM, SIGHUP and SIGPIPE at random
# points of a long picture write (a map, a timeline and a report of 10,000
# live spans, with statistics and a log): a run killed by a signal leaves
# every pre-existing output exactly as it was and no temporary file; a run
# the signal came too late for has written every output whole, byte for
# byte what an undisturbed run writes. Each signal is sent at random
# moments of the run and, at least once, while a picture's temporary file
# is being filled. A write onto a pipe closed early (SIGPIPE from the
# reader) behaves the same. HG_SIGNALS_SEED=N repeats a run's moments.
set -u
hg=${1:?usage: signals.sh HEAPGROW SRC}
src=${2:?usage: signals.sh HEAPGROW SRC}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1
seed=${HG_SIGNALS_SEED:-$$}
RANDOM=$seed
echo "seed $seed (HG_SIGNALS_SEED=$seed repeats it)"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

sh "$src/tests/render/gen_spans.sh" 10000 >t.hgt || exit 1
outs="map.png tl.svg report.html stats.json log.jsonl"
run() { # DIR: the run whose outputs go to DIR
	"$hg" replay t.hgt -q -o "$1/map.png" --timeline "$1/tl.svg" \
		-o "$1/report.html" --stats "$1/stats.json" --log "$1/log.jsonl"
}
launch() { # DIR: run in the background, heapgrow itself in $pid
	(exec "$hg" replay t.hgt -q -o "$1/map.png" --timeline "$1/tl.svg" \
		-o "$1/report.html" --stats "$1/stats.json" \
		--log "$1/log.jsonl" 2>/dev/null) &
	pid=$!
}
leftovers() { ls -A "$1" | grep -E '^\..*\.[A-Za-z0-9]{6}$'; }

# The reference: an undisturbed run, and how long it takes.
mkdir ref
start=$(date +%s%N)
run ref 2>err || { fail "the reference run failed: $(cat err)"; exit 1; }
ms=$((($(date +%s%N) - start) / 1000000))
echo "an undisturbed run takes $ms ms"

# check DIR STATUS SIG WHEN: the promise, whatever the signal hit: the
# run died of the signal or ended with 0, and its outputs are all as they
# were or all whole (the set is replaced together, even by a run the
# signal reaches while it renames them), with no temporary file left.
killed=0
check() {
	local d=$1 st=$2 sig=$3 when=$4 f old=0 new=0
	if [ "$st" -eq $((128 + $(kill -l "$sig"))) ]; then
		killed=$((killed + 1))
	elif [ "$st" -ne 0 ]; then
		fail "SIG$sig $when: exit status $st"
	fi
	for f in $outs; do
		if [ "$(cat "$d/$f")" = keep ]; then
			old=$((old + 1))
		elif cmp -s "$d/$f" "ref/$f"; then
			new=$((new + 1))
		else
			fail "SIG$sig $when (exit $st): $f is neither the old file nor whole"
		fi
	done
	[ "$st" -ne 0 ] || [ "$new" -eq 5 ] ||
		fail "SIG$sig $when: exit 0 with $old outputs not written"
	[ "$old" -eq 0 ] || [ "$new" -eq 0 ] ||
		fail "SIG$sig $when (exit $st): $new outputs replaced, $old not"
	[ -z "$(leftovers "$d")" ] ||
		fail "SIG$sig $when (exit $st): left $(leftovers "$d" | tr '\n' ' ')"
}

# Job control, so that a background job does not start with SIGINT
# ignored.
set -m
n=0
for sig in INT TERM HUP PIPE; do
	# At random moments of the whole run (some land after its end).
	for _ in 1 2 3; do
		n=$((n + 1))
		d=run$n && mkdir "$d" && for f in $outs; do echo keep >"$d/$f"; done
		delay=$((RANDOM % (ms + ms / 4 + 1)))
		launch "$d"
		sleep "$(printf '0.%03d' $((delay % 1000)))"
		sleep $((delay / 1000))
		kill -s "$sig" "$pid" 2>/dev/null
		wait "$pid"
		check "$d" $? "$sig" "after $delay ms"
	done
	# While a picture's temporary file fills (the timeline, the report or
	# the map; retried if the run ends first).
	hit=0
	for _ in 1 2 3 4 5; do
		n=$((n + 1))
		d=run$n && mkdir "$d" && for f in $outs; do echo keep >"$d/$f"; done
		launch "$d"
		while kill -0 "$pid" 2>/dev/null &&
			[ -z "$(find "$d" -maxdepth 1 -size +0c \
				\( -name '.tl.svg.*' -o -name '.report.html.*' \
				-o -name '.map.png.*' \) | head -1)" ]; do
			sleep 0.005
		done
		kill -s "$sig" "$pid" 2>/dev/null
		wait "$pid"
		st=$?
		check "$d" "$st" "$sig" "mid-write"
		[ "$st" -eq $((128 + $(kill -l "$sig"))) ] && { hit=1; break; }
	done
	[ "$hit" -eq 1 ] || fail "SIG$sig never reached a run mid-write"
done

# The reader of -o - goes away: SIGPIPE (or EPIPE) fails the run, and the
# regular output beside it stays as it was.
set +m
d=pipe && mkdir $d && echo keep >$d/stats.json
"$hg" replay t.hgt -q -o - --picture-format svg --stats $d/stats.json \
	2>$d/err | head -c 100 >/dev/null
st=${PIPESTATUS[0]}
[ "$st" -eq 141 ] || [ "$st" -eq 2 ] ||
	fail "a closed pipe: exit status $st, not SIGPIPE or 2"
[ "$(cat $d/stats.json)" = keep ] ||
	fail "a closed pipe: stats.json was replaced"
[ -z "$(leftovers $d)" ] || fail "a closed pipe: left $(leftovers $d)"

echo "$n runs signalled, $killed killed by the signal"
[ "$fails" -eq 0 ] && echo "signals: all promises kept"
exit $((fails != 0))
