# The model's host memory against the size of the modeled heap
# (label "bigheap"):
#   bigheap.rss  tests/bigheap/bigheap.sh: `a A 100T` and the reuse of such a
#                span, with --check, in under 64 MiB of resident memory
#                (tests/tools/hg_maxrss measures it with getrusage).
add_executable(hg_maxrss ${CMAKE_CURRENT_SOURCE_DIR}/tools/hg_maxrss.c)
target_link_libraries(hg_maxrss PRIVATE hg_flags)
if(HEAPGROW_SANITIZE)
  set(HG_BIGHEAP_MODE sanitize)
else()
  set(HG_BIGHEAP_MODE plain)
endif()
add_test(NAME bigheap.rss
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/bigheap/bigheap.sh
    $<TARGET_FILE:heapgrow> $<TARGET_FILE:hg_maxrss> ${HG_BIGHEAP_MODE})
set_tests_properties(bigheap.rss PROPERTIES LABELS bigheap TIMEOUT 300)
