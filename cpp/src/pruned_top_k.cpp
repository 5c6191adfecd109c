// Exact top-k with score bounds (see inverted_index.hpp), and its approximate variant.
//
// Each row of x reads the postings of its terms rarest first, summing partial scores. With
// rows normalised and values non-negative, a row of y that shares none of the terms read so
// far scores at most bound = min(|x_rest|, Σ x_t · max_t) over the terms left (Cauchy-Schwarz;
// the largest weight of each term). From time to time the rows with the best partial scores
// are scored exactly; once the bound falls below the k-th best exact score, no unseen row can
// enter the list and the commonest terms' long postings are never read. The rows met are then
// scored exactly, in column order as all_pairs sums them (so scores are bit-identical),
// skipping those whose partial score plus their own bound (|x_rest| times their norm on terms
// at least as common) cannot reach the k-th best.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "inverted_index.hpp"
#include "newsim/detail/collect.hpp"
#include "newsim/detail/parallel.hpp"

namespace newsim::detail {

namespace {
// Margin on every bound comparison: far above the rounding of a sum of products of weights
// in [0, 1], so rounding never prunes a row that belongs in the list.
constexpr double kSlack = 1e-9;
constexpr std::int64_t kRowsPerTask = 32;
// Document frequencies are grouped by their binary logarithm for the rows' tail norms.
constexpr int kLevels = 32;
// approximate: the index entries a row reads by default.
constexpr std::int64_t kPostings = 20000;

int level(std::int64_t df) {
  int l = 0;
  while (l + 1 < kLevels && (std::int64_t{2} << l) <= df) ++l;
  return l;
}

float round_up(double v) {
  float f = static_cast<float>(v);
  if (static_cast<double>(f) < v) f = std::nextafter(f, std::numeric_limits<float>::infinity());
  return f;
}

struct Term {
  std::int64_t df;
  std::int32_t col;
  double value;
};

struct Space {
  std::vector<double> acc;      // partial scores, rows of y
  // approximate: the partial scores only choose the rows scored exactly, so they are floats:
  // half the bytes of a scattered array as long as y, so more of it stays in cache.
  std::vector<float> acc32;
  std::vector<std::uint8_t> seen;  // scored exactly
  std::vector<std::int32_t> touched;
  std::vector<double> query;    // the row of x scattered by column
  std::vector<Term> terms;
  std::vector<double> bound;    // bound[i]: the most the terms from i on can add
  std::vector<double> norm;     // norm[i]: the norm of the terms from i on
  std::vector<std::uint64_t> has;  // bitmap of the row's columns
  std::vector<std::int32_t> scored;
  std::vector<std::pair<double, std::int32_t>> ranked;
};

bool non_negative(const CsrRef& m) {
  const std::int64_t nnz = m.nnz();
  for (std::int64_t p = 0; p < nnz; ++p) {
    if (m.data[p] < 0) return false;
  }
  return true;
}

}  // namespace

bool prunable(const CsrRef& x, const CsrRef* y, Metric metric) {
  return metric == Metric::cosine && non_negative(x) && (y == nullptr || non_negative(*y));
}

Neighbors pruned_top_k(const CsrRef& x, const std::vector<double>& x_scale, const CsrRef& y,
                       const std::vector<double>& y_scale, const InvertedIndex& index,
                       bool symmetric, const TopKOptions& options) {
  const bool approximate = options.method == TopKMethod::approximate;
  const int k = effective_k(options.k,
                            symmetric && options.exclude_self ? index.rows - 1 : index.rows);
  Neighbors out = padded_neighbors(x.rows, k);
  if (x.rows == 0) return out;
  const bool exclude_self = symmetric && options.exclude_self;
  const std::int64_t ny = index.rows;
  // The largest weight of each term: bounds what its postings can add.
  std::vector<double> max_weight(index.start.size() - 1, 0.0);
  for (std::size_t t = 0; t + 1 < index.start.size(); ++t) {
    double m = 0;
    for (std::int64_t q = index.start[t]; q < index.start[t + 1]; ++q) {
      m = std::max(m, index.weight[static_cast<std::size_t>(q)]);
    }
    max_weight[t] = m;
  }
  // tail[j * kLevels + l]: the norm of row j of y on its terms of df >= 2^l, rounded up.
  const int threads = resolve_threads(options.n_jobs);
  // (Only the exact search reads it.)
  std::vector<float> tail(approximate ? 0 : static_cast<std::size_t>(ny) * kLevels, 0.0f);
  parallel_for(approximate ? 0 : static_cast<std::size_t>((ny + 4095) / 4096), threads,
               [&](std::size_t task, std::size_t) {
                 double sq[kLevels];
                 const std::int64_t j1 = std::min<std::int64_t>(ny, (task + 1) * 4096);
                 for (std::int64_t j = static_cast<std::int64_t>(task) * 4096; j < j1; ++j) {
                   const double sy = y_scale[static_cast<std::size_t>(j)];
                   if (sy == 0) continue;
                   std::fill(sq, sq + kLevels, 0.0);
                   for (std::int64_t p = y.indptr[j]; p < y.indptr[j + 1]; ++p) {
                     const auto c = static_cast<std::size_t>(y.indices[p]);
                     const double w = y.data[p] / sy;
                     sq[level(index.start[c + 1] - index.start[c])] += w * w;
                   }
                   float* out_j = tail.data() + static_cast<std::size_t>(j) * kLevels;
                   double sum = 0;
                   for (int l = kLevels; l-- > 0;) {
                     sum += sq[l];
                     out_j[l] = round_up(std::sqrt(sum));
                   }
                 }
               });
  const int candidates = std::max(options.candidates > 0 ? options.candidates : 4 * k, k);
  const std::int64_t budget = !approximate ? std::numeric_limits<std::int64_t>::max()
                              : options.postings > 0 ? options.postings : kPostings;
  std::vector<Space> spaces(static_cast<std::size_t>(std::max(1, threads)));
  const std::size_t tasks = static_cast<std::size_t>((x.rows + kRowsPerTask - 1) / kRowsPerTask);

  const auto score_row = [&](Space& sp, std::int64_t r, auto* acc) {
    const double sx = x_scale[static_cast<std::size_t>(r)];
    if (sx == 0) return;
    std::vector<Term>& terms = sp.terms;
    terms.clear();
    for (std::int64_t p = x.indptr[r]; p < x.indptr[r + 1]; ++p) {
      const auto c = static_cast<std::size_t>(x.indices[p]);
      terms.push_back({index.start[c + 1] - index.start[c], x.indices[p], x.data[p] / sx});
    }
    std::sort(terms.begin(), terms.end(), [](const Term& a, const Term& b) {
      return a.df < b.df || (a.df == b.df && a.col < b.col);
    });
    const std::size_t m = terms.size();
    sp.bound.assign(m + 1, 0.0);
    sp.norm.assign(m + 1, 0.0);
    double sq = 0, by_max = 0;
    for (std::size_t i = m; i-- > 0;) {
      sq += terms[i].value * terms[i].value;
      by_max += terms[i].value * max_weight[static_cast<std::size_t>(terms[i].col)];
      sp.norm[i] = std::sqrt(sq);
      sp.bound[i] = std::min(sp.norm[i], by_max);
    }
    std::uint8_t* seen = sp.seen.data();
    std::vector<std::int32_t>& touched = sp.touched;
    for (const Term& t : terms) {
      sp.query[static_cast<std::size_t>(t.col)] = t.value;
      sp.has[static_cast<std::size_t>(t.col) >> 6] |= std::uint64_t{1} << (t.col & 63);
    }
    const std::uint64_t* has = sp.has.data();
    const std::size_t at = static_cast<std::size_t>(r) * static_cast<std::size_t>(k);
    double* scores = out.scores.data() + at;
    std::int64_t* found = out.indices.data() + at;
    std::int32_t count = 0;
    double floor = 0;  // the k-th best exact score so far: a lower bound on the final one
    const auto rescore = [&](std::int32_t j) {
      if (seen[j] != 0) return;
      seen[j] = 1;
      sp.scored.push_back(j);
      const double sy = y_scale[static_cast<std::size_t>(j)];
      if (sy == 0) return;
      double s = 0;
      for (std::int64_t p = y.indptr[j]; p < y.indptr[j + 1]; ++p) {
        const std::int32_t col = y.indices[p];
        if ((has[col >> 6] >> (col & 63) & 1) == 0) continue;
        s += sp.query[static_cast<std::size_t>(col)] * (y.data[p] / sy);
      }
      if (s == 0) return;
      offer(scores, found, count, k, s, j);
      if (count == k) floor = scores[k - 1];
    };
    // Scores exactly the `n` rows met with the best partial scores (self left out).
    const auto rescore_best = [&](std::size_t n) {
      sp.ranked.clear();
      for (const std::int32_t j : touched) {
        if (seen[j] == 0 && !(exclude_self && j == r)) sp.ranked.emplace_back(acc[j], j);
      }
      n = std::min(n, sp.ranked.size());
      std::nth_element(sp.ranked.begin(), sp.ranked.begin() + static_cast<std::ptrdiff_t>(n),
                       sp.ranked.end(), std::greater<>());
      for (std::size_t c = 0; c < n; ++c) rescore(sp.ranked[c].second);
    };
    std::int64_t read = 0, check_at = 0;
    std::size_t i = 0;
    while (i < m) {
      const Term& t = terms[i];
      if (i > 0 && read + t.df > budget) break;  // approximate only
      const auto c = static_cast<std::size_t>(t.col);
      for (std::int64_t q = index.start[c]; q < index.start[c + 1]; ++q) {
        const std::int32_t j = index.row[static_cast<std::size_t>(q)];
        // A zero weight may list a row twice: rescore() skips the second.
        if (acc[j] == 0) touched.push_back(j);
        acc[j] += t.value * index.weight[static_cast<std::size_t>(q)];
      }
      read += t.df;
      ++i;
      if (i < m && read >= check_at) {
        check_at = 2 * read;
        rescore_best(static_cast<std::size_t>(k));
        if (count == k && sp.bound[i] + kSlack < floor) break;
      }
    }
    const double rest = sp.bound[i];
    if (approximate) {
      rescore_best(static_cast<std::size_t>(candidates));  // no proof
    } else {
      // Each row's own bound: its norm on the terms of df >= 2^l holds the terms left.
      const double x_rest = sp.norm[i];
      const int from = i < m ? level(terms[i].df) : 0;
      for (const std::int32_t j : touched) {
        if (seen[j] != 0 || (exclude_self && j == r)) continue;
        if (count == k) {
          const double own = x_rest * tail[static_cast<std::size_t>(j) * kLevels + from];
          if (acc[j] + std::min(rest, own) + kSlack < floor) continue;
        }
        rescore(j);
      }
    }
    for (const Term& t : terms) {
      sp.query[static_cast<std::size_t>(t.col)] = 0;
      sp.has[static_cast<std::size_t>(t.col) >> 6] = 0;
    }
    for (const std::int32_t j : touched) acc[j] = 0;
    for (const std::int32_t j : sp.scored) seen[j] = 0;
    touched.clear();
    sp.scored.clear();
  };

  parallel_for(
      tasks, threads,
      [&](std::size_t task, std::size_t worker) {
        Space& sp = spaces[worker];
        if (sp.seen.empty()) {
          if (approximate) {
            sp.acc32.assign(static_cast<std::size_t>(ny), 0.0f);
          } else {
            sp.acc.assign(static_cast<std::size_t>(ny), 0.0);
          }
          sp.seen.assign(static_cast<std::size_t>(ny), 0);
          sp.query.assign(static_cast<std::size_t>(x.cols), 0.0);
          sp.has.assign(static_cast<std::size_t>(x.cols / 64 + 1), 0);
        }
        const std::int64_t r0 = static_cast<std::int64_t>(task) * kRowsPerTask;
        const std::int64_t r1 = std::min(x.rows, r0 + kRowsPerTask);
        for (std::int64_t r = r0; r < r1; ++r) {
          if (approximate) {
            score_row(sp, r, sp.acc32.data());
          } else {
            score_row(sp, r, sp.acc.data());
          }
        }
      },
      options.interrupted ? &options.interrupted : nullptr);
  return out;
}

}  // namespace newsim::detail
