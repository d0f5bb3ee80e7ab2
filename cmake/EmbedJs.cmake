# oh_embed_js(OUTPUT <file.cpp> SCRIPTS <name> <version> <path> [<name> <version> <path> ...])
#
# Turns minified JavaScript builds into a generated C++ source holding each one as a chain of raw
# string literals, so a report written by the binary opens offline (DESIGN §2). The generation runs at
# build time (cmake/EmbedJsGenerate.cmake) and reruns when a script changes.
set(OH_EMBED_JS_GENERATOR ${CMAKE_CURRENT_LIST_DIR}/EmbedJsGenerate.cmake)

function(oh_embed_js)
  cmake_parse_arguments(ARG "" "OUTPUT" "SCRIPTS" ${ARGN})
  list(LENGTH ARG_SCRIPTS count)
  math(EXPR remainder "${count} % 3")
  if(count EQUAL 0 OR NOT remainder EQUAL 0)
    message(FATAL_ERROR "oh_embed_js: SCRIPTS takes triples <name> <version> <path>, got: ${ARG_SCRIPTS}")
  endif()
  set(paths "")
  math(EXPR last "${count} - 1")
  foreach(i RANGE 2 ${last} 3)
    list(GET ARG_SCRIPTS ${i} path)
    if(NOT EXISTS "${path}")
      message(FATAL_ERROR "oh_embed_js: ${path} is missing; run scripts/setup.sh (it installs the "
                          "JavaScript for reports into third_party/js/node_modules)")
    endif()
    list(APPEND paths "${path}")
  endforeach()
  # A list cannot travel through -D intact; '|' never occurs in names, versions or our paths.
  string(REPLACE ";" "|" encoded "${ARG_SCRIPTS}")
  add_custom_command(
    OUTPUT ${ARG_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${ARG_OUTPUT} "-DSCRIPTS=${encoded}" -P ${OH_EMBED_JS_GENERATOR}
    DEPENDS ${paths} ${OH_EMBED_JS_GENERATOR}
    COMMENT "Embedding report JavaScript into ${ARG_OUTPUT}"
    VERBATIM)
endfunction()
