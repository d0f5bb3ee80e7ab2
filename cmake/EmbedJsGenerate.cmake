# Script mode (cmake -P), run by oh_embed_js at build time. Inputs: OUTPUT (the .cpp to write) and
# SCRIPTS ('|'-separated triples name|version|path). Writes an array of oh::report::EmbeddedScript
# (src/report/embedded_js.h) in the given order.
#
# Each script becomes adjacent raw string literals of at most kChunk bytes: compilers bound the length
# of one literal piece (MSVC: 16 KiB), and many short pieces compile as fast as one long one. Chunks
# end just after a ',' so a UTF-8 sequence is never cut in two.
cmake_minimum_required(VERSION 3.18)
set(delimiter "ohjs")
set(chunk_bytes 12000)

string(REPLACE "|" ";" triples "${SCRIPTS}")
list(LENGTH triples count)
math(EXPR last "${count} - 1")

set(body "// Generated at build time by cmake/EmbedJsGenerate.cmake from third_party/js/node_modules.\n")
string(APPEND body "// Do not edit: rebuild instead.\n#include \"report/embedded_js.h\"\n\n")
string(APPEND body "namespace oh::report {\nnamespace {\n\n")
set(entries "")
set(index 0)
foreach(i RANGE 0 ${last} 3)
  math(EXPR iv "${i} + 1")
  math(EXPR ip "${i} + 2")
  list(GET triples ${i} name)
  list(GET triples ${iv} version)
  list(GET triples ${ip} path)
  file(READ "${path}" source)
  # A source-map comment points at a file the report does not carry; browsers' tools would chase it.
  string(REGEX REPLACE "\n//# sourceMappingURL=[^\n]*\n?$" "\n" source "${source}")
  # The raw-string delimiter must not occur in the text, and an inline <script> ends at the first
  # "</script" whatever the JavaScript means by it: both would corrupt the output silently.
  string(FIND "${source}" ")${delimiter}\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${path} contains the raw-string delimiter ')${delimiter}\"'; "
                        "choose another delimiter in cmake/EmbedJsGenerate.cmake")
  endif()
  string(TOLOWER "${source}" lowered)
  string(FIND "${lowered}" "</script" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${path} contains '</script' and cannot be inlined into an HTML report")
  endif()
  string(LENGTH "${source}" remaining)
  if(remaining EQUAL 0)
    message(FATAL_ERROR "${path} is empty; rerun scripts/setup.sh")
  endif()

  string(APPEND body "// ${name} ${version}\nconstexpr char kScript${index}[] =\n")
  while(remaining GREATER 0)
    if(remaining GREATER chunk_bytes)
      string(SUBSTRING "${source}" 0 ${chunk_bytes} window)
      string(FIND "${window}" "," cut REVERSE)
      if(cut EQUAL -1)
        message(FATAL_ERROR "${path}: no ',' within ${chunk_bytes} bytes; raise chunk_bytes in "
                            "cmake/EmbedJsGenerate.cmake")
      endif()
      math(EXPR cut "${cut} + 1")
    else()
      set(cut ${remaining})
    endif()
    string(SUBSTRING "${source}" 0 ${cut} piece)
    string(SUBSTRING "${source}" ${cut} -1 source)
    math(EXPR remaining "${remaining} - ${cut}")
    string(APPEND body "R\"${delimiter}(${piece})${delimiter}\"\n")
  endwhile()
  string(APPEND body ";\n\n")
  string(APPEND entries "    EmbeddedScript{\"${name}\", \"${version}\", {kScript${index}, sizeof(kScript${index}) - 1}},\n")
  math(EXPR index "${index} + 1")
endforeach()

string(APPEND body "}  // namespace\n\n")
string(APPEND body "const std::array<EmbeddedScript, kEmbeddedScriptCount>& embedded_scripts() {\n")
string(APPEND body "  static const std::array<EmbeddedScript, kEmbeddedScriptCount> scripts{{\n${entries}  }};\n")
string(APPEND body "  return scripts;\n}\n\n}  // namespace oh::report\n")

# Write then rename, so an interrupted build never leaves a truncated source behind.
file(WRITE "${OUTPUT}.tmp" "${body}")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
