#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "newsim/errors.hpp"
#include "newsim/names.hpp"
#include "newsim/news_vectorizer.hpp"
#include "newsim/spelling.hpp"
#include "newsim/stemmer.hpp"
#include "csr_fixture.hpp"

using newsim_test::expect_same;

using newsim::NewsAnalyzer;
using newsim::NewsAnalyzerOptions;
using newsim::NewsDocument;
using newsim::NewsDocuments;
using newsim::NewsVectorizer;
using newsim::NewsVectorizerOptions;
using newsim::TermKind;

namespace {

std::vector<std::string> keys_of(const NewsAnalyzer& a, const std::string& text,
                                 const std::string& title = "") {
  std::vector<std::string> out;
  for (const auto& t : a.analyze(NewsDocument{title, text})) out.push_back(t.key);
  return out;
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string word_key(const NewsAnalyzer& a, const std::string& word) {
  const auto keys = keys_of(a, word);
  return keys.size() == 1 ? keys[0] : "<" + std::to_string(keys.size()) + " terms>";
}

NewsDocuments as_docs(const std::vector<std::string>& texts) {
  NewsDocuments d;
  for (const auto& t : texts) d.push_back({{}, t});
  return d;
}

}  // namespace

TEST(Spelling, EveryDocumentedPairFoldsToOneTerm) {
  NewsAnalyzer a;
  for (const auto& [british, american] : newsim::spelling_variant_examples()) {
    EXPECT_EQ(newsim::fold_spelling(british), newsim::fold_spelling(american)) << british;
    EXPECT_EQ(word_key(a, british), word_key(a, american)) << british;
  }
  EXPECT_EQ(word_key(a, "co-operation"), word_key(a, "cooperation"));
  EXPECT_EQ(word_key(a, "co-operate"), word_key(a, "cooperate"));
  EXPECT_EQ(word_key(a, "anti-missile"), word_key(a, "antimissile"));
  EXPECT_EQ(word_key(a, "non-profit"), word_key(a, "nonprofit"));
  EXPECT_EQ(word_key(a, "re-elect"), word_key(a, "reelect"));
}

TEST(Spelling, UnrelatedWordsAreUntouched) {
  for (const char* w : {"promise", "advise", "advised", "exercise", "surprising", "crises",
                        "premises", "rise", "otherwise", "enterprise", "hour", "four", "tour",
                        "controlled", "compelled", "center", "missile", "sanction", "paradise",
                        "noise", "cruise", "television", "theme", "metro", "we", "analysis",
                        "compromise", "concise", "exercised", "enterprises"}) {
    EXPECT_EQ(newsim::fold_spelling(w), w) << w;
  }
  EXPECT_EQ(newsim::fold_spelling("defence"), "defense");
  EXPECT_EQ(newsim::fold_spelling("organisations"), "organizations");
}

TEST(Stemming, EnglishAndGerman) {
  NewsAnalyzer en;
  EXPECT_EQ(word_key(en, "missiles"), word_key(en, "missile"));
  EXPECT_EQ(word_key(en, "negotiations"), "negoti");
  NewsAnalyzerOptions de;
  de.language = "german";
  de.stop_words = {"und", "die"};
  NewsAnalyzer ge(de);
  EXPECT_EQ(word_key(ge, "Verhandlungen"), word_key(ge, "Verhandlung"));
  EXPECT_FALSE(has(keys_of(ge, "die Verhandlungen und"), "die"));
  NewsAnalyzerOptions none;
  none.language = "none";
  EXPECT_EQ(word_key(NewsAnalyzer(none), "missiles"), "missiles");
  NewsAnalyzerOptions porter;
  porter.language = "porter";
  EXPECT_EQ(word_key(NewsAnalyzer(porter), "missiles"), "missil");
}

TEST(Stemming, UnknownLanguageListsTheValidOnes) {
  NewsAnalyzerOptions o;
  o.language = "klingon";
  try {
    NewsAnalyzer a(o);
    FAIL() << "no error";
  } catch (const newsim::InvalidArgument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("klingon"), std::string::npos);
    EXPECT_NE(what.find("english"), std::string::npos);
    EXPECT_NE(what.find("russian"), std::string::npos);
    EXPECT_NE(what.find("porter"), std::string::npos);
  }
  EXPECT_TRUE(std::find(newsim::stemmer_languages().begin(), newsim::stemmer_languages().end(),
                        "english") != newsim::stemmer_languages().end());
}

TEST(StopWords, ReportingVerbsAndWeekdaysAreNotTerms) {
  NewsAnalyzer a;
  const auto keys = keys_of(a, "Lavrov said on Friday that talks, according to officials, "
                               "were made today. He says he told reporters on Monday in June.");
  for (const char* w : {"said", "friday", "monday", "today", "made", "accord", "june", "told",
                        "say", "sai"}) {
    EXPECT_FALSE(has(keys, w)) << w;
  }
  EXPECT_TRUE(has(keys, "talk"));
  EXPECT_TRUE(has(keys, "offici"));
}

TEST(Names, RunsConnectorsAndLastWord) {
  NewsAnalyzer a;
  const auto terms = a.analyze(NewsDocument{
      "", "Talks with the Bank of England resumed as President Dmitry Medvedev met the "
          "North Atlantic Treaty Organization in Paris on Friday."});
  std::map<std::string, std::string> names;  // key -> surface
  for (const auto& t : terms) {
    if (t.kind == TermKind::name) names[t.key] = t.surface;
  }
  EXPECT_EQ(names["@" + newsim::name_key("Bank of England")], "Bank of England");
  EXPECT_EQ(names["@" + newsim::name_key("Dmitry Medvedev")], "Dmitry Medvedev");
  EXPECT_EQ(names["@" + newsim::name_key("Medvedev")], "Medvedev");
  EXPECT_EQ(names["@" + newsim::name_key("North Atlantic Treaty Organization")],
            "North Atlantic Treaty Organization");
  EXPECT_EQ(names["@" + newsim::name_key("Paris")], "Paris");
  for (const auto& [key, surface] : names) {
    EXPECT_EQ(surface.find("President"), std::string::npos) << surface;
    EXPECT_EQ(surface.find("Friday"), std::string::npos) << surface;
    EXPECT_NE(surface, "Talks");  // sentence start, written lowercase nowhere but not confirmed
  }
  // Their words are word terms too.
  EXPECT_TRUE(has(keys_of(a, "Dmitry Medvedev arrived."), "medvedev"));
}

TEST(Names, SentenceStartRule) {
  NewsAnalyzer a;
  auto names = [&](const std::string& text, const std::string& title = "") {
    std::vector<std::string> out;
    for (const auto& t : a.analyze(NewsDocument{title, text})) {
      if (t.kind == TermKind::name) out.push_back(t.surface);
    }
    return out;
  };
  // Confirmed mid-sentence and never lowercase: a name even at a sentence start.
  EXPECT_TRUE(has(names("Russia objects. Talks with Russia go on."), "Russia"));
  // Not confirmed: an ordinary word that starts a sentence.
  EXPECT_FALSE(has(names("Officials met. They talked."), "Officials"));
  // Written lowercase elsewhere: dropped from the front of a run.
  EXPECT_TRUE(has(names("Yesterday Medvedev spoke. It was yesterday."), "Medvedev"));
  EXPECT_FALSE(has(names("Earlier Medvedev spoke."), "Earlier Medvedev"));
  // "Mr." and initials do not end a sentence.
  EXPECT_TRUE(has(names("He met Mr. Smith and George W. Bush."), "Smith"));
  EXPECT_TRUE(has(names("He met Mr. Smith and George W. Bush."), "George W. Bush"));
  // A Title Case title needs the text to confirm single words.
  const auto t = names("Medvedev and Merkel will meet.", "Medvedev, Sarkozy and Merkel to Meet");
  EXPECT_TRUE(has(t, "Merkel"));
  EXPECT_FALSE(has(t, "Meet"));
  EXPECT_FALSE(has(t, "Sarkozy"));  // not confirmed by the text
}

TEST(Names, VariantsMeet) {
  const std::vector<std::pair<std::string, std::string>> same = {
      {"Sergei", "Sergey"},         {"Gaddafi", "Qaddafi"},       {"Gaddafi", "Kadhafi"},
      {"Gaddafi", "Gadhafi"},       {"Aleksandr", "Alexander"},   {"Mohammed", "Muhammad"},
      {"Mohamed", "Muhammad"},      {"Dmitry", "Dmitriy"},        {"Dmitri", "Dmitry"},
      {"Schröder", "Schroeder"},    {"Yevgeny", "Evgeny"},        {"Wladimir", "Vladimir"},
      {"Ahmed", "Ahmad"},           {"Mahmoud", "Mahmud"},        {"Osama", "Usama"},
      {"Sergei Lavrov", "Sergey Lavrov"}, {"Muammar Gaddafi", "Moammar Qaddafi"},
  };
  for (const auto& [x, y] : same) EXPECT_EQ(newsim::name_key(x), newsim::name_key(y)) << x;
  const std::vector<std::pair<std::string, std::string>> distinct = {
      {"Obama", "Osama"},    {"Putin", "Patin"},       {"Paris", "Parks"},
      {"Iran", "Iraq"},      {"Kenya", "Ghana"},       {"Austria", "Australia"},
      {"Merkel", "Markel"},  {"Bush", "Bash"},         {"Lavrov", "Lavrova"},
      {"Sarkozy", "Sarkisian"}, {"Medvedev", "Medvedeva"}, {"Sergei", "Sergio"},
  };
  for (const auto& [x, y] : distinct) EXPECT_NE(newsim::name_key(x), newsim::name_key(y)) << x;

  NewsVectorizer v;
  v.fit({{"", "Foreign Minister Sergei Lavrov met Muammar Gaddafi in Tripoli."},
         {"", "Sergey Lavrov criticized Qaddafi over Libya."},
         {"", "Nothing about either of them here, only weather."}});
  const auto& keys = v.vocabulary().terms();
  const auto lavrov = std::find(keys.begin(), keys.end(), "@" + newsim::name_key("Sergei Lavrov"));
  ASSERT_NE(lavrov, keys.end());
  const auto j = static_cast<std::size_t>(lavrov - keys.begin());
  EXPECT_EQ(v.document_frequencies()[j], 2);
  EXPECT_EQ(v.term_kinds()[j], TermKind::name);
  const auto gaddafi = std::find(keys.begin(), keys.end(), "@" + newsim::name_key("Gaddafi"));
  ASSERT_NE(gaddafi, keys.end());
  EXPECT_EQ(v.document_frequencies()[static_cast<std::size_t>(gaddafi - keys.begin())], 2);
}

TEST(NewsVectorizer, TitleAndLeadWeights) {
  NewsAnalyzerOptions o;
  o.names = false;
  o.lead_words = 3;
  NewsAnalyzer a(o);
  auto count = [&](const NewsDocument& d, const std::string& key) {
    for (const auto& t : a.analyze(d)) {
      if (t.key == key) return t.count;
    }
    return 0.0;
  };
  EXPECT_DOUBLE_EQ(count({"missile talks", "weather"}, "missil"), 2.0);
  EXPECT_DOUBLE_EQ(count({"", "missile shield weather missile"}, "missil"), 2.5);
  EXPECT_DOUBLE_EQ(count({"missile", "missile"}, "missil"), 3.5);
}

TEST(NewsVectorizer, Bm25MatchesReference) {
  const std::vector<std::string> texts = {
      "missile defence talks missile", "defence budget talks", "weather report sunny",
      "missile missile missile launch", ""};
  NewsVectorizerOptions o;
  o.analysis.names = false;
  o.analysis.lead_weight = 1.0;
  o.analysis.language = "none";
  o.weighting.norm = newsim::NewsNorm::none;
  NewsVectorizer v(o);
  const auto X = v.fit_transform(as_docs(texts));
  // Reference: counts by hand.
  std::vector<std::map<std::string, double>> counts(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    std::istringstream in(texts[i]);
    std::string w;
    while (in >> w) counts[i][w == "defence" ? "defense" : w] += 1;
  }
  std::map<std::string, int> df;
  double total = 0;
  for (const auto& c : counts) {
    for (const auto& [w, n] : c) df[w] += 1, total += n;
  }
  const double N = static_cast<double>(texts.size()), avgdl = total / N;
  EXPECT_DOUBLE_EQ(v.average_length(), avgdl);
  const auto& keys = v.vocabulary().terms();
  ASSERT_EQ(keys.size(), df.size());
  for (std::size_t i = 0; i < texts.size(); ++i) {
    double dl = 0;
    for (const auto& [w, n] : counts[i]) dl += n;
    for (std::size_t j = 0; j < keys.size(); ++j) {
      const double d = df[keys[j]];
      const double idf = std::log(1.0 + (N - d + 0.5) / (d + 0.5));
      const double tf = counts[i].count(keys[j]) ? counts[i][keys[j]] : 0.0;
      const double want = idf * tf * 2.2 / (tf + 1.2 * (0.25 + 0.75 * dl / avgdl));
      EXPECT_NEAR(X.coeff(static_cast<std::int64_t>(i), static_cast<std::int64_t>(j)), want, 1e-12);
    }
  }
  // The empty document is a zero row.
  EXPECT_EQ(X.indptr[4], X.indptr[5]);
}

TEST(NewsVectorizer, PivotedNormalisationMatchesReference) {
  const std::vector<std::string> texts = {"missile defence talks missile summit",
                                          "defence budget", "weather report sunny weather"};
  NewsVectorizerOptions o;
  o.analysis.names = false;
  o.weighting.norm = newsim::NewsNorm::none;
  NewsVectorizer raw(o);
  const auto R = raw.fit_transform(as_docs(texts));
  o.weighting.norm = newsim::NewsNorm::pivoted;
  o.weighting.slope = 0.3;
  NewsVectorizer piv(o);
  const auto P = piv.fit_transform(as_docs(texts));
  std::vector<double> len(texts.size(), 0.0);
  for (std::int64_t i = 0; i < R.rows; ++i) {
    for (auto k = R.indptr[i]; k < R.indptr[i + 1]; ++k) len[i] += R.data[k] * R.data[k];
    len[i] = std::sqrt(len[i]);
  }
  const double pivot = (len[0] + len[1] + len[2]) / 3.0;
  EXPECT_NEAR(piv.pivot(), pivot, 1e-12);
  for (std::int64_t i = 0; i < R.rows; ++i) {
    for (auto k = R.indptr[i]; k < R.indptr[i + 1]; ++k) {
      EXPECT_NEAR(P.data[k], R.data[k] / (0.7 * pivot + 0.3 * len[i]), 1e-12);
    }
  }
  // transform uses the fitted pivot.
  expect_same(piv.transform(as_docs(texts)), P);
}

TEST(NewsVectorizer, TfidfAndPruning) {
  const std::vector<std::string> texts = {"missile talks", "missile shield", "missile budget"};
  NewsVectorizerOptions o;
  o.analysis.names = false;
  o.weighting.scheme = newsim::NewsScheme::tfidf;
  o.weighting.norm = newsim::NewsNorm::none;
  o.analysis.lead_weight = 1.0;
  o.max_df = newsim::DfBound::fraction(0.9);
  NewsVectorizer v(o);
  const auto X = v.fit_transform(as_docs(texts));
  EXPECT_EQ(v.vocabulary().terms(), (std::vector<std::string>{"budget", "shield", "talk"}));
  EXPECT_DOUBLE_EQ(v.idf()[0], std::log(4.0 / 2.0) + 1.0);
  EXPECT_DOUBLE_EQ(X.coeff(0, 2), std::log(4.0 / 2.0) + 1.0);
  o.min_df = newsim::DfBound::count(3);
  EXPECT_THROW(NewsVectorizer(o).fit(as_docs(texts)), newsim::InvalidArgument);
}

TEST(NewsVectorizer, ThreadCountDoesNotChangeResults) {
  std::vector<std::string> texts;
  std::uint32_t x = 7;
  const char* words[] = {"Missile", "defence", "talks", "Russia", "NATO", "budget", "Sergei",
                         "Lavrov", "said", "shield", "summit", "Paris", "weather", "organisation"};
  for (int i = 0; i < 400; ++i) {
    std::string d;
    for (int w = 0; w < 80; ++w) {
      x = x * 1664525u + 1013904223u;
      d += std::string(words[(x >> 8) % 14]) + ((x >> 20) % 9 == 0 ? ". " : " ");
    }
    texts.push_back(d);
  }
  NewsVectorizerOptions o;
  o.weighting.norm = newsim::NewsNorm::pivoted;
  o.n_jobs = 1;
  NewsVectorizer one(o);
  const auto A = one.fit_transform(as_docs(texts));
  o.n_jobs = 2;
  NewsVectorizer two(o);
  const auto B = two.fit_transform(as_docs(texts));
  expect_same(A, B);
  EXPECT_EQ(one.vocabulary().terms(), two.vocabulary().terms());
  EXPECT_EQ(one.feature_names(), two.feature_names());
  EXPECT_EQ(one.pivot(), two.pivot());
  expect_same(one.transform(as_docs(texts)), two.transform(as_docs(texts)));
}

TEST(NewsVectorizer, JsonRoundTripAndCorruptModels) {
  NewsVectorizer v;
  const NewsDocuments docs = {{"NATO talks", "Sergei Lavrov met NATO in Brussels."},
                              {"", "Missile defence plans were discussed in Brussels."}};
  const auto X = v.fit_transform(docs);
  const NewsVectorizer w = NewsVectorizer::from_json(v.to_json());
  EXPECT_EQ(w.vocabulary().terms(), v.vocabulary().terms());
  EXPECT_EQ(w.feature_names(), v.feature_names());
  EXPECT_EQ(w.term_kinds(), v.term_kinds());
  expect_same(w.transform(docs), X);
  expect_same(v.transform(docs), X);
  const std::string path =
      (std::filesystem::temp_directory_path() / "newsim_news_model.json").string();
  v.save(path);
  expect_same(NewsVectorizer::load(path).transform(docs), X);
  std::remove(path.c_str());
  try {
    NewsVectorizer::from_json(v.to_json().substr(0, 100), "my-model");
    FAIL();
  } catch (const newsim::ModelFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("my-model"), std::string::npos);
  }
  std::string bad = v.to_json();
  bad.replace(bad.find("\"kinds\":["), 9, "\"kinds\":[\"x\",");
  EXPECT_THROW(NewsVectorizer::from_json(bad, "bad"), newsim::ModelFormatError);
  EXPECT_THROW(NewsVectorizer::from_json("{\"format\":\"newsim.vectorizer\",\"version\":1}"),
               newsim::ModelFormatError);
}

// Issue 20: an idf of 1e308 passed (finite, >= 0) and zeroed the rows it touched.
TEST(NewsVectorizer, IdfOutsideItsRangeIsAModelFormatError) {
  NewsVectorizer v;
  v.fit({{"NATO talks", "Sergei Lavrov met NATO in Brussels."},
         {"", "Missile defence plans were discussed in Brussels."}});
  const std::string json = v.to_json();
  const std::size_t at = json.find("\"idf\":[") + 7;
  const std::size_t end = json.find_first_of(",]", at);
  for (const std::string& bad : {std::string("1e308"), std::string("44.7"), std::string("-0.5")}) {
    std::string m = json;
    m.replace(at, end - at, bad);
    try {
      NewsVectorizer::from_json(m, "file 'news-idf.json'");
      ADD_FAILURE() << bad << ": no error";
    } catch (const newsim::ModelFormatError& e) {
      EXPECT_NE(std::string(e.what()).find("news-idf.json"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("idf[0] = "), std::string::npos) << e.what();
    }
  }
}

TEST(NewsVectorizer, BadInput) {
  NewsVectorizer v;
  EXPECT_THROW(v.fit({}), newsim::InvalidArgument);
  EXPECT_THROW(v.transform(as_docs({"x"})), newsim::NotFittedError);
  EXPECT_THROW(v.fit(as_docs({"said the", "and on Friday"})), newsim::InvalidArgument);
  const std::string bad = "valid text \xff here";
  try {
    v.fit({{"", "fine text"}, {"", bad}});
    FAIL();
  } catch (const newsim::DecodeError& e) {
    EXPECT_EQ(e.document(), 1u);
    EXPECT_NE(std::string(e.what()).find("document 1"), std::string::npos);
  }
  const auto X = v.fit_transform(as_docs({"missile talks", "said", "missile shield"}));
  EXPECT_EQ(X.indptr[1], X.indptr[2]);  // zero row
  for (double d : X.data) EXPECT_TRUE(std::isfinite(d));
  const auto Y = v.transform(as_docs({"unknown words only", ""}));
  EXPECT_EQ(Y.nnz(), 0u);
  NewsVectorizerOptions o;
  o.weighting.b = 2;
  EXPECT_THROW(NewsVectorizer{o}, newsim::InvalidArgument);
  o = {};
  o.analysis.title_weight = 0;
  EXPECT_THROW(NewsVectorizer{o}, newsim::InvalidArgument);
}

TEST(NewsVectorizer, SeedArticles) {
  NewsDocuments docs;
  std::vector<std::string> texts;
  for (const auto& entry : std::filesystem::directory_iterator(NEWSIM_SOURCE_DIR "/data/seeds")) {
    if (entry.path().extension() != ".txt") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    texts.push_back(s.str());
  }
  ASSERT_EQ(texts.size(), 5u);
  for (const auto& t : texts) docs.push_back({{}, t});
  NewsVectorizer v;
  v.fit(docs);
  const auto& keys = v.vocabulary().terms();
  const auto& labels = v.feature_names();
  EXPECT_FALSE(has(keys, "said"));
  EXPECT_FALSE(has(keys, "friday"));
  // "defense" (three articles) and "defence" (one) are one column.
  const auto defense = v.analyzer().analyze(NewsDocument{"", "defense"});
  const auto defence = v.analyzer().analyze(NewsDocument{"", "defence"});
  ASSERT_EQ(defense.size(), 1u);
  ASSERT_EQ(defence.size(), 1u);
  EXPECT_EQ(defense[0].key, defence[0].key);
  const auto j = std::find(keys.begin(), keys.end(), defense[0].key) - keys.begin();
  ASSERT_LT(static_cast<std::size_t>(j), keys.size());
  EXPECT_EQ(v.document_frequencies()[static_cast<std::size_t>(j)], 4);
  EXPECT_EQ(labels[static_cast<std::size_t>(j)], "defense");
  // Labels are readable: a surface form, not a stem.
  const auto m = std::find(keys.begin(), keys.end(), "missil") - keys.begin();
  ASSERT_LT(static_cast<std::size_t>(m), keys.size());
  EXPECT_TRUE(labels[m] == "missile" || labels[m] == "missiles") << labels[m];
  const auto r = std::find(keys.begin(), keys.end(), "@" + newsim::name_key("Rasmussen")) -
                 keys.begin();
  ASSERT_LT(static_cast<std::size_t>(r), keys.size());
  EXPECT_EQ(labels[r], "Rasmussen");
  EXPECT_FALSE(v.name_columns().empty());
}
