# Picture tests (label "render"):
#
#   unit.test_render_*          cmocka: scene layout, folding, merging, palette,
#                               determinism (linked with hgrender here)
#   render.scene.<case>         exact golden scene dumps of the map and the
#                               timeline of tests/render/<case>.yaml
#   render.png.<case>           PNG: byte-identical across runs, and decoded
#                               pixels within a tolerance of the golden PNG
#                               (tests/tools/hg_pngcmp)
#   render.svg.<case>           SVG: well-formed, expected elements, exact golden
#   render.compare.<case>       `heapgrow compare` table and scene of the seeds
#   render.pipe.basic           `cat trace | heapgrow replay - --timeline`: one
#                               reading of the input, the same pictures
#   render.chromium             the SVG in headless Chromium looks like the PNG
#                               (skipped, 77, without Chromium)
#
# Golden files live in tests/render/golden/; HG_UPDATE_GOLDEN=1 ctest -L render
# rewrites them.
set(HG_RENDER_DIR ${CMAKE_CURRENT_SOURCE_DIR}/render)
set(HG_RENDER_SCRIPT ${HG_RENDER_DIR}/run_render.cmake)

add_executable(hg_pngcmp ${CMAKE_CURRENT_SOURCE_DIR}/tools/hg_pngcmp.c)
target_link_libraries(hg_pngcmp PRIVATE PkgConfig::CAIRO hg_flags)

file(GLOB HG_RENDER_UNIT CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/unit/test_render*.c)
foreach(src ${HG_RENDER_UNIT})
  get_filename_component(name ${src} NAME_WE)
  target_link_libraries(${name} PRIVATE hgrender)
  set_tests_properties(unit.${name} PROPERTIES LABELS "unit;render")
endforeach()

file(GLOB HG_RENDER_CASES CONFIGURE_DEPENDS ${HG_RENDER_DIR}/*.yaml)
foreach(trace ${HG_RENDER_CASES})
  get_filename_component(case ${trace} NAME_WE)
  foreach(mode scene png svg)
    add_test(NAME render.${mode}.${case}
      COMMAND ${CMAKE_COMMAND} -DMODE=${mode} -DHEAPGROW=$<TARGET_FILE:heapgrow>
        -DPNGCMP=$<TARGET_FILE:hg_pngcmp> -DTRACE=${trace} -DCASE=${case}
        -DGOLDEN=${HG_RENDER_DIR}/golden
        -DWORK=${CMAKE_CURRENT_BINARY_DIR}/render/${mode}/${case}
        -P ${HG_RENDER_SCRIPT})
    set_tests_properties(render.${mode}.${case} PROPERTIES LABELS "render;golden"
      TIMEOUT 120)
  endforeach()
endforeach()

# The timeline from one reading of the trace, through a pipe.
add_test(NAME render.pipe.basic
  COMMAND ${CMAKE_COMMAND} -DMODE=pipe -DHEAPGROW=$<TARGET_FILE:heapgrow>
    -DTRACE=${HG_RENDER_DIR}/basic.yaml -DCASE=basic
    -DGOLDEN=${HG_RENDER_DIR}/golden
    -DWORK=${CMAKE_CURRENT_BINARY_DIR}/render/pipe/basic
    -P ${HG_RENDER_SCRIPT})
set_tests_properties(render.pipe.basic PROPERTIES LABELS render TIMEOUT 120)

# The seeds' before and after, side by side (traces/examples, when present).
set(HG_SEED_COMPARES
  "seed-000-wasm-bloc|go=1.21+go=1.24"
  "seed-001-strand-limit|go=1.8+go=1.9"
  "seed-002-prepare-in-grow|go=1.16+go=1.17"
  "seed-003-incremental-grow|go=1.13+go=1.14"
  "seed-004-plan9-freelist|policy.sbrk_free=top-only+policy.sbrk_free=freelist")
foreach(item ${HG_SEED_COMPARES})
  string(REPLACE "|" ";" parts "${item}")
  list(GET parts 0 case)
  list(GET parts 1 vs)   # --vs values joined by "+"
  set(trace ${PROJECT_SOURCE_DIR}/traces/examples/${case}.yaml)
  if(NOT EXISTS ${trace})
    continue()
  endif()
  add_test(NAME render.compare.${case}
    COMMAND ${CMAKE_COMMAND} -DMODE=compare -DHEAPGROW=$<TARGET_FILE:heapgrow>
      -DTRACE=${trace} -DCASE=${case} -DVS=${vs}
      -DGOLDEN=${HG_RENDER_DIR}/golden
      -DWORK=${CMAKE_CURRENT_BINARY_DIR}/render/compare/${case}
      -P ${HG_RENDER_SCRIPT})
  set_tests_properties(render.compare.${case} PROPERTIES LABELS "render;golden"
    TIMEOUT 120)
endforeach()

add_test(NAME render.chromium
  COMMAND sh ${HG_RENDER_DIR}/svg_in_chromium.sh $<TARGET_FILE:heapgrow>
    $<TARGET_FILE:hg_pngcmp> ${HG_RENDER_DIR}/basic.yaml
    ${CMAKE_CURRENT_BINARY_DIR}/render/chromium)
set_tests_properties(render.chromium PROPERTIES LABELS render SKIP_RETURN_CODE 77
  TIMEOUT 180)

# Under ASan, fontconfig's process-lifetime caches are reported as leaks.
get_property(HG_RENDER_TESTS DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} PROPERTY TESTS)
foreach(t ${HG_RENDER_TESTS})
  if(t MATCHES "^render\\.")
    set_property(TEST ${t} APPEND PROPERTY ENVIRONMENT
      "LSAN_OPTIONS=suppressions=${HG_RENDER_DIR}/lsan.supp:print_suppressions=0")
  endif()
endforeach()
