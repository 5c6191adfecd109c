#pragma once

// What the sparse and dense similarity paths share: the score order, the bounded top-k list,
// input checks, row scales and the assembly of join results. Internal.

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
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

/// The k that top_k uses: k clamped to the number of candidates (at least 1), so that a huge
/// k costs no more memory than the candidates.
inline int effective_k(int k, std::int64_t candidates) {
  return static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(k, candidates)));
}

/// Counts the pairs a join finds across threads and says when they pass max_pairs (< 0: no
/// bound), after which blocks only count their pairs; check() throws then.
class PairBudget {
 public:
  explicit PairBudget(std::int64_t max_pairs) : max_(max_pairs) {}
  /// True once the pairs counted so far pass the bound: stop keeping pairs.
  bool over() const { return over_.load(std::memory_order_relaxed); }
  /// Adds a block's pairs; returns over().
  bool add(std::int64_t n) {
    const std::int64_t total = total_.fetch_add(n) + n;
    if (max_ >= 0 && total > max_) over_.store(true, std::memory_order_relaxed);
    return over();
  }
  /// Throws InvalidArgument naming how many pairs the threshold gives, when over the bound.
  void check(double threshold) const {
    if (!over()) return;
    char t[32];
    std::snprintf(t, sizeof t, "%g", threshold);
    throw InvalidArgument(std::string("similarity_join: the threshold ") + t +
                          " gives " + std::to_string(total_.load()) +
                          " pairs, more than max_pairs = " + std::to_string(max_) +
                          "; raise the threshold, or raise max_pairs (negative: no bound) if "
                          "the memory (about 24 bytes a pair) is there");
  }

 private:
  std::int64_t max_;
  std::atomic<std::int64_t> total_{0};
  std::atomic<bool> over_{false};
};

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

/// rows × k neighbour lists, all padding (-1, 0) until filled.
inline Neighbors padded_neighbors(std::int64_t rows, int k) {
  Neighbors out;
  out.rows = rows;
  out.k = k;
  const auto total = static_cast<std::size_t>(rows) * static_cast<std::size_t>(k);
  out.indices = Buffer<std::int64_t>(total);
  out.scores = Buffer<double>(total);
  std::fill(out.indices.begin(), out.indices.end(), -1);
  std::fill(out.scores.begin(), out.scores.end(), 0.0);
  return out;
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
