#!/bin/bash
# complete.sh COMPLETION_FILE - bash completion of heapgrow, as readline
# runs it: the line is split into words at COMP_WORDBREAKS ('=' included),
# and what the function returns replaces the last word only. Exit 77 (skip)
# without bash-completion.
bc=/usr/share/bash-completion/bash_completion
[ -r "$bc" ] || { echo "no bash-completion: skipped"; exit 77; }
source "$bc"
source "$1"
fail=0

# complete LINE: the words of LINE, split at blanks and '='.
complete_line() {
	local line=$1
	COMP_LINE=$line
	COMP_POINT=${#line}
	read -ra COMP_WORDS <<<"$(printf '%s' "$line" | sed 's/=/ = /g')"
	[[ $line == *" " || $line == *= ]] && COMP_WORDS+=("")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_heapgrow heapgrow "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}" 2>/dev/null
	printf '%s ' "${COMPREPLY[@]}"
}

expect() {
	local got
	got=$(complete_line "$1")
	if [ "$got" != "$2" ]; then
		echo "FAIL: '$1' completes to '$got', expected '$2'"
		fail=1
	else
		echo "ok: '$1' -> '$got'"
	fi
}

# After KEY= only the value replaces the last word: no repeated key.
expect "heapgrow replay t.yaml --set policy.grow=" "incremental whole-arena "
expect "heapgrow replay t.yaml --set policy.grow=wh" "whole-arena "
expect "heapgrow replay t.yaml --set placement=" "topdown bottomup "
expect "heapgrow compare t.yaml --set platform=js" "js/wasm "
expect "heapgrow replay t.yaml --set policy.gr" "policy.grow= "
expect "heapgrow replay t.yaml --set gogc=" "off "
expect "heapgrow replay t.yaml --set randomize_heap_base=" "false "
expect "heapgrow compare t.yaml --vs go" "go= gomaxprocs= gogc= "
expect "heapgrow replay t.yaml --platform plan9" "plan9/386 plan9/amd64 "
expect "heapgrow replay t.yaml --check=" "linear full "
expect "heapgrow replay t.yaml --check=f" "full "
expect "heapgrow imp" "import "
expect "heapgrow import --from go-" "go-trace go-allocfreetrace "
expect "heapgrow check t.log --from m" "mtrace "
expect "heapgrow import t.log --fo" "--format "
expect "heapgrow import t.log --format " "yaml compact "
# --at completes the marks of the trace, quoted for the shell.
tmp=$(mktemp -d) || exit 1
printf 'heapgrow: 1\nevents:\n  - alloc: {id: A, size: 8K}\n  - mark: "GC 1"\n  - mark: warm up\n  - mark: "GC 2"\n' >"$tmp/t.yaml"
printf 'heapgrow-trace 1\na A 8K\nm after A\n' | gzip >"$tmp/t.hgt.gz"
expect "heapgrow replay $tmp/t.yaml --at " 'GC\ 1 warm\ up GC\ 2 '
expect "heapgrow replay $tmp/t.yaml --at G" 'GC\ 1 GC\ 2 '
expect "heapgrow compare $tmp/t.hgt.gz --vs go=1.16 --at " 'after\ A '
expect "heapgrow replay $tmp/missing.yaml --at " ' '
rm -rf "$tmp"
exit $fail
