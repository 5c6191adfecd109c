#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "newsim/errors.hpp"
#include "newsim/similarity.hpp"
#include "newsim/vectorizer.hpp"
#include "csr_fixture.hpp"

namespace {

using newsim_test::cosine;
using newsim_test::Owned;

std::vector<std::vector<double>> random_rows(std::size_t n, std::size_t cols, double density,
                                             unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::vector<double>> rows(n, std::vector<double>(cols, 0.0));
  for (auto& r : rows) {
    for (auto& v : r) {
      if (u(gen) < density) v = u(gen) < 0.3 ? std::floor(u(gen) * 4) + 1 : u(gen);
    }
  }
  if (n > 6) {
    rows[3].assign(cols, 0.0);  // an empty row
    rows[5] = rows[4];          // a duplicate
    rows[6] = rows[4];
    for (auto& v : rows[6]) v *= 2;
  }
  return rows;
}

// The brute-force neighbours of row i: non-zero scores, by descending score then index.
std::vector<std::pair<double, std::int64_t>> brute(const std::vector<std::vector<double>>& x,
                                                   std::size_t i,
                                                   const std::vector<std::vector<double>>& y,
                                                   bool skip_self) {
  std::vector<std::pair<double, std::int64_t>> out;
  for (std::size_t j = 0; j < y.size(); ++j) {
    if (skip_self && j == i) continue;
    const double s = cosine(x[i], y[j]);
    if (s != 0) out.emplace_back(s, static_cast<std::int64_t>(j));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.first > b.first || (a.first == b.first && a.second < b.second);
  });
  return out;
}

// Compares a top-k row with the reference: scores within 1e-9, and the same indices except
// where reference scores tie within 1e-12 (their order is then a matter of rounding).
void expect_row_matches(const newsim::Neighbors& nb, std::size_t i,
                        const std::vector<std::pair<double, std::int64_t>>& ref) {
  const int k = nb.k;
  for (int c = 0; c < k; ++c) {
    const auto at = i * static_cast<std::size_t>(k) + static_cast<std::size_t>(c);
    if (static_cast<std::size_t>(c) >= ref.size()) {
      EXPECT_EQ(nb.indices[at], -1) << "row " << i;
      EXPECT_EQ(nb.scores[at], 0.0) << "row " << i;
      continue;
    }
    EXPECT_NEAR(nb.scores[at], ref[static_cast<std::size_t>(c)].first, 1e-9) << "row " << i;
    const bool tie = (c > 0 && std::abs(ref[c].first - ref[c - 1].first) < 1e-12) ||
                     (static_cast<std::size_t>(c) + 1 < ref.size() &&
                      std::abs(ref[c].first - ref[c + 1].first) < 1e-12);
    if (!tie) EXPECT_EQ(nb.indices[at], ref[static_cast<std::size_t>(c)].second) << "row " << i;
  }
}

}  // namespace

TEST(TopK, MatchesBruteForceWithEmptyAndDuplicateRows) {
  const auto rows = random_rows(120, 40, 0.15, 7);
  const Owned x(rows, 40);
  for (const int k : {1, 5, 200}) {  // 200 > n
    newsim::TopKOptions o;
    o.k = k;
    o.n_jobs = 1;
    const auto nb = newsim::top_k(x.ref(), nullptr, o);
    ASSERT_EQ(nb.rows, 120);
    for (std::size_t i = 0; i < rows.size(); ++i) expect_row_matches(nb, i, brute(rows, i, rows, true));
  }
  // The duplicate rows 4 and 5 (and 6, twice 4) score 1 with each other.
  newsim::TopKOptions o;
  o.k = 2;
  const auto nb = newsim::top_k(x.ref(), nullptr, o);
  EXPECT_EQ(nb.indices[4 * 2], 5);
  EXPECT_EQ(nb.indices[4 * 2 + 1], 6);
  EXPECT_DOUBLE_EQ(nb.scores[4 * 2], 1.0);
  EXPECT_EQ(nb.indices[3 * 2], -1);  // the empty row has no neighbours
}

TEST(TopK, KeepsSelfWhenAsked) {
  const auto rows = random_rows(30, 20, 0.3, 3);
  const Owned x(rows, 20);
  newsim::TopKOptions o;
  o.k = 3;
  o.exclude_self = false;
  const auto nb = newsim::top_k(x.ref(), nullptr, o);
  for (std::size_t i = 0; i < rows.size(); ++i) expect_row_matches(nb, i, brute(rows, i, rows, false));
}

TEST(TopK, AgainstAnotherMatrixAndAnIndex) {
  const auto xr = random_rows(50, 30, 0.2, 11);
  const auto yr = random_rows(70, 30, 0.2, 12);
  const Owned x(xr, 30), y(yr, 30);
  newsim::TopKOptions o;
  o.k = 4;
  const auto yref = y.ref();
  const auto nb = newsim::top_k(x.ref(), &yref, o);
  for (std::size_t i = 0; i < xr.size(); ++i) expect_row_matches(nb, i, brute(xr, i, yr, false));
  const newsim::NeighborIndex index(yref);
  EXPECT_EQ(index.rows(), 70);
  EXPECT_EQ(index.cols(), 30);
  const auto again = index.top_k(x.ref(), o);
  for (std::size_t a = 0; a < nb.indices.size(); ++a) {
    EXPECT_EQ(again.indices[a], nb.indices[a]);
    EXPECT_EQ(again.scores[a], nb.scores[a]);
  }
}

TEST(TopK, ResultsDoNotDependOnThreads) {
  const auto rows = random_rows(500, 60, 0.1, 5);
  const Owned x(rows, 60);
  newsim::TopKOptions o;
  o.k = 7;
  o.n_jobs = 1;
  const auto a = newsim::top_k(x.ref(), nullptr, o);
  o.n_jobs = 4;
  const auto b = newsim::top_k(x.ref(), nullptr, o);
  for (std::size_t i = 0; i < a.indices.size(); ++i) {
    ASSERT_EQ(a.indices[i], b.indices[i]);
    ASSERT_EQ(a.scores[i], b.scores[i]);  // bit-identical
  }
}

TEST(TopK, DotProductsAndGraph) {
  const Owned x({{1, 0, 2}, {0, 3, 1}, {2, 0, 0}}, 3);
  newsim::TopKOptions o;
  o.k = 2;
  o.metric = newsim::Metric::dot;
  const auto nb = newsim::top_k(x.ref(), nullptr, o);
  // row 0: dot(0,1) = 2 and dot(0,2) = 2 tie: the smaller index first
  EXPECT_EQ(nb.indices[0], 1);
  EXPECT_EQ(nb.scores[0], 2.0);
  EXPECT_EQ(nb.indices[1], 2);
  EXPECT_EQ(nb.indices[2 * 2], 0);  // row 2 meets only row 0
  EXPECT_EQ(nb.indices[2 * 2 + 1], -1);
  const auto g = nb.to_graph(3);
  EXPECT_EQ(g.nnz(), 4u);  // row 1 meets only row 0 too
  EXPECT_EQ(g.coeff(0, 1), 2.0);
  EXPECT_EQ(g.coeff(2, 0), 2.0);
  EXPECT_EQ(g.coeff(2, 1), 0.0);
}

TEST(TopK, RejectsBadInput) {
  const Owned x({{1, 0}, {0, 1}}, 2);
  newsim::TopKOptions o;
  o.k = 0;
  EXPECT_THROW(newsim::top_k(x.ref(), nullptr, o), newsim::InvalidArgument);
  o.k = 1;
  const Owned wide({{1, 0, 1}}, 3);
  const auto w = wide.ref();
  try {
    newsim::top_k(x.ref(), &w, o);
    FAIL() << "expected InvalidArgument";
  } catch (const newsim::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("columns"), std::string::npos) << e.what();
  }
  Owned nan({{1, 0}, {0, 1}}, 2);
  nan.data[1] = std::numeric_limits<double>::quiet_NaN();
  try {
    newsim::top_k(nan.ref(), nullptr, o);
    FAIL() << "expected InvalidArgument";
  } catch (const newsim::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("X row 1, column 1: value is NaN"), std::string::npos)
        << e.what();
  }
  Owned inf({{1, 2}}, 2);
  inf.data[0] = std::numeric_limits<double>::infinity();
  EXPECT_THROW(newsim::top_k(inf.ref(), nullptr, o), newsim::InvalidArgument);
  Owned unsorted({{1, 2}}, 2);
  std::swap(unsorted.indices[0], unsorted.indices[1]);
  EXPECT_THROW(newsim::top_k(unsorted.ref(), nullptr, o), newsim::InvalidArgument);
  Owned outside({{1, 2}}, 2);
  outside.indices[1] = 5;
  EXPECT_THROW(newsim::top_k(outside.ref(), nullptr, o), newsim::InvalidArgument);
}

TEST(TopK, EmptyMatrices) {
  const Owned none(std::vector<std::vector<double>>{}, 4);
  newsim::TopKOptions o;
  o.k = 3;
  const auto nb = newsim::top_k(none.ref(), nullptr, o);
  EXPECT_EQ(nb.rows, 0);
  EXPECT_EQ(nb.indices.size(), 0u);
  const Owned x({{1, 0, 0, 0}}, 4);
  const auto e = none.ref();
  const auto against_empty = newsim::top_k(x.ref(), &e, o);
  EXPECT_EQ(against_empty.indices[0], -1);
}

TEST(TopK, InterruptStopsTheCall) {
  const auto rows = random_rows(200, 50, 0.2, 9);
  const Owned x(rows, 50);
  for (const int threads : {1, 2}) {
    int polls = 0;
    newsim::TopKOptions o;
    o.n_jobs = threads;
    o.interrupted = [&] { return ++polls == 1; };  // the first poll comes before any work
    EXPECT_THROW(newsim::top_k(x.ref(), nullptr, o), newsim::Interrupted) << threads;
    EXPECT_EQ(polls, 1);
    newsim::JoinOptions j;
    j.n_jobs = threads;
    j.interrupted = [] { return true; };
    EXPECT_THROW(newsim::similarity_join(x.ref(), nullptr, j), newsim::Interrupted);
    j.interrupted = [] { return false; };
    EXPECT_NO_THROW(newsim::similarity_join(x.ref(), nullptr, j));
  }
}

TEST(TopK, AThrowingInterruptCheckIsAnError) {
  const auto rows = random_rows(200, 50, 0.2, 9);
  const Owned x(rows, 50);
  for (const int threads : {1, 2}) {
    newsim::TopKOptions o;
    o.n_jobs = threads;
    o.interrupted = []() -> bool { throw std::runtime_error("check failed"); };
    EXPECT_THROW(newsim::top_k(x.ref(), nullptr, o), std::runtime_error) << threads;
  }
}

TEST(SimilarityJoin, MatchesBruteForce) {
  const auto rows = random_rows(150, 30, 0.2, 21);
  const Owned x(rows, 30);
  newsim::JoinOptions o;
  o.threshold = 0.4;
  const auto j = newsim::similarity_join(x.ref(), nullptr, o);
  ASSERT_EQ(j.rows, 150);
  ASSERT_EQ(j.cols, 150);
  std::size_t expected = 0;
  for (std::size_t a = 0; a < rows.size(); ++a) {
    for (std::size_t b = 0; b < rows.size(); ++b) {
      const double s = cosine(rows[a], rows[b]);
      const bool kept = b > a && s >= 0.4 + 1e-12;
      const bool borderline = std::abs(s - 0.4) <= 1e-12;
      if (kept) ++expected;
      if (!borderline) {
        EXPECT_EQ(j.coeff(static_cast<std::int64_t>(a), static_cast<std::int64_t>(b)) != 0, kept)
            << a << "," << b;
      }
      if (kept) EXPECT_NEAR(j.coeff(static_cast<std::int64_t>(a), static_cast<std::int64_t>(b)), s, 1e-9);
    }
  }
  EXPECT_EQ(j.nnz(), expected);
  // Against another matrix: the full rectangle, columns sorted.
  const auto yr = random_rows(40, 30, 0.3, 22);
  const Owned y(yr, 30);
  const auto yref = y.ref();
  const auto jy = newsim::similarity_join(x.ref(), &yref, o);
  EXPECT_EQ(jy.cols, 40);
  std::size_t n = 0;
  for (std::size_t a = 0; a < rows.size(); ++a) {
    for (std::size_t b = 0; b < yr.size(); ++b) n += cosine(rows[a], yr[b]) >= 0.4;
    for (std::int64_t p = jy.indptr[a] + 1; p < jy.indptr[a + 1]; ++p) {
      EXPECT_LT(jy.indices[static_cast<std::size_t>(p) - 1], jy.indices[static_cast<std::size_t>(p)]);
    }
  }
  EXPECT_EQ(jy.nnz(), n);
  o.threshold = 0;
  EXPECT_THROW(newsim::similarity_join(x.ref(), nullptr, o), newsim::InvalidArgument);
  o.threshold = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(newsim::similarity_join(x.ref(), nullptr, o), newsim::InvalidArgument);
}

TEST(Pairwise, IsTheDenseCosineMatrix) {
  const auto rows = random_rows(12, 10, 0.4, 2);
  const Owned x(rows, 10);
  const auto s = newsim::pairwise(x.ref(), nullptr);
  ASSERT_EQ(s.size(), 144u);
  for (std::size_t a = 0; a < 12; ++a) {
    for (std::size_t b = 0; b < 12; ++b) EXPECT_NEAR(s[a * 12 + b], cosine(rows[a], rows[b]), 1e-12);
  }
}

TEST(Explain, ContributionsAddUpToTheScore) {
  const Owned x({{1, 2, 0, 3, 0}, {2, 0, 1, 3, 4}}, 5);
  const auto e = newsim::explain(x.ref(), 0, x.ref(), 1, 10);
  EXPECT_NEAR(e.similarity, cosine({1, 2, 0, 3, 0}, {2, 0, 1, 3, 4}), 1e-12);
  ASSERT_EQ(e.shared.size(), 2u);
  EXPECT_EQ(e.shared[0].term, 3);  // 3·3 beats 1·2
  EXPECT_EQ(e.shared[1].term, 0);
  double total = 0, share = 0;
  for (const auto& c : e.shared) {
    EXPECT_DOUBLE_EQ(c.contribution, c.weight_a * c.weight_b);
    total += c.contribution;
    share += c.share;
  }
  EXPECT_NEAR(total, e.similarity, 1e-15);
  EXPECT_NEAR(share, 1.0, 1e-12);
  ASSERT_EQ(e.only_a.size(), 1u);
  EXPECT_EQ(e.only_a[0].term, 1);
  ASSERT_EQ(e.only_b.size(), 2u);
  EXPECT_EQ(e.only_b[0].term, 4);  // weight 4 before weight 1
  EXPECT_EQ(e.only_b[1].term, 2);
  const auto one = newsim::explain(x.ref(), 0, x.ref(), 1, 1);
  EXPECT_EQ(one.shared.size(), 1u);
  EXPECT_EQ(one.only_b.size(), 1u);
  EXPECT_DOUBLE_EQ(one.similarity, e.similarity);
  EXPECT_THROW(newsim::explain(x.ref(), 2, x.ref(), 0), newsim::IndexOutOfRange);
  // The explained score is the one top_k reports, to the bit.
  newsim::TopKOptions o;
  o.k = 1;
  EXPECT_EQ(newsim::top_k(x.ref(), nullptr, o).scores[0], e.similarity);
}

TEST(KeyTerms, OfARowAndOfACentroid) {
  const Owned x({{1, 5, 0, 3}, {3, 1, 0, 3}, {0, 0, 0, 0}}, 4);
  const auto one = newsim::key_terms(x.ref(), {0}, 2);
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(one[0].term, 1);
  EXPECT_EQ(one[0].weight, 5.0);
  EXPECT_EQ(one[1].term, 3);
  const auto both = newsim::key_terms(x.ref(), {0, 1}, -1);
  ASSERT_EQ(both.size(), 3u);  // column 2 is zero everywhere: left out
  EXPECT_EQ(both[0].term, 1);  // (5+1)/2 = 3 ties with (3+3)/2 = 3: smaller column first
  EXPECT_EQ(both[1].term, 3);
  EXPECT_EQ(both[2].term, 0);
  EXPECT_EQ(both[2].weight, 2.0);
  EXPECT_TRUE(newsim::key_terms(x.ref(), {2}).empty());
  EXPECT_THROW(newsim::key_terms(x.ref(), {}), newsim::InvalidArgument);
  EXPECT_THROW(newsim::key_terms(x.ref(), {3}), newsim::IndexOutOfRange);
}

TEST(TopK, OnTfidfVectorsOfText) {
  const std::vector<std::string> docs = {
      "Russia warns NATO over missile defence in Europe",
      "NATO missile defence plans anger Russia",
      "The football season starts on Saturday",
      "Saturday football results and the league table",
      "Missile defence talks between Russia and NATO stall"};
  newsim::Vectorizer v;
  const auto X = v.fit_transform<double>(newsim::as_documents(docs));
  newsim::TopKOptions o;
  o.k = 1;
  const auto nb = newsim::top_k(X, nullptr, o);
  EXPECT_EQ(nb.indices[2], 3);  // football with football
  EXPECT_EQ(nb.indices[3], 2);
  for (const std::size_t i : {0u, 1u, 4u}) {
    EXPECT_TRUE(nb.indices[i] == 0 || nb.indices[i] == 1 || nb.indices[i] == 4) << i;
  }
}

TEST(TopK, KIsClampedToTheCandidates) {
  // k = 10^8 on 50 rows must not allocate 50 * 10^8 slots: k becomes the candidates' number.
  const auto rows = random_rows(50, 20, 0.3, 31);
  const Owned x(rows, 20);
  newsim::TopKOptions o;
  o.k = 100000000;
  const auto nb = newsim::top_k(x.ref(), nullptr, o);
  EXPECT_EQ(nb.k, 49);  // exclude_self: the 49 others
  EXPECT_EQ(nb.indices.size(), 50u * 49u);
  for (std::size_t i = 0; i < rows.size(); ++i) expect_row_matches(nb, i, brute(rows, i, rows, true));
  o.exclude_self = false;
  EXPECT_EQ(newsim::top_k(x.ref(), nullptr, o).k, 50);
  const Owned y(random_rows(7, 20, 0.3, 32), 20);
  const auto yref = y.ref();
  EXPECT_EQ(newsim::top_k(x.ref(), &yref, o).k, 7);
  EXPECT_EQ(newsim::NeighborIndex(yref).top_k(x.ref(), o).k, 7);
  // One row, exclude_self: no candidates, one padded column.
  const Owned one({{1, 0, 0, 0}}, 4);
  o.exclude_self = true;
  const auto single = newsim::top_k(one.ref(), nullptr, o);
  EXPECT_EQ(single.k, 1);
  EXPECT_EQ(single.indices[0], -1);
}

TEST(SimilarityJoin, MaxPairsBoundsTheResult) {
  const auto rows = random_rows(150, 30, 0.2, 21);
  const Owned x(rows, 30);
  for (const int threads : {1, 2}) {
    newsim::JoinOptions o;
    o.threshold = 1e-9;
    o.n_jobs = threads;
    o.max_pairs = -1;
    const auto all = newsim::similarity_join(x.ref(), nullptr, o);
    const auto n = static_cast<std::int64_t>(all.nnz());
    ASSERT_GT(n, 1000);
    o.max_pairs = n;  // exactly at the bound: kept
    EXPECT_EQ(static_cast<std::int64_t>(newsim::similarity_join(x.ref(), nullptr, o).nnz()), n);
    o.max_pairs = 100;
    try {
      newsim::similarity_join(x.ref(), nullptr, o);
      ADD_FAILURE() << "no error past max_pairs";
    } catch (const newsim::InvalidArgument& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find(std::to_string(n) + " pairs"), std::string::npos) << what;
      EXPECT_NE(what.find("max_pairs = 100"), std::string::npos) << what;
      EXPECT_NE(what.find("1e-09"), std::string::npos) << what;
    }
    const auto xref = x.ref();
    const newsim::NeighborIndex index(xref);
    EXPECT_THROW(index.similarity_join(x.ref(), o), newsim::InvalidArgument);
    o.max_pairs = -1;
    EXPECT_GT(index.similarity_join(x.ref(), o).nnz(), static_cast<std::size_t>(n));  // i, j both ways
  }
  EXPECT_EQ(newsim::JoinOptions{}.max_pairs, newsim::kDefaultMaxPairs);
}
