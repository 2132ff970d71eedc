# The installable CMake package: `cmake --install BUILD --prefix P` puts the headers, the static
# libraries, the `simsock` CLI and P/lib/cmake/simsock/simsockConfig.cmake in place, so a separate
# project can
#
#   find_package(simsock 0.1 REQUIRED)
#   target_link_libraries(my_test PRIVATE simsock::testing GTest::gtest_main)
#
# Exported targets (each also available in-tree under the same simsock:: name):
#   simsock::net       the net/ interface and the real-socket backend
#   simsock::apps      the apps
#   simsock::sim       the simulator
#   simsock::app_process, simsock::scenario, simsock::scenario_runner, simsock::report   (tools/)
#   simsock::testing   the GoogleTest kit (sim/testing/), simsock::net_mock (net/testing/ mocks)
include(CMakePackageConfigHelpers)
include(GNUInstallDirs)

set(simsock_package_targets)
foreach(pair
    asio:simsock_asio net:simsock_net apps:simsock_apps sim:simsock_sim
    app_process:simsock_app_process scenario:simsock_scenario
    scenario_runner:simsock_scenario_runner report:simsock_report testing:simsock_testing net_mock:simsock_net_mock)
  string(REPLACE ":" ";" pair "${pair}")
  list(GET pair 0 export_name)
  list(GET pair 1 target)
  if(TARGET ${target})
    set_target_properties(${target} PROPERTIES EXPORT_NAME ${export_name})
    if(NOT TARGET simsock::${export_name})
      add_library(simsock::${export_name} ALIAS ${target})
    endif()
    list(APPEND simsock_package_targets ${target})
  endif()
endforeach()

install(TARGETS ${simsock_package_targets}
  EXPORT simsockTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET simsock)
  install(TARGETS simsock RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# Public headers keep their source paths ("net/network.hpp", "sim/testing/simsock_test.hpp").
foreach(dir net apps sim tools/scenario)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${dir}/
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/${dir}
    FILES_MATCHING PATTERN "*.hpp" PATTERN "*.inc"
    PATTERN "CMakeFiles" EXCLUDE)
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/tools/app_process.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tools)

set(simsock_config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/simsock)
install(EXPORT simsockTargets NAMESPACE simsock:: DESTINATION ${simsock_config_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/simsockConfig.cmake.in
  ${PROJECT_BINARY_DIR}/simsockConfig.cmake
  INSTALL_DESTINATION ${simsock_config_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/simsockConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/simsockConfig.cmake
  ${PROJECT_BINARY_DIR}/simsockConfigVersion.cmake
  DESTINATION ${simsock_config_dir})
