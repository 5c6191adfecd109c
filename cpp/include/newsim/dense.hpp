#pragma once

// Top-k neighbours and threshold joins over dense rows (LSA coordinates, embeddings), with the
// same results and rules as the sparse functions of similarity.hpp.
//
// Scores come from Eigen GEMMs on fixed tiles of detail::kDenseTileRows rows of x by
// detail::kDenseTileCols rows of y, so memory stays bounded (one tile per thread, never
// rows(x)·rows(y)) and every score is computed the same way whatever the thread count. With y
// null, only the upper triangle is scored and each pair's score serves both of its rows.

#include <cstdint>

#include "newsim/similarity.hpp"
#include "newsim/sparse.hpp"

namespace newsim {

/// A borrowed row-major matrix of float64: row i is data[i*cols : (i+1)*cols]. Values must
/// be finite; the functions below check this and throw InvalidArgument naming the row.
struct DenseRef {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  const double* data = nullptr;

  DenseRef() = default;
  DenseRef(std::int64_t rows_, std::int64_t cols_, const double* data_)
      : rows(rows_), cols(cols_), data(data_) {}
};

/// For every row of x, its k most similar rows of y (of x itself when y is null), exactly as
/// top_k on CSR input: descending score, ties to the smaller index, only non-zero scores,
/// padding -1 / 0, exclude_self when y is null; rows of zeros score 0.
/// Work: rows(x)·rows(y)·cols multiply-adds (halved when y is null). Extra memory: one
/// kDenseTileRows × kDenseTileCols tile per thread, and, when y is null, k·16 bytes per row
/// and thread. Throws InvalidArgument (k <= 0, column counts that differ, NaN or inf),
/// Interrupted.
Neighbors top_k(const DenseRef& x, const DenseRef* y, const TopKOptions& options);

/// Every pair (i, j) with score >= threshold, as a rows(x) × rows(y) CSR matrix of scores;
/// with y null only i < j. Work as top_k; extra memory one tile per thread plus the result.
/// Throws InvalidArgument (threshold <= 0 or not finite, and as top_k), Interrupted.
CsrMatrix<double> similarity_join(const DenseRef& x, const DenseRef* y, const JoinOptions& options);

}  // namespace newsim
