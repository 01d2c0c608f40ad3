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

# -DMEMSTATS=file -DPAIRS="mark=label;..." -DTOL="Figure=percent;...":
# at each mark, the figure must be within percent of what the program
# printed as "MEMSTATS label Figure=N ..." there.
if(DEFINED MEMSTATS)
  file(STRINGS ${MEMSTATS} lines REGEX "^MEMSTATS ")
  set(i 0)
  foreach(label ${MARKS})
    foreach(pair ${PAIRS})
      string(REPLACE "=" ";" pair "${pair}")
      list(GET pair 0 mark)
      list(GET pair 1 stats)
      if(NOT mark STREQUAL label)
        continue()
      endif()
      set(line "")
      foreach(l ${lines})
        if(l MATCHES "^MEMSTATS ${stats} ")
          set(line "${l}")
        endif()
      endforeach()
      if(line STREQUAL "")
        message(FATAL_ERROR "no MEMSTATS ${stats} in ${MEMSTATS}")
      endif()
      foreach(t ${TOL})
        string(REPLACE "=" ";" t "${t}")
        list(GET t 0 fig)
        list(GET t 1 pct)
        if(NOT line MATCHES " ${fig}=([0-9]+)")
          message(FATAL_ERROR "no ${fig} in '${line}'")
        endif()
        set(real ${CMAKE_MATCH_1})
        string(JSON model GET "${json}" marks ${i} memstats ${fig})
        math(EXPR diff "${model} - ${real}")
        if(diff LESS 0)
          math(EXPR diff "0 - ${diff}")
        endif()
        math(EXPR lhs "${diff} * 100")
        math(EXPR rhs "${real} * ${pct}")
        if(lhs GREATER rhs)
          message(FATAL_ERROR "at mark '${label}': ${fig} ${model}, the "
            "program printed ${real} (${stats}): more than ${pct}% apart")
        endif()
        message(STATUS "mark '${label}': ${fig} ${model} vs ${real}")
      endforeach()
    endforeach()
    math(EXPR i "${i} + 1")
  endforeach()
endif()
