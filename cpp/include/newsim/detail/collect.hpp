#pragma once

// What the sparse and dense similarity paths share: the score order, the bounded top-k list,
// input checks, row scales and the assembly of join results. Internal.

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "newsim/errors.hpp"
#include "newsim/similarity.hpp"

namespace newsim::detail {

/// Checks a CSR matrix as top_k does (shape, indptr, columns in range and strictly
/// increasing, finite values); throws InvalidArgument naming `name` and the row.
void check_csr(const CsrRef& m, const char* name);

/// The divisor of a row's values: its norm for cosine (overflow-safe), 1 for dot; 0 for a
/// row of zeros, which scores 0.
double row_scale(const double* v, std::int64_t n, Metric metric);

/// Throws InvalidArgument unless k > 0.
inline void check_k(int k) {
  if (k <= 0) throw InvalidArgument("k must be positive; got " + std::to_string(k));
}

/// Throws InvalidArgument unless t is finite and > 0.
inline void check_threshold(double t) {
  if (!(t > 0) || !std::isfinite(t)) {
    throw InvalidArgument("threshold must be a finite number > 0; got " + std::to_string(t));
  }
}

/// Score order: higher first, then the smaller index. A strict total order on (score, index)
/// pairs, so the k kept by `offer` do not depend on the order they are offered in.
inline bool better(double s, std::int64_t j, double t, std::int64_t i) {
  return s > t || (s == t && j < i);
}

/// Inserts (s, j) into a list of at most k (scores, index; `count` in use), kept in score
/// order. O(k) worst case, O(1) when (s, j) does not make the list.
inline void offer(double* scores, std::int64_t* index, std::int32_t& count, int k, double s,
                  std::int64_t j) {
  if (count == k && !better(s, j, scores[k - 1], index[k - 1])) return;
  std::int32_t pos = count == k ? k - 1 : count++;
  while (pos > 0 && better(s, j, scores[pos - 1], index[pos - 1])) {
    scores[pos] = scores[pos - 1];
    index[pos] = index[pos - 1];
    --pos;
  }
  scores[pos] = s;
  index[pos] = j;
}

/// The pairs a join found in one block of consecutive rows: row by row, each row's columns
/// ascending.
struct JoinBlock {
  std::vector<std::int32_t> cols;
  std::vector<double> scores;
};

/// The rows × cols CSR matrix of the pairs in `blocks` (in row order), where row i holds
/// per_row[i] of them. Empties the blocks as it goes. O(rows + pairs).
CsrMatrix<double> assemble_join(std::int64_t rows, std::int64_t cols,
                                std::vector<JoinBlock>& blocks,
                                const std::vector<std::int64_t>& per_row);

}  // namespace newsim::detail
