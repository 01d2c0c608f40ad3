# The importers of real programs' traces (tests/data): each recorded log
# through heapgrow import and back (tests/import/roundtrip.cmake).
file(GLOB HG_IMPORT_TRACES CONFIGURE_DEPENDS
  ${PROJECT_SOURCE_DIR}/tests/data/*.events.txt.gz
  ${PROJECT_SOURCE_DIR}/tests/data/*.mtrace.gz)
foreach(trace ${HG_IMPORT_TRACES})
  get_filename_component(name ${trace} NAME)
  string(REGEX REPLACE "\\.(events\\.txt|mtrace)\\.gz$" "" name ${name})
  add_test(NAME import.roundtrip.${name}
    COMMAND ${CMAKE_COMMAND} -DHEAPGROW=$<TARGET_FILE:heapgrow>
      -DTRACE=${trace} -DWORK=${CMAKE_CURRENT_BINARY_DIR}/import/${name}
      -P ${CMAKE_CURRENT_SOURCE_DIR}/import/roundtrip.cmake)
  set_tests_properties(import.roundtrip.${name} PROPERTIES LABELS golden
    TIMEOUT 300)
endforeach()
