# run_render.cmake - one picture test (cmake -P), see tests/render.cmake.
#   -DMODE=scene|png|svg|compare -DHEAPGROW=... -DPNGCMP=... -DTRACE=...
#   -DCASE=name -DGOLDEN=dir -DWORK=dir [-DVS=go=1.13+go=1.14]
# HG_UPDATE_GOLDEN=1 in the environment rewrites the expected files.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(update "$ENV{HG_UPDATE_GOLDEN}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out
    ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 AND NOT rc EQUAL 3)
    message(FATAL_ERROR "${ARGN}\nexit ${rc}\n${out}\n${err}")
  endif()
  set(run_out "${out}" PARENT_SCOPE)
endfunction()

function(expect_same expected actual)
  if(update)
    configure_file(${actual} ${expected} COPYONLY)
    return()
  endif()
  if(NOT EXISTS ${expected})
    message(FATAL_ERROR "missing ${expected} (run with HG_UPDATE_GOLDEN=1)")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${expected} ${actual}
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    execute_process(COMMAND diff -u ${expected} ${actual} OUTPUT_VARIABLE d)
    string(SUBSTRING "${d}" 0 4000 d)
    message(FATAL_ERROR "${actual} differs from ${expected}\n${d}")
  endif()
endfunction()

if(MODE STREQUAL "scene")
  run(${HEAPGROW} replay ${TRACE} -q -o ${WORK}/map.scene --timeline ${WORK}/timeline.scene)
  expect_same(${GOLDEN}/${CASE}.map.scene ${WORK}/map.scene)
  expect_same(${GOLDEN}/${CASE}.timeline.scene ${WORK}/timeline.scene)
elseif(MODE STREQUAL "png")
  run(${HEAPGROW} replay ${TRACE} -q -o ${WORK}/map.png --timeline ${WORK}/timeline.png)
  run(${HEAPGROW} replay ${TRACE} -q -o ${WORK}/map2.png --timeline ${WORK}/timeline2.png)
  # Byte-identical for the same input and options.
  foreach(k map timeline)
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/${k}.png ${WORK}/${k}2.png
      RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${k}.png is not byte-identical across two runs")
    endif()
    if(update)
      configure_file(${WORK}/${k}.png ${GOLDEN}/${CASE}.${k}.png COPYONLY)
    else()
      # Decoded pixels with a tolerance: text antialiasing may move a little
      # between cairo/freetype versions, the regions must not.
      execute_process(COMMAND ${PNGCMP} ${GOLDEN}/${CASE}.${k}.png ${WORK}/${k}.png
        --tol 16 --max-frac 0.002 --diff ${WORK}/${k}-diff.png
        RESULT_VARIABLE rc OUTPUT_VARIABLE out)
      message(STATUS "${k}: ${out}")
      if(NOT rc EQUAL 0)
        configure_file(${GOLDEN}/${CASE}.${k}.png ${WORK}/${k}-ref.png COPYONLY)
        message(FATAL_ERROR "${k}.png differs: see ${WORK}/${k}-diff.png")
      endif()
    endif()
  endforeach()
elseif(MODE STREQUAL "svg")
  run(${HEAPGROW} replay ${TRACE} -q -o ${WORK}/map.svg --timeline ${WORK}/timeline.svg)
  run(${HEAPGROW} replay ${TRACE} -q -o ${WORK}/map2.svg)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/map.svg ${WORK}/map2.svg
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "map.svg is not byte-identical across two runs")
  endif()
  foreach(k map timeline)
    file(READ ${WORK}/${k}.svg svg)
    # Well-formed (xmllint when there is one) and the expected elements.
    find_program(XMLLINT xmllint)
    if(XMLLINT)
      execute_process(COMMAND ${XMLLINT} --noout ${WORK}/${k}.svg RESULT_VARIABLE rc
        ERROR_VARIABLE err)
      if(NOT rc EQUAL 0)
        message(FATAL_ERROR "${k}.svg is not well-formed XML:\n${err}")
      endif()
    endif()
    foreach(need "<svg xmlns=\"http://www.w3.org/2000/svg\"" "</svg>" "<title>"
                 "class=\"heap_inuse\"" "<text")
      string(FIND "${svg}" "${need}" at)
      if(at EQUAL -1)
        message(FATAL_ERROR "${k}.svg lacks ${need}")
      endif()
    endforeach()
    string(REGEX MATCHALL "<" n_lt "${svg}")
    string(REGEX MATCHALL "</" n_end "${svg}")
    string(REGEX MATCHALL "<[?]" n_pi "${svg}")
    string(REGEX MATCHALL "/>" n_self "${svg}")
    list(LENGTH n_lt a)
    list(LENGTH n_end b)
    list(LENGTH n_pi c)
    list(LENGTH n_self d)
    math(EXPR opened "${a} - ${b} - ${c}")
    math(EXPR closed "${b} + ${d}")
    if(NOT opened EQUAL closed)
      message(FATAL_ERROR "${k}.svg: ${opened} elements opened, ${closed} closed")
    endif()
    # The SVG is written by heapgrow itself (not cairo's SVG surface), so it
    # is compared exactly whatever the cairo version.
    expect_same(${GOLDEN}/${CASE}.${k}.svg ${WORK}/${k}.svg)
  endforeach()
elseif(MODE STREQUAL "compare")
  set(args)
  string(REPLACE "+" ";" VS "${VS}")
  foreach(v ${VS})
    list(APPEND args --vs ${v})
  endforeach()
  run(${HEAPGROW} compare ${TRACE} ${args} -o ${WORK}/compare.scene -o ${WORK}/compare.png)
  run(${HEAPGROW} compare ${TRACE} ${args})
  file(WRITE ${WORK}/compare.txt "${run_out}")
  expect_same(${GOLDEN}/${CASE}.compare.txt ${WORK}/compare.txt)
  expect_same(${GOLDEN}/${CASE}.compare.scene ${WORK}/compare.scene)
elseif(MODE STREQUAL "pipe")
  # The timeline from one reading of the input: through a pipe, which
  # cannot be read twice, the same pictures as from the file.
  execute_process(COMMAND cat ${TRACE}
    COMMAND ${HEAPGROW} replay - -q -o ${WORK}/map.scene
      --timeline ${WORK}/timeline.scene --timeline ${WORK}/timeline.png
    RESULTS_VARIABLE rcs ERROR_VARIABLE err)
  if(NOT rcs STREQUAL "0;0")
    message(FATAL_ERROR "cat | heapgrow replay - --timeline: exit ${rcs}\n${err}")
  endif()
  foreach(k map timeline)
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/${k}.scene
      ${GOLDEN}/${CASE}.${k}.scene RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${k}.scene from a pipe differs from ${GOLDEN}/${CASE}.${k}.scene")
    endif()
  endforeach()
  # A named pipe as the trace path: it can be opened and read once only
  # (a second reading would wait for a writer that has gone).
  find_program(MKFIFO mkfifo)
  if(MKFIFO)
    execute_process(COMMAND ${MKFIFO} ${WORK}/trace.fifo)
    execute_process(COMMAND sh -c "cat \"$1\" > \"$2\" & exec \"$3\" replay \"$2\" -q --timeline \"$4\""
        sh ${TRACE} ${WORK}/trace.fifo ${HEAPGROW} ${WORK}/fifo.scene
      RESULT_VARIABLE rc ERROR_VARIABLE err TIMEOUT 30)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "heapgrow replay FIFO --timeline: ${rc}\n${err}")
    endif()
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/fifo.scene
      ${GOLDEN}/${CASE}.timeline.scene RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "the timeline from a named pipe differs")
    endif()
  endif()
  file(READ ${WORK}/timeline.png head LIMIT 4 HEX)
  if(NOT head STREQUAL "89504e47")
    message(FATAL_ERROR "timeline.png from a pipe is not a PNG")
  endif()
else()
  message(FATAL_ERROR "unknown MODE ${MODE}")
endif()
