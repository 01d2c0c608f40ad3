# roundtrip.cmake - a real program's trace through heapgrow import and back:
#
#   cmake -DHEAPGROW=exe -DTRACE=log -DWORK=dir -P roundtrip.cmake
#
# log -> a.hgt.gz and log -> b.yaml (import), both read back as compact
# text (convert): the two must be identical, and their events must be the
# ones convert reads from the log directly (the header aside: import names
# the trace). check must count the same events in all three.
cmake_minimum_required(VERSION 3.24)

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

function(run)
  execute_process(COMMAND ${HEAPGROW} ${ARGN} WORKING_DIRECTORY ${WORK}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "heapgrow ${ARGN}: exit ${rc}\n${out}${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

function(same a b)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/${a}
    ${WORK}/${b} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${a} and ${b} differ (in ${WORK})")
  endif()
endfunction()

# events(<file> <var>): the lines of a compact trace that are not comments
# nor settings (an importer's `config KEY=VALUE`).
function(events file var)
  file(STRINGS ${WORK}/${file} lines REGEX "^[^#c]")
  set(${var} "${lines}" PARENT_SCOPE)
endfunction()

run(import ${TRACE} -o a.hgt.gz)
file(READ ${WORK}/a.hgt.gz head LIMIT 2 HEX)
if(NOT head STREQUAL "1f8b")
  message(FATAL_ERROR "a.hgt.gz is not gzip-compressed (starts ${head})")
endif()
run(import ${TRACE} -o b.yaml)
run(convert a.hgt.gz -o a.hgt)
run(convert b.yaml -o b.hgt)
same(a.hgt b.hgt)
file(STRINGS ${WORK}/a.hgt name REGEX "^# name: ")
if(NOT name)
  message(FATAL_ERROR "a.hgt has no name")
endif()
run(convert ${TRACE} -o direct.hgt)
events(a.hgt imported)
events(direct.hgt direct)
if(NOT imported STREQUAL direct)
  message(FATAL_ERROR "the imported events differ from the log's")
endif()
list(LENGTH imported n)
run(check ${TRACE})
set(c1 "${out}")
run(check a.hgt.gz)
foreach(c "${c1}" "${out}")
  math(EXPR events "${n} - 1") # the heapgrow-trace line
  if(NOT c MATCHES "ok \\(${events} events\\)")
    message(FATAL_ERROR "check counted differently: ${c} (${events} expected)")
  endif()
endforeach()
