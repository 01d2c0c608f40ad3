# The benchmark (README "Performance"): tests/bench/bench.sh runs it; its
# tools are built here. gentrace makes the synthetic traces, benchtime
# times a command (CPU time and peak RSS, the least of several runs),
# mallocs is the C program that heaptrack and mtrace() record.
add_executable(gentrace ${CMAKE_CURRENT_SOURCE_DIR}/bench/gentrace.c)
target_link_libraries(gentrace PRIVATE hg_flags)
add_executable(benchtime ${CMAKE_CURRENT_SOURCE_DIR}/bench/benchtime.c)
target_link_libraries(benchtime PRIVATE hg_flags)
# Not built with hg_flags: heaptrack and glibc's mtrace() interpose malloc,
# which a sanitizer's runtime must not (an ASan build would hang there).
add_executable(mallocs ${CMAKE_CURRENT_SOURCE_DIR}/bench/mallocs.c)
target_compile_options(mallocs PRIVATE -O2 -Wall -Wextra)

# The smoke run: tiny sizes, once each; that the script runs and prints
# every ratio line (no timing is asserted).
add_test(NAME bench.smoke
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/bench/smoke.sh
          ${CMAKE_CURRENT_SOURCE_DIR}/bench/bench.sh ${PROJECT_BINARY_DIR})
set_tests_properties(bench.smoke PROPERTIES LABELS bench TIMEOUT 300)

# gotrace.merge: recordings of tests/bench/goalloc on two Ps
# (tests/bench/goalloc/record-merge.sh) whose threads free memory that
# another thread allocates before the freeing thread's next event (a P
# flushing its mcache with the world stopped, a thread descheduled after
# its sweep), and a goroutine preempted in postMallocgcDebug with a later
# run on another thread: the go-trace importer merges them without one
# skipped or repaired record and the replay's checks pass.
add_test(NAME gotrace.merge
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/bench/goalloc/check-merge.sh
    $<TARGET_FILE:heapgrow>
    ${CMAKE_CURRENT_SOURCE_DIR}/bench/goalloc/merge-40000.trace.gz
    ${CMAKE_CURRENT_SOURCE_DIR}/bench/goalloc/merge-100000.trace.gz)
set_tests_properties(gotrace.merge PROPERTIES LABELS import TIMEOUT 300)
