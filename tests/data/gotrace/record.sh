#!/bin/sh
# record.sh - re-record the go-trace importer's test traces with the Go
# toolchain on PATH (Go 1.23 or later): each PROGRAM.go here is built and run
# with GODEBUG=traceallocfree=1 GOMAXPROCS=2, writing PROGRAM.trace.gz (the
# execution trace, gzipped) and PROGRAM.stdout (what the program printed, which
# tests/unit/test_gotrace.c compares with the decoded ops).
#
#	sh tests/data/gotrace/record.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go version
for src in "$here"/*.go; do
	name=$(basename "$src" .go)
	mkdir -p "$work/$name"
	cp "$src" "$work/$name/main.go"
	(cd "$work/$name" && go mod init "$name" >/dev/null 2>&1 &&
		go build -o "$name" .)
	GODEBUG=traceallocfree=1 GOMAXPROCS=2 "$work/$name/$name" \
		"$work/$name.trace" >"$here/$name.stdout"
	gzip -9 -n -c "$work/$name.trace" >"$here/$name.trace.gz"
	echo "$name: $(wc -c <"$work/$name.trace") bytes, $(wc -c <"$here/$name.trace.gz") gzipped"
done
