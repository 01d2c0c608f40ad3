# bash completion for heapgrow(1)                        -*- shell-script -*-

_heapgrow()
{
	local cur prev words cword
	_init_completion -s || return

	local commands="replay compare diff check convert import platforms help"
	local froms="yaml compact go-trace go-allocfreetrace mtrace"
	local platforms="linux/amd64 linux/arm64 linux/386 windows/amd64 windows/386 js/wasm wasip1/wasm plan9/386 plan9/amd64"
	local gos="1.4 1.5 1.8 1.9 1.10 1.11 1.12 1.13 1.14 1.16 1.17 1.19 1.20 1.21 1.23 1.24 1.25 1.26"
	local keys="platform= go= phys_page_size= phys_huge_page_size= page_size= arena_size= chunk_size= address_bits= commit_limit= initial_memory= module_end= page_cache= gomaxprocs= per_p_caches= randomize_heap_base= heap_padding= heap_base= startup_alloc= gogc= memory_limit= gc= mark_readmemstats= mem_profile= scavenger= scavenger_pace= scavenger_gens= scavenger_grow= scavenger_shootdown_ns= page_cache_flush= runtime_start= runtime_metadata= placement= policy.sbrk= policy.arena= policy.prepare= policy.grow= policy.sbrk_free="

	# The command is the first word that is not an option.
	local i cmd=""
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} != -* ]]; then
			cmd=${words[i]}
			break
		fi
	done

	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi

	case $prev in
	-c | --config)
		_filedir '@(yaml|yml)'
		return
		;;
	--stats | --log)
		_filedir
		return
		;;
	--check)
		# Its value only as --check=VALUE.
		if [[ $split == true || ${COMP_WORDS[cword - 1]} == = ]]; then
			COMPREPLY=($(compgen -W "linear full" -- "$cur"))
			return
		fi
		;;
	-o | --output)
		if [[ $cmd == convert || $cmd == import ]]; then
			_filedir '@(yaml|yml|hgt|gz)'
		else
			_filedir '@(png|svg|html|scene)'
		fi
		return
		;;
	--timeline | --curves)
		_filedir '@(png|svg|scene)'
		return
		;;
	--fail-if)
		# The figures of a stats file (the statistics table, core/stats.c:
		# tests/unit/test_stats.c checks these lists against it); an
		# operator and a value follow.
		local classes="none foreign reserved released heap_free heap_inuse sys sbrk_free unused stranded"
		local figure_stats="memstats.HeapSys memstats.HeapIdle memstats.HeapInuse memstats.HeapReleased memstats.HeapAlloc memstats.HeapObjects memstats.StackInuse memstats.StackSys memstats.NumGC memstats.NextGC gc_workbufs committed mapped address_space linear_memory arenas fragmentation.partial_spans fragmentation.free_slots"
		local run_stats="os_calls.reserve os_calls.unreserve os_calls.map os_calls.used os_calls.unused os_calls.free os_calls.sysalloc os_calls.sbrk os_calls.grow_memory heap_grows"
		local figures="oom oom.size oom.event trace.events $run_stats"
		local s c
		for c in $keys; do
			figures+=" config.${c%=}"
		done
		for s in final. peak.; do
			for c in $classes; do
				figures+=" ${s}classes.$c"
			done
			for c in $figure_stats; do
				figures+=" $s$c"
			done
		done
		COMPREPLY=($(compgen -W "$figures" -- "$cur"))
		return
		;;
	--at)
		# The marks of the trace (the word after the command), read
		# from its first 200000 lines; an event index is typed.
		local trace=${words[i + 1]} marks m
		[[ $trace == -* || ! -r $trace ]] && return
		local cat=cat
		[[ $trace == *.gz ]] && cat="gzip -dc"
		marks=$($cat -- "$trace" 2>/dev/null | head -n 200000 |
			sed -n -e 's/^[[:space:]]*- mark:[[:space:]]*//p' \
				-e 's/^m //p' |
			sed -e 's/^"\(.*\)"[[:space:]]*$/\1/' \
				-e "s/^'\\(.*\\)'[[:space:]]*\$/\\1/")
		local IFS=$'\n'
		COMPREPLY=()
		for m in $marks; do
			[[ $m == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$m")")
		done
		return
		;;
	--range)
		return
		;;
	--show)
		COMPREPLY=($(compgen -W "metadata whole metadata,whole" -- "$cur"))
		return
		;;
	--picture-format)
		COMPREPLY=($(compgen -W "png svg html" -- "$cur"))
		return
		;;
	--vs)
		COMPREPLY=($(compgen -W "$keys" -- "$cur"))
		compopt -o nospace
		return
		;;
	--platform)
		COMPREPLY=($(compgen -W "$platforms" -- "$cur"))
		return
		;;
	--go)
		COMPREPLY=($(compgen -W "$gos" -- "$cur"))
		return
		;;
	--from)
		COMPREPLY=($(compgen -W "$froms" -- "$cur"))
		return
		;;
	--format)
		if [[ $cmd == convert || $cmd == import ]]; then
			COMPREPLY=($(compgen -W "yaml compact" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "text json" -- "$cur"))
		fi
		return
		;;
	--phys-page-size | --arena-size)
		COMPREPLY=($(compgen -W "4K 16K 64K 512K 4M 64M" -- "$cur"))
		return
		;;
	--set)
		case $cur in
		*=*)
			# Readline replaces only what follows '=' when '=' breaks
			# words (the default): complete the value alone then.
			local key=${cur%%=*} pre="" values=""
			[[ $COMP_WORDBREAKS == *=* ]] || pre="$key="
			case $key in
			platform) values=$platforms ;;
			go) values=$gos ;;
			placement) values="topdown bottomup" ;;
			page_cache | per_p_caches | runtime_start | runtime_metadata | scavenger | scavenger_gens | scavenger_grow | page_cache_flush | mark_readmemstats | mem_profile) values="true false" ;;
			gc) values="paced trace" ;;
			gogc | memory_limit) values="off" ;;
			randomize_heap_base) values="false" ;;
			scavenger_pace) values="time gc off trace" ;;
			scavenger_shootdown_ns) values="0 12000" ;;
			policy.sbrk) values="go1.24 go1.21 go1.19" ;;
			policy.arena) values="sparse linear linear-go1.8 linear-go1.7" ;;
			policy.prepare) values="grow sysalloc" ;;
			policy.grow) values="incremental whole-arena" ;;
			policy.sbrk_free) values="freelist top-only" ;;
			esac
			COMPREPLY=($(compgen -P "$pre" -W "$values" -- "${cur#*=}"))
			;;
		*)
			COMPREPLY=($(compgen -W "$keys" -- "$cur"))
			compopt -o nospace
			;;
		esac
		return
		;;
	esac

	# The command's options, and the files its arguments are ("" none;
	# "*" any: a real program's log has no fixed suffix).
	local opts files='@(yaml|yml|hgt|gz)'
	case $cmd in
	replay) opts="-c --config --platform --go --phys-page-size --arena-size --set --stats --format --log --check --check= -o --output --timeline --curves --picture-format --at --range --show --from -q --quiet -h --help" ;;
	compare) opts="--vs -o --output --timeline --curves --picture-format --at --range --show --format --from -c --config --platform --go --phys-page-size --arena-size --set -q --quiet -h --help" ;;
	diff) opts="--fail-if -a --all --format -q --quiet -h --help" files=json ;;
	convert) opts="-o --output --format --from -h --help" ;;
	import) opts="-o --output --format --from -h --help" files="*" ;;
	check) opts="-q --quiet --from -h --help" ;;
	platforms) opts="--go --format -h --help" files="" ;;
	help) opts=$commands files="" ;;
	*) return ;;
	esac
	if [[ $cur == -* || -z $files ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
	elif [[ $files == "*" ]]; then
		_filedir
	else
		_filedir "$files"
	fi
} &&
	complete -F _heapgrow heapgrow

# ex: filetype=sh
