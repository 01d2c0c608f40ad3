#!/bin/sh
# tests/schema/run.sh MODE HEAPGROW HG_SCHEMA SRC WORK
#
# MODE table: share/schema/heapgrow.schema.json lists every statistic of
#   core/stats.c and every config key (hg_schema --table), and a copy with
#   one statistic, one config key or one value of a key taken out fails.
# MODE documents: the JSON that replay (--format json and --stats), compare,
#   diff and platforms write, over the examples and the cases that shape
#   it (marks, --at, fidelity, out of memory, object level, one --vs,
#   version 1 input to diff), is valid against the schema and against its
#   kind's definition; each document made invalid in one way is refused,
#   and the message names the place; a schema keyword the checker does
#   not implement is an error. Where python3 has jsonschema, it checks the
#   schema against draft 2020-12 and the same documents too.
set -u
mode=$1 heapgrow=$2 checker=$3 src=$4 work=$5
schema=$src/share/schema/heapgrow.schema.json
rm -rf "$work" && mkdir -p "$work" || exit 2
failures=0

fail() {
	echo "FAIL: $*" >&2
	failures=$((failures + 1))
}

# refused FILE WHAT [DEF]: the checker exits 1 on FILE, naming WHAT.
refused() {
	if [ -n "${3:-}" ]; then
		"$checker" --def "$3" "$schema" "$1" >"$work/out" 2>"$work/err"
	else
		"$checker" "$schema" "$1" >"$work/out" 2>"$work/err"
	fi
	rc=$?
	if [ $rc -ne 1 ]; then
		fail "$1: exit $rc, expected 1 (refused)"
		cat "$work/err" >&2
	elif ! grep -q -- "$2" "$work/err"; then
		fail "$1: refused, but the message does not name '$2':"
		cat "$work/err" >&2
	else
		sed 's/^/  refused as expected: /' "$work/err"
	fi
}

# mutate IN OUT SED-EXPR: OUT is IN edited, and must differ from it.
mutate() {
	sed "$3" "$1" >"$2"
	if cmp -s "$1" "$2"; then
		fail "mutation '$3' changed nothing in $1"
	fi
}

if [ "$mode" = table ]; then
	"$checker" --table "$schema" || fail "the schema does not match the tables"
	t=$work/t.json
	# A statistic of the table missing from its group.
	mutate "$schema" "$t" '/"HeapIdle": { "\$ref"/d'
	"$checker" --table "$t" 2>"$work/err" && fail "HeapIdle removed: passed"
	grep -q "memstats: no property 'HeapIdle'" "$work/err" ||
		fail "HeapIdle removed: not named"
	# A statistic the table does not have.
	mutate "$schema" "$t" 's/"mapped": { "\$ref": "#\/\$defs\/bytes" },/&\n        "shrunk": { "$ref": "#\/$defs\/bytes" },/'
	"$checker" --table "$t" 2>"$work/err" && fail "extra statistic: passed"
	grep -q "property 'shrunk' is not in the table" "$work/err" ||
		fail "extra statistic: not named"
	# A dotted name missing from the list of statistics.
	mutate "$schema" "$t" 's/ "os_calls.grow_memory",//'
	"$checker" --table "$t" 2>"$work/err" && fail "dotted name removed: passed"
	grep -q "statistic: no 'os_calls.grow_memory'" "$work/err" ||
		fail "dotted name removed: not named"
	# A config key, and a value of an enumerated key.
	mutate "$schema" "$t" '/"runtime_start": { "type": "boolean" },/d'
	"$checker" --table "$t" 2>"$work/err" && fail "config key removed: passed"
	grep -q "config: no property 'runtime_start'" "$work/err" ||
		fail "config key removed: not named"
	mutate "$schema" "$t" 's/"enum": \["topdown", "bottomup"\]/"enum": ["topdown"]/'
	"$checker" --table "$t" 2>"$work/err" && fail "config value removed: passed"
	grep -q "'placement' lacks the value 'bottomup'" "$work/err" ||
		fail "config value removed: not named"
	# A unit: a count described as bytes.
	mutate "$schema" "$t" 's/"heap_grows": { "\$ref": "#\/\$defs\/count" }/"heap_grows": { "$ref": "#\/$defs\/bytes" }/'
	"$checker" --table "$t" 2>"$work/err" && fail "wrong unit: passed"
	grep -q "'heap_grows' should be #/\$defs/count" "$work/err" ||
		fail "wrong unit: not named"
	[ $failures -eq 0 ] || exit 1
	echo "schema.table: ok"
	exit 0
fi

[ "$mode" = documents ] || { echo "unknown mode $mode" >&2; exit 2; }

ex=$src/traces/examples
gt=$src/tests/golden/traces
gs=$src/tests/golden/stats
d=$work/doc
mkdir -p "$d"
n=0
# run KIND NAME [EXPECTED-EXIT] -- heapgrow ARGS...: the JSON it prints on
# standard output is $d/KIND.NAME.json.
run() {
	kind=$1 name=$2 want=$3
	shift 4
	"$heapgrow" "$@" >"$d/$kind.$name.json" 2>"$work/stderr"
	rc=$?
	if [ "$rc" != "$want" ]; then
		fail "heapgrow $*: exit $rc, expected $want"
		cat "$work/stderr" >&2
	fi
	n=$((n + 1))
}

for t in "$ex"/*.yaml "$ex"/*.hgt "$ex"/*.gz; do
	[ -f "$t" ] || continue
	b=$(basename "$t")
	b=${b%%.*}
	want=0
	case $b in commit-limit) want=3 ;; esac
	run stats "$b" "$want" -- replay "$t" --format json
done
run stats fidelity 0 -- replay "$gt/recorded.hgt" --format json
run stats oom 3 -- replay "$gt/oom.yaml" --format json
run stats at-mark 0 -- replay "$ex/objects.yaml" --at "after gc" --format json
run stats at-event 0 -- replay "$ex/scavenge.yaml" --at 2 --format json
run stats go19-objects 0 -- replay "$ex/objects.yaml" --go 1.19 --set gogc=off --set memory_limit=64M --format json
"$heapgrow" replay "$ex/seed-002-prepare-in-grow.yaml" --go 1.17 -q --stats "$d/stats.file-go1.17.json" || fail "replay --stats"
"$heapgrow" replay "$ex/seed-002-prepare-in-grow.yaml" --go 1.16 -q --stats "$d/stats.file-go1.16.json"
[ $? = 3 ] || fail "replay --stats (go 1.16): not out of memory"
"$heapgrow" replay "$ex/scavenge.yaml" --at 2 -q --stats "$d/stats.file-at.json" || fail "replay --at --stats"
n=$((n + 3))

run compare seed-002 3 -- compare "$ex/seed-002-prepare-in-grow.yaml" --vs go=1.16 --vs go=1.17 --format json
run compare seed-001 0 -- compare "$ex/seed-001-strand-limit.yaml" --vs go=1.8 --vs go=1.9 --vs go=1.26 --format json
run compare one-vs 0 -- compare "$ex/scavenge.yaml" --vs platform=windows/amd64 --format json
run compare at-mark 0 -- compare "$ex/objects.yaml" --vs go=1.19 --vs go=1.26 --at "after gc" --format json
run compare fidelity 0 -- compare "$gt/recorded.hgt" --vs go=1.19 --format json

run diff v2 1 -- diff "$d/stats.file-go1.16.json" "$d/stats.file-go1.17.json" --format json --fail-if oom --fail-if 'final.committed > +5%'
run diff v1 0 -- diff "$gs/seed-002-go1.16.json" "$gs/seed-002-go1.17.json" --format json
run diff v1-v2 0 -- diff "$gs/seed-002-go1.16.json" "$d/stats.file-go1.17.json" --format json --all
run diff at 0 -- diff "$d/stats.scavenge.json" "$d/stats.file-at.json" --format json
run diff fidelity 0 -- diff "$gs/fidelity-base.json" "$gs/fidelity-new.json" --format json
run diff objects 0 -- diff "$d/stats.objects.json" "$d/stats.go19-objects.json" --format json

run platforms default 0 -- platforms --format json
run platforms go1.4 0 -- platforms --go 1.4 --format json
run platforms go1.19 0 -- platforms --go go1.19 --format json

# Every document against the whole schema, then against its kind's
# definition (so a document cannot pass as another kind).
"$checker" "$schema" "$d"/*.json >"$work/valid" || fail "documents not valid"
for kind in stats compare diff platforms; do
	"$checker" --def "$kind" "$schema" "$d/$kind".*.json >>"$work/valid" ||
		fail "$kind documents not valid as $kind"
done
count=$(grep -c ': valid$' "$work/valid")
echo "$count validations of $n documents passed"
[ "$n" -ge 27 ] || fail "only $n documents"

# Documents made invalid one way each.
b=$work/bad
mkdir -p "$b"
mutate "$d/stats.objects.json" "$b/figure-string.json" '0,/"HeapSys": \([0-9]*\)/s//"HeapSys": "\1"/'
refused "$b/figure-string.json" "/final/memstats/HeapSys: a string, not integer"
mutate "$d/stats.objects.json" "$b/negative.json" '0,/"committed": \([0-9]*\)/s//"committed": -\1/'
refused "$b/negative.json" "/final/committed: below the minimum"
mutate "$d/stats.objects.json" "$b/unknown-figure.json" '0,/"committed": \([0-9]*\),/s//&\n    "shrunk": 0,/'
refused "$b/unknown-figure.json" "/final/shrunk: a key that is not allowed"
mutate "$d/stats.objects.json" "$b/no-kind.json" '/"kind": "stats",/d'
refused "$b/no-kind.json" "/: no 'kind' key" stats
mutate "$d/stats.objects.json" "$b/old-version.json" 's/"heapgrow": 2,/"heapgrow": 1,/'
refused "$b/old-version.json" "/heapgrow: not the value" stats
mutate "$d/stats.fidelity.json" "$b/address.json" 's/"recorded": "0x/"recorded": "x/'
refused "$b/address.json" "/fidelity/first_mismatch/recorded:"
mutate "$d/stats.objects.json" "$b/mark-figure.json" '/"marks": \[/,$s/"HeapInuse": \([0-9]*\)/"HeapInuse": null/'
refused "$b/mark-figure.json" "/marks/0/memstats/HeapInuse: null, not integer"
mutate "$d/stats.scavenge.json" "$b/config-key.json" 's/"platform": "linux\/amd64",/&\n    "plaform": "linux\/amd64",/'
refused "$b/config-key.json" "/config/plaform: a key that is not allowed"
mutate "$d/compare.seed-002.json" "$b/compare-diff-name.json" '0,/"final.mapped":/s//"final.mapd":/'
refused "$b/compare-diff-name.json" "/configurations/1/diff/final.mapd: 'final.mapd' is none of the"
mutate "$d/compare.seed-002.json" "$b/compare-oom.json" '0,/"message": /s//"reason": "x",\n        "message": /'
refused "$b/compare-oom.json" "/configurations/0/oom/reason: a key that is not allowed"
mutate "$d/diff.v2.json" "$b/diff-failed.json" 's/"failed": true/"failed": "yes"/'
refused "$b/diff-failed.json" "/failed: a string, not boolean"
mutate "$d/diff.v2.json" "$b/diff-rel.json" '0,/"relative_percent": -\{0,1\}[0-9][-0-9.e+]*/s//"relative_percent": "5%"/'
refused "$b/diff-rel.json" "relative_percent: a string, not number or null"
mutate "$d/diff.v2.json" "$b/diff-mark.json" '/"marks": \[/,$s/"change": \(-\{0,1\}[0-9][0-9]*\)/"change": "\1"/'
refused "$b/diff-mark.json" "/marks/0/figures/[a-zA-Z_.]*/change: a string, not integer or null"
mutate "$d/platforms.default.json" "$b/platform-value.json" '0,/"placement": "topdown"/s//"placement": "sideways"/'
refused "$b/platform-value.json" "/platforms/0/config/placement: 'sideways' is none of the"
mutate "$d/platforms.default.json" "$b/platform-key.json" '0,/"gogc": /s//"go_gc": /'
refused "$b/platform-key.json" "/platforms/0/config/go_gc: a key that is not allowed"

# A keyword the checker does not implement is an error, not ignored.
mutate "$schema" "$b/schema-keyword.json" 's/"id": { "type": "string", "pattern": "^\[A-Z\]\$" }/"id": { "type": "string", "maxLength": 1 }/'
"$checker" "$b/schema-keyword.json" "$d/stats.objects.json" >/dev/null 2>"$work/err"
rc=$?
[ $rc -eq 2 ] && grep -q "keyword 'maxLength' is not implemented" "$work/err" ||
	fail "an unimplemented keyword: exit $rc: $(cat "$work/err")"

# The same with python3's jsonschema, where it is installed.
if command -v python3 >/dev/null 2>&1 &&
	python3 -c 'import jsonschema' >/dev/null 2>&1; then
	python3 - "$schema" "$d" "$b" <<'EOF' || fail "jsonschema disagrees"
import glob, json, os, sys
import jsonschema
schema_path, docs, bad = sys.argv[1:4]
with open(schema_path) as f:
    schema = json.load(f)
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
rc = 0
good = sorted(glob.glob(os.path.join(docs, "*.json")))
for p in good:
    with open(p) as f:
        err = next(v.iter_errors(json.load(f)), None)
    if err is not None:
        print("jsonschema: %s: %s" % (p, err.message[:300]))
        rc = 1
bads = sorted(glob.glob(os.path.join(bad, "*.json")))
for p in bads:
    if p.endswith("schema-keyword.json"):
        continue
    with open(p) as f:
        if v.is_valid(json.load(f)):
            print("jsonschema: %s: valid, expected not" % p)
            rc = 1
print("python3 jsonschema: the schema is valid draft 2020-12; %d "
      "documents valid, %d invalid ones refused" % (len(good), len(bads) - 1))
sys.exit(rc)
EOF
else
	echo "python3 jsonschema not installed: the cross-check is skipped"
fi

[ $failures -eq 0 ] || { echo "$failures failures" >&2; exit 1; }
echo "schema.documents: ok"
