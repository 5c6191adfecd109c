// ArticleSimilarity: exact top_k / join against brute force from score(), thread-count
// independence, explain() arithmetic, the time factor and title weight, derived_title,
// persistence and its corruption errors, bad options, and cluster_stories over the preset.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "newsim/article_similarity.hpp"
#include "newsim/errors.hpp"
#include "newsim/stories.hpp"
#include "csr_fixture.hpp"

using newsim_test::expect_same;

namespace {

using newsim::ArticleExplanation;
using newsim::ArticleSimilarity;
using newsim::ArticleSimilarityOptions;
using newsim::ArticleVectors;
using newsim::NewsDocument;
using newsim::NewsDocuments;
using newsim::TextView;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kDay = 86400.0;
constexpr double kT0 = 1.6e9;  // some date in 2020, in seconds

// A corpus in four topics (missile defence, floods, football, interest rates) plus one article
// without terms. Some have titles, some dates.
struct Article {
  std::string title;
  std::string text;
  double time;
  int topic;  // -1: no terms
};

const std::vector<Article>& corpus() {
  static const std::vector<Article> a = {
      // 0: missile defence
      {"NATO offers Russia a role in missile defence",
       "NATO leaders offered Russia cooperation on a missile defence shield for Europe at the "
       "Lisbon summit. Moscow said it would study the missile proposal.",
       kT0, 0},
      {"",
       "Russia warns NATO that the missile defense plan in Poland threatens its security. "
       "The Kremlin demanded guarantees that the interceptors are not aimed at Russia.",
       kT0 + 1 * kDay, 0},
      {"Medvedev and NATO discuss missile shield",
       "President Medvedev met NATO officials to discuss the missile shield. Russia wants an "
       "equal role in European missile defence, the Kremlin said.",
       kT0 + 2 * kDay, 0},
      {"",
       "Lavrov: Russia open to missile defence cooperation with NATO if the partnership is "
       "equal. The Russian foreign minister spoke about interceptors in Europe.",
       kNaN, 0},
      {"",
       "The Kremlin rejected the American missile defense radar in the Czech Republic and "
       "interceptors in Poland, and Russia threatened to deploy missiles in Kaliningrad.",
       kT0 + 3 * kDay, 0},
      {"Poland signs missile interceptor deal",
       "Poland signed a deal to host American missile interceptors. Russia called the missile "
       "defence base a threat and NATO tried to calm Moscow.",
       kT0 + 1 * kDay, 0},
      {"",
       "NATO and Russia remain in deadlock over missile defence in Europe after talks in "
       "Brussels; the Kremlin insists on a joint missile shield.",
       kNaN, 0},
      {"",
       "Russian diplomats said NATO missile defence plans undermine strategic stability; "
       "Moscow may aim missiles at interceptor sites in Poland.",
       kT0 + 4 * kDay, 0},
      // 8: floods
      {"Floods hit northern England",
       "Heavy rain caused floods across northern England. Rivers burst their banks in York "
       "and hundreds of homes were flooded overnight.",
       kT0 + 30 * kDay, 1},
      {"",
       "Flood warnings remain in place in York as the river Ouse rises after days of heavy "
       "rain. Residents left flooded homes.",
       kT0 + 31 * kDay, 1},
      {"Rain brings more flooding",
       "More heavy rain is forecast for the north of England where floods have already forced "
       "families from their homes. The Environment Agency issued flood warnings.",
       kT0 + 31 * kDay, 1},
      {"",
       "Emergency crews rescued residents from flooded homes in Cumbria after record rain. "
       "River levels and flood defences were overwhelmed.",
       kNaN, 1},
      {"",
       "The Environment Agency said flood defences held in York although river levels "
       "stayed high after heavy rain and flooding in the north.",
       kT0 + 32 * kDay, 1},
      {"Insurers count cost of floods",
       "Insurers expect large claims after floods damaged homes across northern England; "
       "heavy rain flooded thousands of properties.",
       kT0 + 35 * kDay, 1},
      {"",
       "Farmers in Cumbria lost livestock in the floods as rivers burst their banks after "
       "the heavy rain; flood water covered fields.",
       kT0 + 33 * kDay, 1},
      // 15: football
      {"United beat City in derby",
       "Manchester United beat Manchester City two goals to one in the derby at Old Trafford. "
       "The striker scored twice in the second half.",
       kT0 + 60 * kDay, 2},
      {"",
       "Manchester City lost the derby to United; the manager blamed the defence for both "
       "goals conceded at Old Trafford.",
       kT0 + 61 * kDay, 2},
      {"Premier League title race tightens",
       "Arsenal drew with Chelsea, so the Premier League title race tightens: United and City "
       "are level on points after the derby goals.",
       kT0 + 62 * kDay, 2},
      {"",
       "The United striker who scored twice in the derby was named player of the month; his "
       "goals lifted United in the Premier League.",
       kNaN, 2},
      {"",
       "Chelsea sacked the manager after a home defeat; the club sits far behind United, "
       "City and Arsenal in the Premier League.",
       kT0 + 64 * kDay, 2},
      {"Arsenal striker injured",
       "Arsenal will be without their striker for a month; the Premier League club hopes he "
       "returns for the derby against Chelsea. Goals have dried up.",
       kT0 + 63 * kDay, 2},
      {"",
       "Old Trafford sold out for the derby as United and City fans watched a goal in the "
       "final minute decide the Premier League match.",
       kT0 + 60 * kDay, 2},
      // 22: interest rates
      {"Bank of England raises interest rates",
       "The Bank of England raised interest rates by a quarter point to fight inflation. The "
       "governor said inflation would fall next year.",
       kT0 + 90 * kDay, 3},
      {"",
       "Inflation rose to five percent, putting pressure on the Bank of England to raise "
       "interest rates again; mortgage costs climb.",
       kT0 + 91 * kDay, 3},
      {"Mortgage rates climb after rate rise",
       "Lenders raised mortgage rates after the Bank of England increased interest rates; "
       "borrowers face higher costs as inflation persists.",
       kT0 + 92 * kDay, 3},
      {"",
       "The Federal Reserve kept interest rates on hold as inflation cooled; markets expect "
       "central banks to cut rates next year.",
       kNaN, 3},
      {"",
       "Economists expect the Bank of England to pause interest rate rises as inflation "
       "slows and mortgage lending falls.",
       kT0 + 93 * kDay, 3},
      {"Pound rises on rate decision",
       "Sterling rose after the Bank of England decision on interest rates; traders bet "
       "inflation will force another rise.",
       kT0 + 90 * kDay, 3},
      {"",
       "Central banks raised interest rates across Europe to curb inflation, and mortgage "
       "holders in England face higher repayments.",
       kT0 + 94 * kDay, 3},
      // 29: nothing but stop words and news filler
      {"", "The and of, said on Monday.", kT0, -1},
  };
  return a;
}

NewsDocuments docs_of(const std::vector<Article>& a) {
  NewsDocuments d;
  for (const auto& x : a) d.push_back({TextView(x.title), TextView(x.text)});
  return d;
}

std::vector<double> times_of(const std::vector<Article>& a) {
  std::vector<double> t;
  for (const auto& x : a) t.push_back(x.time);
  return t;
}

ArticleSimilarityOptions options(int jobs = 1) {
  ArticleSimilarityOptions o;
  o.n_jobs = jobs;
  return o;
}

ArticleSimilarity fitted_model(int jobs = 1, const std::vector<Article>& a = corpus()) {
  ArticleSimilarity s(options(jobs));
  const auto t = times_of(a);
  s.fit(docs_of(a), &t);
  return s;
}

// Documents / times of `src` repeated or picked by `rows`.
std::pair<NewsDocuments, std::vector<double>> pick(const std::vector<Article>& src,
                                                   const std::vector<std::size_t>& rows) {
  NewsDocuments d;
  std::vector<double> t;
  for (auto r : rows) {
    d.push_back({TextView(src[r].title), TextView(src[r].text)});
    t.push_back(src[r].time);
  }
  return {d, t};
}

// score(q_i, f_j) for every query i and fitted article j, through score() on aligned pairs.
std::vector<std::vector<double>> brute_scores(const ArticleSimilarity& s,
                                              const std::vector<Article>& queries,
                                              const std::vector<Article>& fitted) {
  std::vector<std::vector<double>> out;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    std::vector<std::size_t> qi(fitted.size(), i), all(fitted.size());
    for (std::size_t j = 0; j < fitted.size(); ++j) all[j] = j;
    auto [qd, qt] = pick(queries, qi);
    auto [fd, ft] = pick(fitted, all);
    const ArticleVectors a = s.transform(qd, &qt);
    const ArticleVectors b = s.transform(fd, &ft);
    out.push_back(s.score(a, b));
  }
  return out;
}

// The k best (index, score) of a row of scores: non-zero scores only, by descending score,
// ties to the smaller index, `skip` left out, padded with (-1, 0).
std::vector<std::pair<std::int64_t, double>> brute_top(const std::vector<double>& row, int k,
                                                       std::int64_t skip) {
  std::vector<std::pair<std::int64_t, double>> c;
  for (std::size_t j = 0; j < row.size(); ++j) {
    if (static_cast<std::int64_t>(j) != skip && row[j] > 0) {
      c.emplace_back(static_cast<std::int64_t>(j), row[j]);
    }
  }
  std::sort(c.begin(), c.end(), [](const auto& x, const auto& y) {
    return x.second != y.second ? x.second > y.second : x.first < y.first;
  });
  if (c.size() > static_cast<std::size_t>(k)) c.resize(static_cast<std::size_t>(k));
  while (c.size() < static_cast<std::size_t>(k)) c.emplace_back(-1, 0.0);
  return c;
}

// top_k equals the brute force: scores to 1e-12 at every position; indices equal except where
// the brute-force scores at that position tie within 1e-12 (then top_k's own order among the
// tied entries must go to the smaller index, and the tied indices must be the same set).
void expect_top_k_matches(const newsim::Neighbors& nb,
                          const std::vector<std::vector<double>>& brute, int k, bool self) {
  ASSERT_EQ(nb.rows, static_cast<std::int64_t>(brute.size()));
  ASSERT_EQ(nb.k, k);
  for (std::size_t i = 0; i < brute.size(); ++i) {
    const auto want = brute_top(brute[i], k, self ? static_cast<std::int64_t>(i) : -1);
    std::multiset<std::int64_t> got_tied, want_tied;
    for (int p = 0; p < k; ++p) {
      const std::int64_t gi = nb.indices[i * static_cast<std::size_t>(k) + p];
      const double gs = nb.scores[i * static_cast<std::size_t>(k) + p];
      EXPECT_NEAR(gs, want[static_cast<std::size_t>(p)].second, 1e-12)
          << "row " << i << " pos " << p;
      if (self) EXPECT_NE(gi, static_cast<std::int64_t>(i)) << "row " << i;
      if (want[static_cast<std::size_t>(p)].first == -1) {
        EXPECT_EQ(gi, -1) << "row " << i << " pos " << p;
        EXPECT_EQ(gs, 0.0);
        continue;
      }
      EXPECT_GT(gs, 0.0);
      if (p > 0) {
        const double prev = nb.scores[i * static_cast<std::size_t>(k) + p - 1];
        EXPECT_GE(prev, gs) << "row " << i << " not sorted at " << p;
        if (prev == gs) {
          EXPECT_LT(nb.indices[i * static_cast<std::size_t>(k) + p - 1], gi)
              << "row " << i << ": a tie must go to the smaller index";
        }
      }
      bool near_tie = false;
      for (int o = 0; o < k; ++o) {
        if (o != p && want[static_cast<std::size_t>(o)].first != -1 &&
            std::fabs(want[static_cast<std::size_t>(o)].second -
                      want[static_cast<std::size_t>(p)].second) < 1e-12) {
          near_tie = true;
        }
      }
      if (near_tie) {
        got_tied.insert(gi);
        want_tied.insert(want[static_cast<std::size_t>(p)].first);
      } else {
        EXPECT_EQ(gi, want[static_cast<std::size_t>(p)].first) << "row " << i << " pos " << p;
      }
    }
    EXPECT_EQ(got_tied, want_tied) << "row " << i;
  }
}

void expect_same_neighbors(const newsim::Neighbors& a, const newsim::Neighbors& b) {
  ASSERT_EQ(a.rows, b.rows);
  ASSERT_EQ(a.k, b.k);
  for (std::size_t p = 0; p < a.indices.size(); ++p) {
    ASSERT_EQ(a.indices[p], b.indices[p]) << p;
    ASSERT_EQ(a.scores[p], b.scores[p]) << p;  // bit-identical
  }
}

std::string as_string(TextView t) { return std::string(static_cast<const char*>(t.data), t.size); }

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "newsim_article_similarity_" + name;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// A larger corpus (more than one block of 64 queries) by recombining sentences of a topic.
std::vector<Article> large_corpus(std::size_t n) {
  const auto& base = corpus();
  std::vector<Article> out;
  for (std::size_t m = 0; m < n; ++m) {
    const auto& a = base[m % 29];
    const auto& b = base[(m % 29 / 7 * 7 + m / 29 * 3 + 1) % 29];  // same or next topic
    Article x;
    x.title = (m % 3 == 0) ? a.title : std::string();
    x.text = a.text + " " + b.text.substr(0, b.text.size() / (2 + m % 3));
    x.time = (m % 5 == 0) ? kNaN : kT0 + static_cast<double>(m) * 3600.0;
    x.topic = a.topic;
    out.push_back(std::move(x));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

TEST(ArticleSimilarity, FitsALatentPartAndTitles) {
  const auto s = fitted_model();
  EXPECT_TRUE(s.is_fitted());
  EXPECT_TRUE(s.has_latent());
  EXPECT_TRUE(s.has_titles());
  EXPECT_EQ(s.fitted().rows(), static_cast<std::int64_t>(corpus().size()));
  EXPECT_GE(s.lsa().n_components(), 2);
  EXPECT_LT(s.lsa().n_components(), static_cast<int>(corpus().size()));
}

TEST(ArticleSimilarity, TopKEqualsBruteForceFromScore) {
  const auto s = fitted_model();
  const auto brute = brute_scores(s, corpus(), corpus());
  for (int k : {1, 3, 10}) {
    SCOPED_TRACE(k);
    expect_top_k_matches(s.top_k(nullptr, k), brute, k, true);
  }
  // k beyond the candidates: every row is padded, the article without terms entirely.
  const int k = static_cast<int>(corpus().size()) + 4;
  const auto nb = s.top_k(nullptr, k);
  expect_top_k_matches(nb, brute, k, true);
  const std::size_t empty = corpus().size() - 1;
  for (int p = 0; p < k; ++p) {
    EXPECT_EQ(nb.indices[empty * static_cast<std::size_t>(k) + p], -1);
    EXPECT_EQ(nb.scores[empty * static_cast<std::size_t>(k) + p], 0.0);
  }
  for (std::size_t i = 0; i < corpus().size(); ++i) {
    EXPECT_EQ(nb.indices[i * static_cast<std::size_t>(k) + k - 1], -1) << i;  // at most n-1
  }
}

TEST(ArticleSimilarity, TopKOfTransformedQueriesEqualsBruteForce) {
  const auto s = fitted_model();
  const std::vector<Article> queries = {
      {"Russia and NATO argue over missile defence",
       "Moscow criticised the NATO missile "
       "interceptors planned for Poland.",
       kT0 + 2 * kDay, 0},
      {"", "Floods in York after heavy rain; homes flooded.", kNaN, 1},
      {"", "Interest rates and inflation: the Bank of England decides.", kT0 + 400 * kDay, 3},
      {"", "Completely unrelated words: xylophone zebra quasar.", kNaN, -1},
      // An exact copy of a fitted article: it is its own best match (nothing is left out).
      corpus()[15],
  };
  auto [qd, qt] = pick(queries, {0, 1, 2, 3, 4});
  const ArticleVectors q = s.transform(qd, &qt);
  const auto brute = brute_scores(s, queries, corpus());
  for (int k : {1, 5, 40}) {
    SCOPED_TRACE(k);
    expect_top_k_matches(s.top_k(&q, k), brute, k, false);
  }
  const auto nb = s.top_k(&q, 1);
  EXPECT_EQ(nb.indices[4], 15);
  EXPECT_NEAR(nb.scores[4], 1.0, 1e-9);
  EXPECT_EQ(nb.indices[3], -1);  // no shared term: no neighbour at all
}

TEST(ArticleSimilarity, TiesGoToTheSmallerIndex) {
  // Articles 1 and 3 are the same text: every query scores them equally.
  std::vector<Article> a = {corpus()[0], corpus()[2], corpus()[8], corpus()[2],
                            corpus()[4], corpus()[9], corpus()[22]};
  for (auto& x : a) x.time = kNaN;
  const auto s = fitted_model(1, a);
  const auto nb = s.top_k(nullptr, static_cast<int>(a.size()));
  const auto k = static_cast<std::size_t>(a.size());
  for (std::size_t i : {0u, 4u}) {
    std::vector<std::int64_t> row(nb.indices.begin() + i * k, nb.indices.begin() + (i + 1) * k);
    const auto p1 = std::find(row.begin(), row.end(), 1) - row.begin();
    const auto p3 = std::find(row.begin(), row.end(), 3) - row.begin();
    ASSERT_LT(p1, static_cast<std::ptrdiff_t>(k));
    ASSERT_EQ(p3, p1 + 1) << "row " << i;
    EXPECT_EQ(nb.scores[i * k + p1], nb.scores[i * k + p3]);
  }
  // And each copy finds the other first, with score 1.
  EXPECT_EQ(nb.indices[1 * k], 3);
  EXPECT_EQ(nb.indices[3 * k], 1);
  EXPECT_NEAR(nb.scores[1 * k], 1.0, 1e-9);
}

TEST(ArticleSimilarity, JoinEqualsBruteForcePairs) {
  const auto s = fitted_model();
  const auto brute = brute_scores(s, corpus(), corpus());
  for (double threshold : {0.05, 0.2, 0.35, 0.5, 1.0}) {
    SCOPED_TRACE(threshold);
    const auto j = s.join(threshold);
    ASSERT_EQ(j.rows, static_cast<std::int64_t>(corpus().size()));
    ASSERT_EQ(j.cols, j.rows);
    std::map<std::pair<std::int64_t, std::int64_t>, double> got;
    for (std::int64_t i = 0; i < j.rows; ++i) {
      for (auto p = j.indptr[static_cast<std::size_t>(i)];
           p < j.indptr[static_cast<std::size_t>(i) + 1]; ++p) {
        const std::int64_t c = j.indices[static_cast<std::size_t>(p)];
        EXPECT_LT(i, c);
        if (p > j.indptr[static_cast<std::size_t>(i)])
          EXPECT_LT(j.indices[static_cast<std::size_t>(p) - 1], c);
        got[{i, c}] = j.data[static_cast<std::size_t>(p)];
      }
    }
    std::size_t expected = 0;
    for (std::size_t a = 0; a < brute.size(); ++a) {
      for (std::size_t b = a + 1; b < brute.size(); ++b) {
        const double sc = brute[a][b];
        if (std::fabs(sc - threshold) < 1e-12) continue;  // borderline: either way
        const auto it = got.find({static_cast<std::int64_t>(a), static_cast<std::int64_t>(b)});
        if (sc >= threshold) {
          ++expected;
          ASSERT_NE(it, got.end()) << a << "," << b << " scores " << sc;
          EXPECT_NEAR(it->second, sc, 1e-12);
        } else {
          EXPECT_EQ(it, got.end()) << a << "," << b << " scores " << sc;
        }
      }
    }
    EXPECT_EQ(got.size(), expected);
    if (threshold == 0.2) EXPECT_GT(expected, 20u);  // the check is not vacuous
  }
  EXPECT_THROW(s.join(0.0), newsim::InvalidArgument);
  EXPECT_THROW(s.join(1.5), newsim::InvalidArgument);
}

TEST(ArticleSimilarity, ResultsDoNotDependOnTheThreadCount) {
  const auto big = large_corpus(200);  // several blocks of queries
  const auto s1 = fitted_model(1, big);
  const auto s2 = fitted_model(2, big);
  expect_same_neighbors(s1.top_k(nullptr, 7), s2.top_k(nullptr, 7));
  expect_same(s1.join(0.3), s2.join(0.3));
  expect_same(s1.fitted().terms, s2.fitted().terms);
  ASSERT_EQ(s1.fitted().latent.rows(), s2.fitted().latent.rows());
  ASSERT_EQ(s1.fitted().latent.cols(), s2.fitted().latent.cols());
  EXPECT_TRUE((s1.fitted().latent.array() == s2.fitted().latent.array()).all());
  auto [qd, qt] = pick(corpus(), {0, 8, 15, 22, 29});
  const auto q1 = s1.transform(qd, &qt);
  const auto q2 = s2.transform(qd, &qt);
  expect_same_neighbors(s1.top_k(&q1, 5), s2.top_k(&q2, 5));
  // The two-thread model is also exact.
  expect_top_k_matches(s2.top_k(nullptr, 4), brute_scores(s2, big, big), 4, true);
}

TEST(ArticleSimilarity, SearchWithEverythingProbedIsTheExactTopK) {
  // Every cell probed, every dated article a time neighbour, every candidate scored: the
  // search returns exactly what scoring every pair returns.
  const auto big = large_corpus(200);
  const auto s = fitted_model(2, big);
  ArticleSimilarity::Search all;
  all.cells = 9;
  all.probes = 9;
  all.candidates = 400;
  all.time_neighbors = 400;
  const auto brute = brute_scores(s, big, big);
  expect_top_k_matches(s.top_k_search(nullptr, 5, all), brute, 5, true);
  auto [qd, qt] = pick(big, {0, 3, 77, 150, 199});
  const ArticleVectors q = s.transform(qd, &qt);
  auto qa = big;
  qa.resize(0);
  for (std::size_t r : {0, 3, 77, 150, 199}) qa.push_back(big[r]);
  expect_top_k_matches(s.top_k_search(&q, 5, all), brute_scores(s, qa, big), 5, false);
}

TEST(ArticleSimilarity, SearchScoresAreThePairScoresAndDoNotDependOnThreads) {
  const auto big = large_corpus(300);
  const auto s1 = fitted_model(1, big);
  const auto s2 = fitted_model(2, big);
  ArticleSimilarity::Search few;  // small: neighbours can be missed, scores stay exact
  few.cells = 12;
  few.probes = 2;
  few.candidates = 8;
  few.time_neighbors = 10;
  const auto a = s1.top_k_search(nullptr, 4, few);
  expect_same_neighbors(a, s2.top_k_search(nullptr, 4, few));
  const auto brute = brute_scores(s1, big, big);
  std::int64_t found = 0, hits = 0;
  for (std::size_t i = 0; i < big.size(); ++i) {
    const auto want = brute_top(brute[i], 4, static_cast<std::int64_t>(i));
    for (int p = 0; p < 4; ++p) {
      const std::int64_t j = a.indices[i * 4 + static_cast<std::size_t>(p)];
      if (j < 0) continue;
      ++found;
      EXPECT_NE(j, static_cast<std::int64_t>(i));
      EXPECT_EQ(a.scores[i * 4 + static_cast<std::size_t>(p)], brute[i][static_cast<std::size_t>(j)]) << i;
      for (const auto& w : want) hits += w.first == j ? 1 : 0;
    }
  }
  EXPECT_GT(found, 600);
  EXPECT_GT(hits, found / 2);  // most of what it finds are true neighbours
  // The article without terms gets no neighbour; bad settings are refused.
  const auto empty = corpus().size() - 1;
  EXPECT_EQ(fitted_model().top_k_search(nullptr, 3, {}).indices[empty * 3], -1);
  for (auto bad : {ArticleSimilarity::Search{-1, 16, 64, 1024, 0}, ArticleSimilarity::Search{0, 0, 64, 1024, 0},
                   ArticleSimilarity::Search{0, 16, 0, 1024, 0}, ArticleSimilarity::Search{0, 16, 64, -1, 0}}) {
    EXPECT_THROW(s1.top_k_search(nullptr, 3, bad), newsim::InvalidArgument);
  }
  EXPECT_THROW(s1.top_k_search(nullptr, 0, {}), newsim::InvalidArgument);
}

TEST(ArticleSimilarity, ScoresAreInUnitRangeAndSymmetric) {
  const auto s = fitted_model();
  const auto brute = brute_scores(s, corpus(), corpus());
  for (std::size_t i = 0; i < brute.size(); ++i) {
    for (std::size_t j = 0; j < brute.size(); ++j) {
      EXPECT_GE(brute[i][j], 0.0);
      EXPECT_LE(brute[i][j], 1.0 + 1e-12);
      EXPECT_NEAR(brute[i][j], brute[j][i], 1e-12) << i << "," << j;
    }
    if (corpus()[i].topic >= 0) EXPECT_NEAR(brute[i][i], 1.0, 1e-9) << i;
  }
  // Within a topic scores beat those across topics, on average.
  double within = 0, across = 0;
  int nw = 0, na = 0;
  for (std::size_t i = 0; i < 29; ++i) {
    for (std::size_t j = i + 1; j < 29; ++j) {
      (corpus()[i].topic == corpus()[j].topic ? within : across) += brute[i][j];
      ++(corpus()[i].topic == corpus()[j].topic ? nw : na);
    }
  }
  EXPECT_GT(within / nw, 3 * across / na);
}

TEST(ArticleSimilarity, AnArticleWithoutTermsScoresZero) {
  const auto s = fitted_model();
  const std::size_t empty = corpus().size() - 1;
  const auto brute = brute_scores(s, corpus(), corpus());
  for (std::size_t j = 0; j < brute.size(); ++j) {
    EXPECT_EQ(brute[empty][j], 0.0) << j;  // not NaN: NaN == 0 is false
    EXPECT_EQ(brute[j][empty], 0.0) << j;
  }
  const auto ex = s.explain(s.fitted(), static_cast<std::int64_t>(empty), s.fitted(), 0);
  EXPECT_EQ(ex.score, 0.0);
  EXPECT_EQ(ex.base, 0.0);
  for (const auto& c : ex.components) EXPECT_FALSE(std::isnan(c.contribution)) << c.name;
  // And a query of nothing at all.
  NewsDocuments d = {{TextView(""), TextView("")}};
  const auto q = s.transform(d);
  const auto nb = s.top_k(&q, 3);
  for (int p = 0; p < 3; ++p) EXPECT_EQ(nb.indices[static_cast<std::size_t>(p)], -1);
  const auto one = s.score(q, s.transform({{TextView(""), TextView(corpus()[0].text)}}));
  EXPECT_EQ(one[0], 0.0);
}

TEST(ArticleSimilarity, ExplainPairsAndKeyTermsRowsEqualTheSingleCalls) {
  const auto s = fitted_model();
  const auto& f = s.fitted();
  std::vector<std::int64_t> a, b;
  for (std::int64_t i = 0; i < f.rows(); ++i) {
    a.push_back(i);
    b.push_back((i * 5 + 1) % f.rows());
  }
  const newsim::TermLists pairs = s.explain_pairs(a, b, 6);
  const newsim::TermLists keys = s.key_terms_rows(a, 6);
  ASSERT_EQ(pairs.size(), f.rows());
  ASSERT_EQ(keys.size(), f.rows());
  std::size_t shared = 0;
  for (std::size_t p = 0; p < a.size(); ++p) {
    const auto want = s.explain(f, a[p], f, b[p], 6).terms.shared;
    ASSERT_EQ(pairs.offsets[p + 1] - pairs.offsets[p], static_cast<std::int64_t>(want.size()));
    for (std::size_t k = 0; k < want.size(); ++k) {
      const auto at = static_cast<std::size_t>(pairs.offsets[p]) + k;
      EXPECT_EQ(pairs.terms[at], want[k].term);
      EXPECT_EQ(pairs.values[at], want[k].share);
    }
    shared += want.size();
    const auto kt = s.key_terms({a[p]}, 6);
    ASSERT_EQ(keys.offsets[p + 1] - keys.offsets[p], static_cast<std::int64_t>(kt.size()));
    for (std::size_t k = 0; k < kt.size(); ++k) {
      const auto at = static_cast<std::size_t>(keys.offsets[p]) + k;
      EXPECT_EQ(keys.terms[at], kt[k].term);
      EXPECT_EQ(keys.values[at], kt[k].weight);
    }
  }
  EXPECT_GT(shared, a.size());  // most pairs share terms: the check is not vacuous
}

TEST(ArticleSimilarity, ExplainAddsUp) {
  const auto s = fitted_model();
  const auto& f = s.fitted();
  const auto brute = brute_scores(s, corpus(), corpus());
  int latent_checked = 0, titled = 0;
  for (auto [i, j] : std::vector<std::pair<int, int>>{{0, 2},
                                                      {0, 1},
                                                      {2, 5},
                                                      {8, 10},
                                                      {8, 9},
                                                      {15, 16},
                                                      {15, 17},
                                                      {22, 24},
                                                      {23, 26},
                                                      {0, 8},
                                                      {1, 22},
                                                      {3, 6}}) {
    SCOPED_TRACE(std::to_string(i) + "," + std::to_string(j));
    const ArticleExplanation ex = s.explain(f, i, f, j, -1);
    ASSERT_EQ(ex.components.size(), 4u);
    std::set<std::string> names;
    double sum = 0, wsum = 0;
    for (const auto& c : ex.components) {
      names.insert(c.name);
      sum += c.contribution;
      wsum += c.weight;
      EXPECT_NEAR(c.contribution, c.weight * c.similarity, 1e-15);
      EXPECT_GE(c.similarity, 0.0);
      EXPECT_LE(c.similarity, 1.0 + 1e-12);
    }
    EXPECT_EQ(names, (std::set<std::string>{"terms", "names", "title", "latent"}));
    EXPECT_NEAR(sum, ex.base, 1e-15);
    EXPECT_NEAR(wsum, 1.0, 1e-12);
    // Bases below 1e-9 are rounding noise of the latent product and score 0.
    EXPECT_NEAR(ex.base > 1e-9 ? std::sqrt(ex.base) * ex.time_factor : 0.0, ex.score, 1e-12);
    EXPECT_NEAR(ex.score, brute[static_cast<std::size_t>(i)][static_cast<std::size_t>(j)], 1e-12);
    // The terms component is the sum of the shared terms' contributions.
    double shared = 0;
    for (const auto& t : ex.terms.shared) shared += t.contribution;
    const double terms_cos = ex.components[0].similarity;
    EXPECT_EQ(ex.components[0].name, "terms");
    EXPECT_NEAR(shared, terms_cos, 1e-12);
    if (corpus()[static_cast<std::size_t>(i)].topic ==
        corpus()[static_cast<std::size_t>(j)].topic) {
      EXPECT_FALSE(ex.terms.shared.empty());
    }
    // The latent terms carry the latent cosine.
    const auto& latent = ex.components[3];
    EXPECT_EQ(latent.name, "latent");
    if (latent.similarity > 0) {
      ASSERT_FALSE(ex.latent_terms.empty());
      double lsum = 0, share = 0;
      for (const auto& t : ex.latent_terms) {
        lsum += t.contribution;
        share += t.share;
      }
      EXPECT_NEAR(lsum, latent.similarity, 1e-9);
      if (latent.similarity > 1e-6) EXPECT_NEAR(share, 1.0, 1e-9);
      for (std::size_t p = 1; p < ex.latent_terms.size(); ++p) {
        EXPECT_GE(ex.latent_terms[p - 1].contribution, ex.latent_terms[p].contribution);
      }
      if (latent.similarity > 1e-3) ++latent_checked;
    }
    if (ex.components[2].weight > 0) ++titled;
  }
  EXPECT_GE(latent_checked, 8);
  EXPECT_GE(titled, 2);
  // `top` cuts the lists.
  const auto ex = s.explain(f, 0, f, 2, 2);
  EXPECT_LE(ex.terms.shared.size(), 2u);
  EXPECT_LE(ex.latent_terms.size(), 2u);
  EXPECT_THROW(s.explain(f, 0, f, static_cast<std::int64_t>(corpus().size())),
               newsim::IndexOutOfRange);
  EXPECT_THROW(s.explain(f, -1, f, 0), newsim::IndexOutOfRange);
}

TEST(ArticleSimilarity, SharedTermsAreThere) {
  const auto s = fitted_model();
  const auto labels = s.vectorizer().feature_names();
  const auto ex = s.explain(s.fitted(), 8, s.fitted(), 9, -1);
  std::set<std::string> shared;
  for (const auto& t : ex.terms.shared) {
    shared.insert(labels[static_cast<std::size_t>(t.term)]);
    EXPECT_GT(t.weight_a, 0.0);
    EXPECT_GT(t.weight_b, 0.0);
  }
  // Both articles speak of York, rain, floods and homes.
  EXPECT_TRUE(shared.count("York")) << ex.terms.shared.size();
  EXPECT_TRUE(shared.count("rain"));
  EXPECT_TRUE(shared.count("homes") || shared.count("home"));
  for (const auto& t : ex.terms.only_a) EXPECT_EQ(t.weight_b, 0.0);
}

TEST(ArticleSimilarity, TimeFactor) {
  const auto s = fitted_model();
  const auto& A = corpus()[0];
  const auto& B = corpus()[2];
  NewsDocuments a = {{TextView(A.title), TextView(A.text)}};
  NewsDocuments b = {{TextView(B.title), TextView(B.text)}};
  auto sc = [&](double ta, double tb) {
    std::vector<double> x{ta}, y{tb};
    return s.score(s.transform(a, &x), s.transform(b, &y))[0];
  };
  const double none = s.score(s.transform(a), s.transform(b))[0];
  ASSERT_GT(none, 0.1);
  EXPECT_EQ(sc(kT0, kT0), none);
  EXPECT_EQ(sc(kNaN, kT0), none);
  EXPECT_EQ(sc(kT0, kNaN), none);
  const double near = sc(kT0, kT0 + kDay);
  const double far = sc(kT0, kT0 + 365 * kDay);
  EXPECT_LT(near, none);
  EXPECT_LT(far, near);
  const ArticleSimilarityOptions o;
  EXPECT_NEAR(near, none * (o.time_floor + (1 - o.time_floor) * std::exp(-kDay / o.time_scale)),
              1e-12);
  EXPECT_NEAR(far, none * (o.time_floor + (1 - o.time_floor) * std::exp(-365.0 / 7)), 1e-12);
  EXPECT_NEAR(sc(kT0 + 365 * kDay, kT0), far, 1e-15);  // |Δt|
  std::vector<double> x{kT0}, y{kT0 + 30 * kDay};
  const auto ex = s.explain(s.transform(a, &x), 0, s.transform(b, &y), 0);
  EXPECT_NEAR(ex.time_factor, 0.5 + 0.5 * std::exp(-30.0 / 7), 1e-12);
  std::vector<double> n{kNaN};
  EXPECT_EQ(s.explain(s.transform(a, &n), 0, s.transform(b, &y), 0).time_factor, 1.0);

  // time_floor = 1 turns time off.
  ArticleSimilarityOptions off = options();
  off.time_floor = 1;
  ArticleSimilarity s_off(off);
  const auto t = times_of(corpus());
  s_off.fit(docs_of(corpus()), &t);
  std::vector<double> x2{kT0}, y2{kT0 + 365 * kDay};
  EXPECT_EQ(s_off.score(s_off.transform(a, &x2), s_off.transform(b, &y2))[0],
            s_off.score(s_off.transform(a), s_off.transform(b))[0]);
}

TEST(ArticleSimilarity, TitleWeightAppliesOnlyWhenBothHaveATitle) {
  const auto s = fitted_model();
  const std::string title = "NATO and Russia talk missile defence";
  const std::string ta = corpus()[0].text, tb = corpus()[2].text;
  auto ex = [&](bool title_a, bool title_b) {
    const NewsDocuments a = {{title_a ? TextView(title) : TextView(), TextView(ta)}};
    const NewsDocuments b = {{title_b ? TextView(title) : TextView(), TextView(tb)}};
    return s.explain(s.transform(a), 0, s.transform(b), 0);
  };
  const ArticleSimilarityOptions o;
  const double wsum = o.terms_weight + o.names_weight + o.latent_weight;
  for (auto [x, y] : {std::pair<bool, bool>{false, false}, {true, false}, {false, true}}) {
    const auto e = ex(x, y);
    EXPECT_EQ(e.components[2].name, "title");
    EXPECT_EQ(e.components[2].weight, 0.0) << x << y;
    EXPECT_EQ(e.components[2].contribution, 0.0);
    EXPECT_NEAR(e.components[0].weight, o.terms_weight / wsum, 1e-15);
  }
  const auto both = ex(true, true);
  EXPECT_NEAR(both.components[2].weight, o.title_weight / (wsum + o.title_weight), 1e-15);
  EXPECT_NEAR(both.components[2].similarity, 1.0, 1e-12);  // the same title
  EXPECT_NEAR(both.components[0].weight, o.terms_weight / (wsum + o.title_weight), 1e-15);
  // The same title raises the score.
  EXPECT_GT(both.score, ex(true, false).score);
}

TEST(ArticleSimilarity, DerivedTitle) {
  auto dt = [](const std::string& text) {
    return as_string(newsim::derived_title(TextView(text)));
  };
  // A mail / Usenet header block: its Subject, "Re:" prefixes dropped.
  EXPECT_EQ(dt("From: jane@example.org (Jane)\nNewsgroups: sci.space\n"
               "Subject: Re: Re: Shuttle launch delayed again  \nLines: 12\n\n"
               "The launch slipped a week.\n"),
            "Shuttle launch delayed again");
  EXPECT_EQ(dt("From: a@b.c\nSUBJECT: RE:re: Budget vote\n\nText."), "Budget vote");
  // One header line is not a header block: the first line is short and followed by text.
  EXPECT_EQ(dt("Subject: Re: x\n\nBody."), "Subject: Re: x");
  // A short first line followed by text, blank lines and spaces around it.
  EXPECT_EQ(dt("\n  \n  Floods hit York  \n\nHeavy rain fell overnight."), "Floods hit York");
  EXPECT_EQ(dt("Floods hit York\r\nHeavy rain fell overnight."), "Floods hit York");
  // A single line, however short: no title.
  EXPECT_EQ(dt("Floods hit York after heavy rain fell overnight."), "");
  EXPECT_EQ(dt("Floods hit York\n   \n"), "");
  EXPECT_EQ(dt(""), "");
  // A first line of more than 20 words is a paragraph, not a title.
  std::string long_line;
  for (int w = 0; w < 21; ++w) long_line += "word" + std::to_string(w) + " ";
  EXPECT_EQ(dt(long_line + "\nMore text."), "");
  long_line.clear();
  for (int w = 0; w < 20; ++w) long_line += "word" + std::to_string(w) + " ";
  EXPECT_EQ(dt(long_line + "\nMore text."), long_line.substr(0, long_line.size() - 1));
  // UTF-8 (including characters whose encoding ends in the byte 0xA0, as "à" = C3 A0).
  EXPECT_EQ(dt("Überschwemmung in Köln — Straßen gesperrt\nDer Rhein steigt weiter."),
            "Überschwemmung in Köln — Straßen gesperrt");
  EXPECT_EQ(dt("Rendez-vous à Paris, voilà\nLa suite du texte."), "Rendez-vous à Paris, voilà");
  EXPECT_EQ(dt("From: x@y.fr\nSubject: Re: Réunion à Lyon voilà\n\nTexte."),
            "Réunion à Lyon voilà");
  // Other encodings: the same title from UCS-4 units.
  const std::u32string u = U"Überschwemmung in Köln\nDer Rhein steigt.";
  const TextView t = newsim::derived_title(TextView(u.data(), u.size(), newsim::Encoding::ucs4));
  EXPECT_EQ(t.encoding, newsim::Encoding::ucs4);
  EXPECT_EQ(std::u32string(static_cast<const char32_t*>(t.data), t.size),
            U"Überschwemmung in Köln");
}

TEST(ArticleSimilarity, SaveLoadRoundTrip) {
  const auto s = fitted_model();
  const std::string path = temp_path("model.json");
  s.save(path);
  const auto l = ArticleSimilarity::load(path);
  EXPECT_TRUE(l.has_latent());
  EXPECT_TRUE(l.has_titles());
  EXPECT_EQ(l.options().terms_weight, s.options().terms_weight);
  EXPECT_EQ(l.options().time_floor, s.options().time_floor);
  expect_same_neighbors(s.top_k(nullptr, 5), l.top_k(nullptr, 5));
  expect_same(s.join(0.2), l.join(0.2));
  auto [qd, qt] = pick(corpus(), {0, 3, 8, 16, 25, 29});
  auto [bd, bt] = pick(corpus(), {2, 4, 9, 15, 22, 1});
  const auto sa = s.score(s.transform(qd, &qt), s.transform(bd, &bt));
  const auto la = l.score(l.transform(qd, &qt), l.transform(bd, &bt));
  ASSERT_EQ(sa.size(), la.size());
  for (std::size_t p = 0; p < sa.size(); ++p) EXPECT_EQ(sa[p], la[p]) << p;
  const auto q = l.transform(qd, &qt);
  expect_same_neighbors(s.top_k(&q, 4), l.top_k(&q, 4));
  // In memory too.
  const auto m = ArticleSimilarity::from_json(s.to_json(), s.arrays_to_bytes());
  expect_same_neighbors(s.top_k(nullptr, 5), m.top_k(nullptr, 5));
  std::remove(path.c_str());
  std::remove((path + ".bin").c_str());
}

TEST(ArticleSimilarity, CorruptBinaryFileIsAModelFormatErrorNamingTheFile) {
  const auto s = fitted_model();
  const std::string path = temp_path("corrupt.json");
  s.save(path);
  const std::string bytes = read_all(path + ".bin");
  ASSERT_GT(bytes.size(), 100u);
  auto expect_rejected = [&](const std::string& altered, const std::string& what) {
    write_all(path + ".bin", altered);
    try {
      (void)ArticleSimilarity::load(path);
      ADD_FAILURE() << what << ": loaded";
    } catch (const newsim::ModelFormatError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << what << ": " << e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << what << ": " << typeid(e).name() << " " << e.what();
    }
  };
  std::vector<std::size_t> cuts = {0,
                                   4,
                                   8,
                                   12,
                                   19,
                                   20,
                                   21,
                                   bytes.size() / 3,
                                   bytes.size() / 2,
                                   bytes.size() - 9,
                                   bytes.size() - 8,
                                   bytes.size() - 1};
  for (std::size_t c = 23; c < bytes.size(); c += 211) cuts.push_back(c);
  for (auto c : cuts) expect_rejected(bytes.substr(0, c), "truncated to " + std::to_string(c));
  expect_rejected(bytes + std::string(8, '\0'), "trailing bytes");
  std::string magic = bytes;
  magic[0] = 'X';
  expect_rejected(magic, "magic");
  std::string version = bytes;
  version[8] = 2;
  expect_rejected(version, "version");
  std::string lsa_size = bytes;
  lsa_size[12 + 7] = 0x7f;  // an absurd LSA size
  expect_rejected(lsa_size, "LSA size");
  lsa_size = bytes;
  lsa_size[12] = static_cast<char>(lsa_size[12] + 8);  // LSA size off by 8
  expect_rejected(lsa_size, "LSA size + 8");
  // Missing .bin: an IoError naming it.
  std::remove((path + ".bin").c_str());
  try {
    (void)ArticleSimilarity::load(path);
    ADD_FAILURE() << "loaded without its .bin";
  } catch (const newsim::IoError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ".bin"), std::string::npos) << e.what();
  } catch (const newsim::ModelFormatError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

TEST(ArticleSimilarity, BadOptionsAreInvalidArgument) {
  auto bad = [](auto change) {
    ArticleSimilarityOptions o;
    change(o);
    EXPECT_THROW(ArticleSimilarity{o}, newsim::InvalidArgument);
  };
  bad([](ArticleSimilarityOptions& o) { o.terms_weight = -0.1; });
  bad([](ArticleSimilarityOptions& o) { o.names_weight = -1; });
  bad([](ArticleSimilarityOptions& o) { o.title_weight = -1; });
  bad([](ArticleSimilarityOptions& o) { o.latent_weight = -1; });
  bad([](ArticleSimilarityOptions& o) { o.latent_weight = kNaN; });
  bad([](ArticleSimilarityOptions& o) {
    o.terms_weight = o.names_weight = o.title_weight = o.latent_weight = 0;
  });
  bad([](ArticleSimilarityOptions& o) { o.time_floor = 1.01; });
  bad([](ArticleSimilarityOptions& o) { o.time_floor = -0.01; });
  bad([](ArticleSimilarityOptions& o) { o.time_scale = 0; });
  bad([](ArticleSimilarityOptions& o) { o.n_components = -1; });
  try {
    ArticleSimilarityOptions o;
    o.title_weight = -2;
    ArticleSimilarity{o};
    ADD_FAILURE();
  } catch (const newsim::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("title_weight"), std::string::npos) << e.what();
  }
  // Edge values are fine.
  ArticleSimilarityOptions ok;
  ok.time_floor = 1;
  ok.names_weight = ok.title_weight = ok.latent_weight = 0;
  EXPECT_NO_THROW(ArticleSimilarity{ok});
}

TEST(ArticleSimilarity, FitAndTransformRejectBadInput) {
  ArticleSimilarity s(options());
  EXPECT_THROW(s.fit({}), newsim::InvalidArgument);
  EXPECT_FALSE(s.is_fitted());
  EXPECT_THROW(s.top_k(nullptr, 3), newsim::NotFittedError);
  EXPECT_THROW(s.transform(docs_of(corpus())), newsim::NotFittedError);
  const auto d = docs_of(corpus());
  std::vector<double> short_times(d.size() - 1, kT0);
  EXPECT_THROW(s.fit(d, &short_times), newsim::InvalidArgument);
  EXPECT_FALSE(s.is_fitted());
  s.fit(d);
  EXPECT_THROW(s.transform(d, &short_times), newsim::InvalidArgument);
  std::vector<double> long_times(d.size() + 1, kT0);
  EXPECT_THROW(s.transform(d, &long_times), newsim::InvalidArgument);
  EXPECT_THROW(s.top_k(nullptr, 0), newsim::InvalidArgument);
  // score needs aligned sides.
  auto [a, ta] = pick(corpus(), {0, 1});
  auto [b, tb] = pick(corpus(), {2});
  EXPECT_THROW(s.score(s.transform(a), s.transform(b)), newsim::InvalidArgument);
}

TEST(ArticleSimilarity, WithoutALatentPart) {
  ArticleSimilarityOptions o = options();
  o.n_components = 0;
  ArticleSimilarity s(o);
  const auto t = times_of(corpus());
  s.fit(docs_of(corpus()), &t);
  EXPECT_FALSE(s.has_latent());
  EXPECT_THROW(s.lsa(), newsim::NotFittedError);
  const auto ex = s.explain(s.fitted(), 0, s.fitted(), 2);
  EXPECT_EQ(ex.components[3].weight, 0.0);
  EXPECT_TRUE(ex.latent_terms.empty());
  expect_top_k_matches(s.top_k(nullptr, 6), brute_scores(s, corpus(), corpus()), 6, true);
  EXPECT_THROW(s.top_k_search(nullptr, 3, {}), newsim::InvalidArgument);  // needs the latent part
}

TEST(ArticleSimilarity, ClusterStoriesGroupsTheTopics) {
  const auto s1 = fitted_model(1);
  const auto s2 = fitted_model(2);
  newsim::StoryOptions so;
  so.threshold = 0.25;
  so.n_jobs = 1;
  const auto labels = newsim::cluster_stories(s1, so);
  ASSERT_EQ(labels.size(), corpus().size());
  // One story per topic, the article without terms alone.
  std::map<int, std::set<std::int64_t>> by_topic;
  for (std::size_t i = 0; i < labels.size(); ++i) by_topic[corpus()[i].topic].insert(labels[i]);
  for (const auto& [topic, ls] : by_topic) EXPECT_EQ(ls.size(), 1u) << "topic " << topic;
  std::set<std::int64_t> distinct;
  for (const auto& [topic, ls] : by_topic) distinct.insert(*ls.begin());
  EXPECT_EQ(distinct.size(), by_topic.size());
  // Stories are numbered by their first article.
  EXPECT_EQ(labels[0], 0);
  EXPECT_EQ(labels[8], 1);
  EXPECT_EQ(labels[15], 2);
  EXPECT_EQ(labels[22], 3);
  EXPECT_EQ(labels[29], 4);
  so.n_jobs = 2;
  EXPECT_EQ(newsim::cluster_stories(s2, so), labels);
  const auto big = large_corpus(150);
  EXPECT_EQ(newsim::cluster_stories(fitted_model(1, big), so),
            newsim::cluster_stories(fitted_model(2, big), so));
  // A time window of a day splits the missile story (its dates span four days).
  so.time_window = 0.5 * kDay;
  const auto split = newsim::cluster_stories(s1, so);
  std::set<std::int64_t> missile;
  for (std::size_t i = 0; i < 8; ++i) missile.insert(split[i]);
  EXPECT_GT(missile.size(), 1u);
  newsim::StoryOptions bad;
  bad.threshold = 0;
  EXPECT_THROW(newsim::cluster_stories(s1, bad), newsim::InvalidArgument);
  EXPECT_THROW(newsim::cluster_stories(ArticleSimilarity(options()), so), newsim::NotFittedError);
}

}  // namespace
