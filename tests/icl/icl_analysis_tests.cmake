# ICL analyses and report (src/icl/analysis): known answers on the GD construction, two tiny trained
# runs through the whole report; then the icl report/curve commands, their exit codes and the page's
# charts rendered by vega in node. Included from tests/icl/CMakeLists.txt.
oh_add_test(test_icl_analysis SOURCES ${CMAKE_CURRENT_LIST_DIR}/icl_analysis_test.cpp LIBS oh_icl_analysis nlohmann_json::nlohmann_json)

find_program(OH_NODE node)
add_test(NAME icl_analysis_cli COMMAND ${CMAKE_CURRENT_LIST_DIR}/icl_analysis_cli_test.sh $<TARGET_FILE:optim-hunter>
         ${CMAKE_CURRENT_BINARY_DIR}/icl_analysis_cli ${PROJECT_SOURCE_DIR}/third_party/js ${PROJECT_SOURCE_DIR}/tests/report "${OH_NODE}")
