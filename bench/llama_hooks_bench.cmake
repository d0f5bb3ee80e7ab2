# The Llama forward pass with hook points compiled in or out, and run_with_cache against the plain
# forward (DESIGN §6; issue 3 items 6 and 11); bench/hook_cost.py drives it. Writing the benchmark
# model reuses the tests' random-Llama writer, so this target needs -DOH_BUILD_TESTS=ON.
if(TARGET oh_lm_test_support)
  add_executable(bench_llama_hooks ${CMAKE_CURRENT_LIST_DIR}/llama_hooks_bench.cpp)
  target_link_libraries(bench_llama_hooks PRIVATE oh_lm_arch oh_hooks oh_lm_test_support CLI11::CLI11)
  target_include_directories(bench_llama_hooks PRIVATE ${PROJECT_SOURCE_DIR}/tests/lm)
else()
  message(STATUS "bench_llama_hooks needs -DOH_BUILD_TESTS=ON (it writes its model with tests/lm's writer)")
endif()
