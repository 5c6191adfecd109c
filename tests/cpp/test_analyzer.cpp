#include <gtest/gtest.h>

#include "newsim/analyzer.hpp"
#include "newsim/errors.hpp"
#include "newsim/stop_words.hpp"
#include "newsim/text.hpp"

using newsim::Analyzer;
using newsim::AnalyzerKind;
using newsim::AnalyzerOptions;
using Terms = std::vector<std::string>;

namespace {
Analyzer make(AnalyzerOptions o) { return Analyzer(std::move(o)); }
}  // namespace

TEST(Analyzer, DefaultPatternKeepsRunsOfTwoWordCharacters) {
  const Analyzer a = make({});
  EXPECT_EQ(a.analyze("Russia's NATO-led a_b 2024 x I"), (Terms{"russia", "nato", "led", "a_b", "2024"}));
}

TEST(Analyzer, NgramsAndStopWordsInScikitLearnOrder) {
  AnalyzerOptions o;
  o.ngram_range = {1, 3};
  o.stop_words = {"the"};
  EXPECT_EQ(make(o).analyze("The cat sat on the mat"),
            (Terms{"cat", "sat", "on", "mat", "cat sat", "sat on", "on mat", "cat sat on",
                   "sat on mat"}));
}

TEST(Analyzer, CharWbPadsWordsAndCountsShortWordsOnce) {
  AnalyzerOptions o;
  o.analyzer = AnalyzerKind::char_wb_ngrams;
  o.ngram_range = {2, 3};
  EXPECT_EQ(make(o).analyze("Ab  c"), (Terms{" a", "ab", "b ", " ab", "ab ", " c", "c ", " c "}));
}

TEST(Analyzer, CharCollapsesWhitespaceRuns) {
  AnalyzerOptions o;
  o.analyzer = AnalyzerKind::char_ngrams;
  o.ngram_range = {1, 2};
  EXPECT_EQ(make(o).analyze("Ab  c\nd"),
            (Terms{"a", "b", " ", "c", "\n", "d", "ab", "b ", " c", "c\n", "\nd"}));
}

TEST(Analyzer, PythonLowercaseAndStripAccents) {
  AnalyzerOptions o;
  o.strip_accents = newsim::StripAccents::unicode;
  EXPECT_EQ(make(o).analyze("Café Noël ﬁne İstanbul ΟΔΟΣ ΣΑΣ"),
            (Terms{"cafe", "noel", "fine", "istanbul", "οδος", "σας"}));
  o.strip_accents = newsim::StripAccents::ascii;
  EXPECT_EQ(make(o).analyze("Café Noël ﬁne ½ x²"), (Terms{"cafe", "noel", "fine", "12", "x2"}));
}

TEST(Analyzer, FinalSigmaOnlyAtTheEndOfAWord) {
  const Analyzer a = make({});
  EXPECT_EQ(a.preprocess("ΟΔΟΣ ΣΑ Σ"), "οδος σα σ");
}

TEST(Analyzer, DottedCapitalIBecomesIAndCombiningDot) {
  // Python: "İ".lower() == "i\u0307"; the combining dot is not a word character.
  EXPECT_EQ(make({}).preprocess("İx"), "i\u0307x");
}

TEST(Analyzer, CustomPatternWithOneGroup) {
  AnalyzerOptions o;
  o.token_pattern = R"((\w+)ing\b)";
  EXPECT_EQ(make(o).analyze("Running and jumping in spring"), (Terms{"runn", "jump", "spr"}));
}

TEST(Analyzer, CustomPatternsUsePythonWhitespace) {
  AnalyzerOptions o;
  o.token_pattern = R"(\S+)";
  o.lowercase = false;
  // Python's \s includes U+001C..U+001F and not U+180E (PCRE2's differs on both).
  EXPECT_EQ(make(o).analyze("ff\x1c" "fs\xe1\xa0\x8e" "x [a]"), (Terms{"ff", "fs\u180Ex", "[a]"}));
  o.token_pattern = R"([^\s,]+)";
  EXPECT_EQ(make(o).analyze("a,b\x1d" "c"), (Terms{"a", "b", "c"}));
}

TEST(Analyzer, CustomPatternsReadPythonSyntax) {
  AnalyzerOptions o;
  o.lowercase = false;
  auto terms = [&](const char* pattern, const char* text) {
    o.token_pattern = pattern;
    return make(o).analyze(text);
  };
  EXPECT_EQ(terms(R"(\w+\Z)", "line two\n"), Terms{});            // \Z: the very end
  EXPECT_EQ(terms(R"([\w\u2019]+)", "it\u2019s"), Terms{"it\u2019s"});  // \uXXXX
  EXPECT_EQ(terms(R"(\w{,2})", "abc"), (Terms{"ab", "c", ""}));     // {,n} is {0,n}
  EXPECT_EQ(terms(R"([[:a]+)", "a:[b"), (Terms{"a:["}));             // '[' is literal in a class
  EXPECT_EQ(terms(R"((?a)\w+)", "caf\u00e9 ok"), (Terms{"caf", "ok"}));  // ASCII classes
  EXPECT_EQ(terms(R"((?u)\b\w+\b)", "caf\u00e9"), (Terms{"caf\u00e9"}));
}

TEST(Analyzer, RejectsTwoGroupsAndBadPatterns) {
  AnalyzerOptions o;
  o.token_pattern = R"((a)(b))";
  EXPECT_THROW(make(o), newsim::InvalidArgument);
  o.token_pattern = "(unclosed";
  EXPECT_THROW(make(o), newsim::InvalidArgument);
}

TEST(Analyzer, RejectsInvertedNgramRange) {
  AnalyzerOptions o;
  o.ngram_range = {3, 1};
  EXPECT_THROW(make(o), newsim::InvalidArgument);
}

TEST(Analyzer, EncodingsAgree) {
  const Analyzer a = make({});
  const std::u32string wide = U"Ünïcode ΔΣ text";
  std::u16string narrow(wide.begin(), wide.end());
  const auto from_utf8 = a.analyze("Ünïcode ΔΣ text");
  EXPECT_EQ(a.analyze(newsim::TextView(wide.data(), wide.size(), newsim::Encoding::ucs4)), from_utf8);
  EXPECT_EQ(a.analyze(newsim::TextView(narrow.data(), narrow.size(), newsim::Encoding::ucs2)), from_utf8);
  const std::string latin1 = "Caf\xe9 na\xefve";
  EXPECT_EQ(a.analyze(newsim::TextView(latin1.data(), latin1.size(), newsim::Encoding::latin1)),
            (Terms{"café", "naïve"}));
}

TEST(Analyzer, DecodeErrorModes) {
  AnalyzerOptions o;
  EXPECT_THROW(make(o).analyze("ok \xff bad"), newsim::DecodeError);
  o.decode_error = newsim::DecodeErrors::ignore;
  EXPECT_EQ(make(o).analyze("ab\xff" "cd"), (Terms{"abcd"}));
  o.decode_error = newsim::DecodeErrors::replace;
  EXPECT_EQ(make(o).analyze("ab\xff" "cd"), (Terms{"ab", "cd"}));
}

TEST(Analyzer, NulBytesSeparateWords) {
  const std::string text("ab\0cd", 5);
  EXPECT_EQ(make({}).analyze(text), (Terms{"ab", "cd"}));
}

TEST(Analyzer, TermsKindTakesEachNulTerminatedTermAsIs) {
  AnalyzerOptions o;
  o.analyzer = AnalyzerKind::terms;
  o.lowercase = false;
  // Terms keep case, spaces and empty strings; text after the last '\0' is one more term.
  const std::string text("New York\0\0the the\0\xc3\x9c\0tail", 25);
  EXPECT_EQ(make(o).analyze(text), (Terms{"New York", "", "the the", "\xc3\x9c", "tail"}));
  EXPECT_EQ(make(o).analyze(""), Terms{});
  const std::u32string wide(U"Ab\0c\0", 5);
  EXPECT_EQ(make(o).analyze(newsim::TextView(wide.data(), wide.size(), newsim::Encoding::ucs4)),
            (Terms{"Ab", "c"}));
}

TEST(Analyzer, TermsKindRefusesOptionsItCannotApply) {
  AnalyzerOptions o;
  o.analyzer = AnalyzerKind::terms;
  EXPECT_THROW(make(o), newsim::InvalidArgument);  // lowercase is on by default
  o.lowercase = false;
  o.ngram_range = {1, 2};
  EXPECT_THROW(make(o), newsim::InvalidArgument);
  o.ngram_range = {1, 1};
  o.stop_words = {"the"};
  EXPECT_THROW(make(o), newsim::InvalidArgument);
  EXPECT_EQ(newsim::parse_analyzer_kind("terms"), AnalyzerKind::terms);
  EXPECT_EQ(newsim::to_string(AnalyzerKind::terms), "terms");
}

TEST(StopWords, EnglishListIsScikitLearns) {
  const auto& words = newsim::english_stop_words();
  EXPECT_EQ(words.size(), 318u);
  EXPECT_TRUE(std::is_sorted(words.begin(), words.end()));
  EXPECT_THROW(newsim::stop_words("klingon"), newsim::InvalidArgument);
}

// The text of `doc` (UTF-8) at code point offsets [b, e).
std::string code_points(const std::string& doc, std::size_t b, std::size_t e) {
  const std::u32string cps = newsim::decode_utf8(doc, newsim::DecodeErrors::strict);
  std::string out;
  for (std::size_t i = b; i < e; ++i) newsim::append_utf8(out, cps[i]);
  return out;
}

TEST(AnalyzerSpans, WordsAndTermsPointIntoTheTextAsGiven) {
  AnalyzerOptions o;
  o.strip_accents = newsim::StripAccents::unicode;
  o.stop_words = {"the", "of"};
  o.ngram_range = {1, 2};
  const Analyzer a(o);
  const std::string doc = "The DÉFENSE of İstanbul, the missile shield";
  const Analyzer::Spans s = a.spans(doc);
  std::vector<std::string> words;
  for (const auto& [b, e] : s.words) words.push_back(code_points(doc, b, e));
  EXPECT_EQ(words, (Terms{"DÉFENSE", "İstanbul", "missile", "shield"}));
  // The terms are exactly analyze()'s, in its order.
  Terms terms;
  for (const auto& t : s.terms) terms.push_back(t.term);
  EXPECT_EQ(terms, a.analyze(doc));
  ASSERT_EQ(s.terms.size(), 7u);
  EXPECT_EQ(s.terms[4].term, "defense istanbul");
  EXPECT_EQ(s.terms[4].first, 0u);
  EXPECT_EQ(s.terms[4].words, 2u);
}

TEST(AnalyzerSpans, CustomPatternAndNonWordAnalyzers) {
  AnalyzerOptions o;
  o.token_pattern = R"((?u)\b\w+\b)";
  const Analyzer a(o);
  const std::string doc = "a NATO b";
  const Analyzer::Spans s = a.spans(doc);
  ASSERT_EQ(s.words.size(), 3u);
  EXPECT_EQ(s.words[1], (std::pair<std::size_t, std::size_t>{2, 6}));
  AnalyzerOptions c;
  c.analyzer = AnalyzerKind::char_ngrams;
  EXPECT_THROW(Analyzer(c).spans("abc"), newsim::InvalidArgument);
  EXPECT_THROW(a.spans("caf\xC3"), newsim::DecodeError);
}
