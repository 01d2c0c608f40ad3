# The JSON Schema of heapgrow's documents (share/schema/heapgrow.schema.json,
# label "schema"):
#   schema.table      the schema lists every statistic of core/stats.c and
#                     every config key of core/config.c (tests/tools/hg_schema
#                     --table), and fails on a copy with one of them removed
#   schema.documents  real outputs of replay, compare, diff and platforms
#                     are valid, each against its kind's definition too;
#                     documents made invalid one way each are refused at the
#                     right place (tests/schema/run.sh); python3's jsonschema,
#                     where installed, checks the schema and them as well
add_executable(hg_schema ${CMAKE_CURRENT_SOURCE_DIR}/tools/hg_schema.c
  ${PROJECT_SOURCE_DIR}/cli/jsonread.c)
target_include_directories(hg_schema PRIVATE ${PROJECT_SOURCE_DIR}/cli)
target_link_libraries(hg_schema PRIVATE hgcore hg_flags)

add_test(NAME schema.table
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/schema/run.sh table
    $<TARGET_FILE:heapgrow> $<TARGET_FILE:hg_schema> ${PROJECT_SOURCE_DIR}
    ${CMAKE_CURRENT_BINARY_DIR}/schema/table)
add_test(NAME schema.documents
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/schema/run.sh documents
    $<TARGET_FILE:heapgrow> $<TARGET_FILE:hg_schema> ${PROJECT_SOURCE_DIR}
    ${CMAKE_CURRENT_BINARY_DIR}/schema/documents)
set_tests_properties(schema.table schema.documents PROPERTIES LABELS schema
  TIMEOUT 300)
