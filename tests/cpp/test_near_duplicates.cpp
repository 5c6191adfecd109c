#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "newsim/errors.hpp"
#include "newsim/near_duplicates.hpp"

namespace {

using newsim::NearDuplicateIndex;
using newsim::NearDuplicateOptions;
using newsim::Relation;
using newsim::TextView;

// A text of n distinct words w<seed>_<i>.
std::string words(int n, int seed, int from = 0) {
  std::string s;
  for (int i = from; i < from + n; ++i) s += "w" + std::to_string(seed) + "x" + std::to_string(i) + " ";
  return s;
}

std::vector<TextView> views(const std::vector<std::string>& texts) {
  return std::vector<TextView>(texts.begin(), texts.end());
}

double exact_jaccard(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  std::vector<std::uint64_t> i;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(i));
  return static_cast<double>(i.size()) / static_cast<double>(a.size() + b.size() - i.size());
}

TEST(Shingles, RunsOfWordsLowercasedSortedDistinct) {
  NearDuplicateOptions o;
  o.shingle_size = 3;
  const auto a = newsim::shingles("One two three four two three four", o);
  // one two three | two three four | three four two | four two three | (two three four again)
  EXPECT_EQ(a.size(), 4U);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(a, newsim::shingles("ONE two, three! four two three four", o));
  EXPECT_NE(a, newsim::shingles("one two three four two three five", o));
  // Fewer words than a shingle: one shingle of all of them; no words: none.
  EXPECT_EQ(newsim::shingles("just two", o).size(), 1U);
  EXPECT_TRUE(newsim::shingles("", o).empty());
  EXPECT_TRUE(newsim::shingles(" , ! a", o).empty());  // single letters are not words
}

TEST(Shingles, InvalidUtf8NamesTheDocument) {
  NearDuplicateOptions o;
  try {
    newsim::shingles(std::string("good \xff bad"), o, 7);
    FAIL() << "no error";
  } catch (const newsim::DecodeError& e) {
    EXPECT_EQ(e.document(), 7U);
    EXPECT_EQ(e.offset(), 5U);
  }
}

TEST(MinHash, EstimatesJaccardWithinItsStandardError) {
  std::mt19937_64 rng(3);
  const int perms = 256;
  double total_error = 0;
  int pairs = 0;
  for (int common : {10, 50, 100, 150, 190}) {
    for (int rep = 0; rep < 20; ++rep) {
      std::vector<std::uint64_t> a, b;
      for (int i = 0; i < common; ++i) {
        const auto x = rng();
        a.push_back(x);
        b.push_back(x);
      }
      for (int i = 0; i < 200 - common; ++i) a.push_back(rng());
      for (int i = 0; i < 200 - common; ++i) b.push_back(rng());
      std::sort(a.begin(), a.end());
      std::sort(b.begin(), b.end());
      const double j = exact_jaccard(a, b);
      const double est = newsim::estimate_jaccard(newsim::minhash(a, perms), newsim::minhash(b, perms));
      const double se = std::sqrt(j * (1 - j) / perms);
      EXPECT_NEAR(est, j, 4.5 * se + 1e-9) << "common " << common;
      total_error += est - j;
      ++pairs;
    }
  }
  // Unbiased: the mean error over 100 pairs is far below one pair's standard error (<= 0.031).
  EXPECT_LT(std::abs(total_error / pairs), 0.01);
}

TEST(MinHash, StructuredValuesBehaveLikeHashes) {
  // Runs of consecutive integers: {0..199} and {100..299} share a third.
  double total = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    std::vector<std::uint64_t> a, b;
    for (std::uint64_t i = 0; i < 200; ++i) a.push_back(i * 1000 * seed);
    for (std::uint64_t i = 100; i < 300; ++i) b.push_back(i * 1000 * seed);
    const double est = newsim::estimate_jaccard(newsim::minhash(a, 128, seed), newsim::minhash(b, 128, seed));
    EXPECT_NEAR(est, 1.0 / 3, 4.5 * std::sqrt(2.0 / 9 / 128));
    total += est;
  }
  EXPECT_NEAR(total / 40, 1.0 / 3, 0.015);
}

TEST(MinHash, EmptySetAndSeeds) {
  const auto e = newsim::minhash({}, 8);
  EXPECT_TRUE(std::all_of(e.begin(), e.end(), [](std::uint32_t v) { return v == 0xFFFFFFFFU; }));
  const std::vector<std::uint64_t> s{1, 2, 3, 99};
  EXPECT_EQ(newsim::minhash(s, 16, 1), newsim::minhash(s, 16, 1));
  EXPECT_NE(newsim::minhash(s, 16, 1), newsim::minhash(s, 16, 2));
  EXPECT_THROW(newsim::minhash(s, 0), newsim::InvalidArgument);
  EXPECT_THROW(newsim::estimate_jaccard({1, 2}, {1}), newsim::InvalidArgument);
}

TEST(Lsh, BandingReachesTheTargetProbabilityAtTheThreshold) {
  for (double t : {0.5, 0.7, 0.8, 0.9, 0.95}) {
    const auto b = newsim::choose_bands(t, 128);
    EXPECT_LE(b.bands * b.rows, 128);
    EXPECT_GE(newsim::lsh_probability(t, b), 0.999) << t;
    // One more row per band would miss the target: the banding is the most selective one.
    const newsim::LshBands tighter{128 / (b.rows + 1), b.rows + 1};
    if (tighter.bands > 0) EXPECT_LT(newsim::lsh_probability(t, tighter), 0.999) << t;
  }
  EXPECT_EQ(newsim::choose_bands(0.8, 128, 16).rows, 8);
  EXPECT_DOUBLE_EQ(newsim::lsh_probability(1.0, {4, 4}), 1.0);
  EXPECT_DOUBLE_EQ(newsim::lsh_probability(0.0, {4, 4}), 0.0);
}

TEST(Lsh, CandidateRateMatchesTheory) {
  // Pairs of known Jaccard; the share that become candidates follows 1 - (1 - J^r)^b.
  NearDuplicateOptions o;
  o.shingle_size = 1;
  o.num_perm = 20;
  o.bands = 5;  // 5 bands of 4 rows
  o.threshold = 0.01;
  const newsim::LshBands banding = newsim::choose_bands(o.threshold, o.num_perm, o.bands);
  ASSERT_EQ(banding.rows, 4);
  for (int common : {20, 40, 60}) {  // of 80 words each: J = common / (160 - common)
    const double j = common / (160.0 - common);
    const int trials = 400;
    int hits = 0;
    for (int t = 0; t < trials; ++t) {
      NearDuplicateOptions ot = o;
      ot.seed = static_cast<std::uint64_t>(t + 1);
      NearDuplicateIndex ix(ot);
      const std::vector<std::string> texts{words(common, t) + words(80 - common, t + 1000),
                                           words(common, t) + words(80 - common, t + 2000)};
      ix.add(views(texts));
      hits += ix.candidates() > 0;
    }
    const double p = newsim::lsh_probability(j, banding);
    const double sigma = std::sqrt(p * (1 - p) / trials);
    EXPECT_NEAR(static_cast<double>(hits) / trials, p, 4 * sigma + 0.01) << "J " << j;
  }
}

TEST(NearDuplicates, PairsRelationsGroupsAndCanonical) {
  const std::string base = words(100, 1);
  const std::string cut = words(95, 1);                                   // an excerpt
  const std::string edited = words(48, 1) + "changed here " + words(50, 1, 50);  // an edit
  const std::vector<std::string> texts{base, words(60, 2), base, cut, edited, "", ""};
  NearDuplicateOptions o;
  o.threshold = 0.8;
  const auto r = newsim::near_duplicates(views(texts), o);
  // Every reported pair is exact and at or above the threshold; empty texts pair with nothing.
  ASSERT_FALSE(r.pairs.empty());
  for (const auto& p : r.pairs) {
    EXPECT_LT(p.a, p.b);
    EXPECT_GE(p.jaccard, 0.8);
    EXPECT_LT(p.b, 5);
    EXPECT_NE(p.a, 1);
  }
  auto find = [&](std::int64_t a, std::int64_t b) {
    for (const auto& p : r.pairs) {
      if (p.a == a && p.b == b) return p;
    }
    ADD_FAILURE() << "no pair " << a << "," << b;
    return newsim::DuplicatePair{};
  };
  EXPECT_EQ(find(0, 2).relation, Relation::copy);
  EXPECT_DOUBLE_EQ(find(0, 2).jaccard, 1.0);
  const auto c = find(0, 3);
  EXPECT_EQ(c.relation, Relation::copy);  // 91 of 96 shingles: near-identical
  const auto u = find(0, 4);
  // Much of each lies in the other, but the change is on both sides: an update, not a cut.
  EXPECT_EQ(u.relation, Relation::update);
  EXPECT_GE(u.containment, 0.9);
  EXPECT_EQ(u.container, -1);
  ASSERT_EQ(r.groups.size(), 1U);
  EXPECT_EQ(r.groups[0], (std::vector<std::int64_t>{0, 2, 3, 4}));
  EXPECT_EQ(r.canonical[0], 0);  // longest (0 and 2 tie: the first)

  // A cut that keeps 85% is "contains", with the longer text as container; dates pick the
  // canonical article.
  const std::vector<std::string> t2{words(85, 3), words(100, 3)};
  o.copy_threshold = 0.95;
  const std::vector<double> times{200.0, 100.0};
  const auto r2 = newsim::near_duplicates(views(t2), o, &times);
  ASSERT_EQ(r2.pairs.size(), 1U);
  EXPECT_EQ(r2.pairs[0].relation, Relation::contains);
  EXPECT_EQ(r2.pairs[0].container, 1);
  EXPECT_DOUBLE_EQ(r2.pairs[0].containment, 1.0);
  EXPECT_EQ(r2.canonical[0], 1);  // the earlier one
}

TEST(NearDuplicates, GroupsAreConnectedComponents) {
  // a~b and b~c above 0.8 while a and c fall below it: still one group.
  const std::string a = words(100, 5, 0);
  const std::string b = words(100, 5, 6);
  const std::string c = words(100, 5, 12);
  NearDuplicateOptions o;
  o.threshold = 0.8;
  const auto r = newsim::near_duplicates(views({a, b, c}), o);
  ASSERT_EQ(r.pairs.size(), 2U);
  ASSERT_EQ(r.groups.size(), 1U);
  EXPECT_EQ(r.groups[0].size(), 3U);
}

TEST(NearDuplicateIndex, BatchesEqualOneCallAndQueryDoesNotAdd) {
  std::vector<std::string> texts;
  std::mt19937 rng(11);
  for (int i = 0; i < 300; ++i) {
    const int base = static_cast<int>(rng() % 40);
    texts.push_back(words(60, base, static_cast<int>(rng() % 4)));
  }
  NearDuplicateOptions o;
  o.threshold = 0.7;
  const auto all = newsim::near_duplicates(views(texts), o);
  NearDuplicateIndex ix(o);
  std::size_t reported = 0;
  for (std::size_t from = 0; from < texts.size(); from += 77) {
    const std::vector<std::string> batch(texts.begin() + from,
                                         texts.begin() + std::min(texts.size(), from + 77));
    reported += ix.add(views(batch)).size();
  }
  const auto r = ix.result();
  ASSERT_EQ(r.pairs.size(), all.pairs.size());
  EXPECT_EQ(reported, all.pairs.size());
  for (std::size_t i = 0; i < r.pairs.size(); ++i) {
    EXPECT_EQ(r.pairs[i].a, all.pairs[i].a);
    EXPECT_EQ(r.pairs[i].b, all.pairs[i].b);
    EXPECT_EQ(r.pairs[i].jaccard, all.pairs[i].jaccard);
  }
  EXPECT_EQ(r.groups, all.groups);
  const auto q = ix.query(texts[5]);
  EXPECT_EQ(ix.size(), 300);
  bool self = false;
  for (const auto& p : q) {
    EXPECT_EQ(p.a, -1);
    self = self || p.b == 5;
  }
  EXPECT_TRUE(self);
}

TEST(NearDuplicateIndex, ThreadsDoNotChangeResults) {
  std::vector<std::string> texts;
  for (int i = 0; i < 500; ++i) texts.push_back(words(40, i % 50, i % 3));
  NearDuplicateOptions o;
  o.n_jobs = 1;
  const auto one = newsim::near_duplicates(views(texts), o);
  o.n_jobs = 3;
  const auto three = newsim::near_duplicates(views(texts), o);
  ASSERT_EQ(one.pairs.size(), three.pairs.size());
  for (std::size_t i = 0; i < one.pairs.size(); ++i) {
    EXPECT_EQ(one.pairs[i].a, three.pairs[i].a);
    EXPECT_EQ(one.pairs[i].b, three.pairs[i].b);
  }
  EXPECT_EQ(one.groups, three.groups);
  EXPECT_EQ(one.candidates, three.candidates);
}

TEST(NearDuplicateIndex, BadInputAndFailedBatchAddsNothing) {
  NearDuplicateOptions o;
  o.threshold = 0;
  EXPECT_THROW(NearDuplicateIndex{o}, newsim::InvalidArgument);
  o = {};
  o.shingle_size = 0;
  EXPECT_THROW(NearDuplicateIndex{o}, newsim::InvalidArgument);
  o = {};
  o.words.analyzer = newsim::AnalyzerKind::char_ngrams;
  EXPECT_THROW(NearDuplicateIndex{o}, newsim::InvalidArgument);
  NearDuplicateIndex ix;
  const std::vector<std::string> bad{words(10, 1), std::string("x\xc3(")};
  try {
    ix.add(views(bad));
    FAIL() << "no error";
  } catch (const newsim::DecodeError& e) {
    EXPECT_EQ(e.document(), 1U);
  }
  EXPECT_EQ(ix.size(), 0);
  const std::vector<double> times{1.0};
  EXPECT_THROW(ix.add(views({words(10, 1), words(10, 2)}), &times), newsim::InvalidArgument);
  EXPECT_THROW(ix.signature(0), newsim::IndexOutOfRange);
  bool stop = true;
  o = {};
  o.interrupted = [&] { return stop; };
  NearDuplicateIndex interrupted(o);
  EXPECT_THROW(interrupted.add(views({words(10, 1), words(10, 1)})), newsim::Interrupted);
  EXPECT_EQ(interrupted.size(), 0);
}

// A 100-word text with word `i` (0..99) replaced: the texts for different i are distinct
// near-duplicates (Jaccard about 0.8 with each other on 5-word shingles).
std::string variant(int i) {
  std::string s;
  for (int w = 0; w < 100; ++w) {
    s += (w == i ? "changed" + std::to_string(i) : "base" + std::to_string(w)) + " ";
  }
  return s;
}

// Groups of the exact all-pairs relation (Jaccard >= threshold), for a reference.
std::vector<std::vector<std::int64_t>> exact_groups(const NearDuplicateIndex& ix,
                                                    double threshold) {
  const auto n = static_cast<std::size_t>(ix.size());
  std::vector<std::vector<std::uint64_t>> sets;
  for (std::size_t i = 0; i < n; ++i) sets.push_back(ix.shingle_set(static_cast<std::int64_t>(i)));
  std::vector<std::size_t> parent(n);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (std::size_t a = 0; a < n; ++a) {
    for (std::size_t b = a + 1; b < n; ++b) {
      if (!sets[a].empty() && !sets[b].empty() && exact_jaccard(sets[a], sets[b]) >= threshold) {
        parent[std::max(find(a), find(b))] = std::min(find(a), find(b));
      }
    }
  }
  std::vector<std::vector<std::int64_t>> groups(n);
  for (std::size_t i = 0; i < n; ++i) groups[find(i)].push_back(static_cast<std::int64_t>(i));
  std::vector<std::vector<std::int64_t>> out;
  for (auto& g : groups) {
    if (g.size() > 1) out.push_back(std::move(g));
  }
  return out;
}

TEST(NearDuplicateIndex, CopiesArePairedWithTheFirstOnly) {
  // 2,000 copies of one text (case and punctuation apart), one edited version, one other text:
  // 2,000 pairs (copies to the first, the edit to the first), not 2 million, and one group.
  std::vector<std::string> texts;
  const std::string text = variant(-1);
  for (int i = 0; i < 2000; ++i) texts.push_back(i % 3 == 1 ? text + "!" : text);
  texts.push_back(variant(50));
  texts.push_back(words(100, 7));
  NearDuplicateOptions o;
  const auto r = newsim::near_duplicates(views(texts), o);
  ASSERT_EQ(r.pairs.size(), 2000u);
  for (std::size_t i = 0; i < 1999; ++i) {
    EXPECT_EQ(r.pairs[i].a, 0);
    EXPECT_EQ(r.pairs[i].b, static_cast<std::int64_t>(i) + 1);
    EXPECT_EQ(r.pairs[i].jaccard, 1.0);
    EXPECT_EQ(r.pairs[i].relation, Relation::copy);
  }
  EXPECT_EQ(r.pairs[1999].a, 0);  // the edit meets the first of the copies only
  EXPECT_EQ(r.pairs[1999].b, 2000);
  EXPECT_LT(r.pairs[1999].jaccard, 1.0);
  ASSERT_EQ(r.groups.size(), 1u);
  EXPECT_EQ(r.groups[0].size(), 2001u);
  EXPECT_EQ(r.candidates, 2000);
  // query() still reports every copy.
  NearDuplicateIndex ix(o);
  ix.add(views(texts));
  const auto q = ix.query(text);
  EXPECT_EQ(q.size(), 2001u);  // the 2,000 copies and the edit
  for (std::size_t i = 1; i < q.size(); ++i) EXPECT_LT(q[i - 1].b, q[i].b);
}

TEST(NearDuplicateIndex, GroupsWithCopiesMatchTheExactReference) {
  std::vector<std::string> texts;
  std::mt19937 rng(5);
  for (int i = 0; i < 240; ++i) {
    const int kind = static_cast<int>(rng() % 3);
    if (kind == 0) texts.push_back(variant(static_cast<int>(rng() % 6)));      // copies and edits
    if (kind == 1) texts.push_back(words(50, static_cast<int>(rng() % 30)));   // copies
    if (kind == 2) texts.push_back(words(50, 100 + i));                        // alone
  }
  NearDuplicateOptions o;
  o.threshold = 0.7;
  NearDuplicateIndex ix(o);
  for (std::size_t from = 0; from < texts.size(); from += 50) {
    ix.add(views(std::vector<std::string>(texts.begin() + from,
                                          texts.begin() + std::min(texts.size(), from + 50))));
  }
  const auto r = ix.result();
  EXPECT_EQ(r.groups, exact_groups(ix, 0.7));
  for (const auto& p : r.pairs) {
    EXPECT_DOUBLE_EQ(p.jaccard, exact_jaccard(ix.shingle_set(p.a), ix.shingle_set(p.b)));
  }
}

TEST(NearDuplicateIndex, MaxPairsStopsABatchAndAddsNothing) {
  NearDuplicateOptions o;
  o.threshold = 0.7;
  o.max_pairs = 100;
  std::vector<std::string> first, many, last;
  for (int i = 0; i < 5; ++i) first.push_back(words(40, i));
  for (int i = 0; i < 40; ++i) many.push_back(variant(i));  // 780 candidate pairs
  for (int i = 0; i < 10; ++i) last.push_back(i % 2 ? variant(i) : words(40, i % 5));
  NearDuplicateIndex ix(o);
  ix.add(views(first));
  try {
    ix.add(views(many));
    ADD_FAILURE() << "no error past max_pairs";
  } catch (const newsim::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("max_pairs = 100"), std::string::npos) << e.what();
  }
  EXPECT_EQ(ix.size(), 5);
  EXPECT_THROW(ix.signature(5), newsim::IndexOutOfRange);
  // The index is as if the failed batch never came: the next batch gives what it gives on a
  // fresh index.
  const auto after = ix.add(views(last));
  NearDuplicateIndex fresh(o);
  fresh.add(views(first));
  const auto want = fresh.add(views(last));
  ASSERT_EQ(after.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(after[i].a, want[i].a);
    EXPECT_EQ(after[i].b, want[i].b);
  }
  EXPECT_EQ(ix.result().groups, fresh.result().groups);
  EXPECT_EQ(ix.candidates(), fresh.candidates());
  o.max_pairs = -1;
  EXPECT_EQ(newsim::near_duplicates(views(many), o).pairs.size(), 780u);
}

TEST(NearDuplicateIndex, SharedBetweenThreads) {
  // 8 threads add, query and read one index at once (the Python binding lets the GIL go):
  // every document gets one position, and the result is the exact relation.
  NearDuplicateOptions o;
  o.threshold = 0.7;
  o.n_jobs = 1;
  NearDuplicateIndex ix(o);
  std::atomic<std::size_t> reported{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 10; ++round) {
        std::vector<std::string> batch;
        for (int i = 0; i < 20; ++i) {
          batch.push_back(i % 2 ? variant((t + i + round) % 30) : words(30, (t * 7 + i) % 40));
        }
        reported += ix.add(views(batch)).size();
        ix.query(variant(t));
        ix.result();
        if (ix.size() > 0) ix.signature(ix.size() - 1);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ix.size(), 8 * 10 * 20);
  const auto r = ix.result();
  EXPECT_EQ(r.pairs.size(), reported.load());
  EXPECT_EQ(r.groups, exact_groups(ix, 0.7));
}

}  // namespace
