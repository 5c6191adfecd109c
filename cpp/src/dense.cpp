#include "newsim/dense.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "newsim/detail/collect.hpp"
#include "newsim/detail/dense_block.hpp"
#include "newsim/detail/parallel.hpp"

namespace newsim {

namespace detail {

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRows = Eigen::Map<const RowMatrix>;
using OutRows = Eigen::Map<RowMatrix, 0, Eigen::OuterStride<>>;

// Rows [r0, r1) of m divided by their scales (zeros for a scale of 0), as the sparse path
// divides its values before multiplying.
void scaled_rows(const DenseRef& m, const double* scale, std::int64_t r0, std::int64_t r1,
                 std::vector<double>& out) {
  const std::int64_t d = m.cols;
  out.resize(static_cast<std::size_t>((r1 - r0) * d));
  for (std::int64_t i = r0; i < r1; ++i) {
    const double s = scale[i];
    const double* from = m.data + i * d;
    double* to = out.data() + (i - r0) * d;
    for (std::int64_t t = 0; t < d; ++t) to[t] = s == 0 ? 0.0 : from[t] / s;
  }
}

// The tile into out with a row stride. The GEMM sums each score over the columns in order
// (the depth is not split below Eigen's panel size), so with few columns a score equals the
// sparse path's bit for bit: the zeros it adds change nothing.
void tile_into(const DenseRef& x, const double* x_scale, std::int64_t r0, std::int64_t r1,
               const DenseRef& y, const double* y_scale, std::int64_t c0, std::int64_t c1,
               double* out, std::int64_t stride, TileScratch& scratch) {
  const std::int64_t d = x.cols;
  OutRows o(out, r1 - r0, c1 - c0, Eigen::OuterStride<>(stride));
  if (d == 0) {
    o.setZero();
    return;
  }
  scaled_rows(x, x_scale, r0, r1, scratch.x);
  scaled_rows(y, y_scale, c0, c1, scratch.y);
  o.noalias() = ConstRows(scratch.x.data(), r1 - r0, d) *
                ConstRows(scratch.y.data(), c1 - c0, d).transpose();
}

}  // namespace

void check_dense(const DenseRef& m, const char* name) {
  if (m.rows < 0 || m.cols < 0) throw InvalidArgument(std::string(name) + " has a negative shape");
  if (m.rows > std::numeric_limits<std::int32_t>::max()) {
    throw InvalidArgument(std::string(name) + " has more than 2^31-1 rows");
  }
  if (m.rows > 0 && m.cols > 0 && m.data == nullptr) {
    throw InvalidArgument(std::string(name) + " has no data");
  }
  for (std::int64_t i = 0; i < m.rows; ++i) {
    const double* r = m.data + i * m.cols;
    for (std::int64_t j = 0; j < m.cols; ++j) {
      if (!std::isfinite(r[j])) {
        throw InvalidArgument(std::string(name) + " row " + std::to_string(i) + ", column " +
                              std::to_string(j) + ": value is " +
                              (std::isnan(r[j]) ? "NaN" : "infinite"));
      }
    }
  }
}

std::vector<double> row_scales(const DenseRef& m, Metric metric) {
  std::vector<double> scale(static_cast<std::size_t>(m.rows));
  for (std::int64_t i = 0; i < m.rows; ++i) {
    scale[static_cast<std::size_t>(i)] = row_scale(m.data + i * m.cols, m.cols, metric);
  }
  return scale;
}

void score_tile(const DenseRef& x, const double* x_scale, std::int64_t r0, std::int64_t r1,
                const DenseRef& y, const double* y_scale, std::int64_t c0, std::int64_t c1,
                double* out, TileScratch& scratch) {
  tile_into(x, x_scale, r0, r1, y, y_scale, c0, c1, out, c1 - c0, scratch);
}

void score_rows(const DenseRef& x, const double* x_scale, std::int64_t r0, std::int64_t r1,
                const DenseRef& y, const double* y_scale, double* out, TileScratch& scratch) {
  for (std::int64_t c0 = 0; c0 < y.rows; c0 += kDenseTileCols) {
    const std::int64_t c1 = std::min(y.rows, c0 + kDenseTileCols);
    tile_into(x, x_scale, r0, r1, y, y_scale, c0, c1, out + c0, y.rows, scratch);
  }
}

}  // namespace detail

namespace {

using detail::kDenseTileCols;
using detail::kDenseTileRows;

// Both matrices checked and scaled; y is x when symmetric.
struct Problem {
  DenseRef x;
  DenseRef y;
  std::vector<double> x_scale;
  std::vector<double> y_scale;
  bool symmetric = false;
};

Problem prepare(const DenseRef& x, const DenseRef* y, Metric metric) {
  detail::check_dense(x, "X");
  Problem pb;
  pb.x = x;
  pb.x_scale = detail::row_scales(x, metric);
  if (y == nullptr) {
    pb.y = x;
    pb.y_scale = pb.x_scale;
    pb.symmetric = true;
    return pb;
  }
  detail::check_dense(*y, "Y");
  if (x.cols != y->cols) {
    throw InvalidArgument("X has " + std::to_string(x.cols) + " columns and Y has " +
                          std::to_string(y->cols) + ": both must have the same dimensions");
  }
  pb.y = *y;
  pb.y_scale = detail::row_scales(*y, metric);
  return pb;
}

std::size_t row_blocks(std::int64_t rows) {
  return static_cast<std::size_t>((rows + kDenseTileRows - 1) / kDenseTileRows);
}

// Per-thread buffers: the tile of scores and the scaled rows.
struct Scratch {
  std::vector<double> tile;
  detail::TileScratch rows;
};

// Scores the tiles of x rows [r0, r1) (block-aligned) that a block needs, and calls
// emit(i, j, s) row by row within each tile, tiles by ascending columns. When symmetric, only
// pairs j > i are emitted (and j == i when `self`), each scored once.
template <class Emit>
void score_block(const Problem& pb, Scratch& scratch, std::int64_t r0, std::int64_t r1,
                 bool self, Emit&& emit) {
  std::vector<double>& tile = scratch.tile;
  tile.resize(static_cast<std::size_t>(kDenseTileRows * kDenseTileCols));
  const std::int64_t ny = pb.y.rows;
  const std::int64_t first = pb.symmetric ? (r0 / kDenseTileCols) * kDenseTileCols : 0;
  for (std::int64_t c0 = first; c0 < ny; c0 += kDenseTileCols) {
    const std::int64_t c1 = std::min(ny, c0 + kDenseTileCols);
    detail::score_tile(pb.x, pb.x_scale.data(), r0, r1, pb.y, pb.y_scale.data(), c0, c1,
                       tile.data(), scratch.rows);
    for (std::int64_t i = r0; i < r1; ++i) {
      const double* row = tile.data() + (i - r0) * (c1 - c0);
      std::int64_t j = c0;
      if (pb.symmetric) j = std::max(c0, self ? i : i + 1);
      for (; j < c1; ++j) {
        const double s = row[j - c0];
        if (s != 0) emit(i, j, s);
      }
    }
  }
}

}  // namespace

Neighbors top_k(const DenseRef& x, const DenseRef* y, const TopKOptions& options) {
  detail::check_k(options.k);
  const Problem pb = prepare(x, y, options.metric);
  const int k = detail::effective_k(
      options.k, pb.symmetric && options.exclude_self ? pb.y.rows - 1 : pb.y.rows);
  Neighbors out = detail::padded_neighbors(x.rows, k);
  if (x.rows == 0 || pb.y.rows == 0) return out;
  const int threads = detail::resolve_threads(options.n_jobs);
  const auto workers = static_cast<std::size_t>(std::max(1, threads));
  std::vector<Scratch> tiles(workers);
  std::vector<std::int32_t> count(static_cast<std::size_t>(x.rows), 0);
  // With y = x, a pair (i, j), i < j, is scored by i's block; j's share goes to j directly
  // when j is in the same block, else through a per-thread list merged at the end. The kept
  // k do not depend on the order of offers, so neither does the result.
  struct Mirror {
    std::vector<double> scores;
    std::vector<std::int64_t> index;
    std::vector<std::int32_t> count;
  };
  std::vector<Mirror> mirrors(pb.symmetric ? workers : 0);
  const bool self = pb.symmetric && !options.exclude_self;
  auto put = [&](double* scores, std::int64_t* index, std::int32_t& c, std::int64_t row,
                 double s, std::int64_t j) {
    const auto at = static_cast<std::size_t>(row) * static_cast<std::size_t>(k);
    detail::offer(scores + at, index + at, c, k, s, j);
  };
  detail::parallel_for(
      row_blocks(x.rows), threads,
      [&](std::size_t b, std::size_t worker) {
        const std::int64_t r0 = static_cast<std::int64_t>(b) * kDenseTileRows;
        const std::int64_t r1 = std::min(x.rows, r0 + kDenseTileRows);
        Scratch& tile = tiles[worker];
        Mirror* mirror = pb.symmetric ? &mirrors[worker] : nullptr;
        if (mirror != nullptr && mirror->count.empty()) {
          mirror->scores.assign(out.scores.size(), 0.0);
          mirror->index.assign(out.indices.size(), -1);
          mirror->count.assign(static_cast<std::size_t>(x.rows), 0);
        }
        score_block(pb, tile, r0, r1, self, [&](std::int64_t i, std::int64_t j, double s) {
          put(out.scores.data(), out.indices.data(), count[static_cast<std::size_t>(i)], i, s, j);
          if (mirror == nullptr || j == i) return;
          if (j < r1) {
            put(out.scores.data(), out.indices.data(), count[static_cast<std::size_t>(j)], j, s, i);
          } else {
            put(mirror->scores.data(), mirror->index.data(),
                mirror->count[static_cast<std::size_t>(j)], j, s, i);
          }
        });
      },
      options.interrupted ? &options.interrupted : nullptr);
  for (const Mirror& mirror : mirrors) {
    if (mirror.count.empty()) continue;
    for (std::int64_t i = 0; i < x.rows; ++i) {
      const auto at = static_cast<std::size_t>(i) * static_cast<std::size_t>(k);
      for (std::int32_t c = 0; c < mirror.count[static_cast<std::size_t>(i)]; ++c) {
        detail::offer(out.scores.data() + at, out.indices.data() + at,
                      count[static_cast<std::size_t>(i)], k,
                      mirror.scores[at + static_cast<std::size_t>(c)],
                      mirror.index[at + static_cast<std::size_t>(c)]);
      }
    }
  }
  return out;
}

CsrMatrix<double> similarity_join(const DenseRef& x, const DenseRef* y,
                                  const JoinOptions& options) {
  detail::check_threshold(options.threshold);
  const Problem pb = prepare(x, y, options.metric);
  const int threads = detail::resolve_threads(options.n_jobs);
  const std::size_t blocks = row_blocks(x.rows);
  std::vector<Scratch> tiles(static_cast<std::size_t>(std::max(1, threads)));
  // Per block, its rows' pairs in row order (each row's columns ascending).
  std::vector<detail::JoinBlock> found(blocks);
  std::vector<std::int64_t> per_row(static_cast<std::size_t>(x.rows), 0);
  const double t = options.threshold;
  detail::PairBudget budget(options.max_pairs);
  detail::parallel_for(
      blocks, threads,
      [&](std::size_t b, std::size_t worker) {
        const std::int64_t r0 = static_cast<std::int64_t>(b) * kDenseTileRows;
        const std::int64_t r1 = std::min(x.rows, r0 + kDenseTileRows);
        Scratch& tile = tiles[worker];
        std::vector<detail::JoinBlock> rows(static_cast<std::size_t>(r1 - r0));
        // Past max_pairs, pairs are only counted, for the error's figure.
        const bool keep = !budget.over();
        std::int64_t n = 0;
        score_block(pb, tile, r0, r1, false, [&](std::int64_t i, std::int64_t j, double s) {
          if (s < t) return;
          ++n;
          if (!keep) return;
          detail::JoinBlock& f = rows[static_cast<std::size_t>(i - r0)];
          f.cols.push_back(static_cast<std::int32_t>(j));
          f.scores.push_back(s);
        });
        if (budget.add(n)) return;
        detail::JoinBlock& all = found[b];
        for (std::int64_t i = r0; i < r1; ++i) {
          const detail::JoinBlock& f = rows[static_cast<std::size_t>(i - r0)];
          all.cols.insert(all.cols.end(), f.cols.begin(), f.cols.end());
          all.scores.insert(all.scores.end(), f.scores.begin(), f.scores.end());
          per_row[static_cast<std::size_t>(i)] = static_cast<std::int64_t>(f.cols.size());
        }
      },
      options.interrupted ? &options.interrupted : nullptr);
  budget.check(t);
  return detail::assemble_join(x.rows, pb.y.rows, found, per_row);
}

}  // namespace newsim
