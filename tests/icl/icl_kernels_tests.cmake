# The fused LSA kernels (src/icl/kernels): outputs and every gradient against an op-by-op autograd
# formulation (double, tight), 100 float Adam steps of the default recipe both ways, LsaModel's
# switch and bad input. Included from tests/icl/CMakeLists.txt.
oh_add_test(test_icl_kernels SOURCES ${CMAKE_CURRENT_LIST_DIR}/icl_kernels_test.cpp LIBS oh_icl oh_icl_kernels)
