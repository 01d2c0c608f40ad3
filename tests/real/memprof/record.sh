#!/bin/sh
# Re-records the memory-profiling evidence in this directory: the program
# tests/real/go/memprof (it prints BuckHashSys at main and after 4 MiB of
# allocations) under every Go release this machine has, on linux/amd64,
# linux/386 and js/wasm (under Node.js), built as it is (nothing reads the
# heap profile) and with -tags memprofile (it links runtime.MemProfile),
# and under Go 1.26 also with GODEBUG=profstackdepth=0. One gzip'd file a
# run: GOVERSION-GOOS-GOARCH[-VARIANT].txt.gz, its MEMPROF lines.
#
#   tests/real/memprof/record.sh [OUTDIR]     (default: this directory)
#
# The toolchains: $GOS, a space-separated list of go commands (default:
# the Debian packages' /usr/lib/go-1.*/bin/go, the go on PATH, and Go
# 1.27.3 by GOTOOLCHAIN=go1.27.3, which the go command fetches from the
# module proxy); one that does not answer `go env GOVERSION` is skipped
# with a message, as is js/wasm without Node.js ($NODE).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
out=$(mkdir -p "$out" && cd "$out" && pwd)
src=$here/../go
NODE=${NODE:-node}
export GOFLAGS=-buildvcs=false CGO_ENABLED=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

run_go() { # run_go SPEC ARGS...
	spec=$1
	shift
	case $spec in
	*@*) (export GOTOOLCHAIN=${spec#*@} && cd "$src" && "${spec%@*}" "$@") ;;
	*) (export GOTOOLCHAIN=local && cd "$src" && "$spec" "$@") ;;
	esac
}

# keep NAME FILE: the MEMPROF lines of FILE as NAME.txt.gz
keep() {
	grep '^MEMPROF ' "$2" >"$tmp/keep" || {
		echo "record.sh: $1: no MEMPROF line" >&2
		exit 1
	}
	gzip -9n <"$tmp/keep" >"$out/$1.txt.gz"
	echo "recorded $1"
}

if [ -z "${GOS:-}" ]; then
	GOS=
	for g in /usr/lib/go-1.*/bin/go; do
		[ -x "$g" ] && GOS="$GOS $g"
	done
	GOS="$GOS go go@go1.27.3"
fi

for spec in $GOS; do
	if ! v=$(run_go "$spec" env GOVERSION 2>/dev/null); then
		echo "record.sh: $spec: no Go toolchain, skipped" >&2
		continue
	fi
	minor=$(echo "$v" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
	for arch in amd64 386; do
		GOOS=linux GOARCH=$arch run_go "$spec" build -o "$tmp/p" ./memprof
		"$tmp/p" >"$tmp/out"
		keep "$v-linux-$arch" "$tmp/out"
	done
	GOOS=linux GOARCH=amd64 run_go "$spec" build -tags memprofile -o "$tmp/p" ./memprof
	"$tmp/p" >"$tmp/out"
	keep "$v-linux-amd64-memprofile" "$tmp/out"
	if [ "${minor:-0}" -ge 23 ]; then
		# Go 1.23+: no profile stack buffers, so no sample at start-up
		GOOS=linux GOARCH=amd64 run_go "$spec" build -o "$tmp/p" ./memprof
		GODEBUG=profstackdepth=0 "$tmp/p" >"$tmp/out"
		keep "$v-linux-amd64-profstackdepth0" "$tmp/out"
	fi
	if ! command -v "$NODE" >/dev/null 2>&1; then
		echo "record.sh: no Node.js ($NODE): $v js/wasm skipped" >&2
		continue
	fi
	root=$(run_go "$spec" env GOROOT)
	exec_js=$root/lib/wasm/wasm_exec.js
	[ -f "$exec_js" ] || exec_js=$root/misc/wasm/wasm_exec.js
	GOOS=js GOARCH=wasm run_go "$spec" build -o "$tmp/p.wasm" ./memprof
	env -i "$(command -v "$NODE")" "$here/../wasm_run.js" "$exec_js" "$tmp/p.wasm" \
		>"$tmp/out" 2>/dev/null
	keep "$v-js-wasm" "$tmp/out"
done
