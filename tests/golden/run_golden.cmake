# run_golden.cmake - one golden test, run with cmake -P (see tests/golden.cmake).
#
#   -DMODE=cli      -DHEAPGROW=exe -DSRC=srcdir -DCASE=golden/cli/<case> -DWORK=dir
#   -DMODE=example  -DHEAPGROW=exe -DSRC=srcdir -DTRACE=file -DEXPECT=<name>.json -DWORK=dir
#
# Outputs are compared exactly, after the source and scratch directories in
# them are written back as @SRC@ and @WORK@. With HG_UPDATE_GOLDEN=1 in the
# environment the expected files are rewritten instead.
cmake_minimum_required(VERSION 3.24)

foreach(v MODE HEAPGROW SRC WORK)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run_golden.cmake: -D${v}=... is required")
  endif()
endforeach()

set(update FALSE)
if("$ENV{HG_UPDATE_GOLDEN}")
  set(update TRUE)
endif()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(failures "")

# normalize(<var>): source and scratch paths as placeholders.
macro(normalize var)
  string(REPLACE "${WORK}" "@WORK@" ${var} "${${var}}")
  string(REPLACE "${SRC}" "@SRC@" ${var} "${${var}}")
endmacro()

# expect(<what> <actual> <file> <optional>): compare or update one file.
# An optional expectation whose file is absent means "empty".
function(expect what actual file optional)
  if(update)
    if(optional AND actual STREQUAL "")
      file(REMOVE ${file})
    else()
      file(WRITE ${file} "${actual}")
    endif()
    return()
  endif()
  if(EXISTS ${file})
    file(READ ${file} expected)
  elseif(optional)
    set(expected "")
  else()
    set(failures "${failures}${what}: missing ${file} (run with HG_UPDATE_GOLDEN=1)\n" PARENT_SCOPE)
    return()
  endif()
  if(NOT actual STREQUAL expected)
    get_filename_component(name ${file} NAME)
    file(WRITE ${WORK}/${name}.actual "${actual}")
    find_program(DIFF diff)
    set(shown "")
    if(DIFF)
      execute_process(COMMAND ${DIFF} -u ${file} ${WORK}/${name}.actual
        OUTPUT_VARIABLE shown)
    else()
      set(shown "expected:\n${expected}\nactual:\n${actual}\n")
    endif()
    set(failures "${failures}${what} differs:\n${shown}\n" PARENT_SCOPE)
  endif()
endfunction()

if(MODE STREQUAL "cli")
  file(READ ${CASE}.args text)
  string(REPLACE "@SRC@" "${SRC}" text "${text}")
  string(REPLACE "@WORK@" "${WORK}" text "${text}")
  string(REGEX REPLACE "\n$" "" text "${text}")
  # One argument per line (arguments cannot contain ';'); @NL@ and @TAB@
  # stand for a newline and a tab inside an argument.
  set(args "")
  if(NOT text STREQUAL "")
    string(REPLACE "\n" ";" args "${text}")
    string(REPLACE "@NL@" "\n" args "${args}")
    string(REPLACE "@TAB@" "\t" args "${args}")
  endif()
  set(input_opt "")
  if(EXISTS ${CASE}.stdin)
    set(input_opt INPUT_FILE ${CASE}.stdin)
  endif()
  # <case>.env: VAR=value lines, set for the run (e.g. HEAPGROW_COLOR).
  set(env_cmd "")
  if(EXISTS ${CASE}.env)
    file(STRINGS ${CASE}.env env_lines)
    set(env_cmd ${CMAKE_COMMAND} -E env ${env_lines})
  endif()
  execute_process(COMMAND ${env_cmd} ${HEAPGROW} ${args}
    ${input_opt}
    WORKING_DIRECTORY ${WORK}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  normalize(out)
  normalize(err)
  expect(stdout "${out}" ${CASE}.stdout FALSE)
  expect(stderr "${err}" ${CASE}.stderr TRUE)
  expect(exit "${rc}\n" ${CASE}.exit FALSE)
  if(EXISTS ${CASE}.absent AND NOT update)
    file(STRINGS ${CASE}.absent absent)
    foreach(f ${absent})
      string(REPLACE "@WORK@" "${WORK}" f "${f}")
      if(EXISTS ${f})
        set(failures "${failures}${f} exists but must not\n")
      endif()
    endforeach()
    # Nothing half written either: no temporary files left in the scratch dir.
    file(GLOB leftovers ${WORK}/.*)
    if(leftovers)
      set(failures "${failures}temporary files left: ${leftovers}\n")
    endif()
  endif()
elseif(MODE STREQUAL "example")
  execute_process(COMMAND ${HEAPGROW} replay ${TRACE} --check --format json
    WORKING_DIRECTORY ${WORK}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  normalize(err)
  # 3 (out of memory) is a valid outcome of an example; the JSON says so.
  if(NOT rc EQUAL 0 AND NOT rc EQUAL 3)
    set(failures "${failures}heapgrow exited with ${rc}:\n${err}\n")
  else()
    expect(stats "${out}" ${EXPECT} FALSE)
  endif()
else()
  message(FATAL_ERROR "run_golden.cmake: unknown MODE '${MODE}'")
endif()

if(failures)
  message(FATAL_ERROR "${failures}")
endif()
