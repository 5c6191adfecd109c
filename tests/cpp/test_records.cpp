// CSV files, records handed over as JSON, and the texts to vectorise: the record rules that
// every reader shares.

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "newsim/article.hpp"
#include "newsim/cleaning.hpp"
#include "newsim/errors.hpp"
#include "newsim/model_sections.hpp"
#include "newsim/reader.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using newsim::OnError;

using newsim_test::TempDir;

// A file (gzip when the name ends in .gz) in a temporary folder of its own.
class TempFile {
 public:
  TempFile(const std::string& name, const std::string& bytes)
      : path_(name.size() > 3 && name.compare(name.size() - 3, 3, ".gz") == 0
                  ? dir_.write_gz(name, bytes)
                  : dir_.write(name, bytes)) {}
  const std::string& path() const { return path_; }

 private:
  TempDir dir_;
  std::string path_;
};

std::vector<std::string> ids(const newsim::Corpus& c) {
  std::vector<std::string> out;
  for (const auto& a : c) out.push_back(a.id);
  return out;
}

nlohmann::json meta(const newsim::Article& a) { return nlohmann::json::parse(a.meta); }

newsim::JsonlOptions with(OnError e) {
  newsim::JsonlOptions o;
  o.errors = e;
  return o;
}

std::string raise_message(const std::string& path) {
  try {
    newsim::read_csv(path);
  } catch (const newsim::InvalidArgument& e) {
    return e.what();
  }
  return "";
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

TEST(Csv, QuotesNewlinesAndMeta) {
  const std::string bytes =
      "id,title,text,date,extra\n"
      "1,Hello,Body one,2024-01-02,x\n"
      "2,World,\"Body, two\nwith a \"\"quote\"\"\",,y\n";
  for (const char* name : {"a.csv", "a.csv.gz"}) {
    TempFile f(name, bytes);
    const newsim::ReadResult r = newsim::read_csv(f.path());
    ASSERT_EQ(ids(r.corpus), (std::vector<std::string>{"1", "2"})) << name;
    EXPECT_EQ(r.corpus[0].title, "Hello");
    EXPECT_EQ(r.corpus[0].date, "2024-01-02");
    EXPECT_EQ(meta(r.corpus[0]), nlohmann::json({{"extra", "x"}}));
    EXPECT_EQ(r.corpus[1].text, "Body, two\nwith a \"quote\"");
    EXPECT_EQ(r.corpus[1].date, "");
    EXPECT_EQ(r.skipped, 0);
  }
}

TEST(Csv, CrlfBomAndTextAfterAClosingQuote) {
  TempFile f("b.csv", "\xEF\xBB\xBFid,text\r\n1,\"ab\"c\r\n\r\n2,\"two\r\nlines\"\r\n");
  const newsim::ReadResult r = newsim::read_csv(f.path());
  ASSERT_EQ(ids(r.corpus), (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(r.corpus[0].text, "abc");  // as Python's csv module reads it
  EXPECT_EQ(r.corpus[1].text, "two\r\nlines");
}

TEST(Csv, CustomFieldsAndNoIdColumn) {
  TempFile f("c.csv", "headline,body,lang\nH1,B1,en\nH2,B2,fr\n");
  newsim::JsonlOptions o;
  o.fields.title = "headline";
  o.fields.text = "body";
  const newsim::ReadResult r = newsim::read_csv(f.path(), o);
  EXPECT_EQ(ids(r.corpus), (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(r.corpus[1].title, "H2");
  EXPECT_EQ(r.corpus[1].text, "B2");
  EXPECT_EQ(meta(r.corpus[1]), nlohmann::json({{"lang", "fr"}}));
}

TEST(Csv, MalformedRowsNameTheirLine) {
  // line 3: too many fields; 4: too few; 5-6 a good two-line row; 7: invalid UTF-8;
  // 8: a duplicate id; 9: fine.
  TempFile f("d.csv",
             "id,text\n1,ok\n2,a,b\n3\n4,\"two\nlines\"\n5,caf\xFF\n1,again\n9,fine\n");
  EXPECT_TRUE(contains(raise_message(f.path()), f.path() + ", line 3: 3 fields where the header has 2"))
      << raise_message(f.path());
  const newsim::ReadResult s = newsim::read_csv(f.path(), with(OnError::skip));
  EXPECT_EQ(ids(s.corpus), (std::vector<std::string>{"1", "4", "9"}));
  EXPECT_EQ(s.skipped, 4);
  EXPECT_TRUE(s.issues.empty());
  const newsim::ReadResult r = newsim::read_csv(f.path(), with(OnError::report));
  ASSERT_EQ(r.issues.size(), 4u);
  std::vector<std::int64_t> lines;
  for (const auto& i : r.issues) lines.push_back(i.line);
  EXPECT_EQ(lines, (std::vector<std::int64_t>{3, 4, 7, 8}));
  EXPECT_TRUE(contains(r.issues[2].message, "UTF-8")) << r.issues[2].message;
  EXPECT_TRUE(contains(r.issues[3].message, "duplicate id '1'")) << r.issues[3].message;
}

TEST(Csv, QuoteThatNeverClosesIsMalformed) {
  TempFile f("e.csv", "id,text\n1,fine\n2,\"opens\n3,never closes\n4,more\n");
  EXPECT_TRUE(contains(raise_message(f.path()),
                       "line 3: a quoted field opened on line 3 never closes: lines 3 to 5"))
      << raise_message(f.path());
  const newsim::ReadResult r = newsim::read_csv(f.path(), with(OnError::report));
  EXPECT_EQ(ids(r.corpus), (std::vector<std::string>{"1"}));
  EXPECT_EQ(r.skipped, 1);
}

TEST(Csv, RowLongerThanTheLimitIsMalformed) {
  TempFile f("f.csv", "id,text\n1," + std::string(500, 'x') + "\n2,short\n");
  newsim::JsonlOptions o = with(OnError::report);
  o.max_line_bytes = 100;
  const newsim::ReadResult r = newsim::read_csv(f.path(), o);
  EXPECT_EQ(ids(r.corpus), (std::vector<std::string>{"2"}));
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_TRUE(contains(r.issues[0].message, "max_line_bytes")) << r.issues[0].message;
}

TEST(Csv, BadHeadersAndEmptyFilesAreErrors) {
  TempFile twice("g.csv", "id,text,text\n1,a,b\n");
  EXPECT_TRUE(contains(raise_message(twice.path()), "the header names ['text'] more than once"))
      << raise_message(twice.path());
  EXPECT_THROW(newsim::read_csv(twice.path(), with(OnError::skip)), newsim::InvalidArgument);
  TempFile no_text("h.csv", "id,body\n1,a\n");
  EXPECT_TRUE(contains(raise_message(no_text.path()), "no text column 'text'"));
  TempFile empty("i.csv", "");
  EXPECT_TRUE(contains(raise_message(empty.path()), "empty file"));
  EXPECT_THROW(newsim::read_csv(empty.path() + ".missing"), newsim::IoError);
}

TEST(Csv, BadDateKeepsTheArticle) {
  TempFile f("j.csv", "id,text,date\na,one,\nx,t,tomorrow\n");
  const newsim::ReadResult r = newsim::read_csv(f.path(), with(OnError::report));
  EXPECT_EQ(ids(r.corpus), (std::vector<std::string>{"a", "x"}));
  EXPECT_EQ(r.corpus[1].date, "");
  EXPECT_EQ(meta(r.corpus[1]), nlohmann::json({{"date_raw", "tomorrow"}}));
  EXPECT_EQ(r.bad_dates, 1);
  EXPECT_EQ(r.skipped, 0);
  EXPECT_TRUE(contains(r.first_bad_date, "line 3")) << r.first_bad_date;
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_TRUE(contains(r.issues[0].message, "article kept"));
}

newsim::Record record(std::int64_t n, std::string json) {
  return {n, std::to_string(n), std::move(json), ""};
}

TEST(Records, TheRulesOfEveryReader) {
  const std::vector<newsim::Record> rs = {
      record(0, R"({"text": "no id", "extra": null, "n": 5})"),
      record(1, R"({"id": "", "text": 7, "title": 1.5})"),
      record(2, R"({"id": "m", "text": "t", "meta": {"a": 1, "b": 2}, "b": 3})"),
      record(3, R"({"id": "s", "text": "t", "meta": "not an object"})"),
      record(4, R"({"id": 123456789012345678901234567890, "text": "long id"})"),
  };
  const newsim::ReadResult r = newsim::read_records(rs);
  ASSERT_EQ(ids(r.corpus),
            (std::vector<std::string>{"0", "1", "m", "s", "123456789012345678901234567890"}));
  EXPECT_EQ(meta(r.corpus[0]), nlohmann::json({{"n", 5}}));  // null leftovers are not kept
  EXPECT_EQ(r.corpus[1].text, "7");
  EXPECT_EQ(r.corpus[1].title, "1.5");
  EXPECT_EQ(meta(r.corpus[2]), nlohmann::json({{"a", 1}, {"b", 3}}));
  EXPECT_EQ(meta(r.corpus[3]), nlohmann::json({{"meta", "not an object"}}));
}

TEST(Records, MalformedRecordsFollowTheErrorsMode) {
  const std::vector<newsim::Record> rs = {
      record(0, R"({"text": "x"})"),
      record(1, R"({"title": "no text"})"),
      {2, "2", "", "expected a dict or a str, not int"},
      record(3, R"({"text": "y", "url": [1]})"),
      record(4, R"({"id": "0", "text": "dup"})"),
      record(5, R"({"text": "bad date", "date": "2024-13-01"})"),
      record(6, "{not json"),
  };
  try {
    newsim::read_records(rs);
    FAIL() << "expected InvalidArgument";
  } catch (const newsim::InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()), "input, item 1: no 'text' field");
  }
  const newsim::ReadResult r = newsim::read_records(rs, with(OnError::report), "DataFrame", "row");
  EXPECT_EQ(ids(r.corpus), (std::vector<std::string>{"0", "5"}));
  EXPECT_EQ(r.skipped, 5);
  ASSERT_EQ(r.issues.size(), 6u);  // five malformed, one repaired date
  EXPECT_EQ(r.issues[0].file, "DataFrame");
  EXPECT_TRUE(contains(r.issues[1].message, "int"));
  EXPECT_TRUE(contains(r.issues[2].message, "field 'url' must be a string or a number"));
  EXPECT_TRUE(contains(r.issues[3].message, "duplicate"));
  EXPECT_TRUE(contains(r.issues[4].message, "article kept"));
  EXPECT_TRUE(contains(r.issues[5].message, "not valid JSON"));
  EXPECT_EQ(meta(r.corpus[1]), nlohmann::json({{"date_raw", "2024-13-01"}}));
  EXPECT_EQ(r.first_bad_date.rfind("DataFrame, row 5: ", 0), 0u) << r.first_bad_date;
}

TEST(Documents, TitleWeightAndCleaning) {
  newsim::Corpus c;
  c.add({"a", "Talks", "NATO met Russia.", "", "", "", "{}"});
  c.add({"b", "", "No title here.", "", "", "", "{}"});
  EXPECT_EQ(newsim::documents(c, 2, false),
            (std::vector<std::string>{"Talks\nTalks\nNATO met Russia.", "No title here."}));
  EXPECT_EQ(newsim::documents(c, 0, false),
            (std::vector<std::string>{"NATO met Russia.", "No title here."}));
  EXPECT_THROW(newsim::documents(c, -1, false), newsim::InvalidArgument);
  newsim::Corpus page;
  page.add({"p", "", "Breaking News\n\nTalks stall\n\nNATO and Russia did not agree on the shield, "
                     "officials said on Monday.\n\nRead more", "", "", "", "{}"});
  EXPECT_EQ(newsim::documents(page, 1, true),
            (std::vector<std::string>{"Talks stall\nNATO and Russia did not agree on the shield, "
                                      "officials said on Monday."}));
}

// documents() cleans a block of articles at a time with the whole corpus's statistics: the
// same texts as cleaning the corpus at once, also for lines repeated across blocks.
TEST(Documents, CleaningByBlocksEqualsCleaningTheCorpus) {
  newsim::Corpus c;
  for (int i = 0; i < 40000; ++i) {
    const std::string n = std::to_string(i);
    std::string text = "Story " + n + " begins with a sentence about item " + n + " alone.\n\n";
    if (i % 13 == 0) text += "Copyright Example News " + std::to_string(i % 2) + "\n\n";
    // In over 1% of source X's articles, but only twice in the last block.
    if (i % 2 == 1 && (i < 500 || i == 36005 || i == 36007)) {
      text += "Follow us on Twitter for the latest updates from the newsroom.\n\n";
    }
    text += "It ends with figure " + std::to_string(i * 31 % 1000) + " and nothing else.";
    c.add({"a" + n, i % 3 == 0 ? "Title " + n : "", text, i % 2 ? "X News" : "Y Post", "", "", "{}"});
  }
  const newsim::CleanResult whole = newsim::clean(c);
  const std::vector<std::string> docs = newsim::documents(whole.corpus, 1, false);
  EXPECT_EQ(newsim::documents(c, 1, true), docs);
  EXPECT_EQ(docs[7].find("Follow us"), std::string::npos);  // the repeated line is gone
  EXPECT_NE(docs[7].find("item 7 alone"), std::string::npos);
  EXPECT_EQ(docs[36005].find("Follow us"), std::string::npos);
}

}  // namespace

namespace {

std::string sections_error(const std::string& text) {
  try {
    newsim::read_model_sections(text, "'m.json'");
  } catch (const newsim::ModelFormatError& e) {
    return e.what();
  }
  return "";
}

TEST(ModelSections, FormatOptionsAndPythonSectionReadOnce) {
  const newsim::ModelSections s = newsim::read_model_sections(
      R"({"format": "newsim.lsa", "version": 1, "options": {"k": 2}, "python": {"p": [1]}})",
      "x");
  EXPECT_EQ(s.format, "newsim.lsa");
  EXPECT_EQ(nlohmann::json::parse(s.options), nlohmann::json({{"k", 2}}));
  EXPECT_EQ(nlohmann::json::parse(s.python), nlohmann::json({{"p", {1}}}));
  EXPECT_EQ(newsim::read_model_sections(R"({"format": "newsim.vectorizer"})", "x").python, "");
}

TEST(ModelSections, CorruptOrForeignDocumentsAreModelFormatErrors) {
  EXPECT_TRUE(contains(sections_error("{\"format\": \"newsim.lsa\""), "'m.json' is not valid JSON"));
  EXPECT_TRUE(contains(sections_error("[1, 2]"), "not a newsim model"));
  EXPECT_TRUE(contains(sections_error(R"({"format": "other.model"})"), "not a newsim model"));
  EXPECT_TRUE(contains(sections_error(R"({"format": 3})"), "not a newsim model"));
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_TRUE(contains(sections_error(R"({"format": "newsim.lsa", "python": )" + deep + "}"),
                       "nested more than"))
      << sections_error(deep);
}

}  // namespace
