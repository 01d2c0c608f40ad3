# Promises kept under hostile conditions (label "hostile"):
#   hostile.outputs  tests/hostile/outputs.sh: devices, FIFOs, links, inputs
#                    as outputs, all-or-none outputs, signals mid-run.
add_test(NAME hostile.outputs
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/hostile/outputs.sh
    $<TARGET_FILE:heapgrow> ${PROJECT_SOURCE_DIR})
set_tests_properties(hostile.outputs PROPERTIES LABELS hostile TIMEOUT 120
  ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/render/lsan.supp:print_suppressions=0")
#   hostile.seeds    tests/hostile/seeds.sh: all 100 seeds of
#                    randomize_heap_base allocate 1 MiB on a fresh heap.
add_test(NAME hostile.seeds
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/hostile/seeds.sh
    $<TARGET_FILE:heapgrow>)
set_tests_properties(hostile.seeds PROPERTIES LABELS hostile TIMEOUT 120)
#   hostile.hostmem  tests/hostile/hostmem.sh: out of host memory under
#                    `ulimit -v` is exit 2 with its own message, not exit 3.
add_test(NAME hostile.hostmem
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/hostile/hostmem.sh
    $<TARGET_FILE:heapgrow>)
set_tests_properties(hostile.hostmem PROPERTIES LABELS hostile TIMEOUT 60
  SKIP_RETURN_CODE 77)
#   hostile.corpus   tests/hostile/corpus.sh: crafted inputs by class (gzip
#                    damage, members and bombs, aliases, nesting, overflowing
#                    sizes, NUL, invalid UTF-8, BOM, CRLF, long lines, device
#                    nodes, FIFOs, directories, keys inconsistent together),
#                    each with its exit status, nothing half-written; the
#                    counts of tests/hostile/README.md checked.
add_test(NAME hostile.corpus
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/hostile/corpus.sh
    $<TARGET_FILE:heapgrow> ${PROJECT_SOURCE_DIR})
set_tests_properties(hostile.corpus PROPERTIES LABELS hostile TIMEOUT 300
  ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/render/lsan.supp:print_suppressions=0")
#   hostile.diff     tests/hostile/diff.sh: diff refuses mistyped figures and
#                    files lacking a figure a gate names.
add_test(NAME hostile.diff
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/hostile/diff.sh
    $<TARGET_FILE:heapgrow> ${PROJECT_SOURCE_DIR})
set_tests_properties(hostile.diff PROPERTIES LABELS hostile TIMEOUT 60)
#   hostile.signals  tests/hostile/signals.sh: SIGINT, SIGTERM, SIGHUP and
#                    SIGPIPE at random points of a long picture write.
add_test(NAME hostile.signals
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/hostile/signals.sh
    $<TARGET_FILE:heapgrow> ${PROJECT_SOURCE_DIR})
set_tests_properties(hostile.signals PROPERTIES LABELS hostile TIMEOUT 600
  ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/render/lsan.supp:print_suppressions=0")
#   hostile.fulldisk tests/hostile/fulldisk.sh: every output onto a full
#                    tmpfs (root, a private mount namespace; skipped else).
add_test(NAME hostile.fulldisk
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/hostile/fulldisk.sh
    $<TARGET_FILE:heapgrow> ${PROJECT_SOURCE_DIR})
set_tests_properties(hostile.fulldisk PROPERTIES LABELS hostile TIMEOUT 300
  SKIP_RETURN_CODE 77
  ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/render/lsan.supp:print_suppressions=0")
#   hostile.unwritable tests/hostile/unwritable.sh: unwritable directories
#                    and unreadable inputs as a user who is not root.
add_test(NAME hostile.unwritable
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/hostile/unwritable.sh
    $<TARGET_FILE:heapgrow> ${PROJECT_SOURCE_DIR})
set_tests_properties(hostile.unwritable PROPERTIES LABELS hostile TIMEOUT 300
  SKIP_RETURN_CODE 77
  ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/render/lsan.supp:print_suppressions=0")
