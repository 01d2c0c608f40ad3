# heapgrow diff and convert: the unit tests of cli/jsonread.c and
# cli/gate.c (tests/unit/test_jsonread.c, test_gate.c, created by the unit
# test glob) get those sources, and a round trip of every example trace
# through convert (tests/convert/roundtrip.cmake).
foreach(t test_jsonread test_gate)
  if(TARGET ${t})
    target_sources(${t} PRIVATE ${PROJECT_SOURCE_DIR}/cli/jsonread.c)
    target_include_directories(${t} PRIVATE ${PROJECT_SOURCE_DIR}/cli)
  endif()
endforeach()
if(TARGET test_gate)
  target_sources(test_gate PRIVATE ${PROJECT_SOURCE_DIR}/cli/gate.c)
endif()

file(GLOB HG_ROUNDTRIP_TRACES CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/traces/examples/*.yaml)
foreach(trace ${HG_ROUNDTRIP_TRACES})
  get_filename_component(name ${trace} NAME_WE)
  add_test(NAME convert.roundtrip.${name}
    COMMAND ${CMAKE_COMMAND} -DHEAPGROW=$<TARGET_FILE:heapgrow>
      -DTRACE=${trace} -DWORK=${CMAKE_CURRENT_BINARY_DIR}/convert/${name}
      -P ${CMAKE_CURRENT_SOURCE_DIR}/convert/roundtrip.cmake)
  set_tests_properties(convert.roundtrip.${name} PROPERTIES LABELS golden
    TIMEOUT 300)
endforeach()
# The object-level and runtime ops and recorded addresses: the YAML and
# compact syntax through convert, both ways, compared with the compact text
# expected, and the round trip replays to the same statistics.
add_test(NAME convert.roundtrip.new-ops
  COMMAND ${CMAKE_COMMAND} -DHEAPGROW=$<TARGET_FILE:heapgrow>
    -DTRACE=${CMAKE_CURRENT_SOURCE_DIR}/convert/new-ops.yaml
    -DEXPECT=${CMAKE_CURRENT_SOURCE_DIR}/convert/new-ops.hgt
    -DWORK=${CMAKE_CURRENT_BINARY_DIR}/convert/new-ops
    -P ${CMAKE_CURRENT_SOURCE_DIR}/convert/roundtrip.cmake)
set_tests_properties(convert.roundtrip.new-ops PROPERTIES LABELS golden)
