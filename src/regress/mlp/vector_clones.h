#pragma once
// Hot loops are compiled for several instruction sets and picked at load time. Only the vector
// width differs: with -ffp-contract=off and no reassociation every clone rounds identically, so
// results do not depend on the CPU. Helpers are forced inline so each clone compiles them for its
// own instruction set (and no call crosses the vector ABI -Wpsabi warns about).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define OH_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#define OH_INLINE inline __attribute__((always_inline))
#pragma GCC diagnostic ignored "-Wpsabi"
#else
#define OH_VECTOR_CLONES
#define OH_INLINE inline
#endif
