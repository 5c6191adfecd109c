#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "newsim/errors.hpp"
#include "newsim/evaluation.hpp"

namespace {

using Labels = std::vector<std::int64_t>;

// Per-item B-cubed, straight from the definition: O(n^2).
newsim::BCubed brute_b_cubed(const Labels& t, const Labels& p) {
  double prec = 0, rec = 0;
  for (std::size_t i = 0; i < t.size(); ++i) {
    double same_cluster = 0, same_class = 0, both = 0;
    for (std::size_t j = 0; j < t.size(); ++j) {
      same_cluster += p[j] == p[i];
      same_class += t[j] == t[i];
      both += p[j] == p[i] && t[j] == t[i];
    }
    prec += both / same_cluster;
    rec += both / same_class;
  }
  newsim::BCubed b;
  b.precision = prec / t.size();
  b.recall = rec / t.size();
  b.f1 = 2 * b.precision * b.recall / (b.precision + b.recall);
  return b;
}

// ARI from pair counts over all i < j.
double brute_ari(const Labels& t, const Labels& p) {
  double a = 0, b = 0, c = 0, d = 0;  // both same, same t only, same p only, neither
  for (std::size_t i = 0; i < t.size(); ++i) {
    for (std::size_t j = i + 1; j < t.size(); ++j) {
      const bool st = t[i] == t[j], sp = p[i] == p[j];
      a += st && sp;
      b += st && !sp;
      c += !st && sp;
      d += !st && !sp;
    }
  }
  const double n = a + b + c + d;
  const double expected = (a + b) * (a + c) / n;
  const double max = ((a + b) + (a + c)) / 2;
  return max == expected ? 1.0 : (a - expected) / (max - expected);
}

TEST(Evaluation, BCubedAndAriMatchTheirDefinitions) {
  std::mt19937 rng(5);
  for (int rep = 0; rep < 50; ++rep) {
    const std::size_t n = 1 + rng() % 60;
    Labels t(n), p(n);
    const int kt = 1 + static_cast<int>(rng() % 8), kp = 1 + static_cast<int>(rng() % 8);
    for (std::size_t i = 0; i < n; ++i) {
      t[i] = static_cast<std::int64_t>(rng() % kt) * 7 - 3;
      p[i] = static_cast<std::int64_t>(rng() % kp);
    }
    const auto got = newsim::b_cubed(t, p);
    const auto want = brute_b_cubed(t, p);
    EXPECT_NEAR(got.precision, want.precision, 1e-12);
    EXPECT_NEAR(got.recall, want.recall, 1e-12);
    EXPECT_NEAR(got.f1, want.f1, 1e-12);
    if (n > 1) EXPECT_NEAR(newsim::adjusted_rand_index(t, p), brute_ari(t, p), 1e-12);
  }
}

TEST(Evaluation, KnownValuesAndErrors) {
  const Labels t{0, 0, 1, 1};
  const auto b = newsim::b_cubed(t, {0, 0, 0, 1});
  EXPECT_DOUBLE_EQ(b.precision, (2.0 / 3 + 2.0 / 3 + 1.0 / 3 + 1) / 4);
  EXPECT_DOUBLE_EQ(b.recall, 0.75);
  EXPECT_DOUBLE_EQ(newsim::b_cubed(t, {9, 9, 4, 4}).f1, 1.0);
  EXPECT_DOUBLE_EQ(newsim::adjusted_rand_index(t, {9, 9, 4, 4}), 1.0);
  EXPECT_DOUBLE_EQ(newsim::adjusted_rand_index({0, 1, 2}, {0, 1, 2}), 1.0);
  EXPECT_NEAR(newsim::adjusted_rand_index({0, 0, 1, 1}, {0, 1, 0, 1}), -0.5, 1e-12);
  EXPECT_THROW(newsim::b_cubed({0}, {0, 1}), newsim::InvalidArgument);
  EXPECT_THROW(newsim::adjusted_rand_index({}, {}), newsim::InvalidArgument);
}

}  // namespace
