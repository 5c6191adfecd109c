// top_k's pruned and approximate methods against all_pairs.

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "corpora.hpp"
#include "csr_fixture.hpp"
#include "newsim/article.hpp"
#include "newsim/errors.hpp"
#include "newsim/similarity.hpp"
#include "newsim/vectorizer.hpp"

namespace {

using newsim::TopKMethod;
using newsim_test::Owned;

// Rows with a few common columns (weights small, in most rows) and many rare ones, as TF-IDF
// has; plus an empty row, exact duplicates, a multiple and rows that tie.
std::vector<std::vector<double>> skewed_rows(std::size_t n, std::size_t cols, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::vector<double>> rows(n, std::vector<double>(cols, 0.0));
  for (auto& r : rows) {
    for (std::size_t c = 0; c < cols; ++c) {
      const double p = c < 5 ? 0.8 : 0.6 / static_cast<double>(c);  // Zipf-like
      if (u(gen) < p) r[c] = c < 5 ? 0.2 * u(gen) : (u(gen) < 0.3 ? 1.0 : u(gen));
    }
  }
  rows[3].assign(cols, 0.0);
  rows[5] = rows[4];
  rows[6] = rows[4];
  for (auto& v : rows[6]) v *= 3;
  rows[8].assign(cols, 0.0);
  rows[8][1] = 1;  // rows 8 and 9 tie with every row that has column 1 alone
  rows[9] = rows[8];
  return rows;
}

newsim::Neighbors run(const newsim::CsrRef& x, const newsim::CsrRef* y, int k,
                      TopKMethod method, int threads = 2, bool exclude_self = true,
                      int candidates = 0, std::int64_t postings = 0) {
  newsim::TopKOptions o;
  o.k = k;
  o.method = method;
  o.n_jobs = threads;
  o.exclude_self = exclude_self;
  o.candidates = candidates;
  o.postings = postings;
  return newsim::top_k(x, y, o);
}

// Bit-for-bit: the same indices and the same doubles.
void expect_identical(const newsim::Neighbors& a, const newsim::Neighbors& b) {
  ASSERT_EQ(a.rows, b.rows);
  ASSERT_EQ(a.k, b.k);
  const std::size_t n = static_cast<std::size_t>(a.rows) * static_cast<std::size_t>(a.k);
  for (std::size_t p = 0; p < n; ++p) {
    ASSERT_EQ(a.indices[p], b.indices[p]) << "row " << p / a.k << ", rank " << p % a.k;
    ASSERT_EQ(std::memcmp(&a.scores[p], &b.scores[p], sizeof(double)), 0)
        << "row " << p / a.k << ", rank " << p % a.k << ": " << a.scores[p] << " vs "
        << b.scores[p];
  }
}

// The share of the exact list's neighbours (padding left out) that `got` found.
double recall(const newsim::Neighbors& got, const newsim::Neighbors& exact) {
  std::int64_t hit = 0, total = 0;
  for (std::int64_t i = 0; i < exact.rows; ++i) {
    for (int c = 0; c < exact.k; ++c) {
      const std::int64_t j = exact.indices[static_cast<std::size_t>(i * exact.k + c)];
      if (j < 0) continue;
      ++total;
      for (int d = 0; d < got.k; ++d) hit += got.indices[static_cast<std::size_t>(i * got.k + d)] == j;
    }
  }
  return total == 0 ? 1.0 : static_cast<double>(hit) / static_cast<double>(total);
}

struct Tfidf {
  newsim::CsrMatrix<double> m;
  newsim::CsrRef ref() const { return m; }
};

// Sublinear TF-IDF vectors of the first n Reuters articles, or nothing without the corpus.
bool reuters_tfidf(std::size_t n, Tfidf& out) {
  const auto corpus = newsim_test::reuters_articles(n);
  if (!corpus) return false;
  newsim::VectorizerOptions vo;
  vo.sublinear_tf = true;
  newsim::Vectorizer v(vo);
  out.m = v.fit_transform<double>(newsim::as_documents(newsim::documents(*corpus)));
  return true;
}

}  // namespace

TEST(PrunedTopK, IdenticalToAllPairsOnRandomRows) {
  for (const unsigned seed : {1u, 2u, 3u}) {
    const auto rows = skewed_rows(400, 300, seed);
    const Owned x(rows, 300);
    for (const int k : {1, 3, 10, 500}) {
      const auto exact = run(x.ref(), nullptr, k, TopKMethod::all_pairs);
      expect_identical(run(x.ref(), nullptr, k, TopKMethod::pruned), exact);
      expect_identical(run(x.ref(), nullptr, k, TopKMethod::pruned, 1), exact);
    }
    expect_identical(run(x.ref(), nullptr, 4, TopKMethod::pruned, 2, false),
                     run(x.ref(), nullptr, 4, TopKMethod::all_pairs, 2, false));
  }
}

TEST(PrunedTopK, IdenticalToAllPairsAgainstAnotherMatrix) {
  const auto rows = skewed_rows(300, 200, 9);
  const Owned y(rows, 200);
  const Owned x(skewed_rows(50, 200, 10), 200);
  const newsim::CsrRef yr = y.ref();
  for (const int k : {1, 7}) {
    expect_identical(run(x.ref(), &yr, k, TopKMethod::pruned),
                     run(x.ref(), &yr, k, TopKMethod::all_pairs));
  }
}

TEST(PrunedTopK, IdenticalToAllPairsOnNews) {
  Tfidf t;
  if (!reuters_tfidf(3000, t)) GTEST_SKIP() << "Reuters corpus not found";
  for (const int k : {1, 10}) {
    expect_identical(run(t.ref(), nullptr, k, TopKMethod::pruned),
                     run(t.ref(), nullptr, k, TopKMethod::all_pairs));
  }
  // automatic is all_pairs below 50,000 rows, the same lists either way.
  expect_identical(run(t.ref(), nullptr, 10, TopKMethod::automatic),
                   run(t.ref(), nullptr, 10, TopKMethod::pruned));
}

TEST(PrunedTopK, NegativeValuesAndDotFallBackToAllPairs) {
  auto rows = skewed_rows(120, 60, 4);
  rows[10][2] = -0.5;
  const Owned x(rows, 60);
  expect_identical(run(x.ref(), nullptr, 5, TopKMethod::pruned),
                   run(x.ref(), nullptr, 5, TopKMethod::all_pairs));
  newsim::TopKOptions o;
  o.k = 5;
  o.metric = newsim::Metric::dot;
  o.method = TopKMethod::pruned;
  const auto pruned_dot = newsim::top_k(x.ref(), nullptr, o);
  o.method = TopKMethod::all_pairs;
  expect_identical(pruned_dot, newsim::top_k(x.ref(), nullptr, o));
}

TEST(ApproximateTopK, RecallIsMeasuredAndAllCandidatesAreExact) {
  Tfidf t;
  if (!reuters_tfidf(3000, t)) GTEST_SKIP() << "Reuters corpus not found";
  const auto exact = run(t.ref(), nullptr, 10, TopKMethod::all_pairs);
  const auto few = run(t.ref(), nullptr, 10, TopKMethod::approximate, 2, true, 10);
  const auto some = run(t.ref(), nullptr, 10, TopKMethod::approximate);
  const double r_few = recall(few, exact), r_some = recall(some, exact);
  EXPECT_GT(r_few, 0.5);
  EXPECT_LE(r_few, r_some);
  EXPECT_GT(r_some, 0.9);
  // Every score it gives is the exact score of that pair.
  for (std::int64_t i = 0; i < exact.rows; ++i) {
    for (int c = 0; c < 10; ++c) {
      const auto at = static_cast<std::size_t>(i * 10 + c);
      const std::int64_t j = some.indices[at];
      if (j < 0) continue;
      for (int d = 0; d < 10; ++d) {
        const auto e = static_cast<std::size_t>(i * 10 + d);
        if (exact.indices[e] == j) EXPECT_EQ(exact.scores[e], some.scores[at]);
      }
    }
  }
  // Reading one term per row finds less than the default budget.
  const auto one_term = run(t.ref(), nullptr, 10, TopKMethod::approximate, 2, true, 0, 1);
  EXPECT_LT(recall(one_term, exact), r_some);
  // With every posting read and every row met a candidate, the search is the pruned one.
  const std::int64_t all = std::int64_t{1} << 40;
  expect_identical(run(t.ref(), nullptr, 10, TopKMethod::approximate, 2, true, 1 << 30, all),
                   exact);
}

TEST(ApproximateTopK, RejectsNegativeCandidatesAndPostings) {
  const Owned x(skewed_rows(20, 10, 1), 10);
  EXPECT_THROW(run(x.ref(), nullptr, 2, TopKMethod::approximate, 1, true, -1),
               newsim::InvalidArgument);
  EXPECT_THROW(run(x.ref(), nullptr, 2, TopKMethod::approximate, 1, true, 0, -1),
               newsim::InvalidArgument);
}
