#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "corpora.hpp"
#include "newsim/article.hpp"
#include "newsim/cleaning.hpp"
#include "newsim/errors.hpp"
#include "newsim/reader.hpp"

#ifndef NEWSIM_SOURCE_DIR
#error "NEWSIM_SOURCE_DIR must name the repository root"
#endif

namespace {

const std::string kSeeds = std::string(NEWSIM_SOURCE_DIR) + "/data/seeds";

// Lines of a text as the cleaner numbers them: split on '\n' as Python's str.split("\n") does
// (a final '\n' ends an empty last line).
std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      out.push_back(text.substr(start));
      break;
    }
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Without spaces, tabs, carriage returns and no-break spaces (U+00A0) at either end.
std::string trim(const std::string& s) {
  std::size_t b = 0, e = s.size();
  for (;;) {
    if (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) {
      ++b;
    } else if (e - b >= 2 && s.compare(b, 2, "\xC2\xA0") == 0) {
      b += 2;
    } else {
      break;
    }
  }
  for (;;) {
    if (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) {
      --e;
    } else if (e - b >= 2 && s.compare(e - 2, 2, "\xC2\xA0") == 0) {
      e -= 2;
    } else {
      break;
    }
  }
  return s.substr(b, e - b);
}

// Each line of a text trimmed.
std::string trim_lines(const std::string& text) {
  std::string out;
  const std::vector<std::string> lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) out += (i == 0 ? "" : "\n") + trim(lines[i]);
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

newsim::Corpus seeds() { return newsim::read_folder(kSeeds).corpus; }

// Gold labels: file id -> (1-based line -> label); lines not listed are body or blank.
std::map<std::string, std::map<int, std::string>> gold() {
  std::ifstream in(kSeeds + "/gold.json");
  EXPECT_TRUE(in.good()) << "cannot open gold.json";
  const nlohmann::json g = nlohmann::json::parse(in);
  std::map<std::string, std::map<int, std::string>> out;
  for (const auto& [name, labels] : g.at("articles").items()) {
    const std::string id = name.substr(0, name.size() - 4);  // without ".txt"
    auto& m = out[id];
    m[labels.at("title").get<int>()] = "title";
    for (const char* kind : {"boilerplate", "caption", "subhead", "credit"}) {
      for (const auto& n : labels.at(kind)) m[n.get<int>()] = kind;
    }
  }
  return out;
}

std::string gold_label(const std::map<int, std::string>& g, int n, const std::string& line) {
  const auto it = g.find(n);
  if (it != g.end()) return it->second;
  return trim(line).empty() ? "blank" : "body";
}

nlohmann::json meta(const newsim::Article& a) { return nlohmann::json::parse(a.meta); }

newsim::Article article(const std::string& id, const std::string& text,
                        const std::string& source = "") {
  newsim::Article a;
  a.id = id;
  a.text = text;
  a.source = source;
  return a;
}

newsim::CleanOptions jobs(int n) {
  newsim::CleanOptions o;
  o.n_jobs = n;
  return o;
}

// A page: headline, then paragraphs separated by blank lines.
std::string page(const std::string& title, const std::vector<std::string>& paragraphs) {
  std::string out = title + "\n";
  for (const std::string& p : paragraphs) out += "\n" + p + "\n";
  return out;
}

// The label of the first line whose trimmed text is `line`.
std::string label_of(const newsim::LineReport& r, const std::string& text, const std::string& line) {
  const std::vector<std::string> lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size() && i < r.labels.size(); ++i) {
    if (trim(lines[i]) == line) return newsim::to_string(r.labels[i]);
  }
  return "(not found)";
}

// Bytes as hex, for messages about invisible characters.
std::string hex(const std::string& s) {
  static const char* digits = "0123456789ABCDEF";
  std::string out = "[";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (out.size() > 1) out += ' ';
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out + "]";
}

const char* const kFirst =
    "The city council voted on Tuesday to extend the night bus service to the northern suburbs "
    "from next spring.";
const char* const kLast =
    "The new routes are expected to cost about two million dollars a year, the council said in a "
    "statement.";

}  // namespace

// -- the labelled sample articles --------------------------------------------------------------

TEST(CleanSeeds, LabelsMatchGold) {
  const newsim::Corpus corpus = seeds();
  const auto g = gold();
  ASSERT_EQ(corpus.size(), 5u);
  ASSERT_EQ(g.size(), 5u);
  for (const auto& [id, labels] : g) EXPECT_GE(corpus.find(id), 0) << id;
  const newsim::CleanResult r = newsim::clean(corpus, jobs(1));
  ASSERT_EQ(r.reports.size(), corpus.size());
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    const newsim::Article& a = corpus[i];
    const std::vector<std::string> lines = split_lines(a.text);
    const newsim::LineReport& rep = r.reports[i];
    ASSERT_EQ(rep.labels.size(), lines.size()) << a.id;
    const auto& gl = g.at(a.id);
    for (std::size_t n = 0; n < lines.size(); ++n) {
      const std::string want = gold_label(gl, static_cast<int>(n + 1), lines[n]);
      EXPECT_EQ(newsim::to_string(rep.labels[n]), want)
          << a.id << " line " << n + 1 << ": " << lines[n].substr(0, 70);
    }
  }
}

TEST(CleanSeeds, CleanedTextIsTheBodyWithParagraphBreaks) {
  const newsim::Corpus corpus = seeds();
  const auto g = gold();
  const newsim::CleanResult r = newsim::clean(corpus, jobs(1));
  ASSERT_EQ(r.corpus.size(), corpus.size());
  const std::map<std::string, std::string> datelines = {
      {"001_0913141053d87c23", "NICE, France (Reuters)"},
      {"003_e81d89a617a94fe4", "HOKKAIDO, Japan"},
      {"004_8edea27d4a3ae470", "SEOUL"}};
  const std::map<std::string, std::string> dateline_prefixes = {
      {"001_0913141053d87c23", "NICE, France (Reuters) -- "},
      {"003_e81d89a617a94fe4", "HOKKAIDO, Japan -- "},
      {"004_8edea27d4a3ae470", "SEOUL \xE2\x80\x94 "}};
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    const newsim::Article& raw = corpus[i];
    const newsim::Article& out = r.corpus[i];
    EXPECT_EQ(out.id, raw.id);
    const auto& gl = g.at(raw.id);
    const std::vector<std::string> lines = split_lines(raw.text);
    // Expected: body lines, trimmed, the dateline cut off the first, joined by "\n\n" where the
    // original has a blank line between them and by "\n" where it has none.
    std::string expected;
    bool blank_since = false;
    bool first_body = true;
    for (std::size_t n = 0; n < lines.size(); ++n) {
      const std::string label = gold_label(gl, static_cast<int>(n + 1), lines[n]);
      if (label == "blank") {
        blank_since = true;
        continue;
      }
      std::string line = trim(lines[n]);
      if (label == "boilerplate") {
        EXPECT_FALSE(contains(out.text, line)) << raw.id << " kept boilerplate line " << n + 1;
        continue;
      }
      if (label != "body") continue;
      if (first_body) {
        const auto p = dateline_prefixes.find(raw.id);
        if (p != dateline_prefixes.end()) {
          ASSERT_EQ(line.rfind(p->second, 0), 0u) << raw.id;
          line = line.substr(p->second.size());
          EXPECT_FALSE(contains(out.text, p->second)) << raw.id << ": dateline left in the text";
        }
        first_body = false;
      }
      EXPECT_TRUE(contains(out.text, line)) << raw.id << " lost body line " << n + 1;
      if (!expected.empty()) expected += blank_since ? "\n\n" : "\n";
      expected += line;
      blank_since = false;
    }
    // (Whitespace at the ends of lines is checked in CleanText.LinesAreTrimmed.)
    EXPECT_EQ(trim_lines(out.text), expected) << raw.id;
    const nlohmann::json m = meta(out);
    const auto d = datelines.find(raw.id);
    if (d != datelines.end()) {
      ASSERT_TRUE(m.contains("dateline")) << raw.id << ": " << out.meta;
      EXPECT_EQ(m.at("dateline"), d->second) << raw.id;
      EXPECT_EQ(r.reports[i].dateline, d->second) << raw.id;
    } else {
      EXPECT_FALSE(m.contains("dateline")) << raw.id << ": " << out.meta;
      EXPECT_TRUE(r.reports[i].dateline.empty()) << raw.id;
    }
  }
  EXPECT_EQ(r.corpus.by_id("001_0913141053d87c23").text.rfind(
                "French President Nicolas Sarkozy said", 0),
            0u);
}

TEST(CleanSeeds, TitlesSourcesAndMeta) {
  const newsim::Corpus corpus = seeds();
  const auto g = gold();
  const newsim::CleanResult r = newsim::clean(corpus, jobs(1));
  const std::map<std::string, std::string> titles = {
      {"000_4b9b2b038c1e496a", "Medvedev, Sarkozy and Merkel to Meet"},
      {"001_0913141053d87c23", "French President Urges U.S., Russia Missile Freeze"},
      {"002_51e471f65cdee563", "NATO and Russia in deadlock over missile defense"},
      {"003_e81d89a617a94fe4", "Medvedev Says Russia, U.S. Need Talks, Despite Dispute Over Missiles"},
      {"004_8edea27d4a3ae470", "Russia says open to missile defence cooperation with NATO"}};
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    const std::string& id = corpus[i].id;
    EXPECT_EQ(r.reports[i].title, titles.at(id)) << id;
    EXPECT_EQ(r.corpus[i].title, titles.at(id)) << id;
    EXPECT_FALSE(contains(r.corpus[i].text, titles.at(id))) << id << ": title left in the text";
  }
  // " - AFP" is split off the title of 004 into its source.
  const std::size_t k = static_cast<std::size_t>(corpus.find("004_8edea27d4a3ae470"));
  EXPECT_EQ(r.reports[k].title_credit, "AFP");
  EXPECT_EQ(r.corpus[k].source, "AFP");
  EXPECT_EQ(meta(r.corpus[k]).value("title_credit", ""), "AFP");
  // The credit line of 000 names the agencies.
  const newsim::Article& a0 = r.corpus.by_id("000_4b9b2b038c1e496a");
  EXPECT_EQ(meta(a0).at("credits"), nlohmann::json::array({"(Reuters, Bloomberg, AP)"}));
  EXPECT_FALSE(contains(a0.text, "(Reuters, Bloomberg, AP)"));
  // Captions and subheads are listed in meta.
  const newsim::Article& a1 = r.corpus.by_id("001_0913141053d87c23");
  EXPECT_EQ(meta(a1).at("captions"),
            nlohmann::json::array(
                {"Nicolas Sarkozy (right) and Dmitry Medvedev at the EU-Russia summit in Nice"}));
  EXPECT_EQ(meta(a1).at("subheads"), nlohmann::json::array({"Medvedev Urges No Unilateral Steps"}));
  const newsim::Article& a3 = r.corpus.by_id("003_e81d89a617a94fe4");
  EXPECT_EQ(meta(a3).at("subheads"),
            nlohmann::json::array({"Close Personal Ties", "Disagreements Persist"}));
  // Other fields are kept.
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    EXPECT_EQ(r.corpus[i].url, corpus[i].url);
    EXPECT_EQ(r.corpus[i].date, corpus[i].date);
  }
}

TEST(CleanSeeds, AuditNamesRuleAndEvidence) {
  const newsim::Corpus corpus = seeds();
  const newsim::CleanResult r = newsim::clean(corpus, jobs(1));
  ASSERT_FALSE(r.audit.empty());
  std::size_t labelled = 0;
  for (const newsim::LineReport& rep : r.reports) {
    for (const newsim::LineLabel l : rep.labels) {
      if (l != newsim::LineLabel::body && l != newsim::LineLabel::blank) ++labelled;
    }
  }
  std::size_t non_dateline = 0, datelines = 0;
  std::size_t last_article = 0;
  for (const newsim::AuditEntry& e : r.audit) {
    EXPECT_FALSE(e.rule.empty()) << e.article << ":" << e.line;
    EXPECT_FALSE(e.evidence.empty()) << e.article << ":" << e.line << " " << e.rule;
    EXPECT_FALSE(e.text.empty()) << e.article << ":" << e.line;
    ASSERT_LT(e.article, corpus.size());
    EXPECT_GE(e.article, last_article) << "audit not ordered by article";
    last_article = e.article;
    const std::vector<std::string> lines = split_lines(corpus[e.article].text);
    ASSERT_GE(e.line, 1);
    ASSERT_LE(static_cast<std::size_t>(e.line), lines.size());
    const std::string line = trim(lines[static_cast<std::size_t>(e.line) - 1]);
    if (e.label == "dateline") {
      ++datelines;
      EXPECT_EQ(line.rfind(e.text, 0), 0u) << e.text;
      EXPECT_EQ(r.reports[e.article].labels[static_cast<std::size_t>(e.line) - 1],
                newsim::LineLabel::body);
    } else {
      ++non_dateline;
      EXPECT_EQ(e.text, line);
      EXPECT_EQ(e.label,
                newsim::to_string(r.reports[e.article].labels[static_cast<std::size_t>(e.line) - 1]));
    }
  }
  EXPECT_EQ(non_dateline, labelled);
  EXPECT_EQ(datelines, 3u);
  // The per-article audits together are the whole audit.
  std::size_t per_article = 0;
  for (const newsim::LineReport& rep : r.reports) per_article += rep.audit.size();
  EXPECT_EQ(per_article, r.audit.size());
}

TEST(CleanSeeds, SameResultsForOneAndThreeThreads) {
  const newsim::Corpus corpus = seeds();
  const newsim::CleanResult a = newsim::clean(corpus, jobs(1));
  const newsim::CleanResult b = newsim::clean(corpus, jobs(3));
  EXPECT_EQ(a.corpus.articles(), b.corpus.articles());
  ASSERT_EQ(a.audit.size(), b.audit.size());
  for (std::size_t i = 0; i < a.audit.size(); ++i) {
    EXPECT_EQ(a.audit[i].article, b.audit[i].article) << i;
    EXPECT_EQ(a.audit[i].line, b.audit[i].line) << i;
    EXPECT_EQ(a.audit[i].label, b.audit[i].label) << i;
    EXPECT_EQ(a.audit[i].rule, b.audit[i].rule) << i;
    EXPECT_EQ(a.audit[i].evidence, b.audit[i].evidence) << i;
    EXPECT_EQ(a.audit[i].text, b.audit[i].text) << i;
  }
  ASSERT_EQ(a.reports.size(), b.reports.size());
  for (std::size_t i = 0; i < a.reports.size(); ++i) {
    EXPECT_EQ(a.reports[i].labels, b.reports[i].labels) << i;
    EXPECT_EQ(a.reports[i].title, b.reports[i].title) << i;
    EXPECT_EQ(a.reports[i].dateline, b.reports[i].dateline) << i;
  }
  // Also on a bigger corpus: the seeds many times over, with sources.
  newsim::Corpus big;
  for (int copy = 0; copy < 12; ++copy) {
    for (const newsim::Article& s : corpus) {
      newsim::Article x = s;
      x.id = s.id + "_" + std::to_string(copy);
      x.source = copy % 3 == 0 ? "" : "site" + std::to_string(copy % 2);
      big.add(x);
    }
  }
  EXPECT_EQ(newsim::clean(big, jobs(1)).corpus.articles(),
            newsim::clean(big, jobs(3)).corpus.articles());
}

TEST(CleanSeeds, KeepCaptionsAndSubheads) {
  const newsim::Corpus corpus = seeds();
  const std::string caption1 =
      "Nicolas Sarkozy (right) and Dmitry Medvedev at the EU-Russia summit in Nice";
  const std::string caption3 =
      "Russian President Dmitry Medvedev (left) meets U.S. President George W. Bush in Japan";
  const newsim::CleanResult plain = newsim::clean(corpus, jobs(1));
  const std::string p1 = plain.corpus.by_id("001_0913141053d87c23").text;
  const std::string p3 = plain.corpus.by_id("003_e81d89a617a94fe4").text;
  EXPECT_FALSE(contains(p1, caption1));
  EXPECT_FALSE(contains(p3, caption3));
  EXPECT_FALSE(contains(p1, "Medvedev Urges No Unilateral Steps"));
  EXPECT_FALSE(contains(p3, "Close Personal Ties"));
  EXPECT_FALSE(contains(p3, "Disagreements Persist"));

  newsim::CleanOptions o = jobs(1);
  o.keep_captions = true;
  const newsim::CleanResult caps = newsim::clean(corpus, o);
  const std::string c1 = caps.corpus.by_id("001_0913141053d87c23").text;
  const std::string c3 = caps.corpus.by_id("003_e81d89a617a94fe4").text;
  EXPECT_EQ(c1.rfind(caption1 + "\nFrench President Nicolas Sarkozy said", 0), 0u) << c1.substr(0, 200);
  EXPECT_EQ(c3.rfind(caption3 + "\nMoscow and Washington should keep up dialogue", 0), 0u)
      << c3.substr(0, 200);
  EXPECT_FALSE(contains(c3, "Close Personal Ties"));
  EXPECT_FALSE(contains(c1, "HOKKAIDO") || contains(c1, "NICE, France (Reuters)"));
  // Only the caption is added back.
  EXPECT_EQ(c1, caption1 + "\n" + p1);

  o.keep_captions = false;
  o.keep_subheads = true;
  const newsim::CleanResult subs = newsim::clean(corpus, o);
  const std::string s1 = subs.corpus.by_id("001_0913141053d87c23").text;
  const std::string s3 = subs.corpus.by_id("003_e81d89a617a94fe4").text;
  EXPECT_FALSE(contains(s1, caption1));
  EXPECT_TRUE(contains(s1, "\n\nMedvedev Urges No Unilateral Steps\n\n")) << s1;
  EXPECT_TRUE(contains(s3, "\n\nClose Personal Ties\n\nStill, warm personal ties")) << s3;
  EXPECT_TRUE(contains(s3, "\n\nDisagreements Persist\n\nDespite the generally")) << s3;

  o.keep_captions = true;
  const newsim::CleanResult both = newsim::clean(corpus, o);
  const std::string b3 = both.corpus.by_id("003_e81d89a617a94fe4").text;
  EXPECT_TRUE(contains(b3, caption3));
  EXPECT_TRUE(contains(b3, "Close Personal Ties"));
  // Labels do not depend on the options.
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    EXPECT_EQ(both.reports[i].labels, plain.reports[i].labels) << i;
  }
  // Boilerplate stays out whatever is kept.
  EXPECT_FALSE(contains(both.corpus.by_id("001_0913141053d87c23").text, "Breaking News"));
}

TEST(CleanArgs, MinRepeatsBelowTwoIsInvalid) {
  const newsim::Corpus corpus = seeds();
  for (const int bad : {1, 0, -3}) {
    newsim::CleanOptions o;
    o.min_repeats = bad;
    EXPECT_THROW(newsim::clean(corpus, o), newsim::InvalidArgument) << bad;
    newsim::CleanOptions s;
    s.min_repeats_sentence = bad;
    EXPECT_THROW(newsim::clean(corpus, s), newsim::InvalidArgument) << bad;
  }
  newsim::CleanOptions ok;
  ok.min_repeats = 2;
  ok.min_repeats_sentence = 2;
  EXPECT_NO_THROW(newsim::clean(corpus, ok));
  EXPECT_NO_THROW(newsim::clean(newsim::Corpus(), ok));
}

// -- conservative cleaning -----------------------------------------------------------------------

TEST(CleanConservative, BodySentenceWithFurnitureWordsIsKept) {
  for (const std::string middle :
       {"Police said they need your help to find the driver, who fled the scene.",
        "Police said: we need your help to find the driver, who fled the scene.",
        "Residents can sign up for the new service at any library from next month."}) {
    newsim::Corpus c;
    c.add(article("a", page("Night Buses to Run Until Dawn", {kFirst, middle, kLast})));
    const newsim::CleanResult r = newsim::clean(c, jobs(1));
    EXPECT_EQ(label_of(r.reports[0], c[0].text, middle), "body") << middle;
    EXPECT_EQ(r.corpus[0].text, std::string(kFirst) + "\n\n" + middle + "\n\n" + kLast);
    EXPECT_EQ(r.corpus[0].title, "Night Buses to Run Until Dawn");
  }
}

TEST(CleanConservative, ShortFurnitureLineBetweenParagraphsIsRemoved) {
  for (const std::string furniture : {"Advertisement", "ADVERTISEMENT", "Share on Facebook"}) {
    newsim::Corpus c;
    c.add(article("a", page("Night Buses to Run Until Dawn", {kFirst, furniture, kLast})));
    const newsim::CleanResult r = newsim::clean(c, jobs(1));
    EXPECT_EQ(label_of(r.reports[0], c[0].text, furniture), "boilerplate") << furniture;
    EXPECT_EQ(r.corpus[0].text, std::string(kFirst) + "\n\n" + kLast) << furniture;
    bool audited = false;
    for (const newsim::AuditEntry& e : r.audit) {
      if (e.text == furniture && e.label == "boilerplate") audited = true;
    }
    EXPECT_TRUE(audited) << furniture;
  }
}

TEST(CleanConservative, HardWrappedProseLosesNothing) {
  const std::vector<std::string> wrapped = {
      "The central bank held interest rates steady on Thursday, saying that",
      "inflation was easing but remained too high for policymakers to begin",
      "cutting borrowing costs, and signalled it would wait for more data",
      "before acting. Governor Jane Smith told reporters in the capital that",
      "the bank was in no hurry to move and that the labour market was still",
      "tight. Economists polled last week had expected the decision, though",
      "a minority had forecast a small cut given weaker growth in the second",
      "quarter and falling energy prices across the region. The bank will",
      "publish its next forecasts in September, when it also reviews its",
      "bond holdings and the pace at which it sells them back to the market.",
  };
  std::string text;
  for (const std::string& l : wrapped) text += l + "\n";
  std::string expected = text.substr(0, text.size() - 1);
  newsim::Corpus c;
  c.add(article("wire1", text));
  // A second wire, with a source, so that lines are counted per source.
  const std::string wire2 =
      "Oil prices rose for a third day on Friday as traders weighed signs of\n"
      "tighter supply against worries about demand in the world's largest\n"
      "economies. Brent crude futures were up 62 cents at 84.10 dollars a\n"
      "barrel by 0930 GMT, while U.S. crude gained 58 cents to 79.90 dollars.\n"
      "Analysts said the market would stay volatile until producers meet\n"
      "next month to decide on output for the rest of the year.";
  c.add(article("wire2", wire2, "Reuters"));
  const newsim::CleanResult r = newsim::clean(c, jobs(1));
  EXPECT_EQ(r.corpus[0].text, expected);
  EXPECT_EQ(r.corpus[1].text, wire2);
  // The final newline of wire1 ends an empty line.
  ASSERT_EQ(r.reports[0].labels.size(), wrapped.size() + 1);
  EXPECT_EQ(r.reports[0].labels.back(), newsim::LineLabel::blank);
  for (std::size_t i = 0; i < wrapped.size(); ++i) {
    EXPECT_EQ(r.reports[0].labels[i], newsim::LineLabel::body) << "line " << i + 1 << ": " << wrapped[i];
  }
  ASSERT_EQ(r.reports[1].labels.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(r.reports[1].labels[i], newsim::LineLabel::body) << "wire2 line " << i + 1;
  }
  EXPECT_TRUE(r.audit.empty());
}

TEST(CleanConservative, EmptyAndBlankTexts) {
  newsim::Corpus c;
  c.add(article("empty", ""));
  c.add(article("blank", "\n\n   \n\t\n"));
  c.add(article("one", "A single short line"));
  const newsim::CleanResult r = newsim::clean(c, jobs(2));
  ASSERT_EQ(r.corpus.size(), 3u);
  EXPECT_EQ(r.corpus[0].text, "");
  EXPECT_EQ(r.corpus[1].text, "");
  EXPECT_EQ(r.corpus[0].id, "empty");
  EXPECT_EQ(r.corpus[1].id, "blank");
  for (std::size_t i = 0; i < 2; ++i) {
    for (const newsim::LineLabel l : r.reports[i].labels) EXPECT_EQ(l, newsim::LineLabel::blank);
    EXPECT_TRUE(r.reports[i].title.empty());
    EXPECT_TRUE(r.reports[i].audit.empty());
    EXPECT_EQ(meta(r.corpus[i]), nlohmann::json::object());
  }
  EXPECT_EQ(r.reports[1].labels.size(), 5u);  // as "\n\n   \n\t\n".split("\n")
  EXPECT_EQ(r.reports[0].labels.size(), 1u);  // as "".split("\n")
  // An empty corpus.
  const newsim::CleanResult e = newsim::clean(newsim::Corpus(), jobs(1));
  EXPECT_TRUE(e.corpus.empty());
  EXPECT_TRUE(e.audit.empty());
  EXPECT_TRUE(e.reports.empty());
}

TEST(CleanConservative, RepeatedSentenceRemovedOnlyWithinASource) {
  const std::string repeated =
      "The Daily Planet is committed to accurate and fair reporting of the news in our city.";
  const std::vector<std::string> titles = {"Mayor Opens New Bridge Over the River",
                                           "School Board Approves Budget",
                                           "Local Team Wins Regional Final"};
  const std::vector<std::vector<std::string>> bodies = {
      {"The mayor opened the new bridge over the river on Monday after three years of work.",
       "Traffic on the old crossing is expected to fall by half once the bridge is in full use."},
      {"The school board approved a budget of forty million dollars for the coming year.",
       "Teachers will receive a raise of three percent under the plan agreed on Wednesday."},
      {"The local football team won the regional final on Saturday in front of a big crowd.",
       "The players will now travel to the capital for the national tournament in June."}};
  auto build = [&](const std::vector<std::string>& sources) {
    newsim::Corpus c;
    for (std::size_t i = 0; i < 3; ++i) {
      c.add(article("p" + std::to_string(i),
                    page(titles[i], {bodies[i][0], repeated, bodies[i][1]}), sources[i]));
    }
    return c;
  };
  // Same source in all three: removed, as repetition within the source.
  {
    const newsim::Corpus c = build({"Daily Planet", "Daily Planet", "Daily Planet"});
    const newsim::CleanResult r = newsim::clean(c, jobs(1));
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(label_of(r.reports[i], c[i].text, repeated), "boilerplate") << i;
      EXPECT_EQ(r.corpus[i].text, bodies[i][0] + "\n\n" + bodies[i][1]) << i;
    }
  }
  // No sources: a sentence repeated across articles is kept.
  {
    const newsim::Corpus c = build({"", "", ""});
    const newsim::CleanResult r = newsim::clean(c, jobs(1));
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(label_of(r.reports[i], c[i].text, repeated), "body") << i;
      EXPECT_EQ(r.corpus[i].text, bodies[i][0] + "\n\n" + repeated + "\n\n" + bodies[i][1]) << i;
    }
  }
  // Only two articles of the source have it (min_repeats_sentence = 3): kept.
  {
    const newsim::Corpus c = build({"Daily Planet", "Daily Planet", "Other Times"});
    const newsim::CleanResult r = newsim::clean(c, jobs(1));
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(label_of(r.reports[i], c[i].text, repeated), "body") << i;
    }
  }
  // ... unless min_repeats_sentence is 2.
  {
    const newsim::Corpus c = build({"Daily Planet", "Daily Planet", "Other Times"});
    newsim::CleanOptions o = jobs(1);
    o.min_repeats_sentence = 2;
    const newsim::CleanResult r = newsim::clean(c, o);
    EXPECT_EQ(label_of(r.reports[0], c[0].text, repeated), "boilerplate");
    EXPECT_EQ(label_of(r.reports[1], c[1].text, repeated), "boilerplate");
    EXPECT_EQ(label_of(r.reports[2], c[2].text, repeated), "body");
  }
}

TEST(CleanConservative, RepeatedShortLineRemovedWithoutSources) {
  const std::string repeated = "Weekend Edition Extra";
  newsim::Corpus c;
  c.add(article("x", page("Night Buses to Run Until Dawn", {kFirst, repeated, kLast})));
  c.add(article("y", page("Harbour Ferry Fares to Rise",
                          {"Ferry fares across the harbour will rise by ten percent in the autumn, "
                           "the transport authority said.",
                           repeated,
                           "Commuters with season tickets will be protected from the increase "
                           "until the end of the year."})));
  const newsim::CleanResult r = newsim::clean(c, jobs(1));
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(label_of(r.reports[i], c[i].text, repeated), "boilerplate") << i;
    EXPECT_FALSE(contains(r.corpus[i].text, repeated)) << i;
  }
  // In one article only it is a subhead, not boilerplate.
  newsim::Corpus one;
  one.add(c[0]);
  const newsim::CleanResult s = newsim::clean(one, jobs(1));
  EXPECT_EQ(label_of(s.reports[0], one[0].text, repeated), "subhead");
}

// Issue 20: a first line of CSS icon names ("icon-facebook icon-twitter ...", 16 words split at
// the hyphens) had no furniture evidence ("icon" alone was not an icon name) and became the
// title on 40 of 40 pages. A line labelled boilerplate can never be the title, nor can a given
// title that is such a row.
TEST(CleanConservative, RowOfIconNamesIsNeverTheTitle) {
  const std::string icons =
      "icon-facebook icon-twitter icon-whatsapp icon-linkedin icon-email icon-print "
      "icon-reddit icon-pinterest";
  for (const std::string& source : {std::string(), std::string("site")}) {
    newsim::Corpus c;
    for (int i = 0; i < 40; ++i) {
      newsim::Article a;
      a.id = "p" + std::to_string(i);
      a.source = source;
      a.title = i % 2 == 0 ? "" : icons;  // odd pages: a scraper took the icons for the title
      a.text = icons + "\n\nMinister resigns over budget row " + std::to_string(i) +
               "\n\nThe finance minister resigned on Tuesday after a row over the budget, "
               "officials said.\n";
      c.add(a);
    }
    const newsim::CleanResult r = newsim::clean(c, jobs(1));
    for (std::size_t i = 0; i < c.size(); ++i) {
      const std::vector<newsim::LineLabel>& labels = r.reports[i].labels;
      EXPECT_EQ(labels[0], newsim::LineLabel::boilerplate) << i << " " << source;
      EXPECT_EQ(labels[2], newsim::LineLabel::title) << i << " " << source;
      const std::string want = "Minister resigns over budget row " + std::to_string(i);
      EXPECT_EQ(r.reports[i].title, want) << i;
      EXPECT_EQ(r.corpus[i].title, want) << i;
      EXPECT_FALSE(contains(r.corpus[i].text, "icon-")) << i;
      for (std::size_t k = 0; k < labels.size(); ++k) {
        if (labels[k] == newsim::LineLabel::title) EXPECT_EQ(k, 2u) << i;
      }
    }
  }
  // A title about an icon, or naming Facebook and Twitter, stays a title.
  newsim::Corpus t;
  newsim::Article a;
  a.id = "t";
  a.title = "Fashion icon honoured on Facebook and Twitter";
  a.text = a.title + "\n\nThe designer was honoured on Tuesday, officials said in Paris.\n";
  t.add(a);
  const newsim::CleanResult s = newsim::clean(t, jobs(1));
  EXPECT_EQ(s.corpus[0].title, a.title);
  EXPECT_EQ(s.reports[0].labels[0], newsim::LineLabel::title);
}

TEST(CleanConservative, GivenMetaIsKeptAndExtended) {
  newsim::Corpus c;
  newsim::Article a = article(
      "m", page("Storm Closes Airport",
                {"LONDON (Reuters) - Heathrow airport closed both runways on Sunday as a storm "
                 "brought winds of up to ninety miles an hour to southern England.",
                 "Airlines said they expected flights to resume on Monday morning."}));
  a.meta = R"({"lang":"en"})";
  c.add(a);
  const newsim::CleanResult r = newsim::clean(c, jobs(1));
  const nlohmann::json m = meta(r.corpus[0]);
  EXPECT_EQ(m.value("lang", ""), "en");
  EXPECT_EQ(m.value("dateline", ""), "LONDON (Reuters)");
  EXPECT_EQ(r.corpus[0].text.rfind("Heathrow airport closed", 0), 0u) << r.corpus[0].text;
  EXPECT_EQ(r.corpus[0].title, "Storm Closes Airport");
  // Meta that is not a JSON object is rejected.
  newsim::Corpus bad;
  newsim::Article b = article("b", "Some text here.");
  b.meta = "[1, 2]";
  bad.add(b);
  EXPECT_THROW(newsim::clean(bad, jobs(1)), newsim::InvalidArgument);
}

TEST(CleanConservative, MetaWithNumberBeyondDoubleRangeIsInvalidArgument) {
  // Merging as objects parses the meta: 1e400 (nlohmann's out_of_range) names the article.
  newsim::Corpus c;
  newsim::Article a = article(
      "huge", page("Storm Closes Airport",
                   {"LONDON (Reuters) - Heathrow airport closed both runways on Sunday as a storm "
                    "brought winds of up to ninety miles an hour to southern England."}));
  a.meta = R"({"dateline":"","x":1e400})";
  c.add(a);
  try {
    newsim::clean(c, jobs(1));
    ADD_FAILURE() << "no error";
  } catch (const newsim::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("'huge'"), std::string::npos) << e.what();
  }
}

TEST(CleanConservative, MetaHoldingFoundKeysIsMergedAsObjects) {
  // When the meta already holds a key that cleaning fills, the result is the meta updated with
  // what was found, written as nlohmann::json::dump() writes it, whatever the meta's layout.
  const std::string text =
      page("Storm Closes Airport",
           {"LONDON (Reuters) - Heathrow airport closed both runways on Sunday as a storm "
            "brought winds of up to ninety miles an hour to southern England.",
            "Airlines said they expected flights to resume on Monday morning.",
            "(Reuters,\tAP)"});
  for (const std::string given :
       {R"({"dateline":"","lang":"en"})",
        R"({"credits":"old","dateline":"","n":[1,-20,0,true,false,null,{"a":"b","b":[]}],"z":"\u00e9t\u00e9"})",
        "{\"dateline\":\"\",\"z\":\"\xC3\xA9t\xC3\xA9\"}",
        R"({"lang": "en", "dateline": "x"})", R"({"dateline":"","lang":"en" })",
        R"({"score":1.50,"dateline":""})", R"({"dateline":"","q":"a\"b\/c"})",
        R"({"big":123456789012345678901,"dateline":""})", R"({"dateline":"","m":-0})",
        R"({"dateline":"","dateline":"y"})", R"({"a":{"y":1,"x":2},"dateline":""})"}) {
    newsim::Corpus c;
    newsim::Article a = article("m", text);
    a.meta = given;
    c.add(a);
    const newsim::CleanResult r = newsim::clean(c, jobs(1));
    nlohmann::json expected = nlohmann::json::parse(given);
    expected.update(nlohmann::json{{"dateline", "LONDON (Reuters)"},
                                   {"credits", nlohmann::json::array({"(Reuters,\tAP)"})}});
    EXPECT_EQ(r.corpus[0].meta, expected.dump()) << given;
  }
}

// -- whitespace ---------------------------------------------------------------------------------

TEST(CleanText, LinesAreTrimmed) {
  // Spaces, tabs and no-break spaces at the ends of lines, in any order, do not reach the text.
  const std::string nbsp = "\xC2\xA0";
  const std::string second = "Commuters welcomed the plan, which had been discussed for years.";
  const std::string third = "The first buses will run in March, the transport office said.";
  newsim::Corpus c;
  c.add(article("ws", page("Night Buses to Run Until Dawn",
                           {"  " + std::string(kFirst) + " \t",
                            nbsp + " " + second + " " + nbsp,
                            "\t" + nbsp + third + nbsp + "\t" + nbsp + " "})));
  const newsim::CleanResult r = newsim::clean(c, jobs(1));
  EXPECT_EQ(r.corpus[0].text, std::string(kFirst) + "\n\n" + second + "\n\n" + third);
}

TEST(CleanText, SentenceEndingInSpaceAndNoBreakSpaceStaysBody) {
  // Pasted web text often ends a paragraph with " \u00A0"; the sentence is still body.
  const std::string middle = "Officials said the talks would resume next week.";
  for (const std::string tail : {std::string(""), std::string(" \xC2\xA0"), std::string("\xC2\xA0 "),
                                 std::string("\xC2\xA0\xC2\xA0"), std::string(" \xC2\xA0 ")}) {
    newsim::Corpus c;
    c.add(article("s", page("Night Buses to Run Until Dawn", {kFirst, middle + tail, kLast})));
    const newsim::CleanResult r = newsim::clean(c, jobs(1));
    ASSERT_EQ(r.reports[0].labels.size(), 8u);
    EXPECT_EQ(newsim::to_string(r.reports[0].labels[4]), std::string("body"))
        << "paragraph ending in " << hex(tail);
    EXPECT_TRUE(contains(r.corpus[0].text, middle)) << "paragraph ending in " << hex(tail);
  }
}

// -- shards: statistics counted apart and merged --------------------------------------------------

namespace {

// A corpus with furniture that repeats across articles: three sites whose pages share notices
// and footers (some sentence-shaped), unsourced pages sharing a notice in more than a tenth of
// them, the seed articles (copied under three sources), and wire copy repeated a few times.
newsim::Corpus shard_corpus() {
  newsim::Corpus c;
  for (const newsim::Article& s : seeds()) {
    for (const char* source : {"", "alpha", "beta"}) {
      newsim::Article a = s;
      a.id = s.id + "/" + source;
      a.source = source;
      c.add(a);
    }
  }
  const std::vector<std::string> words = {"council", "river", "budget", "minister", "school",
                                          "harbour", "vote", "police", "market", "storm",
                                          "bridge", "doctors", "farmers", "court", "museum"};
  std::uint32_t state = 12345;
  auto pick = [&](std::size_t n) {
    state = state * 1664525u + 1013904223u;
    return static_cast<std::size_t>(state >> 8) % n;
  };
  auto sentence = [&](int i) {
    std::string s = "The " + words[pick(words.size())] + " said on day " + std::to_string(i) +
                    " that the " + words[pick(words.size())] + " and the " +
                    words[pick(words.size())] + " would meet again next week.";
    return s;
  };
  const std::vector<std::vector<std::string>> furniture = {
      {"Sign up for our newsletter", "Alpha News daily", "We use cookies to improve your "
       "experience on our site, and by continuing you agree to our use of them."},
      {"Share this article", "Most read", "Copyright Beta Media. All rights reserved."},
      {"Gamma Times", "Listen to this article", "Reporters of Gamma Times wrote this story "
       "with the help of local people, whom we thank for their time."}};
  for (int i = 0; i < 90; ++i) {
    const int site = i % 4;  // 3: no source
    std::string text = "Headline number " + std::to_string(i) + " for the " +
                       words[pick(words.size())] + "\n\n";
    if (site < 3) text += furniture[site][pick(2)] + "\n\n";
    for (int p = 0; p < 3; ++p) text += sentence(i * 10 + p) + "\n\n";
    if (site < 3) text += furniture[site][2] + "\n";
    if (site == 3 && i % 8 == 3) {
      text += "This page was brought to you by readers like you, and we thank you for that.\n";
    }
    if (i % 9 == 0) text += "(Reporting by Jane Doe; Editing by John Roe)\n";
    newsim::Article a = article("syn" + std::to_string(i), text,
                                site < 3 ? std::vector<std::string>{"alpha", "beta", "gamma"}[site]
                                         : std::string());
    c.add(a);
  }
  // Wire copy: one story in four articles (a sentence repeated in a few articles only).
  for (int i = 0; i < 4; ++i) {
    c.add(article("wire" + std::to_string(i),
                  page("Storm Closes Airport", {"LONDON (Reuters) - Heathrow airport closed both "
                                                "runways on Sunday as a storm brought high winds.",
                                                sentence(1000 + i)})));
  }
  return c;
}

// The articles at these positions, as a corpus.
newsim::Corpus part(const newsim::Corpus& c, const std::vector<std::size_t>& rows) {
  newsim::Corpus out;
  for (const std::size_t r : rows) out.add(c[r]);
  return out;
}

// Whole-corpus cleaning and shard-by-shard cleaning with merged statistics agree, article by
// article: texts, titles, sources, meta, labels, reports and audit rows.
void expect_same_as_whole(const newsim::Corpus& corpus,
                          const std::vector<std::vector<std::size_t>>& shards,
                          const newsim::CleanOptions& options = {}) {
  const newsim::CleanResult whole = newsim::clean(corpus, options);
  newsim::CleanStatistics merged;
  for (const auto& rows : shards) merged.merge(newsim::clean_statistics(part(corpus, rows), 1));
  EXPECT_EQ(merged, newsim::clean_statistics(corpus, 2));
  EXPECT_EQ(merged.articles(), static_cast<std::int64_t>(corpus.size()));
  std::size_t audit_rows = 0;
  for (const auto& rows : shards) {
    const newsim::CleanResult r = newsim::clean(part(corpus, rows), merged, options);
    ASSERT_EQ(r.corpus.size(), rows.size());
    audit_rows += r.audit.size();
    for (std::size_t k = 0; k < rows.size(); ++k) {
      const std::size_t i = rows[k];
      EXPECT_EQ(r.corpus[k], whole.corpus[i]) << corpus[i].id;
      const newsim::LineReport& a = r.reports[k];
      const newsim::LineReport& b = whole.reports[i];
      EXPECT_EQ(a.labels, b.labels) << corpus[i].id;
      EXPECT_EQ(a.title, b.title) << corpus[i].id;
      EXPECT_EQ(a.title_credit, b.title_credit) << corpus[i].id;
      EXPECT_EQ(a.dateline, b.dateline) << corpus[i].id;
      EXPECT_EQ(a.dateline_length, b.dateline_length) << corpus[i].id;
      ASSERT_EQ(a.audit.size(), b.audit.size()) << corpus[i].id;
      for (std::size_t e = 0; e < a.audit.size(); ++e) {
        EXPECT_EQ(a.audit[e].article, k);
        EXPECT_EQ(b.audit[e].article, i);
        EXPECT_EQ(a.audit[e].line, b.audit[e].line) << corpus[i].id;
        EXPECT_EQ(a.audit[e].label, b.audit[e].label) << corpus[i].id;
        EXPECT_EQ(a.audit[e].rule, b.audit[e].rule) << corpus[i].id;
        EXPECT_EQ(a.audit[e].evidence, b.audit[e].evidence) << corpus[i].id;
        EXPECT_EQ(a.audit[e].text, b.audit[e].text) << corpus[i].id;
      }
    }
  }
  EXPECT_EQ(audit_rows, whole.audit.size());
}

std::vector<std::vector<std::size_t>> round_robin(std::size_t n, std::size_t parts) {
  std::vector<std::vector<std::size_t>> out(parts);
  for (std::size_t i = 0; i < n; ++i) out[i % parts].push_back(i);
  return out;
}

std::vector<std::vector<std::size_t>> runs(std::size_t n, const std::vector<std::size_t>& ends) {
  std::vector<std::vector<std::size_t>> out;
  std::size_t start = 0;
  for (const std::size_t end : ends) {
    out.emplace_back();
    for (std::size_t i = start; i < end && i < n; ++i) out.back().push_back(i);
    start = end;
  }
  out.emplace_back();
  for (std::size_t i = start; i < n; ++i) out.back().push_back(i);
  return out;
}

}  // namespace

TEST(CleanShards, MergedStatisticsCleanShardsAsTheWholeCorpus) {
  const newsim::Corpus corpus = shard_corpus();
  const std::size_t n = corpus.size();
  // The corpus has what the statistics are for: lines removed for repeating, per source and
  // without sources.
  const newsim::CleanResult whole = newsim::clean(corpus);
  std::set<std::string> repeated_evidence;
  for (const newsim::AuditEntry& e : whole.audit) {
    if (contains(e.evidence, "repeated in")) {
      repeated_evidence.insert(contains(e.evidence, "of source") ? "source" : "corpus");
    }
  }
  EXPECT_EQ(repeated_evidence, (std::set<std::string>{"source", "corpus"}));
  expect_same_as_whole(corpus, runs(n, {n / 2}));
  expect_same_as_whole(corpus, round_robin(n, 3));
  expect_same_as_whole(corpus, runs(n, {1, 2, 50}));  // tiny shards and a large one
  expect_same_as_whole(corpus, round_robin(n, n));   // one article each
  expect_same_as_whole(corpus, runs(n, {0, n}));     // empty shards
  newsim::CleanOptions o;
  o.keep_captions = true;
  o.min_repeats = 3;
  o.min_repeats_sentence = 5;
  o.n_jobs = 3;
  expect_same_as_whole(corpus, round_robin(n, 4), o);
}

TEST(CleanShards, ReutersSampleInShards) {
  const auto sample = newsim_test::reuters_articles(3000);
  if (!sample) GTEST_SKIP() << "the Reuters corpus is not in ../shared/corpora";
  const newsim::Corpus& corpus = *sample;
  // Wire copy without sources: the "Reuter" sign-off and table headings repeat.
  expect_same_as_whole(corpus, round_robin(corpus.size(), 4));
  expect_same_as_whole(corpus, runs(corpus.size(), {100, 1700}));
}

TEST(CleanShards, MergeOrderAndBytesDoNotMatter) {
  const newsim::Corpus corpus = shard_corpus();
  const auto shards = round_robin(corpus.size(), 3);
  std::vector<newsim::CleanStatistics> parts;
  for (const auto& rows : shards) parts.push_back(newsim::clean_statistics(part(corpus, rows)));
  newsim::CleanStatistics forward, backward;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    forward.merge(parts[i]);
    backward.merge(parts[parts.size() - 1 - i]);
  }
  EXPECT_EQ(forward, backward);
  EXPECT_EQ(forward.to_bytes(), backward.to_bytes());
  EXPECT_EQ(forward, newsim::clean_statistics(corpus, 1));
  EXPECT_NE(forward, parts[0]);
  EXPECT_GT(forward.lines(), parts[0].lines());
  // Round trip through bytes.
  const std::string bytes = forward.to_bytes();
  const newsim::CleanStatistics back = newsim::CleanStatistics::from_bytes(bytes);
  EXPECT_EQ(back, forward);
  EXPECT_EQ(back.articles(), static_cast<std::int64_t>(corpus.size()));
  EXPECT_EQ(newsim::CleanStatistics::from_bytes(newsim::CleanStatistics().to_bytes()),
            newsim::CleanStatistics());
  // Copies are independent.
  newsim::CleanStatistics copy = parts[0];
  copy.merge(parts[1]);
  EXPECT_NE(copy, parts[0]);
  EXPECT_EQ(newsim::clean_statistics(part(corpus, shards[0])), parts[0]);
}

TEST(CleanShards, StatisticsWithoutTheShardAreRejected) {
  const newsim::Corpus corpus = shard_corpus();
  const auto halves = runs(corpus.size(), {corpus.size() / 2});
  const newsim::Corpus first = part(corpus, halves[0]);
  const newsim::Corpus second = part(corpus, halves[1]);
  const newsim::CleanStatistics of_first = newsim::clean_statistics(first);
  auto message = [](const newsim::Corpus& c, const newsim::CleanStatistics& s) {
    try {
      newsim::clean(c, s);
    } catch (const newsim::InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  // Fewer articles than the shard: said before anything is read.
  EXPECT_TRUE(contains(message(first, newsim::CleanStatistics()), "they count 0 articles"))
      << message(first, newsim::CleanStatistics());
  // Enough articles, but not these: a line or a source is missing.
  newsim::CleanStatistics doubled = of_first;
  doubled.merge(of_first);
  const std::string m = message(second, doubled);
  EXPECT_TRUE(contains(m, "lack this corpus") || contains(m, "not in the clean statistics")) << m;
  EXPECT_TRUE(contains(m, "merge the statistics of every shard")) << m;
  EXPECT_NO_THROW(newsim::clean(first, of_first));
}

TEST(CleanShards, BadBytesAreModelFormatErrors) {
  const newsim::Corpus corpus = shard_corpus();
  const std::string bytes = newsim::clean_statistics(corpus).to_bytes();
  for (const std::string& bad :
       {std::string(), std::string("not msgpack"), bytes.substr(0, bytes.size() / 2),
        std::string("\x81\xa6" "format\xa3" "abc", 12)}) {
    EXPECT_THROW(newsim::CleanStatistics::from_bytes(bad, "<test>"), newsim::ModelFormatError);
  }
  // A newer version is named as such.
  nlohmann::json j = nlohmann::json::from_msgpack(bytes);
  j["version"] = 99;
  const std::vector<std::uint8_t> newer = nlohmann::json::to_msgpack(j);
  try {
    newsim::CleanStatistics::from_bytes(std::string(newer.begin(), newer.end()), "<test>");
    ADD_FAILURE() << "no error";
  } catch (const newsim::ModelFormatError& e) {
    EXPECT_TRUE(contains(e.what(), "newer")) << e.what();
  }
  // Keys and counts of different lengths.
  j["version"] = 1;
  j["lines"]["counts"] = nlohmann::json::binary({1, 0, 0, 0});
  const std::vector<std::uint8_t> torn = nlohmann::json::to_msgpack(j);
  EXPECT_THROW(newsim::CleanStatistics::from_bytes(std::string(torn.begin(), torn.end())),
               newsim::ModelFormatError);
}
