# Fuzz targets (tests/fuzz). The standalone driver replays the corpus under
# any compiler as an ordinary ctest test; the libFuzzer binary is built when
# HEAPGROW_BUILD_FUZZERS is ON and the compiler is clang.
set(HG_FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)

add_executable(fuzz_trace_standalone ${HG_FUZZ_DIR}/fuzz_trace.c
  ${HG_FUZZ_DIR}/standalone_driver.c)
target_link_libraries(fuzz_trace_standalone PRIVATE hgtrace hgcore hg_flags)
add_test(NAME fuzz.trace COMMAND fuzz_trace_standalone ${HG_FUZZ_DIR}/corpus/trace)
set_tests_properties(fuzz.trace PROPERTIES LABELS fuzz TIMEOUT 300)

if(HEAPGROW_BUILD_FUZZERS)
  if(CMAKE_C_COMPILER_ID MATCHES "Clang")
    # Coverage for the libraries under test, libFuzzer's main for the target.
    target_compile_options(hgtrace PRIVATE -fsanitize=fuzzer-no-link)
    target_compile_options(hgcore PRIVATE -fsanitize=fuzzer-no-link)
    add_executable(fuzz_trace ${HG_FUZZ_DIR}/fuzz_trace.c)
    target_compile_options(fuzz_trace PRIVATE -fsanitize=fuzzer)
    target_link_options(fuzz_trace PRIVATE -fsanitize=fuzzer)
    target_link_libraries(fuzz_trace PRIVATE hgtrace hgcore hg_flags)
  else()
    message(WARNING "HEAPGROW_BUILD_FUZZERS needs clang; fuzzers not built")
  endif()
endif()

# The model under random operation sequences, with the invariant checker
# after every event (tests/fuzz/fuzz_replay.c).
add_executable(fuzz_replay_standalone ${HG_FUZZ_DIR}/fuzz_replay.c
  ${HG_FUZZ_DIR}/standalone_driver.c)
target_link_libraries(fuzz_replay_standalone PRIVATE hgreplay hgcore hg_flags)
add_test(NAME fuzz.replay COMMAND fuzz_replay_standalone ${HG_FUZZ_DIR}/corpus/replay)
set_tests_properties(fuzz.replay PROPERTIES LABELS fuzz TIMEOUT 600)
if(HEAPGROW_BUILD_FUZZERS AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(fuzz_replay ${HG_FUZZ_DIR}/fuzz_replay.c)
  target_compile_options(fuzz_replay PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_replay PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_replay PRIVATE hgreplay hgcore hg_flags)
endif()

# The model's object layer under random object-level operation sequences
# (new, del, gc, stacks, work buffers, Ps, the clock), with the invariant
# checker after every event (tests/fuzz/fuzz_objects.c).
add_executable(fuzz_objects_standalone ${HG_FUZZ_DIR}/fuzz_objects.c
  ${HG_FUZZ_DIR}/standalone_driver.c)
target_link_libraries(fuzz_objects_standalone PRIVATE hgreplay hgcore hg_flags)
add_test(NAME fuzz.objects COMMAND fuzz_objects_standalone ${HG_FUZZ_DIR}/corpus/objects)
set_tests_properties(fuzz.objects PROPERTIES LABELS fuzz TIMEOUT 600)
if(HEAPGROW_BUILD_FUZZERS AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(fuzz_objects ${HG_FUZZ_DIR}/fuzz_objects.c)
  target_compile_options(fuzz_objects PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_objects PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_objects PRIVATE hgreplay hgcore hg_flags)
endif()

# heapgrow diff's stats-file reader and --fail-if conditions
# (tests/fuzz/fuzz_statsjson.c; cli/jsonread.c, cli/gate.c).
set(HG_STATSJSON_SRC ${PROJECT_SOURCE_DIR}/cli/jsonread.c
  ${PROJECT_SOURCE_DIR}/cli/gate.c)
add_executable(fuzz_statsjson_standalone ${HG_FUZZ_DIR}/fuzz_statsjson.c
  ${HG_FUZZ_DIR}/standalone_driver.c ${HG_STATSJSON_SRC})
target_include_directories(fuzz_statsjson_standalone PRIVATE ${PROJECT_SOURCE_DIR}/cli)
target_link_libraries(fuzz_statsjson_standalone PRIVATE hgcore hg_flags)
add_test(NAME fuzz.statsjson COMMAND fuzz_statsjson_standalone
  ${HG_FUZZ_DIR}/corpus/statsjson)
set_tests_properties(fuzz.statsjson PROPERTIES LABELS fuzz TIMEOUT 300)
if(HEAPGROW_BUILD_FUZZERS AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(fuzz_statsjson ${HG_FUZZ_DIR}/fuzz_statsjson.c ${HG_STATSJSON_SRC})
  target_include_directories(fuzz_statsjson PRIVATE ${PROJECT_SOURCE_DIR}/cli)
  target_compile_options(fuzz_statsjson PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_statsjson PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_statsjson PRIVATE hgcore hg_flags)
endif()

# The go-trace importer (tests/fuzz/fuzz_gotrace.c; traces/import_gotrace.c):
# Go execution traces, as they are and behind a Go trace header.
add_executable(fuzz_gotrace_standalone ${HG_FUZZ_DIR}/fuzz_gotrace.c
  ${HG_FUZZ_DIR}/standalone_driver.c)
target_link_libraries(fuzz_gotrace_standalone PRIVATE hgtrace hgcore hg_flags)
add_test(NAME fuzz.gotrace COMMAND fuzz_gotrace_standalone ${HG_FUZZ_DIR}/corpus/gotrace)
set_tests_properties(fuzz.gotrace PROPERTIES LABELS fuzz TIMEOUT 300)
if(HEAPGROW_BUILD_FUZZERS AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(fuzz_gotrace ${HG_FUZZ_DIR}/fuzz_gotrace.c)
  target_compile_options(fuzz_gotrace PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_gotrace PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_gotrace PRIVATE hgtrace hgcore hg_flags)
endif()

# The go-allocfreetrace and mtrace importers (tests/fuzz/fuzz_import.c;
# traces/import_text.c): the bytes recognised by content and forced as
# each of the two formats.
add_executable(fuzz_import_standalone ${HG_FUZZ_DIR}/fuzz_import.c
  ${HG_FUZZ_DIR}/standalone_driver.c)
target_link_libraries(fuzz_import_standalone PRIVATE hgtrace hgcore hg_flags)
add_test(NAME fuzz.import COMMAND fuzz_import_standalone ${HG_FUZZ_DIR}/corpus/import)
set_tests_properties(fuzz.import PROPERTIES LABELS fuzz TIMEOUT 300)
if(HEAPGROW_BUILD_FUZZERS AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(fuzz_import ${HG_FUZZ_DIR}/fuzz_import.c)
  target_compile_options(fuzz_import PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_import PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_import PRIVATE hgtrace hgcore hg_flags)
endif()

# The model's OS failure paths (tests/fuzz/fuzz_fault.c): the replay corpus
# read with its first bytes choosing which OS call fails.
add_executable(fuzz_fault_standalone ${HG_FUZZ_DIR}/fuzz_fault.c
  ${HG_FUZZ_DIR}/standalone_driver.c)
target_link_libraries(fuzz_fault_standalone PRIVATE hgcore hg_flags)
add_test(NAME fuzz.fault COMMAND fuzz_fault_standalone ${HG_FUZZ_DIR}/corpus/replay)
set_tests_properties(fuzz.fault PROPERTIES LABELS fuzz TIMEOUT 600)
if(HEAPGROW_BUILD_FUZZERS AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(fuzz_fault ${HG_FUZZ_DIR}/fuzz_fault.c)
  target_compile_options(fuzz_fault PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_fault PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_fault PRIVATE hgcore hg_flags)
endif()

# The pictures' output path: strings from a trace into a scene, written as
# SVG and checked well-formed (tests/fuzz/fuzz_svg.c).
add_executable(fuzz_svg_standalone ${HG_FUZZ_DIR}/fuzz_svg.c
  ${HG_FUZZ_DIR}/standalone_driver.c)
target_link_libraries(fuzz_svg_standalone PRIVATE hgrender hgcore hg_flags)
add_test(NAME fuzz.svg COMMAND fuzz_svg_standalone ${HG_FUZZ_DIR}/corpus/svg)
set_tests_properties(fuzz.svg PROPERTIES LABELS fuzz TIMEOUT 300)
if(HEAPGROW_BUILD_FUZZERS AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  target_compile_options(hgrender PRIVATE -fsanitize=fuzzer-no-link)
  add_executable(fuzz_svg ${HG_FUZZ_DIR}/fuzz_svg.c)
  target_compile_options(fuzz_svg PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_svg PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_svg PRIVATE hgrender hgcore hg_flags)
endif()

# The PNG picture path: a trace replayed, its map and timeline drawn small
# and written through cairo, each PNG checked whole (tests/fuzz/fuzz_png.c).
add_executable(fuzz_png_standalone ${HG_FUZZ_DIR}/fuzz_png.c
  ${HG_FUZZ_DIR}/standalone_driver.c)
target_link_libraries(fuzz_png_standalone PRIVATE hgrender hgtrace hgcore
  ZLIB::ZLIB m hg_flags)
add_test(NAME fuzz.png COMMAND fuzz_png_standalone ${HG_FUZZ_DIR}/corpus/png)
set_tests_properties(fuzz.png PROPERTIES LABELS fuzz TIMEOUT 300
  ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/render/lsan.supp:print_suppressions=0")
if(HEAPGROW_BUILD_FUZZERS AND CMAKE_C_COMPILER_ID MATCHES "Clang")
  add_executable(fuzz_png ${HG_FUZZ_DIR}/fuzz_png.c)
  target_compile_options(fuzz_png PRIVATE -fsanitize=fuzzer)
  target_link_options(fuzz_png PRIVATE -fsanitize=fuzzer)
  target_link_libraries(fuzz_png PRIVATE hgrender hgtrace hgcore ZLIB::ZLIB m
    hg_flags)
endif()
