/*
 * cmd_import.c - heapgrow import [--from FORMAT] IN -o OUT: a real
 * program's trace (a Go execution trace, a Go allocfreetrace log, a glibc
 * mtrace log) as a heapgrow trace, streamed, marks and recorded addresses
 * kept. The conversion is convert's (cmd_convert.c); import names the
 * trace after IN and says where it came from.
 */
#include "cmd.h"
#include "util.h"

const struct hg_opt_spec cmd_import_spec = {
	"import",
	"[--from FORMAT] IN -o OUT [options]",
	"Turn a real program's trace into a heapgrow trace",
	hg_convert_opts,
	"IN is a real program's trace, plain or gzip-compressed, recognised\n"
	"by content unless --from names its format ('-' = standard input):\n"
	"  go-trace           a Go execution trace recorded with\n"
	"                     GODEBUG=traceallocfree=1 (Go 1.23 and later)\n"
	"  go-allocfreetrace  the standard error of a program run with\n"
	"                     GODEBUG=allocfreetrace=1 (Go 1.22 and older)\n"
	"  mtrace             a glibc mtrace() log (MALLOC_TRACE)\n"
	"Objects become new/del events whose id is the recorded address\n"
	"(kept as addr); GC cycles, marks and the rest as the format has them\n"
	"(share/doc/real-traces.md). An address allocated again before its\n"
	"free means the old object died first. Frees of addresses never\n"
	"allocated (objects from before the trace began) are skipped, with\n"
	"one warning. The output format comes from OUT's suffix as for\n"
	"convert (.hgt.gz is the smallest); the trace is named after IN. OUT\n"
	"is written whole or not at all. replay, compare, check and convert\n"
	"read these traces directly too.\n"
	"\n"
	"exit status: 0 done, 2 bad arguments or an unreadable or malformed\n"
	"trace (nothing written).\n"
	"\n"
	"examples:\n"
	"  GODEBUG=allocfreetrace=1 ./prog 2> prog.log\n"
	"  heapgrow import prog.log -o prog.hgt.gz\n"
	"  heapgrow import --from mtrace mtrace.out -o c-prog.yaml\n",
};

int cmd_import(int argc, char **argv)
{
	return hg_convert_main(argc, argv, &cmd_import_spec, true);
}
