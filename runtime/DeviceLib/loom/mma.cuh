// loom/mma.cuh: the sm_80+ tensor-core atoms — mma.sync.aligned.m16n8k16 (bf16/f16 in, f32
// accumulate) and ldmatrix (x4, plain and transposed). Inline PTX, nothing from the toolkit.
//
// Fragment layouts (PTX ISA, "Matrix Fragments for mma.m16n8k16"), with g = lane / 4 and
// t = lane % 4, each .b32 register holding two consecutive-k (A, B) or consecutive-n (C) values:
//   A (16x16, row-major):  a0 = (g, 2t..2t+1)   a1 = (g+8, 2t..)   a2 = (g, 2t+8..)  a3 = (g+8, 2t+8..)
//   B (16x8, "col-major"): b0 = (k 2t..2t+1, n g)   b1 = (k 2t+8.., n g)
//   C (16x8, f32):         c0,c1 = (g, 2t..2t+1)    c2,c3 = (g+8, 2t..2t+1)
#pragma once

#include "loom/types.cuh"

namespace loom {

/// The PTX type name of a 16-bit tensor-core input type.
template <typename T> struct MmaType;
template <> struct MmaType<bf16> { static constexpr const char *name = "bf16"; };
template <> struct MmaType<f16> { static constexpr const char *name = "f16"; };

/// c += a · b for one m16n8k16 tile with f32 accumulators.
template <typename T>
__device__ __forceinline__ void mmaM16N8K16(float (&c)[4], const unsigned (&a)[4],
                                            const unsigned (&b)[2]);

template <>
__device__ __forceinline__ void mmaM16N8K16<bf16>(float (&c)[4], const unsigned (&a)[4],
                                                  const unsigned (&b)[2]) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
               "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
               : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

template <>
__device__ __forceinline__ void mmaM16N8K16<f16>(float (&c)[4], const unsigned (&a)[4],
                                                 const unsigned (&b)[2]) {
  asm volatile("mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
               "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
               : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

/// Four 8x8 16-bit matrices from shared memory: lane L gives the address of row L % 8 of
/// matrix L / 8; register i receives matrix i with lane (g, t) holding row g, columns 2t..2t+1.
__device__ __forceinline__ void loadMatrixX4(unsigned (&r)[4], unsigned sharedRowAddress) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(sharedRowAddress));
}

/// As loadMatrixX4 but each 8x8 matrix is transposed on the way: lane (g, t) receives column g,
/// rows 2t..2t+1 (B fragments from a K-by-N row-major tile).
__device__ __forceinline__ void loadMatrixX4Trans(unsigned (&r)[4], unsigned sharedRowAddress) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(sharedRowAddress));
}

} // namespace loom
