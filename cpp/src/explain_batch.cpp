#include "newsim/explain_batch.hpp"

#include <algorithm>
#include <string>

#include "newsim/detail/parallel.hpp"
#include "newsim/errors.hpp"

namespace newsim {

namespace {

constexpr std::size_t kChunk = 512;  // items per task

// Runs fill(item, out) for every item on n_jobs threads, in chunks, and concatenates the
// chunks' lists in item order.
template <class Fill>
TermLists gather(std::size_t n, int n_jobs, Fill&& fill) {
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<TermLists> parts(chunks);
  detail::parallel_for(chunks, detail::resolve_threads(n_jobs), [&](std::size_t c, std::size_t) {
    TermLists& part = parts[c];
    for (std::size_t p = c * kChunk; p < std::min(n, (c + 1) * kChunk); ++p) {
      fill(p, part);
      part.offsets.push_back(static_cast<std::int64_t>(part.terms.size()));
    }
  });
  TermLists out;
  out.offsets.reserve(n + 1);
  for (const TermLists& part : parts) {
    const std::int64_t base = static_cast<std::int64_t>(out.terms.size());
    for (std::size_t k = 1; k < part.offsets.size(); ++k) out.offsets.push_back(base + part.offsets[k]);
    out.terms.insert(out.terms.end(), part.terms.begin(), part.terms.end());
    out.values.insert(out.values.end(), part.values.begin(), part.values.end());
  }
  return out;
}

}  // namespace

TermLists explain_pairs(const CsrRef& a, const std::vector<std::int64_t>& rows_a, const CsrRef& b,
                        const std::vector<std::int64_t>& rows_b, int top, Metric metric,
                        std::vector<double>* similarity, int n_jobs) {
  if (rows_a.size() != rows_b.size()) {
    throw InvalidArgument("explain_pairs needs as many rows of a (" +
                          std::to_string(rows_a.size()) + ") as of b (" +
                          std::to_string(rows_b.size()) + ")");
  }
  if (similarity != nullptr) similarity->assign(rows_a.size(), 0.0);
  return gather(rows_a.size(), n_jobs, [&](std::size_t p, TermLists& out) {
    const Explanation e = explain(a, rows_a[p], b, rows_b[p], top, metric);
    for (const TermContribution& c : e.shared) {
      out.terms.push_back(c.term);
      out.values.push_back(c.share);
    }
    if (similarity != nullptr) (*similarity)[p] = e.similarity;
  });
}

TermLists key_terms_rows(const CsrRef& x, const std::vector<std::int64_t>& rows, int top,
                         int n_jobs) {
  return gather(rows.size(), n_jobs, [&](std::size_t p, TermLists& out) {
    const std::int64_t r = rows[p];
    check_row(x, r, "row", "X");
    std::vector<TermWeight> row;
    for (std::int64_t k = x.indptr[r]; k < x.indptr[r + 1]; ++k) {
      if (x.data[k] != 0) row.push_back({x.indices[k], x.data[k]});
    }
    auto by_weight = [](const TermWeight& u, const TermWeight& v) {
      return u.weight > v.weight || (u.weight == v.weight && u.term < v.term);
    };
    const std::size_t keep =
        top >= 0 ? std::min(row.size(), static_cast<std::size_t>(top)) : row.size();
    std::partial_sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(keep), row.end(),
                      by_weight);
    for (std::size_t k = 0; k < keep; ++k) {
      out.terms.push_back(row[k].term);
      out.values.push_back(row[k].weight);
    }
  });
}

}  // namespace newsim
