#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <random>
#include <thread>
#include <vector>

#include "newsim/errors.hpp"
#include "newsim/stories.hpp"
#include "csr_fixture.hpp"

namespace {

using newsim_test::cosine;
using newsim_test::Owned;

using newsim::Linkage;
using newsim::StoryClusterer;
using newsim::StoryOptions;
using Labels = std::vector<std::int64_t>;

std::vector<std::vector<double>> random_rows(std::size_t n, std::size_t cols, double density,
                                             unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::vector<double>> rows(n, std::vector<double>(cols, 0.0));
  for (auto& r : rows) {
    for (auto& v : r) v = u(rng) < density ? u(rng) : 0.0;
  }
  return rows;
}

// Labels renumbered by first appearance: equal partitions give equal vectors.
Labels canonical(const Labels& l) {
  std::map<std::int64_t, std::int64_t> id;
  Labels out;
  for (auto v : l) out.push_back(id.emplace(v, static_cast<std::int64_t>(id.size())).first->second);
  return out;
}

Labels reference_on(const std::vector<std::vector<double>>& s, const StoryOptions& o);

// Textbook agglomeration on the dense matrix: O(n^3). Single link checks cohesion. With
// times, pairs further apart than the window (both dated) count as 0.
Labels reference(const std::vector<std::vector<double>>& rows, const StoryOptions& o,
                 const std::vector<double>* times = nullptr) {
  const std::size_t n = rows.size();
  std::vector<std::vector<double>> s(n, std::vector<double>(n));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) {
      const double c = cosine(rows[i], rows[j]);
      const bool apart = times != nullptr && o.time_window > 0 &&
                         std::abs((*times)[i] - (*times)[j]) > o.time_window;
      s[i][j] = c >= o.edge_floor() && !apart ? c : 0.0;
    }
  }
  return reference_on(s, o);
}

// The same on given similarities (symmetric; 0 for no pair).
Labels reference_on(const std::vector<std::vector<double>>& s, const StoryOptions& o) {
  const std::size_t n = s.size();
  std::vector<std::vector<std::size_t>> clusters;
  for (std::size_t i = 0; i < n; ++i) clusters.push_back({i});
  std::vector<std::vector<bool>> refused;
  for (;;) {
    double best = -1;
    std::size_t ba = 0, bb = 0;
    for (std::size_t a = 0; a < clusters.size(); ++a) {
      for (std::size_t b = a + 1; b < clusters.size(); ++b) {
        double sum = 0, mx = 0, inner = 0;
        for (auto i : clusters[a]) {
          for (auto j : clusters[b]) {
            sum += s[i][j];
            mx = std::max(mx, s[i][j]);
          }
        }
        const double link = o.linkage == Linkage::average
                                ? sum / (clusters[a].size() * clusters[b].size())
                                : mx;
        if (o.linkage == Linkage::single) {
          std::vector<std::size_t> m(clusters[a]);
          m.insert(m.end(), clusters[b].begin(), clusters[b].end());
          for (std::size_t x = 0; x < m.size(); ++x) {
            for (std::size_t y = x + 1; y < m.size(); ++y) inner += s[m[x]][m[y]];
          }
          const double k = static_cast<double>(m.size());
          if (inner / (k * (k - 1) / 2) < o.cohesion) continue;
        }
        if (link > best) {
          best = link;
          ba = a;
          bb = b;
        }
      }
    }
    if (best < o.threshold || best <= 0) break;
    clusters[ba].insert(clusters[ba].end(), clusters[bb].begin(), clusters[bb].end());
    clusters.erase(clusters.begin() + static_cast<std::ptrdiff_t>(bb));
  }
  Labels l(n);
  for (std::size_t c = 0; c < clusters.size(); ++c) {
    for (auto i : clusters[c]) l[i] = static_cast<std::int64_t>(c);
  }
  return canonical(l);
}

TEST(Stories, AverageLinkEqualsTheTextbookAlgorithm) {
  for (unsigned seed = 1; seed <= 12; ++seed) {
    const auto rows = random_rows(40, 30, 0.15, seed);
    const Owned m(rows, 30);
    StoryOptions o;
    o.threshold = 0.15 + 0.02 * seed;
    o.min_similarity = 1e-9;
    EXPECT_EQ(canonical(newsim::cluster_stories(m.ref(), o)), reference(rows, o)) << seed;
    o.min_similarity = 0;  // the sparse default: pairs below threshold / 2 count as 0
    EXPECT_EQ(canonical(newsim::cluster_stories(m.ref(), o)), reference(rows, o)) << seed;
  }
}

TEST(Stories, SingleLinkWithCohesionEqualsTheTextbookAlgorithm) {
  for (unsigned seed = 1; seed <= 12; ++seed) {
    const auto rows = random_rows(30, 20, 0.2, seed + 100);
    const Owned m(rows, 20);
    StoryOptions o;
    o.linkage = Linkage::single;
    o.threshold = 0.5;
    o.cohesion = seed % 2 == 0 ? 0.0 : 0.3;
    EXPECT_EQ(canonical(newsim::cluster_stories(m.ref(), o)), reference(rows, o)) << seed;
  }
}

TEST(Stories, CohesionStopsAChain) {
  // 0-1-2-3-4: neighbours share a term, the ends share nothing.
  std::vector<std::vector<double>> rows(5, std::vector<double>(6, 0.0));
  for (int i = 0; i < 5; ++i) {
    rows[i][i] = 1;
    rows[i][i + 1] = 1;
  }
  const Owned m(rows, 6);
  StoryOptions o;
  o.linkage = Linkage::single;
  o.threshold = 0.4;
  o.cohesion = 0;
  EXPECT_EQ(newsim::cluster_stories(m.ref(), o), (Labels{0, 0, 0, 0, 0}));
  o.cohesion = 0.3;  // a chain of three has mean 1/3; four, 0.25
  const Labels l = newsim::cluster_stories(m.ref(), o);
  EXPECT_GT(*std::max_element(l.begin(), l.end()), 0);
  o.linkage = Linkage::average;
  o.threshold = 0.3;
  EXPECT_EQ(canonical(newsim::cluster_stories(m.ref(), o)), reference(rows, o));
}

TEST(Stories, TimeWindowKeepsSimilarEventsApart) {
  std::vector<std::vector<double>> rows{{1, 1, 0}, {1, 1, 0.1}, {1, 1, 0}, {1, 0.9, 0}};
  const Owned m(rows, 3);
  StoryOptions o;
  const double day = 86400;
  const std::vector<double> times{0, day, 365 * day, 366 * day};
  EXPECT_EQ(newsim::cluster_stories(m.ref(), o, &times), (Labels{0, 0, 1, 1}));  // 7 days
  o.time_window = 0;  // no window
  EXPECT_EQ(newsim::cluster_stories(m.ref(), o, &times), (Labels{0, 0, 0, 0}));
  o.time_window = 30 * day;
  EXPECT_EQ(newsim::cluster_stories(m.ref(), o, &times), (Labels{0, 0, 1, 1}));
  // An article without a time is not limited by the window.
  const std::vector<double> some{0, std::nan(""), 365 * day, 366 * day};
  EXPECT_EQ(newsim::cluster_stories(m.ref(), o, &some), (Labels{0, 0, 0, 0}));
}

// n rows of `topics` topics (in random order), each with `width` columns of its own topic
// set and one random column raised: topics * width columns.
std::vector<std::vector<double>> noisy_topics(int n, int topics, int width, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  const auto cols = static_cast<unsigned>(topics * width);
  std::vector<std::vector<double>> rows;
  for (int i = 0; i < n; ++i) {
    std::vector<double> r(cols, 0.0);
    const int topic = static_cast<int>(rng() % static_cast<unsigned>(topics));
    for (int j = 0; j < width; ++j) r[static_cast<std::size_t>(topic * width + j)] = 0.5 + u(rng);
    r[rng() % cols] += u(rng);
    rows.push_back(r);
  }
  return rows;
}

TEST(StoryClusterer, IncrementalEqualsBatchAndIdsStayStable) {
  // Ten topics of 12 noisy copies each, in shuffled order.
  const Owned m(noisy_topics(120, 10, 6, 7), 60);
  StoryOptions o;
  o.threshold = 0.3;
  const Labels batch = newsim::cluster_stories(m.ref(), o);
  StoryClusterer c(o);
  Labels before;
  for (std::int64_t from = 0; from < 120; from += 25) {
    const Labels now = c.add(m.rows(from, std::min<std::int64_t>(120, from + 25)));
    // Stories only grow here, so earlier articles keep their ids.
    for (std::size_t i = 0; i < before.size(); ++i) EXPECT_EQ(now[i], before[i]);
    before = now;
  }
  EXPECT_EQ(canonical(c.labels()), canonical(batch));
  EXPECT_EQ(c.labels(), batch);  // ids number stories by first article in both

  const auto stories = c.stories(3);
  ASSERT_EQ(stories.size(), static_cast<std::size_t>(*std::max_element(batch.begin(), batch.end()) + 1));
  for (const auto& s : stories) {
    EXPECT_TRUE(std::is_sorted(s.members.begin(), s.members.end()));
    EXPECT_NE(std::find(s.members.begin(), s.members.end(), s.representative), s.members.end());
    EXPECT_GE(s.cohesion, 0.3 - 1e-12);  // average link: no merge below the threshold
    EXPECT_LE(s.cohesion, 1 + 1e-12);
    EXPECT_LE(s.key_terms.size(), 3U);
    EXPECT_TRUE(std::isnan(s.first_time));
    for (auto i : s.members) EXPECT_EQ(c.labels()[static_cast<std::size_t>(i)], s.id);
  }
}

TEST(StoryClusterer, AddingOwnedMatricesEqualsAddingViews) {
  // The owned batches are taken (the first) or copied and freed (the later ones).
  const Owned m(noisy_topics(90, 8, 5, 11), 40);
  StoryOptions o;
  o.threshold = 0.3;
  StoryClusterer views(o), owned(o);
  for (std::int64_t from = 0; from < 90; from += 30) {
    const Labels want = views.add(m.rows(from, from + 30));
    newsim::CsrMatrix<double> batch = m.matrix(from, from + 30);
    EXPECT_EQ(owned.add(std::move(batch)), want);
    EXPECT_EQ(batch.indices.size(), 0U);  // NOLINT(bugprone-use-after-move): it was taken
  }
  const auto a = views.stories(4), b = owned.stories(4);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t k = 0; k < a.size(); ++k) {
    EXPECT_EQ(a[k].members, b[k].members);
    ASSERT_EQ(a[k].key_terms.size(), b[k].key_terms.size());
    for (std::size_t t = 0; t < a[k].key_terms.size(); ++t) {
      EXPECT_EQ(a[k].key_terms[t].term, b[k].key_terms[t].term);
      EXPECT_DOUBLE_EQ(a[k].key_terms[t].weight, b[k].key_terms[t].weight);
    }
  }
}

TEST(StoryClusterer, MergedStoriesKeepTheIdOfTheLarger) {
  // Two stories, then articles that bridge them: the mean link passes the threshold.
  const Owned m({{1, 0}, {1, 0.05}, {0, 1}, {1, 1}, {1, 1}, {1, 1}}, 2);
  StoryOptions o;
  o.threshold = 0.4;
  StoryClusterer c(o);
  EXPECT_EQ(c.add(m.rows(0, 3)), (Labels{0, 0, 1}));
  const Labels l = c.add(m.rows(3, 6));
  EXPECT_EQ(l, (Labels{0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(canonical(l), canonical(newsim::cluster_stories(m.ref(), o)));
}

TEST(StoryClusterer, ThreadsAndBadInput) {
  const auto rows = random_rows(200, 40, 0.1, 3);
  const Owned m(rows, 40);
  StoryOptions o;
  o.n_jobs = 1;
  const Labels one = newsim::cluster_stories(m.ref(), o);
  o.n_jobs = 3;
  EXPECT_EQ(newsim::cluster_stories(m.ref(), o), one);

  StoryOptions bad;
  bad.threshold = 0;
  EXPECT_THROW(StoryClusterer{bad}, newsim::InvalidArgument);
  bad = {};
  bad.min_similarity = 0.5;  // above the threshold
  EXPECT_THROW(StoryClusterer{bad}, newsim::InvalidArgument);
  bad = {};
  bad.time_window = -1;
  EXPECT_THROW(StoryClusterer{bad}, newsim::InvalidArgument);
  EXPECT_THROW(newsim::parse_linkage("ward"), newsim::InvalidArgument);

  StoryClusterer c;
  c.add(m.rows(0, 10));
  const Owned other({{1, 2, 3}}, 3);
  EXPECT_THROW(c.add(other.ref()), newsim::InvalidArgument);  // other columns
  const std::vector<double> times{1, 2};
  EXPECT_THROW(c.add(m.rows(10, 20), &times), newsim::InvalidArgument);
  EXPECT_EQ(c.size(), 10);  // failed adds change nothing
  const Owned nan_row({{std::nan(""), 1.0}}, 2);
  EXPECT_THROW(newsim::cluster_stories(nan_row.ref()), newsim::InvalidArgument);
  EXPECT_TRUE(newsim::cluster_stories(m.rows(0, 0)).empty());
}

// Rows of a few topics with noise, some rows repeated exactly, in shuffled order; times
// spread over `days` days (NaN for about one in ten when `undated`).
struct Archive {
  std::vector<std::vector<double>> rows;
  std::vector<double> times;
};
Archive archive(std::size_t n, std::size_t cols, double days, bool undated, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  Archive a;
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && u(rng) < 0.2) {  // an exact copy of an earlier row, same time
      const std::size_t k = rng() % i;
      a.rows.push_back(a.rows[k]);
      a.times.push_back(a.times[k]);
      continue;
    }
    std::vector<double> r(cols, 0.0);
    const std::size_t topic = rng() % (cols / 5);
    for (std::size_t j = 0; j < 5; ++j) r[topic * 5 + j] = u(rng) < 0.7 ? 0.5 + u(rng) : 0.0;
    r[rng() % cols] += u(rng);
    a.rows.push_back(r);
    a.times.push_back(undated && u(rng) < 0.1 ? std::nan("") : std::floor(u(rng) * days) * 86400);
  }
  return a;
}

TEST(Stories, IdenticalRowsAndTimeWindowsEqualTheTextbookAlgorithm) {
  for (unsigned seed = 1; seed <= 8; ++seed) {
    const Archive a = archive(70, 40, 40, seed % 2 == 0, seed);
    const Owned m(a.rows, 40);
    for (const double window_days : {0.0, 3.0, 11.0}) {
      for (const Linkage linkage : {Linkage::average, Linkage::single}) {
        StoryOptions o;
        o.linkage = linkage;
        o.threshold = linkage == Linkage::average ? 0.3 : 0.5;
        o.cohesion = 0.2;
        o.time_window = window_days * 86400;
        EXPECT_EQ(canonical(newsim::cluster_stories(m.ref(), o, &a.times)),
                  reference(a.rows, o, &a.times))
            << seed << " " << window_days << " " << static_cast<int>(linkage);
      }
    }
  }
}

TEST(Stories, TenThousandIdenticalRowsAreOneNode) {
  const std::vector<std::vector<double>> rows(10000, std::vector<double>{1, 2, 0, 3});
  const Owned m(rows, 4);
  StoryClusterer c;
  const Labels l = c.add(m.ref());
  EXPECT_EQ(l, Labels(10000, 0));
  EXPECT_TRUE(c.pairs().empty());  // copies are counted, not paired
  const auto stories = c.stories(2);
  ASSERT_EQ(stories.size(), 1U);
  EXPECT_EQ(stories[0].members.size(), 10000U);
  EXPECT_DOUBLE_EQ(stories[0].cohesion, 1.0);
  EXPECT_EQ(stories[0].representative, 0);
  // Rows of zeros are never merged: each is a story of its own.
  const Owned zeros(std::vector<std::vector<double>>(3, std::vector<double>(4, 0.0)), 4);
  EXPECT_EQ(newsim::cluster_stories(zeros.ref()), (Labels{0, 1, 2}));
}

TEST(Stories, MaxNeighborsBoundsThePairs) {
  const Archive a = archive(300, 20, 1, false, 5);  // 4 topics: many partners each
  const Owned m(a.rows, 20);
  StoryOptions o;
  o.time_window = 0;
  o.max_neighbors = 3;
  StoryClusterer c(o);
  c.add(m.ref());
  const auto pairs = c.pairs();
  EXPECT_LE(pairs.size(), 300U * 3);
  EXPECT_GT(pairs.size(), 30U);
  // A kept pair is among the 3 best of one of its sides; copies of a row are one partner (the
  // first), not three.
  std::vector<bool> first_copy(300, true);
  for (std::size_t i = 0; i < 300; ++i) {
    for (std::size_t k = 0; k < i && first_copy[i]; ++k) first_copy[i] = a.rows[k] != a.rows[i];
  }
  std::vector<std::vector<double>> scores(300);
  for (std::size_t i = 0; i < 300; ++i) {
    for (std::size_t j = 0; j < 300; ++j) {
      if (first_copy[j] && a.rows[i] != a.rows[j]) scores[i].push_back(cosine(a.rows[i], a.rows[j]));
    }
    std::sort(scores[i].rbegin(), scores[i].rend());
  }
  for (const auto& p : pairs) {
    const auto i = static_cast<std::size_t>(p.i);
    const auto j = static_cast<std::size_t>(p.j);
    EXPECT_TRUE(p.score >= scores[i][2] - 1e-12 || p.score >= scores[j][2] - 1e-12);
  }
  StoryOptions bad;
  bad.max_neighbors = 0;
  EXPECT_THROW(StoryClusterer{bad}, newsim::InvalidArgument);
}

// With few partners kept per node, some pairs are kept by one side only: the agglomeration
// takes each kept pair once, whichever side keeps it, and no other.
TEST(Stories, BoundedPartnersAgglomerateTheKeptPairs) {
  for (const Linkage linkage : {Linkage::average, Linkage::single}) {
    for (unsigned seed = 1; seed <= 8; ++seed) {
      const auto rows = random_rows(40, 30, 0.15, seed);
      const Owned m(rows, 30);
      StoryOptions o;
      o.linkage = linkage;
      o.threshold = 0.2;
      o.min_similarity = 1e-9;
      o.time_window = 0;
      o.max_neighbors = 2;
      StoryClusterer c(o);
      c.add(m.ref());
      std::vector<std::vector<double>> s(rows.size(), std::vector<double>(rows.size(), 0.0));
      const auto pairs = c.pairs();
      std::vector<int> degree(rows.size(), 0);
      for (const auto& p : pairs) {
        s[static_cast<std::size_t>(p.i)][static_cast<std::size_t>(p.j)] = p.score;
        s[static_cast<std::size_t>(p.j)][static_cast<std::size_t>(p.i)] = p.score;
        ++degree[static_cast<std::size_t>(p.i)];
        ++degree[static_cast<std::size_t>(p.j)];
      }
      // Some node is in more pairs than it keeps: the others keep them.
      ASSERT_GT(*std::max_element(degree.begin(), degree.end()), o.max_neighbors) << seed;
      EXPECT_EQ(canonical(c.labels()), reference_on(s, o)) << seed;
    }
  }
}

TEST(StoryClusterer, IncrementalEqualsBatchWithWindowsAndCopies) {
  const Archive a = archive(160, 40, 30, true, 11);
  const Owned m(a.rows, 40);
  StoryOptions o;
  o.time_window = 4 * 86400;
  o.max_neighbors = 6;  // binding for some articles: the kept set must not depend on order
  const Labels batch = newsim::cluster_stories(m.ref(), o, &a.times);
  StoryClusterer c(o);
  const std::vector<std::int64_t> cuts{0, 1, 37, 38, 90, 160};
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    const std::vector<double> t(a.times.begin() + cuts[k], a.times.begin() + cuts[k + 1]);
    c.add(m.rows(cuts[k], cuts[k + 1]), &t);
  }
  EXPECT_EQ(canonical(c.labels()), canonical(batch));
  const auto one = [&] {
    StoryClusterer b(o);
    b.add(m.ref(), &a.times);
    return b.pairs();
  }();
  const auto many = c.pairs();
  ASSERT_EQ(one.size(), many.size());
  for (std::size_t k = 0; k < one.size(); ++k) {
    EXPECT_EQ(one[k].i, many[k].i);
    EXPECT_EQ(one[k].j, many[k].j);
    EXPECT_EQ(one[k].score, many[k].score);
  }
}

TEST(StoryClusterer, ConcurrentAddsAndReads) {
  const Archive a = archive(400, 40, 20, true, 21);
  const Owned m(a.rows, 40);
  StoryOptions o;
  o.n_jobs = 1;
  StoryClusterer c(o);
  std::vector<std::int64_t> first(8, -1);  // where each batch of 50 landed
  std::vector<std::thread> threads;
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done) {
      const Labels l = c.labels();
      const auto s = c.stories(1);
      std::size_t members = 0;
      for (const auto& st : s) members += st.members.size();
      EXPECT_LE(l.size(), 400U);
      EXPECT_LE(members, 400U);
    }
  });
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int b = t; b < 8; b += 4) {
        const std::vector<double> times(a.times.begin() + 50 * b, a.times.begin() + 50 * b + 50);
        const Labels l = c.add(m.rows(50 * b, 50 * b + 50), &times);
        first[static_cast<std::size_t>(b)] = static_cast<std::int64_t>(l.size()) - 50;
      }
    });
  }
  for (auto& th : threads) th.join();
  done = true;
  reader.join();
  ASSERT_EQ(c.size(), 400);
  // The same partition as one call on the rows in the order they were added.
  std::vector<std::vector<double>> rows(400);
  std::vector<double> times(400);
  for (std::size_t b = 0; b < 8; ++b) {
    for (std::size_t k = 0; k < 50; ++k) {
      rows[static_cast<std::size_t>(first[b]) + k] = a.rows[50 * b + k];
      times[static_cast<std::size_t>(first[b]) + k] = a.times[50 * b + k];
    }
  }
  const Owned ordered(rows, 40);
  EXPECT_EQ(canonical(c.labels()), canonical(newsim::cluster_stories(ordered.ref(), o, &times)));
}

}  // namespace

namespace {

newsim::Documents views(const std::vector<std::string>& texts) {
  return newsim::as_documents(texts);
}

}  // namespace

TEST(StoryFeatures, NamesAreWeightedAndRowsHaveUnitLength) {
  const std::vector<std::string> texts = {
      "Obama meets Putin in Moscow to talk about missiles",
      "Putin and Obama talk in Moscow about missiles",
      "Putin and Obama say the Moscow talks went well",
      "rain in the north brings floods",
      "more rain and floods in the north",
      "",
  };
  newsim::StoryFeatures f(2.0, 1);
  const auto x = f.fit_transform(views(texts));
  const auto& e = f.entities();
  EXPECT_TRUE(std::binary_search(e.begin(), e.end(), "obama"));
  EXPECT_TRUE(std::binary_search(e.begin(), e.end(), "moscow"));
  EXPECT_FALSE(std::binary_search(e.begin(), e.end(), "rain"));
  ASSERT_EQ(x.rows, 6);
  for (std::int64_t i = 0; i < 5; ++i) {
    double sq = 0;
    for (auto k = x.indptr[i]; k < x.indptr[i + 1]; ++k) sq += x.data[k] * x.data[k];
    EXPECT_NEAR(sq, 1.0, 1e-12) << "row " << i;
  }
  EXPECT_EQ(x.indptr[6], x.indptr[5]);  // no terms: a zero row
  // A name's column weighs twice a plain word's with the same raw TF-IDF value.
  const auto& voc = f.vectorizer().vocabulary();
  const auto obama = voc.find("obama");
  const auto missiles = voc.find("missiles");
  ASSERT_GE(obama, 0);
  ASSERT_GE(missiles, 0);
  EXPECT_EQ(f.weights()[static_cast<std::size_t>(obama)], 2.0);
  EXPECT_EQ(f.weights()[static_cast<std::size_t>(missiles)], 1.0);
  const auto pair = voc.find("putin obama");
  ASSERT_GE(pair, 0);
  EXPECT_EQ(f.weights()[static_cast<std::size_t>(pair)], 2.0);
  // transform gives fit_transform's rows; the thread count changes nothing.
  const auto y = f.transform(views(texts));
  ASSERT_EQ(y.nnz(), x.nnz());
  for (std::size_t k = 0; k < x.nnz(); ++k) EXPECT_EQ(y.data[k], x.data[k]);
  newsim::StoryFeatures g(2.0, 2);
  const auto z = g.fit_transform(views(texts));
  ASSERT_EQ(z.nnz(), x.nnz());
  for (std::size_t k = 0; k < x.nnz(); ++k) EXPECT_EQ(z.data[k], x.data[k]);
  // Stories from these features: the two topics apart.
  const auto labels = newsim::cluster_stories(newsim::CsrRef(x));
  EXPECT_EQ(labels[0], labels[1]);
  EXPECT_EQ(labels[0], labels[2]);
  EXPECT_EQ(labels[3], labels[4]);
  EXPECT_NE(labels[0], labels[3]);
  EXPECT_THROW(newsim::StoryFeatures(0.0), newsim::InvalidArgument);
  EXPECT_THROW(newsim::StoryFeatures().transform(views(texts)), newsim::NotFittedError);
}

namespace {

// Pairs that StoryClusterer keeps when no node has more than max_neighbors partners: every
// pair of first copies within the window scoring at least the floor, with similarity_join's
// score to the bit.
std::vector<StoryClusterer::Pair> joined_within(const Archive& a, const Owned& m, double window,
                                                double floor) {
  newsim::JoinOptions j;
  j.threshold = floor;
  j.max_pairs = -1;
  const newsim::CsrMatrix<double> joined = newsim::similarity_join(m.ref(), nullptr, j);
  std::vector<bool> first(a.rows.size(), true);
  for (std::size_t i = 0; i < a.rows.size(); ++i) {
    for (std::size_t k = 0; k < i && first[i]; ++k) {
      const bool same_time = a.times[k] == a.times[i] ||
                             (std::isnan(a.times[k]) && std::isnan(a.times[i]));
      first[i] = !(a.rows[k] == a.rows[i] && same_time);
    }
  }
  std::vector<StoryClusterer::Pair> out;
  for (std::int64_t i = 0; i < joined.rows; ++i) {
    for (std::int64_t p = joined.indptr[static_cast<std::size_t>(i)];
         p < joined.indptr[static_cast<std::size_t>(i) + 1]; ++p) {
      const std::int64_t k = joined.indices[static_cast<std::size_t>(p)];
      const auto ui = static_cast<std::size_t>(i);
      const auto uk = static_cast<std::size_t>(k);
      if (!first[ui] || !first[uk] || std::abs(a.times[ui] - a.times[uk]) > window) continue;
      out.push_back({i, k, joined.data[static_cast<std::size_t>(p)]});
    }
  }
  return out;
}

}  // namespace

TEST(Stories, WindowedPairsAreTheJoinsPairsForAnyThreadsSlicesAndBatches) {
  // 2,400 articles over 90 days, a few undated: many time slices, partners across slices.
  Archive a = archive(2400, 60, 90, false, 21);
  for (std::size_t i = 7; i < a.times.size(); i += 211) a.times[i] = std::nan("");
  const Owned m(a.rows, 60);
  StoryOptions o;
  o.time_window = 5 * 86400;
  o.max_neighbors = 100000;  // keeps every pair
  const auto expected = joined_within(a, m, o.time_window, o.edge_floor());
  ASSERT_GT(expected.size(), 10000U);
  auto same = [&](const std::vector<StoryClusterer::Pair>& got, const char* what) {
    ASSERT_EQ(got.size(), expected.size()) << what;
    for (std::size_t k = 0; k < got.size(); ++k) {
      ASSERT_EQ(got[k].i, expected[k].i) << what << " " << k;
      ASSERT_EQ(got[k].j, expected[k].j) << what << " " << k;
      ASSERT_EQ(got[k].score, expected[k].score) << what << " " << k;  // to the bit
    }
  };
  for (const int threads : {1, 2, 3}) {
    o.n_jobs = threads;
    StoryClusterer c(o);
    c.add(m.ref(), &a.times);
    same(c.pairs(), "one batch");
  }
  StoryClusterer c(o);
  const std::vector<std::int64_t> cuts{0, 300, 301, 1500, 2400};
  for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
    const std::vector<double> t(a.times.begin() + cuts[k], a.times.begin() + cuts[k + 1]);
    c.add(m.rows(cuts[k], cuts[k + 1]), &t);
  }
  same(c.pairs(), "batches");
}
