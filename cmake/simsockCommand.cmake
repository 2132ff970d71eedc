# simsock_add_command(NAME SOURCES file... [LIBRARIES target...])
#
# A command of the user's own, built like `simsock`: NAME run / sweep / app / apps / help with
# every option and output of simsock, knowing the built-in apps and the user's (docs/your-apps.md).
# The sources define main() and call simsock::cli::main(argc, argv, {.name = "NAME", .apps = ...})
# from <simsock/tools/cli.hpp>; LIBRARIES are linked beside simsock::scenario (the user's app
# library, for example).
function(simsock_add_command name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "" "SOURCES;LIBRARIES")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "simsock_add_command(${name}): SOURCES is required (the file with main)")
  endif()
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "simsock_add_command(${name}): unknown arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE simsock::scenario ${arg_LIBRARIES})
endfunction()
