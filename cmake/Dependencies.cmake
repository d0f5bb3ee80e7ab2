# Debian 12 packages (scripts/setup.sh installs them). Each is found once here; modules link
# the imported targets they need.
find_package(Eigen3 3.3 REQUIRED NO_MODULE)
find_package(nlohmann_json 3 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(fmt REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(Threads REQUIRED)

# libsvm 3.24: scikit-learn's SVR is libsvm, so predictions match bit for bit.
find_path(LIBSVM_INCLUDE_DIR libsvm/svm.h REQUIRED)
find_library(LIBSVM_LIBRARY svm REQUIRED)
add_library(oh::libsvm INTERFACE IMPORTED)
target_include_directories(oh::libsvm INTERFACE ${LIBSVM_INCLUDE_DIR})
target_link_libraries(oh::libsvm INTERFACE ${LIBSVM_LIBRARY})

# L-BFGS-B 3.0 (Fortran, static): the optimizer scipy runs for MLPRegressor(solver='lbfgs'). The MLPs
# use our bit-identical C++ port (src/regress/mlp/lbfgsb.cpp); this library is the reference its tests
# compare against.
find_library(LBFGSB_LIBRARY NAMES liblbfgsb.a lbfgsb REQUIRED)
find_library(GFORTRAN_LIBRARY NAMES gfortran libgfortran.so.5 REQUIRED
             HINTS /usr/lib/gcc/x86_64-linux-gnu/12 /usr/lib/x86_64-linux-gnu)
# It calls LAPACK (dpotrf, dtrtrs) and BLAS (ddot, dcopy, ...): the system's reference libraries,
# the same ones Debian's scipy resolves through libblas.so.3/liblapack.so.3.
find_package(LAPACK REQUIRED)
find_package(BLAS REQUIRED)
add_library(oh::lbfgsb INTERFACE IMPORTED)
# Spelled as -l flags so CMake keeps them after the static library instead of merging them with
# the earlier LAPACK::LAPACK/BLAS::BLAS entries of oh_regress.
target_link_libraries(oh::lbfgsb INTERFACE ${LBFGSB_LIBRARY} -llapack -lblas ${GFORTRAN_LIBRARY} m)

# PCRE2 (8-bit) for the tokenizers' pre-tokenizer regexes, compiled with PCRE2_UTF | PCRE2_UCP.
find_path(PCRE2_INCLUDE_DIR pcre2.h REQUIRED)
find_library(PCRE2_LIBRARY pcre2-8 REQUIRED)
add_library(oh::pcre2 INTERFACE IMPORTED)
target_include_directories(oh::pcre2 INTERFACE ${PCRE2_INCLUDE_DIR})
target_compile_definitions(oh::pcre2 INTERFACE PCRE2_CODE_UNIT_WIDTH=8)
target_link_libraries(oh::pcre2 INTERFACE ${PCRE2_LIBRARY})

# libtorch (Debian's libtorch-dev 1.13 ships TorchConfig.cmake; PyTorch 2.x's libtorch on GPU machines):
# the transformer engine's tensors. Only src/lm/arch links it, and only llama.cpp there includes ATen.
find_package(Torch REQUIRED)

# PyTorch 2.x wheels' libtorch.so defines std::filesystem functions of its own older libstdc++ (its
# std::filesystem::remove_all crashed our tests on the GPU machine); an executable lists libtorch before
# libstdc++, so the dynamic linker would bind those calls to libtorch's copies. Naming libstdc++
# in front of every executable's libraries puts it first in the search order. (Harmless with Debian's
# libtorch.) The link rule itself carries it, so no link-option ordering can move it behind libtorch.
string(REPLACE "<LINK_LIBRARIES>" "-Wl,--push-state,--no-as-needed -lstdc++ -Wl,--pop-state <LINK_LIBRARIES>"
       CMAKE_CXX_LINK_EXECUTABLE "${CMAKE_CXX_LINK_EXECUTABLE}")

# fmt as oh::fmt. PyTorch 2.x's libtorch ships its own fmt headers (another major version) in its include
# directory, which comes first for every target that links torch; those targets' fmt calls would then miss
# in the compiled libfmt. There fmt is used header-only, so each translation unit carries the fmt it was
# compiled with. Debian's libtorch uses the system's fmt, so its builds link the compiled library.
get_target_property(OH_FMT_INCLUDE fmt::fmt INTERFACE_INCLUDE_DIRECTORIES)
add_library(oh::fmt INTERFACE IMPORTED)
if(EXISTS "${TORCH_INSTALL_PREFIX}/include/fmt/core.h" AND NOT "${TORCH_INSTALL_PREFIX}/include" IN_LIST OH_FMT_INCLUDE)
  message(STATUS "libtorch brings fmt headers of its own: fmt is used header-only")
  target_link_libraries(oh::fmt INTERFACE fmt::fmt-header-only)
else()
  target_link_libraries(oh::fmt INTERFACE fmt::fmt)
endif()
