#include <gtest/gtest.h>

#include <map>

#include "newsim/detail/numpy_sort.hpp"
#include "newsim/detail/term_counts.hpp"
#include "newsim/errors.hpp"
#include "newsim/vocabulary.hpp"

using newsim::DfBound;
using newsim::PruneOptions;
using newsim::VocabularyStats;

namespace {
// Stats of documents given as lists of terms.
VocabularyStats stats_of(const std::vector<std::vector<std::string>>& docs) {
  VocabularyStats s;
  for (const auto& doc : docs) {
    std::map<std::string, int> counts;
    for (const auto& t : doc) ++counts[t];
    for (const auto& [t, c] : counts) s.add_occurrences(s.intern(t), c);
    s.add_documents(1);
  }
  return s;
}
}  // namespace

TEST(VocabularyStats, ShardsMergeIntoTheWhole) {
  const std::vector<std::vector<std::string>> docs = {
      {"nato", "russia", "nato"}, {"missile"}, {}, {"russia", "shield"}, {"nato"}};
  const VocabularyStats whole = stats_of(docs);
  VocabularyStats a = stats_of({docs[0], docs[1]});
  const VocabularyStats b = stats_of({docs[2], docs[3], docs[4]});
  const std::vector<std::int32_t> map = a.merge(b);
  EXPECT_TRUE(a.same_statistics(whole));
  EXPECT_EQ(a.n_documents(), 5);
  EXPECT_EQ(a.document_frequency(a.find("nato")), 2);
  EXPECT_EQ(a.term_frequency(a.find("nato")), 3);
  EXPECT_EQ(a.term(map[static_cast<std::size_t>(b.find("shield"))]), "shield");
  EXPECT_FALSE(b.same_statistics(whole));
}

// A worker's counts are cleared and refilled for each chunk and merged after each: short,
// long (over 16 bytes) and big (arena blocks of their own) terms all survive the reuse.
TEST(TermCounts, ClearedAndRefilledCountsMergeExactly) {
  const std::string big(40000, 'x');
  const std::vector<std::vector<std::string>> shards = {
      {"aa", "bb", "a_term_longer_than_sixteen_bytes", big, "aa"},
      {"bb", big + "y", "cc", "a_term_longer_than_sixteen_bytes"},
      {},
      {"aa", "dd", big}};
  newsim::detail::TermCounts worker, merged;
  std::map<std::string, std::int64_t> want_df;
  for (const auto& shard : shards) {
    worker.clear();
    EXPECT_EQ(worker.table.size(), 0u);
    std::map<std::string, int> seen;
    for (const auto& t : shard) {
      const std::int32_t id = worker.intern(t);
      EXPECT_EQ(worker.table.keys()[static_cast<std::size_t>(id)], t);
      if (seen[t]++ == 0) worker.df[static_cast<std::size_t>(id)] += 1;
      worker.tf[static_cast<std::size_t>(id)] += 1;
    }
    for (const auto& [t, n] : seen) want_df[t] += 1;
    worker.n_documents = 1;
    const std::vector<std::int32_t> map = merged.merge(worker);
    ASSERT_EQ(map.size(), worker.table.size());
    for (std::size_t i = 0; i < map.size(); ++i) {
      EXPECT_EQ(merged.table.keys()[static_cast<std::size_t>(map[i])], worker.table.keys()[i]);
    }
  }
  ASSERT_EQ(merged.table.size(), want_df.size());
  EXPECT_EQ(merged.n_documents, 4);
  for (const auto& [t, df] : want_df) {
    const std::int32_t id = merged.table.find(t);
    ASSERT_GE(id, 0) << t.substr(0, 20);
    EXPECT_EQ(merged.df[static_cast<std::size_t>(id)], df) << t.substr(0, 20);
  }
}

// Terms read in whole words past their end (intern_many_padded) get the same ids as terms read
// byte by byte, whatever bytes follow them: every length up to 40, NUL and 0xFF bytes, and
// terms that are prefixes of one another.
TEST(TermTable, PaddedInternAgreesWithPlainIntern) {
  std::string buffer;
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (std::size_t len = 0; len <= 40; ++len) {
    for (const char fill : {'a', '\0', '\xff'}) {
      spans.emplace_back(buffer.size(), len);
      for (std::size_t k = 0; k < len; ++k) buffer.push_back(k % 3 == 0 ? 'x' : fill);
      spans.emplace_back(buffer.size(), len);  // the same term again
      for (std::size_t k = 0; k < len; ++k) buffer.push_back(k % 3 == 0 ? 'x' : fill);
    }
  }
  buffer.append(16, '\x7f');  // the padding
  std::vector<std::string_view> terms;
  for (const auto& [at, len] : spans) terms.emplace_back(buffer.data() + at, len);
  const auto keep = [](std::string_view v) { return v; };
  newsim::detail::TermTable padded, plain;
  std::vector<std::int32_t> ids;
  padded.intern_many_padded(terms.data(), terms.size(), keep, ids);
  ASSERT_EQ(ids.size(), terms.size());
  for (std::size_t i = 0; i < terms.size(); ++i) {
    EXPECT_EQ(ids[i], plain.intern(terms[i], keep)) << "term " << i;
    EXPECT_EQ(padded.find(std::string(terms[i])), ids[i]) << "term " << i;
  }
  EXPECT_EQ(padded.size(), plain.size());
  EXPECT_EQ(padded.size(), 1 + 3 * 40u - 2);  // "", and "x" is the same for every fill
}

TEST(VocabularyStats, JsonRoundTrip) {
  const VocabularyStats s = stats_of({{"nato", "russia", "nato"}, {"missile"}});
  const VocabularyStats back = VocabularyStats::from_json(s.to_json());
  EXPECT_TRUE(back.same_statistics(s));
  EXPECT_THROW(VocabularyStats::from_json("{\"format\": \"newsim.vocabulary_stats\", \"version\": 1, "
                                          "\"terms\": [\"a\"], \"df\": [], \"tf\": [1], "
                                          "\"n_documents\": 1}"),
               newsim::ModelFormatError);
}

TEST(VocabularyStats, CompactKeepsTermsAndLookups) {
  VocabularyStats s = stats_of({{"nato", "russia"}, {"nato"}});
  s.compact();
  EXPECT_EQ(s.size(), 2u);
  EXPECT_EQ(s.find("russia"), 1);  // O(size) until the next intern
  EXPECT_EQ(s.find("absent"), -1);
  EXPECT_EQ(s.intern("nato"), 0);   // rebuilds the table
  EXPECT_EQ(s.intern("shield"), 2);
  EXPECT_EQ(s.terms().size(), 3u);
  EXPECT_EQ(s.document_frequencies()[0], 2);
}

TEST(VocabularyStats, CopiesAreDeep) {
  VocabularyStats a = stats_of({{"x", "y"}});
  VocabularyStats b = a;
  b.intern("z");
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(b.term(b.find("x")), "x");
}

// Issue 20: Ctrl-C during fit_transform of 56k documents with trigrams took 7.9 s to stop:
// prune (sorting millions of terms, one task per thread) polled nothing.
TEST(Prune, InterruptCheckStopsIt) {
  std::vector<std::vector<std::string>> docs;
  for (int d = 0; d < 200; ++d) {
    std::vector<std::string> doc;
    for (int w = 0; w < 100; ++w) doc.push_back("t" + std::to_string(d * 1000 + w));
    docs.push_back(doc);
  }
  const VocabularyStats s = stats_of(docs);
  for (int threads : {1, 3}) {
    int calls = 0;
    const newsim::InterruptCheck stop = [&] { return ++calls >= 1; };
    EXPECT_THROW(newsim::prune(s, PruneOptions{}, threads, &stop), newsim::Interrupted);
    EXPECT_GE(calls, 1);
    const newsim::InterruptCheck never = [] { return false; };
    EXPECT_EQ(newsim::prune(s, PruneOptions{}, threads, &never).vocabulary.terms(),
              newsim::prune(s, PruneOptions{}, threads).vocabulary.terms());
  }
}

TEST(Prune, SortsByCodePointAndAppliesBounds) {
  const VocabularyStats s = stats_of({{"b", "a", "é"}, {"b", "c"}, {"b", "c"}});
  PruneOptions o;
  o.min_df = DfBound::count(2);
  const auto p = newsim::prune(s, o);
  EXPECT_EQ(p.vocabulary.terms(), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(p.pruned_terms, (std::vector<std::string>{"a", "é"}));
  o.keep_pruned_terms = false;  // the same vocabulary, the dropped terms not collected
  const auto q = newsim::prune(s, o);
  EXPECT_EQ(q.vocabulary.terms(), p.vocabulary.terms());
  EXPECT_EQ(q.df, p.df);
  EXPECT_TRUE(q.pruned_terms.empty());
  o.keep_pruned_terms = true;
  o.min_df = DfBound::count(1);
  o.max_df = DfBound::fraction(0.9);
  EXPECT_EQ(newsim::prune(s, o).vocabulary.terms(), (std::vector<std::string>{"a", "c", "é"}));
}

TEST(Prune, ScikitLearnErrors) {
  const VocabularyStats s = stats_of({{"a"}, {"b"}});
  PruneOptions o;
  o.min_df = DfBound::count(2);
  o.max_df = DfBound::count(1);
  EXPECT_THROW(newsim::prune(s, o), newsim::InvalidArgument);
  o.min_df = DfBound::count(2);
  o.max_df = DfBound::fraction(1.0);
  try {
    newsim::prune(s, o);
    FAIL();
  } catch (const newsim::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("After pruning, no terms remain"), std::string::npos);
  }
  EXPECT_THROW(newsim::prune(VocabularyStats(), PruneOptions()), newsim::InvalidArgument);
  o.min_df = DfBound::fraction(1.5);
  EXPECT_THROW(o.validate(), newsim::InvalidArgument);
}

TEST(Prune, MaxFeaturesKeepsTheMostFrequent) {
  const VocabularyStats s = stats_of({{"a", "a", "a", "b", "c", "c"}, {"c", "d"}});
  PruneOptions o;
  o.max_features = 2;
  EXPECT_EQ(newsim::prune(s, o).vocabulary.terms(), (std::vector<std::string>{"a", "c"}));
}

TEST(Prune, SortsManyTermsInCodePointOrder) {
  VocabularyStats s;
  std::uint32_t x = 7;
  std::vector<std::string> expected;
  for (int i = 0; i < 90000; ++i) {
    x = x * 1664525u + 1013904223u;
    // Shared eight-byte prefixes, varied lengths, and non-ASCII bytes.
    std::string t = (i % 3 == 0 ? "internat" : i % 3 == 1 ? "\xc3\xa9t\xc3\xa9" : "z") +
                    std::to_string(x % 1000003);
    if (s.find(t) < 0) expected.push_back(t);
    s.add_occurrences(s.intern(t), 1);
  }
  // Terms that differ only past 16 bytes, prefixes of other terms, NUL bytes (equal to the
  // zero padding of shorter terms) and bytes over 0x7F in the second eight.
  const std::string sixteen = "internationalism";
  for (const std::string& t :
       {sixteen, sixteen + "s", sixteen + "e", sixteen + "\xc3\xa9", sixteen + "\xc3\xa9s",
        std::string("intern"), std::string("intern\0", 7), std::string("intern\0\0", 8),
        std::string("intern\0\0a", 9), std::string("internat\xff"), std::string("internat\x7f"),
        std::string("internat\x80\0", 10), sixteen.substr(0, 15), sixteen + std::string(30, 'z'),
        sixteen + std::string(31, 'z'), sixteen + std::string(30, 'z') + "a"}) {
    ASSERT_LT(s.find(t), 0);
    expected.push_back(t);
    s.add_occurrences(s.intern(t), 1);
  }
  s.add_documents(10);
  std::sort(expected.begin(), expected.end());
  // On several threads the terms are split on their first byte (three values here, so some
  // groups are empty with five threads); the order must not change.
  for (const int threads : {1, 2, 3, 5}) {
    const auto p = newsim::prune(s, PruneOptions{}, threads);
    EXPECT_EQ(p.vocabulary.terms(), expected) << threads << " threads";
    for (std::size_t i = 0; i < expected.size(); i += 997) {
      EXPECT_EQ(p.id_map[static_cast<std::size_t>(s.find(expected[i]))], static_cast<std::int32_t>(i));
    }
  }
}

TEST(NumpyArgsort, SortsAndMatchesKnownTieOrder) {
  std::vector<std::int64_t> v;
  for (int i = 0; i < 100; ++i) v.push_back((i * 37) % 7);
  const auto order = newsim::detail::numpy_argsort(v);
  ASSERT_EQ(order.size(), v.size());
  for (std::size_t i = 1; i < order.size(); ++i) {
    EXPECT_LE(v[static_cast<std::size_t>(order[i - 1])], v[static_cast<std::size_t>(order[i])]);
  }
  // numpy.argsort([(i * 37) % 7 for i in range(100)])[:5] == [0, 91, 84, 77, 70]
  EXPECT_EQ(std::vector<std::int64_t>(order.begin(), order.begin() + 5),
            (std::vector<std::int64_t>{0, 91, 84, 77, 70}));
}

TEST(Vocabulary, LookupAndDuplicates) {
  const newsim::Vocabulary v({"b", "a", "long term with more than sixteen bytes"});
  EXPECT_EQ(v.find("a"), 1);
  EXPECT_EQ(v.find("long term with more than sixteen bytes"), 2);
  EXPECT_EQ(v.find("long term with more than sixteen bytez"), -1);
  EXPECT_EQ(v.find("zz"), -1);
  EXPECT_THROW(v.term(3), newsim::IndexOutOfRange);
  EXPECT_THROW(newsim::Vocabulary({"a", "a"}), newsim::InvalidArgument);
  const newsim::Vocabulary copy = v;
  EXPECT_EQ(copy.find("b"), 0);
}
