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

# real.check.NAME: each recording replays under the invariant checker
# (--check) with its settings (tests/real/check.sh).
foreach(rec ${HG_REAL_RECORDINGS})
  get_filename_component(name ${rec} NAME)
  string(REGEX REPLACE "\\.(trace|allocfreetrace)\\.gz$" "" name ${name})
  add_test(NAME real.check.${name}
    COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/real/check.sh
      $<TARGET_FILE:heapgrow> ${name})
  set_tests_properties(real.check.${name} PROPERTIES LABELS real TIMEOUT 120)
endforeach()

# real.go119.*: the Go 1.19 replays keep what they reach
# (tests/real/targets-go119): HeapAlloc exact, StackInuse exact, HeapSys
# and HeapInuse within the object layer's targets, every recorded address
# of tree-go119-p1, HeapReleased within 10% or 256 KiB for
# waves-go119-p1-gogcoff and limit-go119-p1-memlimit; stacks-go119-*, waves-go119-p2 and tree-go119-p2 for
# HeapAlloc and HeapInuse only (what the log cannot show:
# tests/real/README.md).
add_test(NAME real.go119.all
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/real/fidelity.sh
    --heapgrow $<TARGET_FILE:heapgrow> --tool $<TARGET_FILE:hg_fidelity>
    --targets ${CMAKE_CURRENT_SOURCE_DIR}/real/targets-go119
    --figures HeapSys,HeapInuse,HeapAlloc,StackInuse,HeapReleased --summary
    tree-go119-p1 waves-go119-p1 waves-go119-p1-gogcoff
    limit-go119-p1-memlimit limit-go119-p2-memlimit wasmphases-go119-js)
add_test(NAME real.go119.heap
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/real/fidelity.sh
    --heapgrow $<TARGET_FILE:heapgrow> --tool $<TARGET_FILE:hg_fidelity>
    --targets ${CMAKE_CURRENT_SOURCE_DIR}/real/targets-go119
    --figures HeapInuse,HeapAlloc --summary
    stacks-go119-p1 stacks-go119-p2 waves-go119-p2 tree-go119-p2)
# real.go119.scavenger: fresh runs of waves at GOMAXPROCS=2 under an
# instrumented Go 1.19 runtime (tests/real/go119-scavenger), HeapReleased
# within 10% or 256 KiB at every mark of the four whose scavenger, when it
# ran before a mark, shows in the log by a record of its own (run1
# wave_2_gc, run2 wave_0_gc); run3 and run5 had it run unseen
# (tests/real/README.md, "Go 1.19's HeapReleased").
add_test(NAME real.go119.scavenger
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/real/fidelity.sh
    --heapgrow $<TARGET_FILE:heapgrow> --tool $<TARGET_FILE:hg_fidelity>
    --data ${CMAKE_CURRENT_SOURCE_DIR}/real/go119-scavenger/data
    --targets ${CMAKE_CURRENT_SOURCE_DIR}/real/targets-runtime
    --figures HeapReleased --summary
    waves-go119-p2-run1 waves-go119-p2-run2 waves-go119-p2-run4
    waves-go119-p2-run6)
set_tests_properties(real.go119.all real.go119.heap real.go119.scavenger
  PROPERTIES LABELS real TIMEOUT 120)

# real.go126.p1: the Go 1.26 GOMAXPROCS=1 replays keep what they reach
# (tests/real/targets-runtime): HeapSys, HeapInuse and StackInuse within
# 1%, HeapAlloc within 5%, NumGC exact at every mark, and at least 99% of
# the recorded addresses (targets-runtime's; every one of them today).
add_test(NAME real.go126.p1
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/real/fidelity.sh
    --heapgrow $<TARGET_FILE:heapgrow> --tool $<TARGET_FILE:hg_fidelity>
    --targets ${CMAKE_CURRENT_SOURCE_DIR}/real/targets-runtime
    --figures HeapSys,HeapInuse,HeapAlloc,StackInuse,NumGC --summary
    limit-go126-p1-memlimit stacks-go126-p1 tree-go126-p1
    tree-go126-p1-fixedbase waves-go126-p1 waves-go126-p1-fixedbase
    waves-go126-p1-gogcoff)
set_tests_properties(real.go126.p1 PROPERTIES LABELS real TIMEOUT 120)

# real.wasm: the js/wasm replays keep what they reach
# (tests/real/targets-runtime): every memory.grow of the real run (their
# count) and the final linear memory exact, HeapSys, StackInuse (1%),
# HeapAlloc (5%) and NumGC (exact) at every mark.
add_test(NAME real.wasm
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/real/fidelity.sh
    --heapgrow $<TARGET_FILE:heapgrow> --tool $<TARGET_FILE:hg_fidelity>
    --targets ${CMAKE_CURRENT_SOURCE_DIR}/real/targets-runtime
    --figures HeapSys,HeapAlloc,StackInuse,NumGC --summary
    wasmphases-go126-js wasmphases-go119-js)
set_tests_properties(real.wasm PROPERTIES LABELS real TIMEOUT 120)

# real.memprof: the default of mem_profile per release and platform
# against the recorded runs of tests/real/go/memprof
# (tests/real/memprof/record.sh), and the importers leaving it to the
# preset (tests/real/memprof/check.sh).
add_test(NAME real.memprof
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/real/memprof/check.sh
    $<TARGET_FILE:heapgrow>)
set_tests_properties(real.memprof PROPERTIES LABELS real TIMEOUT 60)

# real.goalloc: a go-trace of tests/bench/goalloc (two Ps, 481607
# events; tests/real/goalloc/record.sh) replays whole under --check: a
# goroutine resumed on another M after a stop in postMallocgcDebug, and
# a P's pending swept span freed by another way, once broke it.
add_test(NAME real.goalloc
  COMMAND $<TARGET_FILE:heapgrow> replay -q --check
    ${CMAKE_CURRENT_SOURCE_DIR}/real/goalloc/goalloc-250000.trace.gz)
set_tests_properties(real.goalloc PROPERTIES LABELS real TIMEOUT 120)
