#include "newsim/similarity.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "newsim/detail/collect.hpp"
#include "newsim/detail/key_terms.hpp"
#include "newsim/detail/parallel.hpp"
#include "newsim/errors.hpp"
#include "inverted_index.hpp"

namespace newsim {

namespace {

// Rows of x scored together: they share each pass over a term's postings.
constexpr std::int64_t kBlockRows = 8;
constexpr int kRowBits = 3;  // log2(kBlockRows)

std::string where(const char* name, std::int64_t row) {
  return std::string(name) + " row " + std::to_string(row);
}

// One row: columns in range and strictly increasing, values finite.
void check_entries(const CsrRef& m, std::int64_t i, const char* name) {
  const std::int64_t b = m.indptr[i];
  const std::int64_t e = m.indptr[i + 1];
  if (e < b) throw InvalidArgument(where(name, i) + ": indptr decreases");
  for (std::int64_t p = b; p < e; ++p) {
    const std::int32_t c = m.indices[p];
    if (c < 0 || c >= m.cols) {
      throw InvalidArgument(where(name, i) + ": column " + std::to_string(c) + " outside [0, " +
                            std::to_string(m.cols) + ")");
    }
    if (p > b && c <= m.indices[p - 1]) {
      throw InvalidArgument(where(name, i) +
                            ": columns are not strictly increasing (sort the indices and sum "
                            "duplicates first)");
    }
    if (!std::isfinite(m.data[p])) {
      throw InvalidArgument(where(name, i) + ", column " + std::to_string(c) + ": value is " +
                            (std::isnan(m.data[p]) ? "NaN" : "infinite"));
    }
  }
}

void check_matrix(const CsrRef& m, const char* name) {
  if (m.rows < 0 || m.cols < 0) throw InvalidArgument(std::string(name) + " has a negative shape");
  if (m.rows > std::numeric_limits<std::int32_t>::max() ||
      m.cols > std::numeric_limits<std::int32_t>::max()) {
    throw InvalidArgument(std::string(name) + " has more than 2^31-1 rows or columns");
  }
  if (m.rows == 0) return;
  if (m.indptr == nullptr) throw InvalidArgument(std::string(name) + " has no indptr");
  if (m.indptr[0] != 0) throw InvalidArgument(std::string(name) + ": indptr[0] must be 0");
  for (std::int64_t i = 0; i < m.rows; ++i) check_entries(m, i, name);
}

void check_pair(const CsrRef& x, const CsrRef* y) {
  check_matrix(x, "X");
  if (y == nullptr) return;
  check_matrix(*y, "Y");
  if (x.cols != y->cols) {
    throw InvalidArgument("X has " + std::to_string(x.cols) + " columns and Y has " +
                          std::to_string(y->cols) +
                          ": both must come from the same vectorizer");
  }
}

// The divisor of a row's values: |row| for cosine, 1 for dot; 0 marks a row of zeros, which
// scores 0. Dividing (rather than multiplying by 1/|row|) keeps a lone value at exactly ±1, so
// rows that are multiples of each other score exactly alike.
double row_scale(const double* v, std::int64_t n, Metric metric) {
  if (metric == Metric::dot) return 1.0;
  double sum = 0;
  for (std::int64_t p = 0; p < n; ++p) sum += v[p] * v[p];
  double norm = std::sqrt(sum);
  if (!std::isfinite(norm) || (norm > 0 && norm < 1e-150)) {
    // Squares overflowed or underflowed: scale by the largest magnitude first.
    double big = 0;
    for (std::int64_t p = 0; p < n; ++p) big = std::max(big, std::abs(v[p]));
    double s = 0;
    for (std::int64_t p = 0; p < n; ++p) s += (v[p] / big) * (v[p] / big);
    norm = big * std::sqrt(s);
  }
  return norm;
}

std::vector<double> row_scales(const CsrRef& m, Metric metric) {
  std::vector<double> scale(static_cast<std::size_t>(m.rows));
  for (std::int64_t i = 0; i < m.rows; ++i) {
    scale[static_cast<std::size_t>(i)] =
        row_scale(m.data + m.indptr[i], m.indptr[i + 1] - m.indptr[i], metric);
  }
  return scale;
}

using detail::InvertedIndex;
using detail::invert;

// Everything a block of x needs: x, its scales and the index of y.
struct Problem {
  const CsrRef& x;
  const std::vector<double>& x_scale;
  const InvertedIndex& index;
  bool symmetric;  // y is x: score only j >= the block's first row
};

struct Entry {
  std::int64_t key;  // term << kRowBits | row within the block
  double value;      // scaled weight of the term in that row
};

// Per-thread scratch, reused from block to block; acc and mark are zero between blocks.
struct Workspace {
  std::vector<double> acc;  // kBlockRows * rows(y)
  std::vector<std::uint8_t> mark;
  std::vector<std::int32_t> touched[kBlockRows];
  std::vector<Entry> entries;
  std::vector<std::int64_t> from;  // per entry: first posting to use

  void ensure(std::int64_t y_rows) {
    const auto n = static_cast<std::size_t>(kBlockRows * y_rows);
    if (acc.size() < n) {
      acc.assign(n, 0.0);
      mark.assign(n, 0);
    }
  }
};

// Scores rows [r0, r1) of x against y (against rows >= r0 when symmetric), then calls
// emit(r, j, score) for each non-zero score, row by row and by ascending j. Each score sums
// its products in column order, whichever path runs, so results never depend on blocking.
template <class Emit>
void score_block(const Problem& pb, Workspace& ws, std::int64_t r0, std::int64_t r1, Emit&& emit) {
  const CsrRef& x = pb.x;
  const InvertedIndex& ix = pb.index;
  const std::int64_t n = ix.rows;
  ws.ensure(n);
  ws.entries.clear();
  for (std::int64_t r = r0; r < r1; ++r) {
    const double s = pb.x_scale[static_cast<std::size_t>(r)];
    if (s == 0) continue;
    for (std::int64_t p = x.indptr[r]; p < x.indptr[r + 1]; ++p) {
      ws.entries.push_back({(static_cast<std::int64_t>(x.indices[p]) << kRowBits) | (r - r0),
                            x.data[p] / s});
    }
  }
  std::sort(ws.entries.begin(), ws.entries.end(),
            [](const Entry& a, const Entry& b) { return a.key < b.key; });
  const std::int64_t j0 = pb.symmetric ? r0 : 0;
  ws.from.resize(ws.entries.size());
  std::int64_t products = 0;
  for (std::size_t e = 0; e < ws.entries.size(); ++e) {
    const auto t = static_cast<std::size_t>(ws.entries[e].key >> kRowBits);
    std::int64_t lo = ix.start[t];
    const std::int64_t hi = ix.start[t + 1];
    if (j0 > 0 && (e == 0 || (ws.entries[e - 1].key >> kRowBits) != ws.entries[e].key >> kRowBits)) {
      lo = std::lower_bound(ix.row.data() + lo, ix.row.data() + hi, static_cast<std::int32_t>(j0)) -
           ix.row.data();
    } else if (j0 > 0) {
      lo = ws.from[e - 1];
    }
    ws.from[e] = lo;
    products += hi - lo;
  }
  const std::int64_t span = n - j0;
  // Dense accumulation when the block touches a good part of y: no bookkeeping per product,
  // one scan per row. Otherwise remember what was touched.
  const bool dense = products * 8 >= (r1 - r0) * span;
  double* acc = ws.acc.data();
  const std::int32_t* prow = ix.row.data();
  const double* pw = ix.weight.data();
  const Entry* en = ws.entries.data();
  const std::size_t m = ws.entries.size();
  if (dense) {
    for (std::size_t e = 0; e < m;) {
      const std::int64_t term = en[e].key >> kRowBits;
      std::size_t f = e + 1;
      while (f < m && (en[f].key >> kRowBits) == term) ++f;
      const std::int64_t lo = ws.from[e];
      const std::int64_t hi = ix.start[static_cast<std::size_t>(term) + 1];
      const auto row_of = [&](std::size_t g) { return acc + (en[g].key & (kBlockRows - 1)) * n; };
      std::size_t g = e;
      // Rows sharing the term share one pass over its postings.
      for (; g + 4 <= f; g += 4) {
        double* a0 = row_of(g);
        double* a1 = row_of(g + 1);
        double* a2 = row_of(g + 2);
        double* a3 = row_of(g + 3);
        const double x0 = en[g].value, x1 = en[g + 1].value, x2 = en[g + 2].value,
                     x3 = en[g + 3].value;
        for (std::int64_t q = lo; q < hi; ++q) {
          const std::int32_t j = prow[q];
          const double w = pw[q];
          a0[j] += x0 * w;
          a1[j] += x1 * w;
          a2[j] += x2 * w;
          a3[j] += x3 * w;
        }
      }
      for (; g + 2 <= f; g += 2) {
        double* a0 = row_of(g);
        double* a1 = row_of(g + 1);
        const double x0 = en[g].value, x1 = en[g + 1].value;
        for (std::int64_t q = lo; q < hi; ++q) {
          const std::int32_t j = prow[q];
          const double w = pw[q];
          a0[j] += x0 * w;
          a1[j] += x1 * w;
        }
      }
      if (g < f) {
        double* a0 = row_of(g);
        const double x0 = en[g].value;
        for (std::int64_t q = lo; q < hi; ++q) a0[prow[q]] += x0 * pw[q];
      }
      e = f;
    }
    for (std::int64_t r = r0; r < r1; ++r) {
      double* a = acc + (r - r0) * n;
      for (std::int64_t j = j0; j < n; ++j) {
        const double s = a[j];
        if (s != 0) {
          a[j] = 0;
          emit(r, j, s);
        }
      }
    }
    return;
  }
  std::uint8_t* mark = ws.mark.data();
  for (std::size_t e = 0; e < m; ++e) {
    const std::int64_t lr = en[e].key & (kBlockRows - 1);
    double* a = acc + lr * n;
    std::uint8_t* mk = mark + lr * n;
    auto& touched = ws.touched[lr];
    const double x0 = en[e].value;
    const std::int64_t hi = ix.start[static_cast<std::size_t>(en[e].key >> kRowBits) + 1];
    for (std::int64_t q = ws.from[e]; q < hi; ++q) {
      const std::int32_t j = prow[q];
      if (mk[j] == 0) {
        mk[j] = 1;
        touched.push_back(j);
      }
      a[j] += x0 * pw[q];
    }
  }
  for (std::int64_t r = r0; r < r1; ++r) {
    const std::int64_t lr = r - r0;
    double* a = acc + lr * n;
    std::uint8_t* mk = mark + lr * n;
    auto& touched = ws.touched[lr];
    std::sort(touched.begin(), touched.end());
    for (const std::int32_t j : touched) {
      const double s = a[j];
      a[j] = 0;
      mk[j] = 0;
      if (s != 0) emit(r, static_cast<std::int64_t>(j), s);
    }
    touched.clear();
  }
}

using detail::better;
using detail::offer;

std::size_t block_count(std::int64_t rows) {
  return static_cast<std::size_t>((rows + kBlockRows - 1) / kBlockRows);
}

// Top-k of x against a prepared y (x itself when symmetric).
Neighbors run_top_k(const CsrRef& x, const std::vector<double>& x_scale,
                    const InvertedIndex& index, bool symmetric, const TopKOptions& options);
CsrMatrix<double> run_join(const CsrRef& x, const std::vector<double>& x_scale,
                           const InvertedIndex& index, bool symmetric, const JoinOptions& options);

using detail::check_k;
using detail::check_threshold;

}  // namespace

void detail::check_csr(const CsrRef& m, const char* name) { check_matrix(m, name); }

CsrMatrix<double> detail::assemble_join(std::int64_t rows, std::int64_t cols,
                                        std::vector<JoinBlock>& blocks,
                                        const std::vector<std::int64_t>& per_row) {
  CsrMatrix<double> out;
  out.rows = rows;
  out.cols = cols;
  out.indptr = Buffer<std::int64_t>(static_cast<std::size_t>(rows) + 1);
  out.indptr[0] = 0;
  for (std::int64_t i = 0; i < rows; ++i) {
    out.indptr[static_cast<std::size_t>(i) + 1] =
        out.indptr[static_cast<std::size_t>(i)] + per_row[static_cast<std::size_t>(i)];
  }
  const auto nnz = static_cast<std::size_t>(out.indptr[static_cast<std::size_t>(rows)]);
  out.indices = Buffer<std::int32_t>(nnz);
  out.data = Buffer<double>(nnz);
  std::size_t at = 0;
  for (JoinBlock& b : blocks) {
    std::copy(b.cols.begin(), b.cols.end(), out.indices.data() + at);
    std::copy(b.scores.begin(), b.scores.end(), out.data.data() + at);
    at += b.cols.size();
    b = JoinBlock{};
  }
  return out;
}
detail::InvertedIndex detail::invert(const CsrRef& y, const std::vector<double>& scale) {
  InvertedIndex ix;
  ix.rows = y.rows;
  ix.start.assign(static_cast<std::size_t>(y.cols) + 1, 0);
  const std::int64_t nnz = y.nnz();
  for (std::int64_t p = 0; p < nnz; ++p) ++ix.start[static_cast<std::size_t>(y.indices[p]) + 1];
  for (std::size_t t = 0; t + 1 < ix.start.size(); ++t) ix.start[t + 1] += ix.start[t];
  ix.row = Buffer<std::int32_t>(static_cast<std::size_t>(nnz));
  ix.weight = Buffer<double>(static_cast<std::size_t>(nnz));
  std::vector<std::int64_t> fill(ix.start.begin(), ix.start.end() - 1);
  for (std::int64_t j = 0; j < y.rows; ++j) {
    const double s = scale[static_cast<std::size_t>(j)];
    for (std::int64_t p = y.indptr[j]; p < y.indptr[j + 1]; ++p) {
      const auto q = static_cast<std::size_t>(fill[static_cast<std::size_t>(y.indices[p])]++);
      ix.row[q] = static_cast<std::int32_t>(j);
      ix.weight[q] = s == 0 ? 0.0 : y.data[p] / s;
    }
  }
  return ix;
}

double detail::row_scale(const double* v, std::int64_t n, Metric metric) {
  return newsim::row_scale(v, n, metric);
}

struct NeighborIndex::Impl {
  std::int64_t cols = 0;
  Metric metric = Metric::cosine;
  InvertedIndex index;
};

NeighborIndex::NeighborIndex(const CsrRef& y, Metric metric) {
  check_matrix(y, "Y");
  auto impl = std::make_shared<Impl>();
  impl->cols = y.cols;
  impl->metric = metric;
  impl->index = invert(y, row_scales(y, metric));
  impl_ = std::move(impl);
}

NeighborIndex::~NeighborIndex() = default;
std::int64_t NeighborIndex::rows() const { return impl_->index.rows; }
std::int64_t NeighborIndex::cols() const { return impl_->cols; }
Metric NeighborIndex::metric() const { return impl_->metric; }

namespace {

void check_query(const CsrRef& x, const NeighborIndex& index, Metric metric) {
  check_matrix(x, "X");
  if (x.cols != index.cols()) {
    throw InvalidArgument("X has " + std::to_string(x.cols) + " columns and Y has " +
                          std::to_string(index.cols()) +
                          ": both must come from the same vectorizer");
  }
  if (metric != index.metric()) {
    throw InvalidArgument("the index was built for another metric than the one asked for");
  }
}

}  // namespace

Neighbors NeighborIndex::top_k(const CsrRef& x, const TopKOptions& options) const {
  check_k(options.k);
  check_query(x, *this, options.metric);
  return run_top_k(x, row_scales(x, options.metric), impl_->index, false, options);
}

CsrMatrix<double> NeighborIndex::similarity_join(const CsrRef& x,
                                                 const JoinOptions& options) const {
  check_threshold(options.threshold);
  check_query(x, *this, options.metric);
  return run_join(x, row_scales(x, options.metric), impl_->index, false, options);
}

CsrMatrix<double> Neighbors::to_graph(std::int64_t cols) const {
  CsrMatrix<double> g;
  g.rows = rows;
  g.cols = cols;
  g.indptr = Buffer<std::int64_t>(static_cast<std::size_t>(rows) + 1);
  g.indptr[0] = 0;
  std::size_t nnz = 0;
  for (std::int64_t i = 0; i < rows; ++i) {
    for (int c = 0; c < k; ++c) nnz += indices[static_cast<std::size_t>(i * k + c)] >= 0;
    g.indptr[static_cast<std::size_t>(i) + 1] = static_cast<std::int64_t>(nnz);
  }
  g.indices = Buffer<std::int32_t>(nnz);
  g.data = Buffer<double>(nnz);
  std::vector<std::pair<std::int64_t, double>> row;
  std::size_t out = 0;
  for (std::int64_t i = 0; i < rows; ++i) {
    row.clear();
    for (int c = 0; c < k; ++c) {
      const auto at = static_cast<std::size_t>(i * k + c);
      if (indices[at] >= 0) row.emplace_back(indices[at], scores[at]);
    }
    std::sort(row.begin(), row.end());
    for (const auto& [j, s] : row) {
      if (j >= cols) throw IndexOutOfRange("neighbour " + std::to_string(j) + " of row " +
                                           std::to_string(i) + " is outside " +
                                           std::to_string(cols) + " columns");
      g.indices[out] = static_cast<std::int32_t>(j);
      g.data[out++] = s;
    }
  }
  return g;
}

namespace {

// Rows of y from which automatic prunes. Measured on prefixes of the synthetic archive (2
// threads, ms per row against all of y, all_pairs / pruned): 100k 0.67 / 1.74, 200k 1.27 /
// 2.81, 400k 3.29 / 2.39, 1M 13.6 / 3.2 (bench/README).
constexpr std::int64_t kPruneFromRows = 300000;

bool use_pruned(const CsrRef& x, const CsrRef* y, const TopKOptions& options) {
  switch (options.method) {
    case TopKMethod::all_pairs:
      return false;
    case TopKMethod::automatic:
      if ((y == nullptr ? x.rows : y->rows) < kPruneFromRows) return false;
      break;
    case TopKMethod::pruned:
    case TopKMethod::approximate:
      break;
  }
  return detail::prunable(x, y, options.metric);
}

}  // namespace

Neighbors top_k(const CsrRef& x, const CsrRef* y, const TopKOptions& options) {
  check_k(options.k);
  if (options.postings < 0) {
    throw InvalidArgument("postings must be >= 0 (0: 20,000); got " +
                          std::to_string(options.postings));
  }
  if (options.candidates < 0) {
    throw InvalidArgument("candidates must be >= 0 (0: 4·k); got " +
                          std::to_string(options.candidates));
  }
  check_pair(x, y);
  const bool symmetric = y == nullptr;
  const CsrRef& ym = symmetric ? x : *y;
  const std::vector<double> scale = row_scales(x, options.metric);
  const std::vector<double> y_scale = symmetric ? scale : row_scales(ym, options.metric);
  const InvertedIndex index = invert(ym, y_scale);
  if (use_pruned(x, y, options)) {
    return detail::pruned_top_k(x, scale, ym, y_scale, index, symmetric, options);
  }
  return run_top_k(x, scale, index, symmetric, options);
}

CsrMatrix<double> similarity_join(const CsrRef& x, const CsrRef* y, const JoinOptions& options) {
  check_threshold(options.threshold);
  if (y != nullptr) return NeighborIndex(*y, options.metric).similarity_join(x, options);
  check_matrix(x, "X");
  const std::vector<double> scale = row_scales(x, options.metric);
  return run_join(x, scale, invert(x, scale), true, options);
}

namespace {

Neighbors run_top_k(const CsrRef& x, const std::vector<double>& x_scale,
                    const InvertedIndex& index, bool symmetric, const TopKOptions& options) {
  const int k = detail::effective_k(
      options.k, symmetric && options.exclude_self ? index.rows - 1 : index.rows);
  Neighbors out = detail::padded_neighbors(x.rows, k);
  if (x.rows == 0) return out;
  const Problem pb{x, x_scale, index, symmetric};
  const int threads = detail::resolve_threads(options.n_jobs);
  const std::size_t blocks = block_count(x.rows);
  const auto workers = static_cast<std::size_t>(std::max(1, threads));
  std::vector<Workspace> spaces(workers);
  std::vector<std::int32_t> count(static_cast<std::size_t>(x.rows), 0);
  // With y = x, the block of row i scores only j >= its first row; the pairs it finds with
  // rows after the block are handed to those rows through a per-thread list ("mirror").
  struct Mirror {
    std::vector<double> scores;
    std::vector<std::int64_t> index;
    std::vector<std::int32_t> count;
  };
  std::vector<Mirror> mirrors(symmetric ? workers : 0);
  const bool exclude_self = symmetric && options.exclude_self;
  detail::parallel_for(
      blocks, threads,
      [&](std::size_t b, std::size_t worker) {
        const std::int64_t r0 = static_cast<std::int64_t>(b) * kBlockRows;
        const std::int64_t r1 = std::min(x.rows, r0 + kBlockRows);
        Mirror* mirror = symmetric ? &mirrors[worker] : nullptr;
        if (mirror != nullptr && mirror->count.empty()) {
          mirror->scores.assign(out.scores.size(), 0.0);
          mirror->index.assign(out.indices.size(), -1);
          mirror->count.assign(static_cast<std::size_t>(x.rows), 0);
        }
        score_block(pb, spaces[worker], r0, r1, [&](std::int64_t r, std::int64_t j, double s) {
          if (j == r && exclude_self) return;
          const auto at = static_cast<std::size_t>(r) * static_cast<std::size_t>(k);
          offer(out.scores.data() + at, out.indices.data() + at,
                count[static_cast<std::size_t>(r)], k, s, j);
          if (mirror != nullptr && j >= r1) {
            const auto mat = static_cast<std::size_t>(j) * static_cast<std::size_t>(k);
            offer(mirror->scores.data() + mat, mirror->index.data() + mat,
                  mirror->count[static_cast<std::size_t>(j)], k, s, r);
          }
        });
      },
      options.interrupted ? &options.interrupted : nullptr);
  for (const Mirror& mirror : mirrors) {
    if (mirror.count.empty()) continue;
    for (std::int64_t i = 0; i < x.rows; ++i) {
      const auto at = static_cast<std::size_t>(i) * static_cast<std::size_t>(k);
      for (std::int32_t c = 0; c < mirror.count[static_cast<std::size_t>(i)]; ++c) {
        offer(out.scores.data() + at, out.indices.data() + at, count[static_cast<std::size_t>(i)],
              k, mirror.scores[at + static_cast<std::size_t>(c)],
              mirror.index[at + static_cast<std::size_t>(c)]);
      }
    }
  }
  return out;
}

CsrMatrix<double> run_join(const CsrRef& x, const std::vector<double>& x_scale,
                           const InvertedIndex& index, bool symmetric, const JoinOptions& options) {
  std::vector<detail::JoinBlock> found(block_count(x.rows));
  std::vector<std::int64_t> per_row(static_cast<std::size_t>(x.rows), 0);
  if (x.rows == 0) return detail::assemble_join(0, index.rows, found, per_row);
  const Problem pb{x, x_scale, index, symmetric};
  const int threads = detail::resolve_threads(options.n_jobs);
  const std::size_t blocks = block_count(x.rows);
  std::vector<Workspace> spaces(static_cast<std::size_t>(std::max(1, threads)));
  const double t = options.threshold;
  detail::PairBudget budget(options.max_pairs);
  detail::parallel_for(
      blocks, threads,
      [&](std::size_t b, std::size_t worker) {
        const std::int64_t r0 = static_cast<std::int64_t>(b) * kBlockRows;
        const std::int64_t r1 = std::min(x.rows, r0 + kBlockRows);
        detail::JoinBlock& f = found[b];
        // Past max_pairs, pairs are only counted, for the error's figure.
        const bool keep = !budget.over();
        std::int64_t n = 0;
        score_block(pb, spaces[worker], r0, r1, [&](std::int64_t r, std::int64_t j, double s) {
          if (s < t || (symmetric && j <= r)) return;
          ++n;
          if (!keep) return;
          f.cols.push_back(static_cast<std::int32_t>(j));
          f.scores.push_back(s);
          ++per_row[static_cast<std::size_t>(r)];
        });
        if (budget.add(n)) f = detail::JoinBlock{};
      },
      options.interrupted ? &options.interrupted : nullptr);
  budget.check(t);
  return detail::assemble_join(x.rows, index.rows, found, per_row);
}

}  // namespace

std::vector<double> pairwise(const CsrRef& x, const CsrRef* y, Metric metric) {
  check_pair(x, y);
  const std::int64_t ny = y == nullptr ? x.rows : y->rows;
  std::vector<double> out(static_cast<std::size_t>(x.rows) * static_cast<std::size_t>(ny), 0.0);
  if (x.rows == 0 || ny == 0) return out;
  const std::vector<double> x_scale = row_scales(x, metric);
  const InvertedIndex index = invert(y == nullptr ? x : *y, y == nullptr ? x_scale : row_scales(*y, metric));
  const Problem pb{x, x_scale, index, false};
  Workspace ws;
  for (std::int64_t r0 = 0; r0 < x.rows; r0 += kBlockRows) {
    score_block(pb, ws, r0, std::min(x.rows, r0 + kBlockRows),
                [&](std::int64_t r, std::int64_t j, double s) {
                  out[static_cast<std::size_t>(r * ny + j)] = s;
                });
  }
  return out;
}

namespace {

void keep_top(std::vector<TermContribution>& v, int top, bool by_contribution, bool by_a) {
  auto key = [&](const TermContribution& c) {
    return by_contribution ? c.contribution : (by_a ? c.weight_a : c.weight_b);
  };
  std::sort(v.begin(), v.end(), [&](const TermContribution& p, const TermContribution& q) {
    return key(p) > key(q) || (key(p) == key(q) && p.term < q.term);
  });
  if (top >= 0 && v.size() > static_cast<std::size_t>(top)) v.resize(static_cast<std::size_t>(top));
}

}  // namespace

void check_row(const CsrRef& m, std::int64_t row, const char* row_name, const char* matrix_name) {
  if (row < 0 || row >= m.rows) {
    throw IndexOutOfRange(std::string(row_name) + " " + std::to_string(row) + " is outside [0, " +
                          std::to_string(m.rows) + ")");
  }
  check_entries(m, row, matrix_name);
}

Explanation explain(const CsrRef& a_matrix, std::int64_t a, const CsrRef& b_matrix,
                    std::int64_t b, int top, Metric metric) {
  check_row(a_matrix, a, "row a", "A");
  check_row(b_matrix, b, "row b", "B");
  if (a_matrix.cols != b_matrix.cols) {
    throw InvalidArgument("the matrices have " + std::to_string(a_matrix.cols) + " and " +
                          std::to_string(b_matrix.cols) + " columns: they must come from the "
                          "same vectorizer");
  }
  const std::int64_t pa = a_matrix.indptr[a];
  const std::int64_t pb = b_matrix.indptr[b];
  const double sa = row_scale(a_matrix.data + pa, a_matrix.indptr[a + 1] - pa, metric);
  const double sb = row_scale(b_matrix.data + pb, b_matrix.indptr[b + 1] - pb, metric);
  Explanation out;
  std::int64_t p = pa;
  std::int64_t q = pb;
  const std::int64_t pe = a_matrix.indptr[a + 1];
  const std::int64_t qe = b_matrix.indptr[b + 1];
  while (p < pe || q < qe) {
    const std::int32_t ca = p < pe ? a_matrix.indices[p] : std::numeric_limits<std::int32_t>::max();
    const std::int32_t cb = q < qe ? b_matrix.indices[q] : std::numeric_limits<std::int32_t>::max();
    TermContribution c;
    c.term = std::min(ca, cb);
    if (ca == c.term) {
      c.weight_a = sa == 0 ? 0.0 : a_matrix.data[p] / sa;
      ++p;
    }
    if (cb == c.term) {
      c.weight_b = sb == 0 ? 0.0 : b_matrix.data[q] / sb;
      ++q;
    }
    if (ca == cb) {
      c.contribution = c.weight_a * c.weight_b;
      out.similarity += c.contribution;  // in column order, as top_k sums
      out.shared.push_back(c);
    } else if (ca == c.term) {
      if (c.weight_a != 0) out.only_a.push_back(c);
    } else if (c.weight_b != 0) {
      out.only_b.push_back(c);
    }
  }
  for (TermContribution& c : out.shared) {
    c.share = out.similarity != 0 ? c.contribution / out.similarity : 0.0;
  }
  keep_top(out.shared, top, true, true);
  keep_top(out.only_a, top, false, true);
  keep_top(out.only_b, top, false, false);
  return out;
}

std::vector<TermWeight> key_terms(const CsrRef& x, const std::vector<std::int64_t>& rows,
                                  int top) {
  if (rows.empty()) throw InvalidArgument("key_terms needs at least one row");
  for (const std::int64_t r : rows) check_row(x, r, "row", "X");
  return detail::KeyTermsAccumulator(x)(rows, top);
}

}  // namespace newsim
