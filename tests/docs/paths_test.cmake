# Every source file a docs page or the README names (net/network.hpp, sim/loop.hpp,
# tests/kit/spawn_test.cpp, cmake/package.cmake, ...) exists in the tree, so that a page does not
# send a reader to a header that moved.
#   cmake -DSOURCE_DIR=<simsock> -P paths_test.cmake
file(GLOB pages ${SOURCE_DIR}/docs/*.md)
list(APPEND pages ${SOURCE_DIR}/README.md)
set(missing)
foreach(page ${pages})
  file(READ ${page} text)
  string(REGEX MATCHALL
    "(^|[^A-Za-z0-9_./-])(net|sim|apps|tools|tests|bench|scenarios|cmake)/[A-Za-z0-9_./-]+\\.(hpp|cpp|cmake|py)"
    found "${text}")
  foreach(match ${found})
    string(REGEX REPLACE "^[^A-Za-z]" "" path "${match}")
    if(NOT EXISTS ${SOURCE_DIR}/${path})
      file(RELATIVE_PATH shown ${SOURCE_DIR} ${page})
      list(APPEND missing "${shown}: ${path}")
    endif()
  endforeach()
endforeach()
if(missing)
  list(REMOVE_DUPLICATES missing)
  string(REPLACE ";" "\n  " missing "${missing}")
  message(FATAL_ERROR "docs name files that do not exist:\n  ${missing}")
endif()
