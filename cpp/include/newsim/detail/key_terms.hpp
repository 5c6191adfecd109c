#pragma once

// The key-terms rule (mean weight of the rows' columns, by descending weight, ties by column),
// with an accumulator that can serve many row sets. Internal.

#include <algorithm>
#include <cstdint>
#include <vector>

#include "newsim/similarity.hpp"

namespace newsim::detail {

/// key_terms() of many row sets of one matrix with one O(V) accumulator, so that a call costs
/// the rows' entries rather than the columns. Rows are not checked.
class KeyTermsAccumulator {
 public:
  explicit KeyTermsAccumulator(const CsrRef& m) : m_(m), sum_(static_cast<std::size_t>(m.cols), 0.0) {}

  std::vector<TermWeight> operator()(const std::vector<std::int64_t>& rows, int top) {
    seen_.clear();
    for (const std::int64_t r : rows) {
      for (std::int64_t p = m_.indptr[r]; p < m_.indptr[r + 1]; ++p) {
        const std::int32_t c = m_.indices[p];
        if (sum_[static_cast<std::size_t>(c)] == 0) seen_.push_back(c);
        sum_[static_cast<std::size_t>(c)] += m_.data[p];
      }
    }
    std::sort(seen_.begin(), seen_.end());
    seen_.erase(std::unique(seen_.begin(), seen_.end()), seen_.end());
    std::vector<TermWeight> out;
    const double n = static_cast<double>(rows.size());
    for (const std::int32_t c : seen_) {
      const double w = sum_[static_cast<std::size_t>(c)] / n;
      sum_[static_cast<std::size_t>(c)] = 0;
      if (w != 0) out.push_back({c, w});
    }
    const auto order = [](const TermWeight& p, const TermWeight& q) {
      return p.weight > q.weight || (p.weight == q.weight && p.term < q.term);
    };
    if (top >= 0 && out.size() > static_cast<std::size_t>(top)) {
      std::partial_sort(out.begin(), out.begin() + top, out.end(), order);
      out.resize(static_cast<std::size_t>(top));
    } else {
      std::sort(out.begin(), out.end(), order);
    }
    return out;
  }

 private:
  CsrRef m_;
  std::vector<double> sum_;  // zero between calls
  std::vector<std::int32_t> seen_;
};

}  // namespace newsim::detail
