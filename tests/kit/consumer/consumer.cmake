# The consumer's checks and its test, included by its CMakeLists.txt after simsock is found, or
# by another project's build (add_to_project.cmake) that has simsock already.

# simsock's targets carry no compile definitions to their consumers (BOOST_ASIO_NO_DEPRECATED
# would switch Asio's deprecated interfaces off in the user's own code).
foreach(target simsock::simsock simsock::scenario simsock::testing simsock::net_mock)
  get_target_property(definitions ${target} INTERFACE_COMPILE_DEFINITIONS)
  if(definitions)
    message(FATAL_ERROR "${target} forces compile definitions on consumers: ${definitions}")
  endif()
endforeach()

add_executable(consumer_test ${CMAKE_CURRENT_LIST_DIR}/consumer_test.cpp)
target_link_libraries(consumer_test PRIVATE simsock::testing simsock::net_mock GTest::gtest_main)
add_test(NAME consumer_test COMMAND consumer_test)

