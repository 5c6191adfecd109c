#include "cells.hpp"

#include <algorithm>
#include <numeric>
#include <random>

#include "newsim/detail/parallel.hpp"

namespace newsim::detail {

namespace {

constexpr std::int64_t kAssignRows = 1024;  // rows per GEMM block of an assignment
constexpr std::int64_t kSamplePerCell = 64;

// The most similar centroid of each of the given rows of x (all rows when `which` is null),
// -1 for a row of zeros. Each row's answer depends on that row alone.
std::vector<std::int32_t> assign(const DenseMatrix& x, const std::vector<std::int64_t>* which,
                                 const DenseMatrix& centroids, int threads,
                                 const InterruptCheck* check) {
  const std::int64_t n = which != nullptr ? static_cast<std::int64_t>(which->size()) : x.rows();
  std::vector<std::int32_t> out(static_cast<std::size_t>(n), -1);
  if (centroids.rows() == 0) return out;
  const auto blocks = static_cast<std::size_t>((n + kAssignRows - 1) / kAssignRows);
  parallel_for(
      blocks, threads,
      [&](std::size_t b, std::size_t) {
        const std::int64_t r0 = static_cast<std::int64_t>(b) * kAssignRows;
        const std::int64_t m = std::min(n, r0 + kAssignRows) - r0;
        DenseMatrix rows(m, x.cols());
        for (std::int64_t r = 0; r < m; ++r) {
          rows.row(r) = x.row(which != nullptr ? (*which)[static_cast<std::size_t>(r0 + r)] : r0 + r);
        }
        const DenseMatrix sims = rows * centroids.transpose();
        for (std::int64_t r = 0; r < m; ++r) {
          if (rows.row(r).squaredNorm() == 0) continue;
          Eigen::Index best = 0;
          sims.row(r).maxCoeff(&best);  // the first of equal maxima
          out[static_cast<std::size_t>(r0 + r)] = static_cast<std::int32_t>(best);
        }
      },
      check);
  return out;
}

}  // namespace

Cells build_cells(const DenseMatrix& x, std::int64_t cells, int iterations, std::uint64_t seed,
                  int threads, const InterruptCheck* check) {
  const std::int64_t n = x.rows();
  std::vector<std::int64_t> nonzero;
  for (std::int64_t i = 0; i < n; ++i) {
    if (x.row(i).squaredNorm() > 0) nonzero.push_back(i);
  }
  Cells out;
  const std::int64_t c = std::clamp<std::int64_t>(cells, 1, std::max<std::int64_t>(1, static_cast<std::int64_t>(nonzero.size())));
  if (nonzero.empty()) {
    out.centroids = DenseMatrix(0, x.cols());
    out.start = {0};
    out.cell_of.assign(static_cast<std::size_t>(n), -1);
    return out;
  }
  // A seeded shuffle: its first c rows start the centroids, its first 64·c train them.
  std::vector<std::int64_t> order = nonzero;
  std::mt19937_64 rng(seed);
  const std::size_t sample_size = std::min(order.size(), static_cast<std::size_t>(kSamplePerCell * c));
  for (std::size_t i = 0; i < sample_size; ++i) {
    std::uniform_int_distribution<std::size_t> pick(i, order.size() - 1);
    std::swap(order[i], order[pick(rng)]);
  }
  out.centroids = DenseMatrix(c, x.cols());
  for (std::int64_t k = 0; k < c; ++k) out.centroids.row(k) = x.row(order[static_cast<std::size_t>(k)]);
  std::vector<std::int64_t> sample(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(sample_size));
  std::sort(sample.begin(), sample.end());
  for (int it = 0; it < iterations; ++it) {
    const std::vector<std::int32_t> cell = assign(x, &sample, out.centroids, threads, check);
    DenseMatrix sums = DenseMatrix::Zero(c, x.cols());
    for (std::size_t r = 0; r < sample.size(); ++r) sums.row(cell[r]) += x.row(sample[r]);
    for (std::int64_t k = 0; k < c; ++k) {
      const double norm = sums.row(k).norm();
      if (norm > 0) out.centroids.row(k) = sums.row(k) / norm;  // an empty cell keeps its centroid
    }
  }
  out.cell_of = assign(x, nullptr, out.centroids, threads, check);
  group_rows(out.cell_of, c, out.start, out.rows);
  return out;
}

void group_rows(const std::vector<std::int32_t>& label, std::int64_t groups,
                std::vector<std::int64_t>& start, std::vector<std::int64_t>& rows) {
  start.assign(static_cast<std::size_t>(groups) + 1, 0);
  for (const std::int32_t g : label) {
    if (g >= 0) ++start[static_cast<std::size_t>(g) + 1];
  }
  for (std::size_t g = 0; g < static_cast<std::size_t>(groups); ++g) start[g + 1] += start[g];
  rows.resize(static_cast<std::size_t>(start.back()));
  std::vector<std::int64_t> fill(start.begin(), start.end() - 1);
  for (std::size_t i = 0; i < label.size(); ++i) {
    if (label[i] >= 0) rows[static_cast<std::size_t>(fill[static_cast<std::size_t>(label[i])]++)] = static_cast<std::int64_t>(i);
  }
}

std::vector<std::int32_t> nearest_cells(const Cells& cells, const DenseMatrix& q, int threads,
                                        const InterruptCheck* check) {
  return assign(q, nullptr, cells.centroids, threads, check);
}

std::vector<std::int32_t> probe_lists(const Cells& cells, int probes) {
  const std::int64_t c = cells.size();
  const std::int64_t p = std::clamp<std::int64_t>(probes, 1, std::max<std::int64_t>(1, c));
  std::vector<std::int32_t> out(static_cast<std::size_t>(c * p));
  const DenseMatrix sims = cells.centroids * cells.centroids.transpose();
  std::vector<std::int32_t> others(static_cast<std::size_t>(c));
  for (std::int64_t k = 0; k < c; ++k) {
    std::iota(others.begin(), others.end(), 0);
    std::swap(others[0], others[static_cast<std::size_t>(k)]);
    // Itself first, then the most similar (ties: the lower cell).
    std::partial_sort(others.begin() + 1, others.begin() + p, others.end(),
                      [&](std::int32_t a, std::int32_t b) {
                        const double sa = sims(k, a), sb = sims(k, b);
                        return sa != sb ? sa > sb : a < b;
                      });
    std::copy(others.begin(), others.begin() + p, out.begin() + k * p);
  }
  return out;
}

}  // namespace newsim::detail
