# Benchmark tools (not run by ctest): tests/bench/gentrace makes synthetic
# traces, tests/bench/replay_bench.sh measures replay against baselines.
add_executable(gentrace ${CMAKE_CURRENT_SOURCE_DIR}/bench/gentrace.c)
target_link_libraries(gentrace PRIVATE hg_flags)
