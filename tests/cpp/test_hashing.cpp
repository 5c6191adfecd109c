#include <gtest/gtest.h>

#include <map>

#include "newsim/analyzer.hpp"
#include "newsim/errors.hpp"
#include "newsim/hashing.hpp"

TEST(Murmurhash3, MatchesScikitLearn) {
  // sklearn.utils.murmurhash3_32(s.encode(), seed)
  EXPECT_EQ(newsim::murmurhash3_32(""), 0);
  EXPECT_EQ(newsim::murmurhash3_32("a"), 1009084850);
  EXPECT_EQ(newsim::murmurhash3_32("ab"), -1681926305);
  EXPECT_EQ(newsim::murmurhash3_32("abc"), -1277324294);
  EXPECT_EQ(newsim::murmurhash3_32("abcd"), 1139631978);
  EXPECT_EQ(newsim::murmurhash3_32("missile defence"), 746039544);
  EXPECT_EQ(newsim::murmurhash3_32("ΟΔΟΣ"), -1622073276);
  EXPECT_EQ(newsim::murmurhash3_32("", 42), 142593372);
  EXPECT_EQ(newsim::murmurhash3_32("hello", 42), -488910111);
}

TEST(HashingVectorizer, MatchesScikitLearnWithCollisions) {
  newsim::HashingOptions o;
  o.n_features = 16;
  o.norm = newsim::Norm::none;
  const newsim::HashingVectorizer h(o);
  const auto X = h.transform(std::vector<std::string>{"a b c the cat sat on the mat"});
  // sklearn HashingVectorizer(n_features=16, norm=None): column 4 -> 1, 11 -> -1, 14 -> -2
  const std::vector<double> expected = {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, -1, 0, 0, -2, 0};
  for (int j = 0; j < 16; ++j) EXPECT_EQ(X.coeff(0, j), expected[static_cast<std::size_t>(j)]) << j;
}

TEST(HashingVectorizer, RowsAreNormalisedAndThreadsAgree) {
  std::vector<std::string> docs;
  for (int i = 0; i < 2000; ++i) docs.push_back("doc " + std::to_string(i) + " words words w" + std::to_string(i % 13));
  newsim::HashingOptions o;
  o.n_jobs = 1;
  const auto a = newsim::HashingVectorizer(o).transform(docs);
  o.n_jobs = 3;
  const auto b = newsim::HashingVectorizer(o).transform(docs);
  ASSERT_EQ(a.nnz(), b.nnz());
  for (std::size_t k = 0; k < a.nnz(); ++k) EXPECT_EQ(a.data[k], b.data[k]);
  double s = 0;
  for (auto k = a.indptr[5]; k < a.indptr[6]; ++k) s += a.data[static_cast<std::size_t>(k)] * a.data[static_cast<std::size_t>(k)];
  EXPECT_NEAR(s, 1.0, 1e-12);
}

// Rows against a brute-force sum of signs per column: documents with no terms, one term,
// thousands of distinct terms (the per-document table grows) next to small ones (its slots are
// reused), many collisions (few features), with and without alternate signs.
TEST(HashingVectorizer, RowsAreSignedSumsPerColumn) {
  std::vector<std::string> docs = {"", "solo", ""};
  for (const int distinct : {600, 5000, 3, 40000, 1}) {
    std::string d;
    for (int i = 0; i < distinct; ++i) d += "t" + std::to_string(i * 7919 % 100003) + " ";
    d += "again again again";
    docs.push_back(d);
  }
  for (const std::int64_t features : {std::int64_t{7}, std::int64_t{1} << 20}) {
    for (const bool signs : {true, false}) {
      newsim::HashingOptions o;
      o.n_features = features;
      o.alternate_sign = signs;
      o.norm = newsim::Norm::none;
      const newsim::HashingVectorizer h(o);
      const auto X = h.transform(docs);
      const newsim::Analyzer analyzer(o.analysis);
      for (std::size_t i = 0; i < docs.size(); ++i) {
        std::map<std::int32_t, double> want;
        for (const std::string& t : analyzer.analyze(newsim::TextView(docs[i]))) {
          const bool negative = signs && newsim::murmurhash3_32(t) < 0;
          want[h.column(t)] += negative ? -1.0 : 1.0;
        }
        const auto begin = static_cast<std::size_t>(X.indptr[i]);
        const auto end = static_cast<std::size_t>(X.indptr[i + 1]);
        ASSERT_EQ(end - begin, want.size()) << "document " << i << ", " << features << " features";
        std::size_t k = begin;
        for (const auto& [col, value] : want) {
          EXPECT_EQ(X.indices[k], col) << "document " << i;
          EXPECT_EQ(X.data[k], value) << "document " << i << " column " << col;
          ++k;
        }
      }
    }
  }
}

TEST(HashingVectorizer, ColumnIsAbsHashModuloFeatures) {
  newsim::HashingOptions o;
  o.n_features = 1000;
  const newsim::HashingVectorizer h(o);
  EXPECT_EQ(h.column("ab"), 1681926305 % 1000);   // murmurhash3_32("ab") = -1681926305
  EXPECT_EQ(h.column("hello"), 613153351 % 1000);
}

TEST(HashingVectorizer, RejectsBadFeatureCounts) {
  newsim::HashingOptions o;
  o.n_features = 0;
  EXPECT_THROW(newsim::HashingVectorizer{o}, newsim::InvalidArgument);
}

TEST(HashingVectorizer, SettingsRoundTripThroughJson) {
  newsim::HashingOptions o;
  o.n_features = 1024;
  o.alternate_sign = false;
  o.analysis.ngram_range = {1, 2};
  const newsim::HashingVectorizer h(o);
  const auto back = newsim::HashingVectorizer::from_json(h.to_json());
  EXPECT_EQ(back.options().n_features, 1024);
  EXPECT_FALSE(back.options().alternate_sign);
  EXPECT_EQ(back.options().analysis.ngram_range, o.analysis.ngram_range);
  EXPECT_THROW(newsim::HashingVectorizer::from_json("{\"format\": \"newsim.vectorizer\"}"),
               newsim::ModelFormatError);
}
