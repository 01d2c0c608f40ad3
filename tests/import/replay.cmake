# replay.cmake - a real program's trace replayed directly (ARGS may add
# --check, the checker after every event, for the small ones):
#
#   cmake -DHEAPGROW=exe -DTRACE=log -DWORK=dir -DARGS="--go;1.19"
#         -DMARKS="label;label" -DGC=n -DNEW=n -P replay.cmake
#
# The replay must succeed, its statistics must hold one entry per MARK
# (labels in order), NumGC the GC cycles of the log (or the pacer's) and
# the fidelity statistic one recorded address per allocation.
cmake_minimum_required(VERSION 3.24)

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${HEAPGROW} replay ${TRACE} ${ARGS} -q
    --stats ${WORK}/s.json
  WORKING_DIRECTORY ${WORK} OUTPUT_VARIABLE out ERROR_VARIABLE err
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "heapgrow replay ${TRACE}: exit ${rc}\n${out}${err}")
endif()
file(READ ${WORK}/s.json json)

string(JSON nmarks LENGTH "${json}" marks)
list(LENGTH MARKS want)
if(NOT nmarks EQUAL want)
  message(FATAL_ERROR "${nmarks} marks in the statistics, ${want} expected")
endif()
set(i 0)
foreach(label ${MARKS})
  string(JSON got GET "${json}" marks ${i} label)
  if(NOT got STREQUAL label)
    message(FATAL_ERROR "mark ${i} is '${got}', not '${label}'")
  endif()
  math(EXPR i "${i} + 1")
endforeach()
string(JSON numgc GET "${json}" final memstats NumGC)
if(NOT numgc EQUAL GC)
  message(FATAL_ERROR "NumGC ${numgc}, ${GC} expected")
endif()
string(JSON addrs GET "${json}" fidelity addresses)
if(NOT addrs EQUAL NEW)
  message(FATAL_ERROR "${addrs} recorded addresses compared, ${NEW} expected")
endif()
