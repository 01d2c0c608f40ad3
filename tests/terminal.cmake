# Colour of diff and compare on a terminal (tests/terminal).
add_test(NAME terminal.color
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/terminal/color.sh
    $<TARGET_FILE:heapgrow> ${PROJECT_SOURCE_DIR}
    ${CMAKE_CURRENT_BINARY_DIR}/terminal)
set_tests_properties(terminal.color PROPERTIES LABELS cli
  SKIP_RETURN_CODE 77 TIMEOUT 120)
