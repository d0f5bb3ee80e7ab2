# One LSA training step (DESIGN §7's default recipe), fused readout against op by op (issue 4 item 11);
# bench/icl_lsa_step.py runs it next to the same step in Python PyTorch eager. Included from
# bench/CMakeLists.txt.
add_executable(bench_icl_lsa_step ${CMAKE_CURRENT_LIST_DIR}/icl_lsa_step_bench.cpp)
target_link_libraries(bench_icl_lsa_step PRIVATE oh_icl CLI11::CLI11 nlohmann_json::nlohmann_json)
