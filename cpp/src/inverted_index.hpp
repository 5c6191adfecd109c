#pragma once

// The inverted index that sparse top-k and joins search, and the pruned top-k that searches it
// with score bounds. Internal to similarity.cpp and pruned_top_k.cpp.

#include <cstdint>
#include <vector>

#include "newsim/similarity.hpp"
#include "newsim/sparse.hpp"

namespace newsim::detail {

/// The columns of y as postings lists (rows ascending) of scaled weights: y[j, t] / scale[j],
/// 0 for a row of scale 0.
struct InvertedIndex {
  std::int64_t rows = 0;
  std::vector<std::int64_t> start;  // cols + 1
  Buffer<std::int32_t> row;
  Buffer<double> weight;
};

InvertedIndex invert(const CsrRef& y, const std::vector<double>& scale);

/// Whether pruned_top_k applies: cosine on rows without negative values.
bool prunable(const CsrRef& x, const CsrRef* y, Metric metric);

/// top_k of x against y (x itself when symmetric), identical to scoring every pair, without
/// reading the postings of a row's commonest terms when a score bound shows they cannot
/// change its list. `index` is invert(y, y_scale). Requires prunable(...).
Neighbors pruned_top_k(const CsrRef& x, const std::vector<double>& x_scale, const CsrRef& y,
                       const std::vector<double>& y_scale, const InvertedIndex& index,
                       bool symmetric, const TopKOptions& options);

}  // namespace newsim::detail
