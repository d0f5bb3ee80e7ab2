# The mesa layer's forward time against sequence length (log-log slope; issue 4 item 11).
# Included from bench/CMakeLists.txt.
add_executable(bench_mesa_forward ${CMAKE_CURRENT_LIST_DIR}/mesa_forward_bench.cpp)
target_link_libraries(bench_mesa_forward PRIVATE oh_icl_mesa CLI11::CLI11)
