// explain_pairs and key_terms_rows: each item equals the one-at-a-time explain / key_terms,
// whatever the thread count, and bad input throws as the single calls do.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "newsim/errors.hpp"
#include "newsim/explain_batch.hpp"
#include "csr_fixture.hpp"

namespace {

using newsim::CsrRef;
using newsim::Metric;
using newsim::TermLists;

// Random sparse rows with ties (weights from a small set) and some empty rows.
newsim_test::Owned random_rows(int n, int cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> pick(0, 5);
  std::vector<std::vector<double>> rows(static_cast<std::size_t>(n),
                                        std::vector<double>(static_cast<std::size_t>(cols), 0.0));
  for (int i = 0; i < n; ++i) {
    if (i % 7 == 3) continue;  // an empty row
    for (int c = 0; c < cols; ++c) {
      const int v = pick(rng);
      if (v >= 3) rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(c)] = 0.25 * v;
    }
  }
  return newsim_test::Owned(rows, cols);
}

std::vector<std::int64_t> item(const TermLists& t, std::size_t p, std::vector<double>* values) {
  const auto b = static_cast<std::size_t>(t.offsets[p]);
  const auto e = static_cast<std::size_t>(t.offsets[p + 1]);
  values->assign(t.values.begin() + static_cast<std::ptrdiff_t>(b),
                 t.values.begin() + static_cast<std::ptrdiff_t>(e));
  return {t.terms.begin() + static_cast<std::ptrdiff_t>(b),
          t.terms.begin() + static_cast<std::ptrdiff_t>(e)};
}

TEST(ExplainBatch, PairsEqualExplainOfEachPair) {
  const auto x = random_rows(1500, 40, 1);  // several chunks of pairs
  std::vector<std::int64_t> ra, rb;
  std::mt19937 rng(2);
  std::uniform_int_distribution<std::int64_t> row(0, 1499);
  for (int p = 0; p < 3000; ++p) {
    ra.push_back(row(rng));
    rb.push_back(row(rng));
  }
  for (const Metric metric : {Metric::cosine, Metric::dot}) {
    for (const int jobs : {1, 2}) {
      std::vector<double> sims;
      const TermLists got = newsim::explain_pairs(x.ref(), ra, x.ref(), rb, 4, metric, &sims, jobs);
      ASSERT_EQ(got.size(), 3000);
      std::size_t shared_total = 0;
      for (std::size_t p = 0; p < ra.size(); ++p) {
        const auto e = newsim::explain(x.ref(), ra[p], x.ref(), rb[p], 4, metric);
        std::vector<double> shares;
        const auto terms = item(got, p, &shares);
        ASSERT_EQ(terms.size(), e.shared.size()) << "pair " << p;
        for (std::size_t k = 0; k < terms.size(); ++k) {
          EXPECT_EQ(terms[k], e.shared[k].term);
          EXPECT_EQ(shares[k], e.shared[k].share);
        }
        EXPECT_EQ(sims[p], e.similarity);
        shared_total += terms.size();
      }
      EXPECT_GT(shared_total, 3000u);  // the comparison is not vacuous
    }
  }
}

TEST(ExplainBatch, KeyTermsRowsEqualKeyTermsOfEachRow) {
  const auto x = random_rows(1200, 30, 3);
  std::vector<std::int64_t> rows;
  for (std::int64_t r = 0; r < 1200; ++r) rows.push_back((r * 7) % 1200);
  rows.push_back(5);  // rows may repeat
  for (const int top : {3, -1}) {
    const TermLists got = newsim::key_terms_rows(x.ref(), rows, top, 2);
    ASSERT_EQ(got.size(), static_cast<std::int64_t>(rows.size()));
    for (std::size_t p = 0; p < rows.size(); ++p) {
      const auto want = newsim::key_terms(x.ref(), {rows[p]}, top);
      std::vector<double> weights;
      const auto terms = item(got, p, &weights);
      ASSERT_EQ(terms.size(), want.size()) << "row " << rows[p];
      for (std::size_t k = 0; k < terms.size(); ++k) {
        EXPECT_EQ(terms[k], want[k].term);
        EXPECT_EQ(weights[k], want[k].weight);
      }
    }
  }
}

TEST(ExplainBatch, BadInputThrows) {
  const auto x = random_rows(10, 5, 4);
  EXPECT_THROW(newsim::explain_pairs(x.ref(), {0, 1}, x.ref(), {0}), newsim::InvalidArgument);
  EXPECT_THROW(newsim::explain_pairs(x.ref(), {0}, x.ref(), {10}), newsim::IndexOutOfRange);
  EXPECT_THROW(newsim::key_terms_rows(x.ref(), {-1}), newsim::IndexOutOfRange);
  const auto y = random_rows(3, 6, 5);
  EXPECT_THROW(newsim::explain_pairs(x.ref(), {0}, y.ref(), {0}), newsim::InvalidArgument);
  const TermLists none = newsim::explain_pairs(x.ref(), {}, x.ref(), {});
  EXPECT_EQ(none.size(), 0);
  EXPECT_EQ(none.offsets.size(), 1u);
}

}  // namespace
