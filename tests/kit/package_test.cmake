# The kit.package tests: simsock consumed three ways, each building and running consumer projects
# (directories with their own CMakeLists.txt) exactly as the docs say, with no extra flags.
#   cmake -DMODE=tree|prefix|subdir|deb -DBUILD_DIR=... -DSOURCE_DIR=... -DWORK_DIR=...
#         -DCONSUMERS=dir1|dir2 -DGENERATOR=... -DCXX=... [-DCXX_FLAGS=...] -P package_test.cmake
#   tree    `cmake --install` into a temporary prefix and check what it holds (no consumer)
#   prefix  the same, then consumers find_package it there
#   subdir  consumers add_subdirectory simsock's source tree (given as -DSIMSOCK_SOURCE_DIR)
#   deb     `cpack -G DEB`, the package installed by dpkg into a temporary root; consumers
#           find_package it under that root's /usr
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " shown "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${shown}\n${out}")
  endif()
  message(STATUS "ok: ${ARGV0} ${ARGV1} ${ARGV2}")
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

# What every installed tree must hold, and what it must not (internal headers, old paths).
function(check_tree prefix)
  foreach(required include/simsock/net/network.hpp include/simsock/sim/world.hpp
          include/simsock/testing.hpp include/simsock/version.hpp
          include/simsock/tools/cli.hpp include/simsock/net/testing/mock_network.hpp
          lib/cmake/simsock/simsockConfig.cmake lib/cmake/simsock/simsockTargets.cmake
          lib/cmake/simsock/simsockScenarioTargets.cmake
          lib/cmake/simsock/simsockTestingTargets.cmake lib/cmake/simsock/simsockCommand.cmake
          lib/libsimsock.a bin/simsock)
    if(NOT EXISTS ${prefix}/${required})
      message(FATAL_ERROR "the install did not produce ${required}")
    endif()
  endforeach()
  foreach(forbidden include/net include/sim include/apps include/tools
          include/simsock/sim/world_impl.hpp include/simsock/sim/host.hpp
          include/simsock/tools/scenario/yaml_field.hpp include/simsock/apps/specs.hpp
          include/simsock/tools/commands.hpp include/simsock/tools/report/timeline.hpp
          include/simsock/tools/report/html_report.hpp)
    if(EXISTS ${prefix}/${forbidden})
      message(FATAL_ERROR "the install holds ${forbidden}, which must not be installed")
    endif()
  endforeach()
  # Installed headers are self-contained: every simsock header they include is installed, and
  # none includes the scenario library's parsers, the CLI's or Asio's private headers (a consumer
  # has none of them). The kit's sources (sim/testing) reach the rest of simsock through installed
  # headers only, so the kit builds against what its users have.
  file(GLOB_RECURSE headers RELATIVE ${prefix}/include ${prefix}/include/simsock/*)
  set(sources)
  foreach(h ${headers})
    list(APPEND sources ${prefix}/include/${h})
  endforeach()
  file(GLOB kit_sources ${SOURCE_DIR}/sim/testing/*.hpp ${SOURCE_DIR}/sim/testing/*.cpp)
  set(problems)
  foreach(f ${sources} ${kit_sources})
    file(STRINGS ${f} includes REGEX "^[ \t]*#[ \t]*include[ \t]*<")
    foreach(line ${includes})
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*<([^>]+)>.*" "\\1" inc "${line}")
      if(inc MATCHES "^simsock/" AND NOT EXISTS ${prefix}/include/${inc}
         AND NOT (f IN_LIST kit_sources AND inc MATCHES "^simsock/sim/testing/"))
        list(APPEND problems "${f} includes <${inc}>, which is not installed")
      elseif(f IN_LIST sources AND inc MATCHES "^(yaml|nlohmann/|CLI/|re2/|boost/asio/detail/)")
        list(APPEND problems "${f} includes <${inc}>, which a consumer may not have")
      endif()
    endforeach()
  endforeach()
  # Exported targets force no compile definition (BOOST_ASIO_NO_DEPRECATED, say) on consumers.
  file(GLOB exported_files ${prefix}/lib/cmake/simsock/*.cmake)
  foreach(f ${exported_files})
    file(STRINGS ${f} defs REGEX "INTERFACE_COMPILE_DEFINITIONS")
    if(defs)
      list(APPEND problems "${f} sets ${defs}")
    endif()
  endforeach()
  if(problems)
    string(REPLACE ";" "\n  " problems "${problems}")
    message(FATAL_ERROR "the installed tree is not self-contained:\n  ${problems}")
  endif()
  file(GLOB_RECURSE exported ${prefix}/lib/cmake/simsock/*Targets.cmake)
  set(names)
  foreach(f ${exported})
    file(STRINGS ${f} lines REGEX "^add_library\\(simsock::")
    foreach(l ${lines})
      string(REGEX REPLACE "^add_library\\((simsock::[a-z_]+).*" "\\1" n "${l}")
      list(APPEND names ${n})
    endforeach()
  endforeach()
  list(SORT names)
  if(NOT names STREQUAL "simsock::net_mock;simsock::scenario;simsock::simsock;simsock::testing")
    message(FATAL_ERROR "exported targets are '${names}'")
  endif()
endfunction()

set(find_args)
set(ran_command FALSE)
if(MODE STREQUAL "tree")
  run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
  check_tree(${WORK_DIR}/prefix)
  return()
elseif(MODE STREQUAL "prefix")
  set(prefix ${WORK_DIR}/prefix)
  run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
  check_tree(${prefix})
  set(find_args -DCMAKE_PREFIX_PATH=${prefix})
elseif(MODE STREQUAL "deb")
  run(${CMAKE_COMMAND} -E chdir ${BUILD_DIR} cpack -G DEB -B ${WORK_DIR}/cpack)
  file(GLOB debs ${WORK_DIR}/cpack/simsock_*.deb)
  list(LENGTH debs n)
  if(NOT n EQUAL 1)
    message(FATAL_ERROR "cpack made ${n} packages: ${debs}")
  endif()
  run(dpkg-deb --field ${debs} Package Version Depends)
  if(NOT run_output MATCHES "Package: simsock" OR NOT run_output MATCHES "libboost1.81-dev")
    message(FATAL_ERROR "unexpected package metadata:\n${run_output}")
  endif()
  # Every dependency is a Debian package installed here, so `apt install ./simsock_*.deb` needs
  # nothing more on this machine.
  run(dpkg-deb --field ${debs} Depends)
  string(REGEX REPLACE "[ \n]" "" depends "${run_output}")
  string(REPLACE "," ";" depends "${depends}")
  foreach(dep ${depends})
    string(REGEX REPLACE "\\(.*" "" dep "${dep}")
    run(dpkg-query -W -f=\${Status} ${dep})
    if(NOT run_output STREQUAL "install ok installed")
      message(FATAL_ERROR "the package depends on ${dep}, which is not installed: ${run_output}")
    endif()
  endforeach()
  # dpkg itself installs it, into a root of its own (its own database, nothing else installed).
  set(root ${WORK_DIR}/root)
  file(MAKE_DIRECTORY ${root}/var/lib/dpkg/info ${root}/var/lib/dpkg/updates)
  file(TOUCH ${root}/var/lib/dpkg/status)
  run(dpkg --root=${root} --force-depends --force-not-root --log=/dev/null -i ${debs})
  run(dpkg --root=${root} -s simsock)
  check_tree(${root}/usr)
  set(find_args -DCMAKE_PREFIX_PATH=${root}/usr)
elseif(MODE STREQUAL "subdir")
  # The worked example adds simsock's tree as its docs say; tests/kit/consumer joins its build
  # (add_to_project.cmake), so that simsock is compiled once for both.
  set(find_args -DSIMSOCK_SOURCE_DIR=${SOURCE_DIR}
      -DCMAKE_PROJECT_upper_example_INCLUDE=${SOURCE_DIR}/tests/kit/consumer/add_to_project.cmake)
else()
  message(FATAL_ERROR "MODE must be tree, prefix, subdir or deb")
endif()

# Against the installed prefix the consumers build optimised, as a user's release build does. The
# other modes build with no build type (-O0, no debug information): what they check (the .deb's
# package is found; simsock's targets configure, build and link as a subproject, where simsock
# itself is compiled once more) does not depend on the optimiser, which would triple the compile.
set(build_type "")
if(MODE STREQUAL "prefix")
  set(build_type Release)
endif()
string(REPLACE "|" ";" CONSUMERS "${CONSUMERS}")
foreach(consumer ${CONSUMERS})
  get_filename_component(name ${consumer} NAME)
  set(build ${WORK_DIR}/build-${name})
  run(${CMAKE_COMMAND} -S ${consumer} -B ${build} -G ${GENERATOR}
      -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=${build_type}
      "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${CXX_FLAGS}"
      ${find_args} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  run(${CMAKE_COMMAND} --build ${build} -j2)
  run(${CMAKE_CTEST_COMMAND} --test-dir ${build} --output-on-failure)
  if(MODE STREQUAL "subdir" AND NOT run_output MATCHES "consumer_test")
    message(FATAL_ERROR "the consumer's test did not run beside the example:\n${run_output}")
  endif()
  # A project's own command (simsock_add_command; the worked example's upper-sim): it runs the
  # scenario naming its apps, sweeps it, replays and shrinks the failing seed.
  file(GLOB_RECURSE commands LIST_DIRECTORIES false ${build}/*upper-sim)
  foreach(command ${commands})
    run(${CMAKE_COMMAND} -DEXE=${command} -DSCENARIO=${SOURCE_DIR}/tests/examples/upper.yaml
        -DWORK=${WORK_DIR}/own-command-${name} -P ${SOURCE_DIR}/tests/kit/own_command_test.cmake)
    set(ran_command TRUE)
  endforeach()
endforeach()
# Every mode builds a project with its own app and command.
if(NOT ran_command)
  message(FATAL_ERROR "no consumer built the worked example's own command (upper-sim)")
endif()
