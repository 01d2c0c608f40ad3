# The progress line of a long replay on a terminal (tests/progress).
add_test(NAME progress.terminal
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/progress/progress.sh
    $<TARGET_FILE:heapgrow> ${CMAKE_CURRENT_BINARY_DIR}/progress)
set_tests_properties(progress.terminal PROPERTIES LABELS cli
  SKIP_RETURN_CODE 77 TIMEOUT 120)
