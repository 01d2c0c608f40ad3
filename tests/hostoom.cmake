# The host out of memory (tests/unit/hostoom.h): the binaries below are
# linked with ld's --wrap for the allocation functions, which redirects
# the references of the objects linked in (core/, traces/, replay/ and
# the rest of the static libraries, cli/'s objects) to the test's
# fault-injecting allocator, not the shared libraries' own (libc, zlib,
# libcyaml, cairo); so the sanitizer build runs them too, the wrappers
# calling ASan's malloc.
set(HG_HOSTOOM_WRAP
  "LINKER:--wrap=malloc,--wrap=calloc,--wrap=realloc"
  "LINKER:--wrap=aligned_alloc,--wrap=strdup,--wrap=free")

# unit.test_hostoom: a replay of each small input with its Nth
# allocation failing, N = 1, 2, ... (tests/unit/test_hostoom.c).
target_sources(test_hostoom PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/unit/hostoom.c)
target_link_options(test_hostoom PRIVATE ${HG_HOSTOOM_WRAP})
set_tests_properties(unit.test_hostoom PROPERTIES TIMEOUT 900)

# unit.hostoom_cli: heapgrow_hostoom, the program over the same
# allocator, with each allocation of an import, a replay writing its
# statistics and a conversion failing in turn (tests/unit/hostoom_cli.sh).
get_target_property(HG_CLI_SOURCES heapgrow SOURCES)
list(TRANSFORM HG_CLI_SOURCES PREPEND ${PROJECT_SOURCE_DIR}/cli/)
add_executable(heapgrow_hostoom ${HG_CLI_SOURCES}
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/hostoom.c
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/hostoom_cli.c)
target_include_directories(heapgrow_hostoom PRIVATE ${PROJECT_SOURCE_DIR}/cli
  ${CMAKE_CURRENT_SOURCE_DIR}/unit)
target_link_libraries(heapgrow_hostoom PRIVATE hgreplay hgtrace hgrender
  hgcore hg_flags)
target_compile_definitions(heapgrow_hostoom PRIVATE
  HEAPGROW_VERSION="${PROJECT_VERSION}")
target_link_options(heapgrow_hostoom PRIVATE ${HG_HOSTOOM_WRAP})
add_test(NAME unit.hostoom_cli
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/unit/hostoom_cli.sh
    $<TARGET_FILE:heapgrow_hostoom> ${PROJECT_SOURCE_DIR})
set_tests_properties(unit.hostoom_cli PROPERTIES LABELS unit TIMEOUT 900)
