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

# Each recorded log replayed as it is (tests/import/replay.cmake): the
# marks, the GC cycles and the recorded addresses reach the statistics.
function(hg_import_replay name file args marks gc new)
  add_test(NAME import.replay.${name}
    COMMAND ${CMAKE_COMMAND} -DHEAPGROW=$<TARGET_FILE:heapgrow>
      -DTRACE=${PROJECT_SOURCE_DIR}/tests/data/${file} "-DARGS=${args}"
      "-DMARKS=${marks}" -DGC=${gc} -DNEW=${new}
      -DWORK=${CMAKE_CURRENT_BINARY_DIR}/import/replay-${name}
      -P ${CMAKE_CURRENT_SOURCE_DIR}/import/replay.cmake)
  set_tests_properties(import.replay.${name} PROPERTIES LABELS golden
    TIMEOUT 300)
endfunction()
hg_import_replay(c_grow_slice_map c_grow_slice_map.events.txt.gz "--go;1.19"
  "c start slice;c start map;c start buffer;c end" 8 129373)
# The Go 1.19 run's figures at its marks against the MemStats the program
# printed just before each (HeapSys and HeapInuse within 2%, HeapAlloc 5%).
add_test(NAME import.memstats.c_grow_slice_map
  COMMAND ${CMAKE_COMMAND} -DHEAPGROW=$<TARGET_FILE:heapgrow>
    -DTRACE=${PROJECT_SOURCE_DIR}/tests/data/c_grow_slice_map.events.txt.gz
    "-DARGS=--go;1.19"
    "-DMARKS=c start slice;c start map;c start buffer;c end" -DGC=8
    -DNEW=129373
    -DMEMSTATS=${PROJECT_SOURCE_DIR}/tests/data/c_grow_slice_map.allocfreetrace.stdout
    "-DPAIRS=c start map=c_after_slice;c start buffer=c_after_map;c end=c_end"
    "-DTOL=HeapSys=2;HeapInuse=2;HeapAlloc=5"
    -DWORK=${CMAKE_CURRENT_BINARY_DIR}/import/memstats-c_grow_slice_map
    -P ${CMAKE_CURRENT_SOURCE_DIR}/import/replay.cmake)
set_tests_properties(import.memstats.c_grow_slice_map PROPERTIES
  LABELS golden TIMEOUT 300)
# A C program through Go's allocator (what-if), paced by the importer.
hg_import_replay(sort sort.mtrace.gz "--check" "" 1 222)
hg_import_replay(as as.mtrace.gz "--go;1.19;--check" "" 0 2410)
