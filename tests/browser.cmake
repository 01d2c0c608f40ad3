# The HTML report in a real browser (label "browser"): tests/browser/run.sh
# writes the reports of examples, seed compares and a million-span trace
# (100,000 spans in sanitizer builds), then Playwright drives Debian's
# Chromium on them (tests/browser/report_test.js). The test's artefacts are
# left in the build directory: a screenshot of every report
# (tests/browser/*.png) and the PNG map, timeline and curves of every
# example and seed compare (tests/browser/png/; share/doc/pictures.md says
# what each shows); the log prints the million-span report's size and
# open time. Skipped (77) without Chromium,
# Node.js or tests/browser/node_modules (`npm ci` there; .ci/run does it).
if(HEAPGROW_SANITIZE)
  set(HG_BROWSER_SPANS 100000)
else()
  set(HG_BROWSER_SPANS 1000000)
endif()
add_test(NAME browser.report
  COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/browser/run.sh $<TARGET_FILE:heapgrow>
    ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/browser ${HG_BROWSER_SPANS})
set_tests_properties(browser.report PROPERTIES LABELS "browser;render"
  SKIP_RETURN_CODE 77 TIMEOUT 900)
