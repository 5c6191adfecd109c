#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>

#include "newsim/analyzer.hpp"
#include "newsim/errors.hpp"
#include "newsim/vectorizer.hpp"
#include "csr_fixture.hpp"

using newsim_test::expect_same;

using newsim::Vectorizer;
using newsim::VectorizerOptions;

namespace {

const std::vector<std::string> kDocs = {
    "Russia warns NATO over missile defence", "NATO missile shield talks",
    "Russia and NATO: talks on missile defence shield"};

std::vector<std::string> synthetic_corpus(std::size_t n) {
  std::vector<std::string> docs;
  std::uint32_t x = 12345;
  for (std::size_t i = 0; i < n; ++i) {
    std::string d;
    for (int w = 0; w < 60; ++w) {
      x = x * 1664525u + 1013904223u;
      d += "w" + std::to_string((x >> 8) % 5000) + (w % 7 == 0 ? ". " : " ");
    }
    docs.push_back(d);
  }
  return docs;
}

}  // namespace

TEST(Vectorizer, TfidfMatchesScikitLearn) {
  Vectorizer v;  // TfidfVectorizer defaults
  const auto X = v.fit_transform(kDocs);
  const std::vector<std::string> names = {"and",    "defence", "missile", "nato",  "on",
                                          "over",   "russia",  "shield",  "talks", "warns"};
  EXPECT_EQ(v.vocabulary().terms(), names);
  // scikit-learn 1.2.1: TfidfVectorizer().fit(kDocs).idf_ and .transform(kDocs)
  const std::vector<double> idf = {1.6931471805599454, 1.2876820724517808, 1.0, 1.0,
                                   1.6931471805599454, 1.6931471805599454, 1.2876820724517808,
                                   1.2876820724517808, 1.2876820724517808, 1.6931471805599454};
  for (std::size_t j = 0; j < idf.size(); ++j) EXPECT_NEAR(v.idf()[j], idf[j], 1e-15);
  EXPECT_NEAR(X.coeff(0, 5), 0.5093526665422775, 1e-15);
  EXPECT_NEAR(X.coeff(1, 7), 0.5584778353707552, 1e-15);
  EXPECT_NEAR(X.coeff(2, 0), 0.4467112118599914, 1e-15);
  EXPECT_EQ(X.coeff(1, 0), 0.0);
  EXPECT_EQ(X.nnz(), 18u);  // 6 + 4 + 8 distinct terms
}

TEST(CsrMatrix, CoeffAndEigenView) {
  Vectorizer v(VectorizerOptions::counts());
  const auto X = v.fit_transform<double>(std::vector<std::string>{"aa bb aa", "", "cc"});
  const auto E = X.to_eigen();
  ASSERT_EQ(E.rows(), 3);
  ASSERT_EQ(E.cols(), 3);
  EXPECT_EQ(E.nonZeros(), 3);
  EXPECT_EQ(E.coeff(0, 0), 2.0);
  EXPECT_EQ(E.coeff(2, 2), 1.0);
  EXPECT_EQ(X.coeff(0, 1), 1.0);
  EXPECT_EQ(X.coeff(1, 0), 0.0);
  const Eigen::VectorXd row_sums = E * Eigen::VectorXd::Ones(3);
  EXPECT_EQ(row_sums(0), 3.0);
}

TEST(Vectorizer, CountsBinaryAndL1) {
  VectorizerOptions o = VectorizerOptions::counts();
  Vectorizer counts(o);
  const auto C = counts.fit_transform<std::int64_t>(std::vector<std::string>{"a1 a1 b2", "b2"});
  EXPECT_EQ(C.coeff(0, 0), 2);
  EXPECT_EQ(C.coeff(1, 1), 1);
  o.binary = true;
  o.norm = newsim::Norm::l1;
  Vectorizer bin(o);
  const auto B = bin.fit_transform(std::vector<std::string>{"a1 a1 b2", "b2"});
  EXPECT_DOUBLE_EQ(B.coeff(0, 0), 0.5);
  EXPECT_DOUBLE_EQ(B.coeff(1, 1), 1.0);
}

TEST(Vectorizer, SublinearAndUnsmoothedIdf) {
  VectorizerOptions o;
  o.sublinear_tf = true;
  o.smooth_idf = false;
  o.norm = newsim::Norm::none;
  Vectorizer v(o);
  const auto X = v.fit_transform(std::vector<std::string>{"aa aa aa bb", "bb"});
  EXPECT_DOUBLE_EQ(v.idf()[0], std::log(2.0) + 1.0);
  EXPECT_DOUBLE_EQ(X.coeff(0, 0), (std::log(3.0) + 1.0) * (std::log(2.0) + 1.0));
}

TEST(Vectorizer, ResultsDoNotDependOnThreads) {
  const auto docs = synthetic_corpus(3000);
  VectorizerOptions o;
  o.n_jobs = 1;
  Vectorizer one(o);
  const auto a = one.fit_transform(docs);
  o.n_jobs = 4;
  Vectorizer four(o);
  const auto b = four.fit_transform(docs);
  expect_same(a, b);
  expect_same(one.transform(docs), a);
  EXPECT_EQ(one.vocabulary().terms(), four.vocabulary().terms());
}

// Pruning drops terms from rows that span several chunks and reuse a worker's table: the rows
// of fit_transform are those of transform and of a brute-force count, whatever the threads.
TEST(Vectorizer, PrunedFitTransformMatchesTransformAndBruteForce) {
  const auto docs = synthetic_corpus(9000);  // about 3 MiB: several chunks per worker
  VectorizerOptions o;
  o.prune.min_df = newsim::DfBound::count(3);
  o.prune.max_df = newsim::DfBound::fraction(0.05);
  o.prune.max_features = 3000;
  o.sublinear_tf = true;
  o.norm = newsim::Norm::l1;
  o.n_jobs = 1;
  Vectorizer one(o);
  const auto a = one.fit_transform(docs);
  o.n_jobs = 3;
  Vectorizer three(o);
  expect_same(three.fit_transform(docs), a);
  expect_same(one.transform(docs), a);
  const auto f = three.fit_transform<float>(docs);
  expect_same(one.transform<float>(docs), f);
  ASSERT_EQ(one.vocabulary().size(), 3000u);

  const newsim::Analyzer analyzer(o.analysis);
  const auto& idf = one.idf();
  for (std::size_t i = 0; i < docs.size(); i += 97) {
    std::map<std::int32_t, int> counts;
    for (const std::string& t : analyzer.analyze(newsim::TextView(docs[i]))) {
      const std::int32_t id = one.vocabulary().find(t);
      if (id >= 0) ++counts[id];
    }
    double total = 0.0;
    for (const auto& [id, c] : counts) total += (std::log(c) + 1.0) * idf[static_cast<std::size_t>(id)];
    const auto begin = a.indptr[i], end = a.indptr[i + 1];
    ASSERT_EQ(static_cast<std::size_t>(end - begin), counts.size()) << "row " << i;
    auto it = counts.begin();
    for (auto k = begin; k < end; ++k, ++it) {
      EXPECT_EQ(a.indices[static_cast<std::size_t>(k)], it->first);
      const double want = (std::log(it->second) + 1.0) * idf[static_cast<std::size_t>(it->first)] / total;
      EXPECT_NEAR(a.data[static_cast<std::size_t>(k)], want, 1e-15);
      EXPECT_FLOAT_EQ(f.data[static_cast<std::size_t>(k)], static_cast<float>(want));
    }
  }
}

// A fit keeps a chunk's rows packed in 16 bits while its ids and counts fit, and widens them
// when a count passes 65,535 or the chunk has more than 65,536 distinct terms; both happen
// here inside one chunk, in both orders, through the batched path (unigrams) and the
// term-by-term path (n-grams). The rows must be exact counts either way.
TEST(Vectorizer, CountsBeyondSixteenBitsInOneChunk) {
  std::string repeated, distinct;
  for (int i = 0; i < 70000; ++i) repeated += "rep ";
  for (int i = 0; i < 70000; ++i) distinct += "u" + std::to_string(i) + " ";
  const std::string plain = "nato missile talks";
  for (const bool repeated_first : {true, false}) {
    for (const int max_n : {1, 2}) {
      const std::vector<std::string> docs =
          repeated_first ? std::vector<std::string>{plain, repeated + "nato", distinct, plain}
                         : std::vector<std::string>{plain, distinct, repeated + "nato", plain};
      VectorizerOptions o = VectorizerOptions::counts();
      o.analysis.ngram_range = {1, max_n};
      o.n_jobs = 1;
      Vectorizer one(o);
      const auto a = one.fit_transform<std::int64_t>(docs);
      const std::string label = std::string(repeated_first ? "repeated" : "distinct") +
                                " first, ngram_range (1, " + std::to_string(max_n) + ")";
      expect_same(one.transform<std::int64_t>(docs), a);  // transform counts in 32 bits
      o.n_jobs = 2;
      Vectorizer two(o);
      expect_same(two.fit_transform<std::int64_t>(docs), a);
      const std::size_t r = repeated_first ? 1 : 2, d = repeated_first ? 2 : 1;
      const auto count = [&](std::size_t row, const std::string& term) -> std::int64_t {
        const std::int32_t id = one.vocabulary().find(term);
        for (auto k = a.indptr[row]; k < a.indptr[row + 1]; ++k) {
          if (a.indices[static_cast<std::size_t>(k)] == id) return a.data[static_cast<std::size_t>(k)];
        }
        return 0;
      };
      EXPECT_EQ(count(r, "rep"), 70000) << label;
      EXPECT_EQ(count(r, "nato"), 1) << label;
      EXPECT_EQ(count(d, "u69999"), 1) << label;
      EXPECT_EQ(count(3, "talks"), 1) << label;
      EXPECT_EQ(a.indptr[d + 1] - a.indptr[d], max_n == 1 ? 70000 : 139999) << label;
      if (max_n == 2) {
        EXPECT_EQ(count(r, "rep rep"), 69999) << label;
        EXPECT_EQ(count(r, "rep nato"), 1) << label;
      }
      // The statistics-only pass (rows dropped after each document) counts the same.
      const newsim::VocabularyStats stats = one.statistics(newsim::as_documents(docs));
      EXPECT_EQ(stats.term_frequency(stats.find("rep")), 70000) << label;
      EXPECT_EQ(stats.document_frequency(stats.find("nato")), 3) << label;
      EXPECT_EQ(stats.size(), one.vocabulary().size()) << label;
    }
  }
}

TEST(Vectorizer, ShardStatisticsMergeToTheSameModel) {
  const auto docs = synthetic_corpus(500);
  VectorizerOptions o;
  o.prune.min_df = newsim::DfBound::count(2);
  o.prune.max_features = 1000;
  Vectorizer whole(o);
  whole.fit(docs);
  Vectorizer sharded(o);
  const std::vector<std::string> first(docs.begin(), docs.begin() + 200);
  const std::vector<std::string> second(docs.begin() + 200, docs.end());
  newsim::VocabularyStats stats = sharded.statistics(newsim::as_documents(first));
  stats.merge(sharded.statistics(newsim::as_documents(second)));
  sharded.fit_statistics(stats);
  EXPECT_EQ(sharded.vocabulary().terms(), whole.vocabulary().terms());
  EXPECT_EQ(sharded.idf(), whole.idf());
  expect_same(sharded.transform(docs), whole.transform(docs));
}

TEST(Vectorizer, FixedVocabulary) {
  VectorizerOptions o = VectorizerOptions::counts();
  o.vocabulary = std::vector<std::string>{"shield", "nato"};
  Vectorizer v(o);
  const auto X = v.transform<std::int64_t>(kDocs);  // no fit needed for counts
  EXPECT_EQ(X.cols, 2);
  EXPECT_EQ(X.coeff(1, 0), 1);
  EXPECT_EQ(X.coeff(0, 0), 0);
  EXPECT_EQ(X.coeff(0, 1), 1);
}

TEST(Vectorizer, IdfFromDfIsScikitLearnsFormula) {
  // n = 3 documents; df 1, 2, 3 (the idf values of TfidfMatchesScikitLearn).
  const auto smooth = newsim::idf_from_df({1, 2, 3}, 3, true);
  EXPECT_NEAR(smooth[0], 1.6931471805599454, 1e-15);
  EXPECT_NEAR(smooth[1], 1.2876820724517808, 1e-15);
  EXPECT_NEAR(smooth[2], 1.0, 1e-15);
  const auto raw = newsim::idf_from_df({1, 3}, 3, false);
  EXPECT_NEAR(raw[0], std::log(3.0) + 1.0, 1e-15);
  EXPECT_NEAR(raw[1], 1.0, 1e-15);
}

TEST(Vectorizer, SetIdfOnAFixedVocabularyGivesTheFittedNumbers) {
  Vectorizer fitted;
  const auto expected = fitted.fit_transform(kDocs);
  VectorizerOptions o;
  o.vocabulary = fitted.vocabulary().terms();
  Vectorizer copy(o);
  EXPECT_THROW(copy.transform(kDocs), newsim::NotFittedError);
  EXPECT_THROW(copy.set_idf(std::vector<double>(fitted.idf().size() + 1, 1.0)),
               newsim::InvalidArgument);
  EXPECT_THROW(copy.set_idf(std::vector<double>(fitted.idf().size(), 0.5)),
               newsim::InvalidArgument);  // below 1: no ln(n / df) + 1 gives it
  copy.set_idf(fitted.idf());
  expect_same(copy.transform(kDocs), expected);
  Vectorizer no_vocabulary;
  EXPECT_THROW(no_vocabulary.set_idf({1.0}), newsim::InvalidArgument);
  VectorizerOptions counts = VectorizerOptions::counts();
  counts.vocabulary = o.vocabulary;
  EXPECT_THROW(Vectorizer(counts).set_idf(fitted.idf()), newsim::InvalidArgument);
}

TEST(Vectorizer, ErrorsBeforeFitAndOnEmptyInput) {
  Vectorizer v;
  EXPECT_THROW(v.transform(kDocs), newsim::NotFittedError);
  EXPECT_THROW(v.vocabulary(), newsim::NotFittedError);
  EXPECT_THROW(v.fit(std::vector<std::string>{}), newsim::InvalidArgument);
  EXPECT_THROW(v.fit(std::vector<std::string>{"", "a b c"}), newsim::InvalidArgument);
  const auto X = Vectorizer().fit_transform(std::vector<std::string>{"", "aa bb", ""});
  EXPECT_EQ(X.rows, 3);
  EXPECT_EQ(X.indptr[1], 0);
  EXPECT_EQ(X.indptr[3], 2);
}

TEST(Vectorizer, SaveAndLoadRoundTrip) {
  VectorizerOptions o;
  o.analysis.ngram_range = {1, 2};
  o.analysis.stop_words = {"the"};
  o.prune.max_df = newsim::DfBound::fraction(0.9);
  Vectorizer v(o);
  const auto X = v.fit_transform(kDocs);
  const std::string path = testing::TempDir() + "newsim_model.json";
  v.save(path);
  const Vectorizer w = Vectorizer::load(path);
  EXPECT_EQ(w.vocabulary().terms(), v.vocabulary().terms());
  EXPECT_EQ(w.options().analysis.ngram_range, o.analysis.ngram_range);
  expect_same(w.transform(kDocs), X);
  std::remove(path.c_str());
}

TEST(Vectorizer, NumberBeyondDoubleRangeIsAModelFormatError) {
  // nlohmann throws out_of_range (not parse_error) for 1e400; it must not escape.
  Vectorizer v;
  v.fit(kDocs);
  const std::string json = v.to_json();
  for (const std::string& bad : {std::string("1e400"), std::string("-1e400"), std::string("[1e999]")}) {
    std::string m = json;
    m.replace(m.find("\"idf\":["), 7, "\"idf\":[" + bad + ",");
    try {
      Vectorizer::from_json(m, "file 'big.json'");
      ADD_FAILURE() << bad << ": no error";
    } catch (const newsim::ModelFormatError& e) {
      EXPECT_NE(std::string(e.what()).find("big.json"), std::string::npos) << e.what();
    }
  }
  const std::string path = ::testing::TempDir() + "newsim_overflow_model.json";
  {
    std::ofstream out(path);
    out << "{\"format\": \"newsim.vectorizer\", \"version\": 1, \"x\": 1e400}";
  }
  try {
    Vectorizer::load(path);
    ADD_FAILURE() << "no error";
  } catch (const newsim::ModelFormatError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
  std::remove(path.c_str());
}

// Issue 20: an idf of 1e308 passed the check (finite, >= 1) and zeroed the rows it touched
// (their norm overflows). scikit-learn's idf, ln(n / df) + 1 or ln((1 + n) / (1 + df)) + 1 with
// df <= n < 2^63, lies in [1, 1 + ln(2^63)].
// Issue 20: the vectorizer polled no interrupt check (Ctrl-C in Python waited for the end).
// It is polled between chunks and stages: stopping at the k-th poll throws Interrupted for
// every k, and a check that never fires changes nothing.
TEST(Vectorizer, InterruptCheckStopsEveryStage) {
  const std::vector<std::string> texts = synthetic_corpus(3000);  // several 1 MB chunks
  const newsim::Documents docs = newsim::as_documents(texts);
  VectorizerOptions plain;
  plain.analysis.ngram_range = {1, 2};
  plain.n_jobs = 1;
  const auto want = Vectorizer(plain).fit_transform<double>(docs);
  int polls = 0;
  VectorizerOptions counting = plain;
  counting.interrupted = [&] { return ++polls < 0; };
  expect_same(Vectorizer(counting).fit_transform<double>(docs), want);
  // At least 8 polls whatever the timing (loops poll at most every 20 ms, the first time
  // always): counting, after it, after compacting, in prune, after it, remapping, assembling.
  ASSERT_GE(polls, 8);
  for (int k = 1; k <= 8; ++k) {
    int calls = 0;
    VectorizerOptions o = plain;
    o.interrupted = [&] { return ++calls >= k; };
    EXPECT_THROW(Vectorizer(o).fit_transform<double>(docs), newsim::Interrupted) << k;
  }
  Vectorizer fitted(plain);
  fitted.fit(docs);
  fitted.set_interrupt_check([] { return true; });
  EXPECT_THROW(fitted.transform<double>(docs), newsim::Interrupted);
}

TEST(Vectorizer, IdfOutsideItsRangeIsAModelFormatError) {
  Vectorizer v;
  v.fit(kDocs);
  const std::string json = v.to_json();
  for (const std::string& bad : {std::string("1e308"), std::string("44.7"), std::string("0.99"),
                                 std::string("-1"), std::string("1e-300")}) {
    std::string m = json;
    m.replace(m.find("\"idf\":["), 7, "\"idf\":[" + bad + ",");
    m.replace(m.find("\"vocabulary\":["), 14, "\"vocabulary\":[\"aaa\",");
    try {
      Vectorizer::from_json(m, "file 'idf.json'");
      ADD_FAILURE() << bad << ": no error";
    } catch (const newsim::ModelFormatError& e) {
      const std::string what = e.what();
      EXPECT_NE(what.find("idf.json"), std::string::npos) << what;
      EXPECT_NE(what.find("idf[0] = "), std::string::npos) << what;
    }
  }
  // The bounds themselves load: 1 (a term in every document) and 1 + ln(2^63).
  std::string m = json;
  m.replace(m.find("\"idf\":["), 7, "\"idf\":[1.0,44.66827237527655,");
  m.replace(m.find("\"vocabulary\":["), 14, "\"vocabulary\":[\"aaa\",\"aab\",");
  EXPECT_NO_THROW(Vectorizer::from_json(m, "file 'idf.json'"));
}

TEST(Vectorizer, CorruptOrNewerModelsAreRejected) {
  Vectorizer v;
  v.fit(kDocs);
  const std::string json = v.to_json();
  EXPECT_THROW(Vectorizer::from_json(json.substr(0, json.size() / 2)), newsim::ModelFormatError);
  EXPECT_THROW(Vectorizer::from_json(R"({"format": "other"})"), newsim::ModelFormatError);
  std::string newer = json;
  newer.replace(newer.find("\"version\":1"), 11, "\"version\":9");
  try {
    Vectorizer::from_json(newer, "file 'm.json'");
    FAIL();
  } catch (const newsim::ModelFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("m.json"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("version 9"), std::string::npos);
  }
  std::string short_idf = json;
  short_idf.replace(short_idf.find("\"idf\":["), 7, "\"idf\":[1.0,");
  EXPECT_THROW(Vectorizer::from_json(short_idf), newsim::ModelFormatError);
  EXPECT_THROW(Vectorizer::load("/nonexistent/model.json"), newsim::IoError);
}
