#pragma once

// Block scoring of dense rows by Eigen GEMM, shared by dense top-k and joins. Internal.

#include <cstdint>
#include <vector>

#include "newsim/dense.hpp"
#include "newsim/similarity.hpp"

namespace newsim::detail {

/// Tile shape of every score computation. A score's rounding can depend on the shape of the
/// GEMM that computes it, so callers that want the scores top_k sees use tiles of exactly this
/// shape, aligned at multiples of it (the last ones cut by the matrix ends).
constexpr std::int64_t kDenseTileRows = 128;
constexpr std::int64_t kDenseTileCols = 512;

/// Checks shape and finiteness of every value; throws InvalidArgument naming `name` and row.
void check_dense(const DenseRef& m, const char* name);

/// Per row: |row| (cosine) or 1 (dot); 0 for a row of zeros, which scores 0 (row_scale).
std::vector<double> row_scales(const DenseRef& m, Metric metric);

/// Reusable buffers of one thread: the tile's rows divided by their scales.
struct TileScratch {
  std::vector<double> x;
  std::vector<double> y;
};

/// out (row-major, (r1-r0) × (c1-c0)) = scores of x rows [r0, r1) against y rows [c0, c1):
/// (x_i/x_scale[i])·(y_j/y_scale[j]), by one GEMM. No checks; O((r1-r0)·(c1-c0)·cols).
void score_tile(const DenseRef& x, const double* x_scale, std::int64_t r0, std::int64_t r1,
                const DenseRef& y, const double* y_scale, std::int64_t c0, std::int64_t c1,
                double* out, TileScratch& scratch);

/// Scores x rows [r0, r1) against all of y into out ((r1-r0) × rows(y)), tile by tile
/// (r1 - r0 <= kDenseTileRows). With r0 a multiple of kDenseTileRows, the scores equal the ones
/// top_k(x, &y) uses.
void score_rows(const DenseRef& x, const double* x_scale, std::int64_t r0, std::int64_t r1,
                const DenseRef& y, const double* y_scale, double* out, TileScratch& scratch);

}  // namespace newsim::detail
