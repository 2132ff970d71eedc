# Adds this consumer's checks and test (consumer.cmake) to another project's build, after that
# project's own CMakeLists.txt (which adds simsock) has run: package_test.cmake's subdir mode
# passes it as CMAKE_PROJECT_upper_example_INCLUDE, so that the worked example (built exactly as
# its docs say, with add_subdirectory) and this consumer share one compile of simsock.
cmake_language(EVAL CODE "cmake_language(DEFER CALL include [[${CMAKE_CURRENT_LIST_DIR}/consumer.cmake]])")
