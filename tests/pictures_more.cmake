# compare --timeline, --curves and --range from the command line (label
# "render"):
# every configuration's timeline in one picture, one above the other; the
# curves of both configurations with the commit limit drawn once.
set(HG_SEED_DIR ${PROJECT_SOURCE_DIR}/traces/examples)
add_test(NAME render.compare-timeline
  COMMAND sh -c "set -e; d=$1; rm -rf \"$d\"; mkdir -p \"$d\"
    \"$2\" compare \"$3/seed-003-incremental-grow.yaml\" --vs go=1.13 --vs go=1.14 -q \
      --timeline \"$d/t.scene\" --timeline \"$d/t.png\"
    grep -q 'seed-003-incremental-grow — go=1.13' \"$d/t.scene\"
    grep -q 'seed-003-incremental-grow — go=1.14' \"$d/t.scene\"
    test -s \"$d/t.png\"
    s=0; \"$2\" compare \"$3/seed-002-prepare-in-grow.yaml\" --vs go=1.16 --vs go=1.17 -q \
      --curves \"$d/c.scene\" || s=$?
    test $s -eq 3
    test \"$(grep -c 'commit limit 112 MiB' \"$d/c.scene\")\" -eq 1
    grep -q 'out of memory: go=1.16' \"$d/c.scene\"
    if \"$2\" compare \"$3/seed-002-prepare-in-grow.yaml\" --vs go=1.16 -q --curves \"$d/c.html\" 2>/dev/null; then exit 1; fi
    \"$2\" compare \"$3/seed-001-strand-limit.yaml\" --vs go=1.8 --vs go=1.9 -q -o \"$d/r.scene\" --range 0x8000000:0x9000000
    grep -q 'Addresses 0x8000000 to 0x9000000 only.' \"$d/r.scene\"
    s=0; \"$2\" compare \"$3/seed-001-strand-limit.yaml\" --vs go=1.8 -q -o \"$d/r.scene\" --range bad 2>/dev/null || s=$?
    test $s -eq 2"
    sh ${CMAKE_CURRENT_BINARY_DIR}/render/compare-timeline $<TARGET_FILE:heapgrow> ${HG_SEED_DIR})
set_tests_properties(render.compare-timeline PROPERTIES LABELS render TIMEOUT 120)
