# Bash completion (label "completion"): tests/completion/complete.sh runs
# share/completions/heapgrow.bash as readline would; skipped (77) without
# bash-completion.
add_test(NAME completion.bash
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/completion/complete.sh
    ${PROJECT_SOURCE_DIR}/share/completions/heapgrow.bash)
set_tests_properties(completion.bash PROPERTIES LABELS completion
  SKIP_RETURN_CODE 77 TIMEOUT 60)
