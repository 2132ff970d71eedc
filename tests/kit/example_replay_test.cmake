# The worked example's story, checked end to end (docs/writing-tests.md): the buggy server fails
# the seed sweep, the failure prints a replay command, running that command as printed fails on
# exactly that seed, and the fixed server passes that seed.
#   cmake -DEXE=<upper_server_test> -P example_replay_test.cmake
set(buggy UpperServer.DISABLED_OneReadPerLineBreaksUnderTcpSegmentation)
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=SIMSOCK_SEED --unset=SIMSOCK_SEEDS
    ${EXE} --gtest_also_run_disabled_tests --gtest_filter=${buggy}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "the buggy server passed the sweep:\n${out}")
endif()
if(NOT out MATCHES "failed at seed ([0-9]+) \\(seed [0-9]+ of 1\\.\\.30\\)")
  message(FATAL_ERROR "no 'failed at seed N' line:\n${out}")
endif()
set(seed ${CMAKE_MATCH_1})
if(NOT out MATCHES "\n    (SIMSOCK_SEED=${seed} [^\n]*--gtest_filter=${buggy}[^\n]*)")
  message(FATAL_ERROR "no replay command for seed ${seed}:\n${out}")
endif()
set(replay "${CMAKE_MATCH_1}")
message(STATUS "seed ${seed} fails; replaying with: ${replay}")

execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=SIMSOCK_SEEDS sh -c "${replay}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE again ERROR_VARIABLE again)
if(rc EQUAL 0 OR NOT again MATCHES "failed at seed ${seed} \\(seed 1 of ${seed}(\\.\\.${seed})?\\)")
  message(FATAL_ERROR "the replay did not fail on seed ${seed} alone:\n${again}")
endif()

execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=SIMSOCK_SEEDS SIMSOCK_SEED=${seed}
    ${EXE} --gtest_filter=UpperServer.AnswersEveryLineUnderTcpSegmentation
  RESULT_VARIABLE rc OUTPUT_VARIABLE fixed ERROR_VARIABLE fixed)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the fixed server failed seed ${seed}:\n${fixed}")
endif()
