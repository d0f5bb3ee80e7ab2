# The mesa layer (src/icl/mesa): every solver against an explicit closed-form solve at every position,
# gradients (λ included) against autograd through the closed form, hook points and bad input.
# Included from tests/icl/CMakeLists.txt.
oh_add_test(test_icl_mesa SOURCES ${CMAKE_CURRENT_LIST_DIR}/mesa_test.cpp LIBS oh_icl_mesa)
