#pragma once
// Explanations and key terms of many items in one call, as flat arrays (for reports and for
// Python, where one call per article would cost more than the work itself).
#include <cstdint>
#include <vector>

#include "newsim/similarity.hpp"

namespace newsim {

/// Term lists of many items, flat: the terms of item p are terms[offsets[p] .. offsets[p+1]),
/// with values[k] belonging to terms[k].
struct TermLists {
  std::vector<std::int64_t> offsets{0};
  std::vector<std::int32_t> terms;
  std::vector<double> values;
  std::int64_t size() const { return static_cast<std::int64_t>(offsets.size()) - 1; }
};

/// For each pair p, row rows_a[p] of a against row rows_b[p] of b: the shared terms exactly as
/// explain(a, rows_a[p], b, rows_b[p], top, metric).shared lists them (values: their share of
/// the similarity), and `similarity` (optional) receives each pair's score.
/// O(Σ row lengths · log) over n_jobs threads. Throws InvalidArgument (lengths differ, columns
/// differ, malformed rows), IndexOutOfRange.
TermLists explain_pairs(const CsrRef& a, const std::vector<std::int64_t>& rows_a, const CsrRef& b,
                        const std::vector<std::int64_t>& rows_b, int top = 10,
                        Metric metric = Metric::cosine, std::vector<double>* similarity = nullptr,
                        int n_jobs = 0);

/// The key terms of each given row on its own, exactly as key_terms(x, {row}, top) gives them
/// (values: the weights). O(Σ row lengths · log), no O(columns) work per row.
/// Throws IndexOutOfRange, InvalidArgument (malformed rows).
TermLists key_terms_rows(const CsrRef& x, const std::vector<std::int64_t>& rows, int top = 10,
                         int n_jobs = 0);

}  // namespace newsim
