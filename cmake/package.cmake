# The installable CMake package and the Debian package.
#
# `cmake --install BUILD --prefix P` puts the public headers under P/include/simsock/, the static
# libraries, the `simsock` CLI and P/lib/cmake/simsock/ in place; `cpack -G DEB` in BUILD makes a
# .deb of the same files for /usr. A separate project then writes
#
#   find_package(simsock 0.1 REQUIRED COMPONENTS testing)
#   target_link_libraries(my_test PRIVATE simsock::testing GTest::gtest_main)
#
# Exported targets (also available in-tree and under add_subdirectory by the same names):
#   simsock::simsock   the interface, the real-socket backend and the simulator: Boost headers only
#   simsock::scenario  component `scenario`: the built-in apps, scenario files, the CLI's commands
#                      (simsock_add_command), simsock proxy and test::Proxy; links libyaml and RE2
#   simsock::testing   component `testing`: the GoogleTest kit (needs GoogleTest)
#   simsock::net_mock  component `testing`: Google Mock mocks of the interface
include(CMakePackageConfigHelpers)

set(simsock_config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/simsock)

install(TARGETS simsock_core EXPORT simsockTargets ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS simsock_scenario EXPORT simsockScenarioTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS simsock RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT simsockTargets NAMESPACE simsock:: DESTINATION ${simsock_config_dir})
install(EXPORT simsockScenarioTargets NAMESPACE simsock:: DESTINATION ${simsock_config_dir})
if(TARGET simsock_testing)
  install(TARGETS simsock_testing simsock_net_mock EXPORT simsockTestingTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(EXPORT simsockTestingTargets NAMESPACE simsock:: DESTINATION ${simsock_config_dir})
endif()

# Public headers only, by name: what users include, what those headers include, and what the kit
# (sim/testing) uses of the rest of simsock. Everything else (the models' internals, the loader's
# parts, the CLI's command plumbing, the report's timeline) stays in the tree. The kit.package
# tests check that every installed header's includes are installed too, and the kit's.
set(simsock_public_headers
  net/asio_network.hpp net/detail/inline_handler.hpp net/detail/io_completion.hpp
  net/detail/queue_completion.hpp net/detail/task.hpp net/endpoint.hpp
  net/errors.hpp net/handler_queue.hpp
  net/network.hpp net/network_wrapper.hpp net/units.hpp
  sim/config.hpp sim/perturb.hpp sim/world.hpp
  apps/app.hpp
  tools/app_process.hpp tools/cli.hpp
  tools/proxy/proxy.hpp tools/proxy/proxy_trace.hpp tools/proxy/test_proxy.hpp
  tools/report/html_recorder.hpp
  tools/scenario/chaos.hpp tools/scenario/expect.hpp tools/scenario/link_text.hpp
  tools/scenario/loader.hpp tools/scenario/report.hpp tools/scenario/runner.hpp
  tools/scenario/shrink.hpp tools/scenario/spec.hpp tools/scenario/sweep.hpp
  tools/scenario/triage.hpp tools/scenario/writer.hpp)
set(simsock_testing_headers
  net/testing/mock_network.hpp sim/testing/both_backends.hpp sim/testing/exploring.hpp
  sim/testing/fault_injection.hpp sim/testing/process.hpp sim/testing/seeds.hpp
  sim/testing/simsock_test.hpp)
foreach(header IN LISTS simsock_public_headers simsock_testing_headers)
  get_filename_component(dir ${header} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/${header}
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/simsock/${dir})
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/sim/testing/testing.hpp ${simsock_include_dir}/simsock/version.hpp
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/simsock)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/simsockConfig.cmake.in
  ${PROJECT_BINARY_DIR}/simsockConfig.cmake
  INSTALL_DESTINATION ${simsock_config_dir})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/simsockConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/simsockConfig.cmake
  ${PROJECT_BINARY_DIR}/simsockConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/simsockCommand.cmake
  DESTINATION ${simsock_config_dir})

# cpack -G DEB: one package, simsock, for /usr, depending on what the exported targets need.
set(CPACK_PACKAGE_NAME simsock)
set(CPACK_PACKAGE_VENDOR "simsock")
set(CPACK_PACKAGE_CONTACT "simsock developers <simsock@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libboost1.81-dev, libyaml-dev, libre2-dev")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libgtest-dev, libgmock-dev")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
include(CPack)
