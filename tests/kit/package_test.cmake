# The kit.package test: install the build tree into a temporary prefix, then configure, build and
# run each consumer project (a directory with its own CMakeLists.txt) against that prefix alone.
#   cmake -DBUILD_DIR=... -DWORK_DIR=... -DCONSUMERS=dir1|dir2 -DGENERATOR=... -DCXX=...
#         [-DCXX_FLAGS=...] -P package_test.cmake
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " shown "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${shown}\n${out}")
  endif()
  message(STATUS "ok: ${ARGV0} ${ARGV1} ${ARGV2}")
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(required include/net/network.hpp include/sim/world.hpp include/sim/testing/seeds.hpp
        include/net/testing/mock_network.hpp lib/cmake/simsock/simsockConfig.cmake
        lib/cmake/simsock/simsockConfigVersion.cmake lib/cmake/simsock/simsockTargets.cmake)
  if(NOT EXISTS ${prefix}/${required})
    message(FATAL_ERROR "the install did not produce ${required}")
  endif()
endforeach()

string(REPLACE "|" ";" CONSUMERS "${CONSUMERS}")
foreach(consumer ${CONSUMERS})
  get_filename_component(name ${consumer} NAME)
  set(build ${WORK_DIR}/build-${name})
  run(${CMAKE_COMMAND} -S ${consumer} -B ${build} -G ${GENERATOR}
      -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release
      "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${CXX_FLAGS}"
      -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  run(${CMAKE_COMMAND} --build ${build} -j2)
  run(${CMAKE_CTEST_COMMAND} --test-dir ${build} --output-on-failure)
endforeach()
