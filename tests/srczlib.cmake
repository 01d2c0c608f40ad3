# unit.test_src_zlib: the byte source as a build without ISA-L has it
# (zlib's inflate): traces/trace_src.c compiled into the test without
# HG_HAVE_ISAL (the test's own copy, so hgtrace's is not linked in), and
# ld's --wrap of zlib's inflateInit2_ and inflate to make them fail for
# the host's memory (tests/unit/test_src_zlib.c).
target_sources(test_src_zlib PRIVATE ${PROJECT_SOURCE_DIR}/traces/trace_src.c)
target_link_libraries(test_src_zlib PRIVATE ZLIB::ZLIB)
target_link_options(test_src_zlib PRIVATE
  "LINKER:--wrap=inflateInit2_,--wrap=inflate")
