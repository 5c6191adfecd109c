#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "newsim/dense.hpp"
#include "newsim/detail/dense_block.hpp"
#include "newsim/errors.hpp"
#include "newsim/similarity.hpp"

namespace {

using newsim::DenseRef;
using newsim::Metric;

struct Rows {
  std::int64_t n = 0;
  std::int64_t d = 0;
  std::vector<double> v;
  DenseRef ref() const { return {n, d, v.data()}; }
};

// Small integers, so products are exact; some zero rows and duplicates, for ties.
Rows random_rows(std::int64_t n, std::int64_t d, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> u(-3, 3);
  Rows r{n, d, std::vector<double>(static_cast<std::size_t>(n * d))};
  for (auto& x : r.v) x = u(gen);
  for (std::int64_t i = 0; i < n; i += 7) std::fill_n(r.v.begin() + i * d, d, 0.0);
  for (std::int64_t i = 3; i + 1 < n; i += 11) {
    std::copy_n(r.v.begin() + i * d, d, r.v.begin() + (i + 1) * d);
  }
  return r;
}

double score(const Rows& a, std::int64_t i, const Rows& b, std::int64_t j, Metric m) {
  double dot = 0, na = 0, nb = 0;
  for (std::int64_t t = 0; t < a.d; ++t) {
    dot += a.v[i * a.d + t] * b.v[j * b.d + t];
    na += a.v[i * a.d + t] * a.v[i * a.d + t];
    nb += b.v[j * b.d + t] * b.v[j * b.d + t];
  }
  if (m == Metric::dot) return dot;
  return na == 0 || nb == 0 ? 0.0 : dot / std::sqrt(na) / std::sqrt(nb);
}

// Brute force: every non-zero score, by descending score then index.
void expect_top_k(const Rows& x, const Rows* y, const newsim::Neighbors& nb, int k,
                  bool exclude_self, Metric m) {
  const Rows& yy = y == nullptr ? x : *y;
  ASSERT_EQ(nb.rows, x.n);
  for (std::int64_t i = 0; i < x.n; ++i) {
    std::vector<std::pair<double, std::int64_t>> all;
    for (std::int64_t j = 0; j < yy.n; ++j) {
      if (y == nullptr && exclude_self && i == j) continue;
      const double s = score(x, i, yy, j, m);
      if (s != 0) all.emplace_back(-s, j);
    }
    std::sort(all.begin(), all.end());
    for (int c = 0; c < k; ++c) {
      const auto at = static_cast<std::size_t>(i * k + c);
      if (c < static_cast<int>(all.size())) {
        EXPECT_NEAR(nb.scores[at], -all[static_cast<std::size_t>(c)].first, 1e-12) << i;
        // Equal scores in exact arithmetic may round apart: compare the index only when the
        // score is clear of its neighbours.
        const double s = -all[static_cast<std::size_t>(c)].first;
        const bool clear = (c == 0 || -all[static_cast<std::size_t>(c) - 1].first > s + 1e-9) &&
                           (c + 1 >= static_cast<int>(all.size()) ||
                            -all[static_cast<std::size_t>(c) + 1].first < s - 1e-9);
        if (clear) EXPECT_EQ(nb.indices[at], all[static_cast<std::size_t>(c)].second) << i;
      } else {
        EXPECT_EQ(nb.indices[at], -1);
        EXPECT_EQ(nb.scores[at], 0.0);
      }
    }
  }
}

TEST(DenseTopK, MatchesBruteForceAcrossTiles) {
  const Rows x = random_rows(300, 9, 1);  // more rows than one tile in both directions
  for (bool exclude : {true, false}) {
    newsim::TopKOptions o;
    o.k = 5;
    o.exclude_self = exclude;
    expect_top_k(x, nullptr, newsim::top_k(x.ref(), nullptr, o), 5, exclude, Metric::cosine);
  }
  const Rows y = random_rows(700, 9, 2);
  newsim::TopKOptions o;
  o.k = 7;
  o.metric = Metric::dot;
  const DenseRef yr = y.ref();
  expect_top_k(x, &y, newsim::top_k(x.ref(), &yr, o), 7, false, Metric::dot);
}

TEST(DenseTopK, ExactTiesGoToTheSmallerIndexAndZeroRowsArePadded) {
  // Rows 1, 2 and 3 are row 0 times powers of two (equal scores); row 4 is zeros.
  const Rows x{5, 2, {1, 1, 2, 2, 1, 1, 4, 4, 0, 0}};
  newsim::TopKOptions o;
  o.k = 3;
  const auto nb = newsim::top_k(x.ref(), nullptr, o);
  EXPECT_EQ(std::vector<std::int64_t>(nb.indices.begin(), nb.indices.begin() + 3),
            (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(std::vector<std::int64_t>(nb.indices.begin() + 12, nb.indices.end()),
            (std::vector<std::int64_t>{-1, -1, -1}));
  EXPECT_EQ(nb.scores[12], 0.0);
}

TEST(DenseTopK, ResultsDoNotDependOnThreads) {
  const Rows x = random_rows(1000, 33, 3);
  newsim::TopKOptions o;
  o.k = 10;
  o.n_jobs = 1;
  const auto a = newsim::top_k(x.ref(), nullptr, o);
  o.n_jobs = 2;
  const auto b = newsim::top_k(x.ref(), nullptr, o);
  o.n_jobs = 3;
  const auto c = newsim::top_k(x.ref(), nullptr, o);
  EXPECT_TRUE(std::equal(a.indices.begin(), a.indices.end(), b.indices.begin()));
  EXPECT_TRUE(std::equal(a.scores.begin(), a.scores.end(), b.scores.begin()));
  EXPECT_TRUE(std::equal(a.scores.begin(), a.scores.end(), c.scores.begin()));
  newsim::JoinOptions j;
  j.threshold = 0.3;
  j.n_jobs = 1;
  const auto p = newsim::similarity_join(x.ref(), nullptr, j);
  j.n_jobs = 2;
  const auto q = newsim::similarity_join(x.ref(), nullptr, j);
  ASSERT_EQ(p.nnz(), q.nnz());
  EXPECT_TRUE(std::equal(p.indptr.begin(), p.indptr.end(), q.indptr.begin()));
  EXPECT_TRUE(std::equal(p.indices.begin(), p.indices.end(), q.indices.begin()));
  EXPECT_TRUE(std::equal(p.data.begin(), p.data.end(), q.data.begin()));
}

TEST(DenseJoin, MatchesBruteForce) {
  const Rows x = random_rows(200, 6, 4);
  const Rows y = random_rows(600, 6, 5);
  newsim::JoinOptions o;
  o.threshold = 0.6;
  for (const Rows* other : {static_cast<const Rows*>(nullptr), &y}) {
    const Rows& yy = other == nullptr ? x : *other;
    const DenseRef yr = yy.ref();
    const auto m = newsim::similarity_join(x.ref(), other == nullptr ? nullptr : &yr, o);
    ASSERT_EQ(m.cols, yy.n);
    for (std::int64_t i = 0; i < x.n; ++i) {
      std::vector<std::int64_t> want;
      for (std::int64_t j = other == nullptr ? i + 1 : 0; j < yy.n; ++j) {
        const double s = score(x, i, yy, j, Metric::cosine);
        if (std::abs(s - 0.6) < 1e-9) continue;  // too close to call
        if (s >= 0.6) want.push_back(j);
      }
      std::vector<std::int64_t> got;
      for (auto p = m.indptr[static_cast<std::size_t>(i)]; p < m.indptr[static_cast<std::size_t>(i) + 1]; ++p) {
        const double s = score(x, i, yy, m.indices[static_cast<std::size_t>(p)], Metric::cosine);
        EXPECT_NEAR(m.data[static_cast<std::size_t>(p)], s, 1e-12);
        if (std::abs(s - 0.6) >= 1e-9) got.push_back(m.indices[static_cast<std::size_t>(p)]);
      }
      EXPECT_EQ(got, want) << "row " << i;
    }
  }
}

TEST(DenseScoring, RowsMatchTheTiles) {
  const Rows x = random_rows(130, 5, 6);
  const Rows y = random_rows(600, 5, 7);
  const auto sx = newsim::detail::row_scales(x.ref(), Metric::cosine);
  const auto sy = newsim::detail::row_scales(y.ref(), Metric::cosine);
  std::vector<double> rows(static_cast<std::size_t>(2 * y.n));
  newsim::detail::TileScratch scratch;
  newsim::detail::score_rows(x.ref(), sx.data(), 128, 130, y.ref(), sy.data(), rows.data(),
                             scratch);
  for (std::int64_t j = 0; j < y.n; ++j) {
    EXPECT_NEAR(rows[static_cast<std::size_t>(y.n + j)], score(x, 129, y, j, Metric::cosine), 1e-12);
  }
}

TEST(DenseTopK, BadInput) {
  Rows x{2, 2, {1, 0, std::nan(""), 1}};
  newsim::TopKOptions o;
  EXPECT_THROW(newsim::top_k(x.ref(), nullptr, o), newsim::InvalidArgument);
  x.v[2] = 0;
  o.k = 0;
  EXPECT_THROW(newsim::top_k(x.ref(), nullptr, o), newsim::InvalidArgument);
  o.k = 1;
  const Rows y{1, 3, {1, 2, 3}};
  const DenseRef yr = y.ref();
  EXPECT_THROW(newsim::top_k(x.ref(), &yr, o), newsim::InvalidArgument);
  newsim::JoinOptions j;
  j.threshold = 0;
  EXPECT_THROW(newsim::similarity_join(x.ref(), nullptr, j), newsim::InvalidArgument);
  const Rows empty{0, 3, {}};
  EXPECT_EQ(newsim::top_k(empty.ref(), nullptr, o).rows, 0);
}

}  // namespace

TEST(DenseTopK, KIsClampedToTheCandidates) {
  const Rows x = random_rows(50, 5, 8);
  newsim::TopKOptions o;
  o.k = 100000000;  // 50 * 10^8 slots would not fit in memory
  const auto nb = newsim::top_k(x.ref(), nullptr, o);
  EXPECT_EQ(nb.k, 49);
  newsim::TopKOptions all = o;
  all.k = 49;
  const auto want = newsim::top_k(x.ref(), nullptr, all);
  EXPECT_TRUE(std::equal(nb.indices.begin(), nb.indices.end(), want.indices.begin()));
  EXPECT_TRUE(std::equal(nb.scores.begin(), nb.scores.end(), want.scores.begin()));
  const Rows y = random_rows(9, 5, 9);
  const DenseRef yr = y.ref();
  EXPECT_EQ(newsim::top_k(x.ref(), &yr, o).k, 9);
}

TEST(DenseJoin, MaxPairsBoundsTheResult) {
  const Rows x = random_rows(300, 6, 4);
  for (const int threads : {1, 2}) {
    newsim::JoinOptions o;
    o.threshold = 1e-9;
    o.n_jobs = threads;
    o.max_pairs = -1;
    const auto n = static_cast<std::int64_t>(newsim::similarity_join(x.ref(), nullptr, o).nnz());
    ASSERT_GT(n, 1000);
    o.max_pairs = n;
    EXPECT_EQ(static_cast<std::int64_t>(newsim::similarity_join(x.ref(), nullptr, o).nnz()), n);
    o.max_pairs = n - 1;
    try {
      newsim::similarity_join(x.ref(), nullptr, o);
      ADD_FAILURE() << "no error past max_pairs";
    } catch (const newsim::InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(std::to_string(n) + " pairs"), std::string::npos)
          << e.what();
    }
  }
}
