# The testing kit's HTML report of a failing test (SIMSOCK_HTML_DIR, docs/writing-tests.md): the
# worked example's buggy server fails a seed, and exactly that seed's run is written as a report
# naming the test, the seed, the failure and the replay command; a passing test writes nothing.
#   cmake -DEXE=<upper_server_test> -DDIR=<scratch directory> -P example_html_report_test.cmake
set(buggy UpperServer.DISABLED_OneReadPerLineBreaksUnderTcpSegmentation)
file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=SIMSOCK_SEED --unset=SIMSOCK_SEEDS
    SIMSOCK_HTML_DIR=${DIR} ${EXE} --gtest_also_run_disabled_tests --gtest_filter=${buggy}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "the buggy server passed the sweep:\n${out}")
endif()
if(NOT out MATCHES "failed at seed ([0-9]+)")
  message(FATAL_ERROR "no 'failed at seed N' line:\n${out}")
endif()
set(seed ${CMAKE_MATCH_1})
set(report ${DIR}/${buggy}-seed-${seed}.html)
if(NOT out MATCHES "simsock: HTML report of the failing run: [^\n]*${buggy}-seed-${seed}\\.html")
  message(FATAL_ERROR "the report's path was not printed:\n${out}")
endif()
file(GLOB reports ${DIR}/*.html)
list(LENGTH reports count)
if(NOT count EQUAL 1 OR NOT EXISTS ${report})
  message(FATAL_ERROR "expected only ${report}, found: ${reports}")
endif()
file(READ ${report} page)
foreach(needle "\"title\":\"${buggy}\"" "\"seed\":\"${seed}\"" "\"passed\":false"
    "SIMSOCK_SEED=${seed}" "\"lanes\":[\"server\",\"client\"]")
  string(FIND "${page}" "${needle}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the report lacks ${needle}")
  endif()
endforeach()

file(REMOVE_RECURSE ${DIR})
file(MAKE_DIRECTORY ${DIR})
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=SIMSOCK_SEEDS SIMSOCK_HTML_DIR=${DIR}
    ${EXE} --gtest_filter=UpperServer.AnswersEveryLineUnderTcpSegmentation
  RESULT_VARIABLE rc OUTPUT_VARIABLE fixed ERROR_VARIABLE fixed)
file(GLOB reports ${DIR}/*.html)
if(NOT rc EQUAL 0 OR reports)
  message(FATAL_ERROR "the passing test failed or wrote a report (${reports}):\n${fixed}")
endif()
file(REMOVE_RECURSE ${DIR})
