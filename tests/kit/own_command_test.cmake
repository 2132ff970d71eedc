# A user's own command (docs/your-apps.md; the worked example's upper-sim): a scenario file names
# the user's apps, a sweep finds failing seeds and prints replay lines naming that command, and
# the lowest one, run as printed, fails on that seed while the scenario's own seed passes; shrink
# and sweep --shrink write smaller files that name the user's apps and replay the failure with
# that command.
#   cmake -DEXE=<upper-sim> -DSCENARIO=<upper.yaml> -DWORK=<empty dir> -P own_command_test.cmake
# The scenario is copied into WORK, where the commands run (sweep --shrink writes next to it).
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
file(COPY ${SCENARIO} DESTINATION ${WORK})
set(dir ${WORK})
get_filename_component(file ${SCENARIO} NAME)
get_filename_component(stem ${SCENARIO} NAME_WE)
get_filename_component(exe_dir ${EXE} DIRECTORY)
function(sim expect_rc)
  execute_process(COMMAND ${EXE} ${ARGN} WORKING_DIRECTORY ${dir}
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL expect_rc)
    message(FATAL_ERROR "upper-sim ${ARGN}: exit ${rc}, expected ${expect_rc}:\n${out}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

sim(0 apps)
if(NOT out MATCHES "upper-server" OR NOT out MATCHES "upper-client" OR NOT out MATCHES "tcp-ts-server")
  message(FATAL_ERROR "upper-sim apps does not list the user's apps beside the built-in ones:\n${out}")
endif()
sim(0 run ${file})
sim(1 sweep ${file} --seeds 1..30)
if(NOT out MATCHES "replay: (upper-sim run ${file} --seed ([0-9]+))")
  message(FATAL_ERROR "no replay line naming upper-sim:\n${out}")
endif()
set(seed ${CMAKE_MATCH_2})
string(REPLACE " " ";" replay "${CMAKE_MATCH_1}")
list(REMOVE_AT replay 0)
sim(1 ${replay})
if(NOT out MATCHES "FAIL upper seed ${seed}")
  message(FATAL_ERROR "the replay did not fail on seed ${seed}:\n${out}")
endif()

# Shrinking the failing seed with the user's command: the written file names the user's apps, says
# which command shrank it, and that command replays the failure from it with the printed line.
sim(0 shrink ${file} --seed ${seed} --out ${stem}.min.yaml)
if(NOT out MATCHES "replay: (upper-sim run ${stem}\\.min\\.yaml --seed ${seed})")
  message(FATAL_ERROR "shrink printed no replay line naming upper-sim:\n${out}")
endif()
string(REPLACE " " ";" replay "${CMAKE_MATCH_1}")
list(REMOVE_AT replay 0)
file(READ ${dir}/${stem}.min.yaml shrunk)
if(NOT shrunk MATCHES "# Shrunk by upper-sim shrink from ${file} seed ${seed}"
   OR NOT shrunk MATCHES "app: upper-server" OR NOT shrunk MATCHES "app: upper-client")
  message(FATAL_ERROR "the shrunk file does not name upper-sim and the user's apps:\n${shrunk}")
endif()
sim(1 ${replay})
if(NOT out MATCHES "FAIL upper seed ${seed}")
  message(FATAL_ERROR "the shrunk file did not fail on seed ${seed}:\n${out}")
endif()
sim(1 sweep ${file} --seeds 1..${seed} --shrink --shrink-budget 30s)
if(NOT EXISTS ${dir}/${stem}.seed-${seed}.min.yaml)
  message(FATAL_ERROR "sweep --shrink wrote no ${stem}.seed-${seed}.min.yaml:\n${out}")
endif()
sim(1 run ${stem}.seed-${seed}.min.yaml)

sim(2 run ${file} --seed)
if(NOT out MATCHES "^upper-sim run: error:")
  message(FATAL_ERROR "usage errors do not name the user's command:\n${out}")
endif()
sim(2 run no-such-file.yaml)
message(STATUS "seed ${seed} fails and replays with: upper-sim run ${file} --seed ${seed}")
