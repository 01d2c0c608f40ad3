#!/bin/sh
# Re-records the real Go runs under tests/real/data from the programs in
# tests/real/go (README.md there lists each recording).
#
#   tests/real/record.sh [OUTDIR [NAME...]]   (default: tests/real/data, all)
#
# Go 1.26 runs: an execution trace (runtime/trace, into $HG_TRACE) made with
# GODEBUG=traceallocfree=1, at GOMAXPROCS=1 and 2; Go 1.19 runs: standard
# error of GODEBUG=allocfreetrace=1 kept to its trace lines and the MARK
# lines; js/wasm runs of both under Node.js. What this machine lacks
# (Go 1.26 as $GO126, Go 1.19 as $GO119, Node.js as $NODE) is skipped with
# a message.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/data}
[ $# -gt 0 ] && shift
only=" $* "
GO126=${GO126:-go}
GO119=${GO119:-/usr/lib/go-1.19/bin/go}
NODE=${NODE:-node}
export GOTOOLCHAIN=local GOFLAGS=-buildvcs=false CGO_ENABLED=0

mkdir -p "$out"
out=$(cd "$out" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
mkdir "$tmp/bin"

have_go() { # have_go GO VERSION-PREFIX
	v=$("$1" env GOVERSION 2>/dev/null) || return 1
	case $v in "$2"*) return 0 ;; esac
	return 1
}

build() { # build GO TAG PROGRAM [GOOS GOARCH]
	(cd "$here/go" && GOOS=${4:-} GOARCH=${5:-} "$1" build -o "$tmp/bin/$3.$2" "./$3")
}

# build126fixed PROGRAM: Go 1.26 without the heap-base randomisation
# (GOEXPERIMENT=norandomizedheapbase64): the heap starts at 0xc000000000
build126fixed() {
	(cd "$here/go" && GOEXPERIMENT=norandomizedheapbase64 "$GO126" build -o "$tmp/bin/$1.go126fixed" "./$1")
}

# The programs' standard output: MEMSTATS lines, GOVERSION, MAP and SMAPS
# lines, with the binary's directory shortened to ./
keep_stdout() { # keep_stdout FILE NAME
	sed "s|$tmp/bin/|./|g" "$1" >"$out/$2.stdout"
	grep -q '^GOVERSION ' "$out/$2.stdout" || {
		echo "record.sh: $2: the program did not finish" >&2
		exit 1
	}
}

# want NAME: NAME is to be recorded (every recording when none was named)
want() {
	[ "$only" = "  " ] && return 0
	case $only in *" $1 "*) return 0 ;; esac
	return 1
}

# rec126 NAME PROGRAM GOMAXPROCS [ENV...] (PROGRAM: as built, e.g. tree.go126)
rec126() {
	name=$1 prog=$2 procs=$3
	want "$name" || return 0
	shift 3
	env "$@" GOMAXPROCS="$procs" GODEBUG=traceallocfree=1 HG_TRACE="$tmp/$name.trace" \
		"$tmp/bin/$prog" >"$tmp/$name.out" 2>"$out/$name.stderr"
	keep_stdout "$tmp/$name.out" "$name"
	gzip -9n <"$tmp/$name.trace" >"$out/$name.trace.gz"
	echo "recorded $name"
}

# rec119 NAME PROGRAM GOMAXPROCS [ENV...]: the program runs with only these
# variables (env -i), and the log starts with them, one "ENV NAME=VALUE"
# line each in the order the program gets them: Go 1.19 copies its
# environment before the log starts (goenvs), and heapgrow's importer
# replays that copy from these lines. Of the tracebacks the runtime prints
# after each record (afl_tracebacks) the log keeps what tells each
# goroutine's stack.
afl='^(tracealloc\(|tracefree\(|tracegc\(\)|end tracegc|MARK )'

# afl_tracebacks: standard error of GODEBUG=allocfreetrace=1 kept to its
# records, the MARK lines and, of each goroutine's traceback, its header
# ("goroutine N [status]:"), its innermost and outermost frames and any
# of runtime.ReadMemStats (every frame in the dump of all goroutines
# after tracegc()) as the function's
# name, "(...)" and a line "<TAB>fp=0x... sp=0x..." (the file:line, pc
# and arguments dropped), and "...additional frames elided..." where the
# runtime cut it (share/doc/real-traces.md)
afl_tracebacks() {
	awk '
	function flush() {
		if (have_last && nfr > 1)
			printf "%s\n\t%s\n", last_name, last_fs
		have_last = 0
		inblk = 0
	}
	/^(tracealloc\(|tracefree\(|tracegc\(\)|end tracegc|MARK )/ {
		flush()
		print
		dump = $0 == "tracegc()"
		next
	}
	/^goroutine [0-9]+ \[/ { flush(); print; inblk = 1; nfr = 0; name = ""; next }
	!inblk { next }
	/^\.\.\.additional frames elided\.\.\.$/ { flush(); print; next }
	/^created by / || /^$/ { flush(); next }
	/^\t/ {
		if (name != "" && match($0, /fp=0x[0-9a-f]+ sp=0x[0-9a-f]+/)) {
			fs = substr($0, RSTART, RLENGTH)
			if (++nfr == 1 || dump || name == "runtime.ReadMemStats(...)")
				printf "%s\n\t%s\n", name, fs
			else {
				last_name = name
				last_fs = fs
				have_last = 1
			}
		}
		name = ""
		next
	}
	{
		# the arguments: from the last "(" (a method is "pkg.(*T).m")
		n = 0
		for (i = length($0); i > 0; i--)
			if (substr($0, i, 1) == "(") { n = i; break }
		name = (n ? substr($0, 1, n - 1) : $0) "(...)"
	}
	END { flush() }'
}

rec119() {
	name=$1 prog=$2 procs=$3
	want "$name" || return 0
	shift 3
	set -- "$@" GOMAXPROCS="$procs" GODEBUG=allocfreetrace=1
	{
		for v in "$@"; do printf 'ENV %s\n' "$v"; done
		env -i "$@" "$tmp/bin/$prog.go119" 2>&1 >"$tmp/$name.out" | afl_tracebacks
	} | gzip -9n >"$out/$name.allocfreetrace.gz"
	keep_stdout "$tmp/$name.out" "$name"
	echo "recorded $name"
}

# The js/wasm runs: wasmphases under Node.js through wasm_run.js, which
# adds the MODULE line (where the static data ends), the INITIAL and GROW
# lines (linear memory) to standard error; only those and the MARK lines
# are kept. Go 1.26 runs under env -i with GODEBUG and HG_TRACE only.
have_node() {
	command -v "$NODE" >/dev/null 2>&1 && return 0
	echo "record.sh: no Node.js ($NODE): $1 skipped" >&2
	return 1
}

rec126js() { # rec126js NAME
	want "$1" && have_node "$1" || return 0
	name=$1
	build "$GO126" go126 wasmphases js wasm
	root=$("$GO126" env GOROOT)
	exec_js=$root/lib/wasm/wasm_exec.js
	[ -f "$exec_js" ] || exec_js=$root/misc/wasm/wasm_exec.js
	env -i GODEBUG=traceallocfree=1 HG_TRACE="$tmp/$name.trace" \
		"$(command -v "$NODE")" "$here/wasm_run.js" "$exec_js" "$tmp/bin/wasmphases.go126" \
		>"$tmp/$name.out" 2>"$tmp/$name.err"
	keep_stdout "$tmp/$name.out" "$name"
	grep -E '^(MODULE|INITIAL|GROW|MARK) ' "$tmp/$name.err" >"$out/$name.stderr"
	gzip -9n <"$tmp/$name.trace" >"$out/$name.trace.gz"
	echo "recorded $name"
}

# Go 1.19 under Node.js with only GODEBUG in the environment (env -i);
# wasm_run.js prints the environment it hands the program as ENV lines;
# the log keeps the tracebacks as rec119 does (afl_tracebacks).
rec119js() { # rec119js NAME
	want "$1" && have_node "$1" || return 0
	name=$1
	build "$GO119" go119 wasmphases js wasm
	env -i GODEBUG=allocfreetrace=1 "$(command -v "$NODE")" "$here/wasm_run.js" \
		"$("$GO119" env GOROOT)/misc/wasm/wasm_exec.js" \
		"$tmp/bin/wasmphases.go119" >"$tmp/$name.out" 2>"$tmp/$name.err"
	keep_stdout "$tmp/$name.out" "$name"
	grep -E '^(MODULE|INITIAL|GROW|MARK) ' "$tmp/$name.err" >"$out/$name.stderr"
	# the ENV lines (wasm_run.js prints them before the program runs),
	# then the records and tracebacks as for the linux runs
	{
		grep -E '^ENV ' "$tmp/$name.err"
		afl_tracebacks <"$tmp/$name.err"
	} | gzip -9n >"$out/$name.allocfreetrace.gz"
	echo "recorded $name"
}

programs="tree waves stacks limit"
limit=GOMEMLIMIT=40MiB

if have_go "$GO126" go1.26; then
	for p in $programs; do build "$GO126" go126 $p; done
	for procs in 1 2; do
		rec126 tree-go126-p$procs tree.go126 $procs
		rec126 waves-go126-p$procs waves.go126 $procs
		rec126 stacks-go126-p$procs stacks.go126 $procs
		rec126 limit-go126-p$procs-memlimit limit.go126 $procs $limit
	done
	rec126 waves-go126-p1-gogcoff waves.go126 1 GOGC=off
	for p in tree waves; do
		build126fixed $p
		rec126 $p-go126-p1-fixedbase $p.go126fixed 1
		rec126 $p-go126-p2-fixedbase $p.go126fixed 2
	done
	rec126js wasmphases-go126-js
else
	echo "record.sh: no Go 1.26 ($GO126): Go 1.26 runs skipped" >&2
fi

if have_go "$GO119" go1.19; then
	for p in $programs; do build "$GO119" go119 $p; done
	for procs in 1 2; do
		rec119 tree-go119-p$procs tree $procs
		rec119 waves-go119-p$procs waves $procs
		rec119 stacks-go119-p$procs stacks $procs
		rec119 limit-go119-p$procs-memlimit limit $procs $limit
	done
	rec119 waves-go119-p1-gogcoff waves 1 GOGC=off
	rec119js wasmphases-go119-js
else
	echo "record.sh: no Go 1.19 ($GO119; Debian: apt-get install golang-1.19-go): Go 1.19 runs skipped" >&2
fi
