# Golden CLI tests (label "golden"), driven by tests/golden/run_golden.cmake:
#
#   golden.cli.<case>      tests/golden/cli/<case>.args: one argument per line,
#                          @SRC@ = source dir, @WORK@ = a scratch dir, @NL@ and
#                          @TAB@ a newline and a tab in an argument; compared
#                          with <case>.stdout, <case>.stderr (absent = empty)
#                          and <case>.exit; optional <case>.stdin is the input
#                          and <case>.absent lists files that must not exist;
#                          <case>.env has VAR=value lines set for the run.
#   golden.example.<name>  every traces/examples/<name>.{yaml,yml,hgt}[.gz]:
#                          `heapgrow replay --check --format json` compared with
#                          tests/golden/examples/<name>.json.
#
# HG_UPDATE_GOLDEN=1 ctest -L golden rewrites the expected files.
set(HG_GOLDEN_DIR ${CMAKE_CURRENT_SOURCE_DIR}/golden)
set(HG_GOLDEN_SCRIPT ${HG_GOLDEN_DIR}/run_golden.cmake)

file(GLOB HG_GOLDEN_CASES CONFIGURE_DEPENDS ${HG_GOLDEN_DIR}/cli/*.args)
foreach(args ${HG_GOLDEN_CASES})
  get_filename_component(case ${args} NAME_WLE)
  add_test(NAME golden.cli.${case}
    COMMAND ${CMAKE_COMMAND} -DMODE=cli -DHEAPGROW=$<TARGET_FILE:heapgrow>
      -DSRC=${PROJECT_SOURCE_DIR} -DCASE=${HG_GOLDEN_DIR}/cli/${case}
      -DWORK=${CMAKE_CURRENT_BINARY_DIR}/golden/cli/${case}
      -P ${HG_GOLDEN_SCRIPT})
  set_tests_properties(golden.cli.${case} PROPERTIES LABELS golden TIMEOUT 120)
endforeach()

file(GLOB HG_EXAMPLE_TRACES CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/traces/examples/*.yaml ${PROJECT_SOURCE_DIR}/traces/examples/*.yml
  ${PROJECT_SOURCE_DIR}/traces/examples/*.hgt ${PROJECT_SOURCE_DIR}/traces/examples/*.gz)
foreach(trace ${HG_EXAMPLE_TRACES})
  get_filename_component(name ${trace} NAME)
  string(REGEX REPLACE "\\.(yaml|yml|hgt)(\\.gz)?$" "" name ${name})
  add_test(NAME golden.example.${name}
    COMMAND ${CMAKE_COMMAND} -DMODE=example -DHEAPGROW=$<TARGET_FILE:heapgrow>
      -DSRC=${PROJECT_SOURCE_DIR} -DTRACE=${trace}
      -DEXPECT=${HG_GOLDEN_DIR}/examples/${name}.json
      -DWORK=${CMAKE_CURRENT_BINARY_DIR}/golden/examples/${name}
      -P ${HG_GOLDEN_SCRIPT})
  set_tests_properties(golden.example.${name} PROPERTIES LABELS golden TIMEOUT 300)
endforeach()
