# roundtrip.cmake - one example trace through heapgrow convert and back:
#
#   cmake -DHEAPGROW=exe -DTRACE=example.yaml -DWORK=dir -P roundtrip.cmake
#
# example.yaml -> a.hgt -> b.yaml.gz -> c.hgt.gz -> d.yaml. The compact
# texts a and c must be identical, d must be the YAML that the example
# converts to directly, the .gz files must be gzip, and replaying d must
# give the example's statistics and config (heapgrow diff: no change).
# -DEXPECT=file.hgt: a must also be that file; -DREPLAY=OFF: no replay
# (ops the model does not apply yet).
cmake_minimum_required(VERSION 3.24)

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})

function(run)
  execute_process(COMMAND ${HEAPGROW} ${ARGN} WORKING_DIRECTORY ${WORK}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  # Replays may end in out of memory (3): the stats are still written.
  if(NOT rc EQUAL 0 AND NOT (ARGV0 STREQUAL "replay" AND rc EQUAL 3))
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

function(gzip_magic f)
  file(READ ${WORK}/${f} head LIMIT 2 HEX)
  if(NOT head STREQUAL "1f8b")
    message(FATAL_ERROR "${f} is not gzip-compressed (starts ${head})")
  endif()
endfunction()

run(convert ${TRACE} -o a.hgt)
run(convert a.hgt -o b.yaml.gz)
gzip_magic(b.yaml.gz)
run(convert b.yaml.gz -o c.hgt.gz)
gzip_magic(c.hgt.gz)
run(convert c.hgt.gz -o - --format compact)
file(WRITE ${WORK}/c.hgt "${out}")
same(a.hgt c.hgt)
run(convert c.hgt.gz -o d.yaml)
run(convert ${TRACE} -o direct.yml)
same(d.yaml direct.yml)
if(DEFINED EXPECT)
  configure_file(${EXPECT} ${WORK}/expect.hgt COPYONLY)
  same(a.hgt expect.hgt)
endif()
if(DEFINED REPLAY AND NOT REPLAY)
  return()
endif()

run(replay ${TRACE} -q --stats orig.json)
run(replay d.yaml -q --stats back.json)
run(diff orig.json back.json)
if(NOT out MATCHES "\nno figure changed\n" OR out MATCHES "\nconfig\n")
  message(FATAL_ERROR "the statistics changed in the round trip:\n${out}")
endif()
