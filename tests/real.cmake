# The recorded real Go runs (tests/real/README.md): hg_fidelity, the
# comparison of heapgrow's figures at every mark with the recorded
# MEMSTATS, and its own test on hand-made stats and MEMSTATS
# (tests/real/selftest: label "real").
add_executable(hg_fidelity ${CMAKE_CURRENT_SOURCE_DIR}/real/hg_fidelity.c)
target_link_libraries(hg_fidelity PRIVATE hg_flags m)

file(GLOB HG_FIDELITY_CASES CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/real/selftest/cases/*.args)
foreach(args ${HG_FIDELITY_CASES})
  get_filename_component(case ${args} NAME_WLE)
  add_test(NAME real.fidelity.${case}
    COMMAND ${CMAKE_COMMAND} -DCASE=${CMAKE_CURRENT_SOURCE_DIR}/real/selftest/cases/${case}
      -DDIR=${CMAKE_CURRENT_SOURCE_DIR}/real/selftest -DTOOL=$<TARGET_FILE:hg_fidelity>
      -DHEAPGROW=$<TARGET_FILE:heapgrow>
      -P ${CMAKE_CURRENT_SOURCE_DIR}/real/selftest/run.cmake)
  set_tests_properties(real.fidelity.${case} PROPERTIES LABELS real TIMEOUT 60)
endforeach()

# real.replay.NAME: heapgrow replays each recording (go-trace and
# go-allocfreetrace, read by the importers)
# and reports every mark the program printed, with HeapSys and HeapInuse
# (tests/real/targets-present); the figures themselves are fidelity.sh's.
file(GLOB HG_REAL_RECORDINGS CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/real/data/*.trace.gz
  ${CMAKE_CURRENT_SOURCE_DIR}/real/data/*.allocfreetrace.gz)
foreach(rec ${HG_REAL_RECORDINGS})
  get_filename_component(name ${rec} NAME)
  string(REGEX REPLACE "\\.(trace|allocfreetrace)\\.gz$" "" name ${name})
  add_test(NAME real.replay.${name}
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/real/fidelity.sh
      --heapgrow $<TARGET_FILE:heapgrow> --tool $<TARGET_FILE:hg_fidelity>
      --targets ${CMAKE_CURRENT_SOURCE_DIR}/real/targets-present
      --figures HeapSys,HeapInuse --summary ${name})
  set_tests_properties(real.replay.${name} PROPERTIES LABELS real TIMEOUT 120)
endforeach()
