#!/usr/bin/env bash
# unwritable.sh HEAPGROW SRC - permissions, as a user who is not root (as
# root, the test runs heapgrow as nobody through setpriv or runuser; it
# is skipped with status 77 when it cannot): an output in a directory the
# user cannot write fails with status 2 and the system's reason, creates
# nothing there and keeps every other output of the run from replacing its
# target; an unreadable trace or config file is an error with its name;
# a directory that allows writing but not listing still gets its output.
set -u
hg=${1:?usage: unwritable.sh HEAPGROW SRC}
src=${2:?usage: unwritable.sh HEAPGROW SRC}
work=$(mktemp -d)
trap 'chmod -R u+rwx "$work" 2>/dev/null; rm -rf "$work"' EXIT
chmod 0755 "$work"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
leftovers() { ls -A "$1" | grep -E '^\..*\.[A-Za-z0-9]{6}$'; }

# as CMD...: run CMD as the unprivileged user.
if [ "$(id -u)" -ne 0 ]; then
	as() { "$@"; }
	user=$(id -un)
else
	user=nobody
	uid=$(id -u nobody 2>/dev/null) || { echo "SKIP: no user nobody"; exit 77; }
	gid=$(id -g nobody)
	if command -v setpriv >/dev/null &&
		setpriv --reuid="$uid" --regid="$gid" --clear-groups true 2>/dev/null; then
		as() { setpriv --reuid="$uid" --regid="$gid" --clear-groups "$@"; }
	elif command -v runuser >/dev/null && runuser -u nobody -- true 2>/dev/null; then
		as() { runuser -u nobody -- "$@"; }
	else
		echo "SKIP: cannot run as nobody (no setpriv or runuser)"
		exit 77
	fi
	# The binary and the traces, where nobody can read them.
	cp "$hg" "$work/heapgrow" && chmod 0755 "$work/heapgrow" || exit 1
	hg=$work/heapgrow
fi
cp "$src/traces/examples/contiguous-growth.yaml" "$work/t.yaml"
chmod 0644 "$work/t.yaml"
as "$hg" replay "$work/t.yaml" -q || { echo "SKIP: $user cannot run heapgrow"; exit 77; }
echo "running as $user"

# The user's own directory, and one it may not write.
own=$work/own ro=$work/ro
mkdir "$own" "$ro"
echo keep >"$own/s.json"
echo keep >"$own/m.svg"
echo keep >"$ro/old.svg"
[ "$(id -u)" -eq 0 ] && chown "$user" "$own" "$own/s.json" "$own/m.svg"
chmod 0555 "$ro"
chmod 0755 "$own"

# try NAME ARGS...: must fail with 2, the reason, and change nothing.
try() {
	local name=$1
	shift
	as "$hg" "$@" 2>"$work/err"
	local st=$?
	[ "$st" -eq 2 ] || fail "$name: exit $st, expected 2"
	grep -q "^heapgrow: .*Permission denied" "$work/err" ||
		fail "$name: no reason given: $(head -c 300 "$work/err")"
	[ "$(cat "$own/s.json")" = keep ] && [ "$(cat "$own/m.svg")" = keep ] ||
		fail "$name: an output in the user's own directory was replaced"
	[ "$(ls -A "$ro")" = old.svg ] && [ "$(cat "$ro/old.svg")" = keep ] ||
		fail "$name: the unwritable directory changed: $(ls -A "$ro")"
	[ -z "$(leftovers "$own")" ] || fail "$name: left $(leftovers "$own")"
}
try "stats" replay "$work/t.yaml" -q --stats "$ro/s.json"
try "picture" replay "$work/t.yaml" -q -o "$ro/m.png"
try "existing picture" replay "$work/t.yaml" -q -o "$ro/old.svg"
try "log" replay "$work/t.yaml" -q --log "$ro/l.jsonl"
try "convert" convert "$work/t.yaml" -o "$ro/t.hgt"
try "a set" replay "$work/t.yaml" -q --stats "$own/s.json" \
	-o "$own/m.svg" --timeline "$ro/tl.svg"

# Unreadable inputs: the file named, with the reason.
cp "$work/t.yaml" "$own/secret.yaml"
printf 'platform: linux/386\n' >"$own/secret-config.yaml"
chmod 0000 "$own/secret.yaml" "$own/secret-config.yaml"
[ "$(id -u)" -eq 0 ] && chown root "$own/secret.yaml" "$own/secret-config.yaml"
as "$hg" replay "$own/secret.yaml" -q 2>"$work/err"
[ $? -eq 2 ] && grep -q "secret.yaml.*Permission denied" "$work/err" ||
	fail "an unreadable trace: $(cat "$work/err")"
as "$hg" replay "$work/t.yaml" -q -c "$own/secret-config.yaml" 2>"$work/err"
[ $? -eq 2 ] && grep -q "secret-config.yaml.*Permission denied" "$work/err" ||
	fail "an unreadable config file: $(cat "$work/err")"

# Write and search but no read: the temporary file is still made there
# and renamed; nothing else is left.
wx=$work/wx
mkdir "$wx"
[ "$(id -u)" -eq 0 ] && chown "$user" "$wx"
chmod 0755 "$wx"
echo keep >"$wx/s.json"
[ "$(id -u)" -eq 0 ] && chown "$user" "$wx/s.json"
chmod 0333 "$wx"
as "$hg" replay "$work/t.yaml" -q --stats "$wx/s.json" 2>"$work/err" ||
	fail "a write-only directory: exit $?: $(cat "$work/err")"
chmod 0755 "$wx"
grep -q '"HeapSys"' "$wx/s.json" || fail "a write-only directory: not written"
[ "$(ls -A "$wx")" = s.json ] || fail "a write-only directory: left $(ls -A "$wx")"

[ "$fails" -eq 0 ] && echo "unwritable: all promises kept"
exit $((fails != 0))
