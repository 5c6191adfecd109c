#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "newsim/article.hpp"
#include "newsim/errors.hpp"
#include "newsim/reader.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;

using newsim_test::TempDir;

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> ids(const newsim::Corpus& c) {
  std::vector<std::string> out;
  for (const newsim::Article& a : c) out.push_back(a.id);
  return out;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

newsim::JsonlOptions with_errors(newsim::OnError e) {
  newsim::JsonlOptions o;
  o.errors = e;
  return o;
}

// The InvalidArgument message of read_jsonl(path, raise), or "" when nothing is thrown.
std::string raise_message(const std::string& path) {
  try {
    newsim::read_jsonl(path);
  } catch (const newsim::InvalidArgument& e) {
    return e.what();
  }
  return "";
}

// Two good records around one malformed line (line 3, after a blank line 2).
std::string around(const std::string& bad_line) {
  return "{\"id\": \"good1\", \"text\": \"first\"}\n"
         "\n" +
         bad_line +
         "\n"
         "{\"id\": \"good2\", \"text\": \"second\"}\n";
}

struct Malformed {
  const char* name;
  std::string line;
  const char* message_part;  // expected in the issue message
};

std::vector<Malformed> malformed_lines() {
  return {
      {"invalid_utf8", std::string("{\"id\": \"x\", \"text\": \"caf\xC3\"}"), "UTF-8"},
      {"invalid_utf8_ff", std::string("{\"id\": \"x\", \"text\": \"a \xFF b\"}"), "UTF-8"},
      {"cut_in_half", "{\"id\": \"x\", \"text\": \"a line that was cu", "JSON"},
      {"array", "[1, 2, 3]", "object"},
      {"string", "\"just a string\"", "object"},
      {"number", "42", "object"},
      {"missing_text", "{\"id\": \"x\", \"title\": \"no text here\"}", "text"},
      {"text_is_object", "{\"id\": \"x\", \"text\": {\"a\": 1}}", "text"},
      {"title_is_array", "{\"id\": \"x\", \"text\": \"t\", \"title\": [\"a\"]}", "title"},
      {"id_is_bool", "{\"id\": true, \"text\": \"t\"}", "id"},
      {"source_is_bool", "{\"id\": \"x\", \"text\": \"t\", \"source\": false}", "source"},
      // Beyond double's range: nlohmann throws out_of_range, not parse_error.
      {"number_overflow", "{\"id\": \"x\", \"text\": \"t\", \"n\": 1e400}", "JSON"},
      {"negative_overflow", "{\"id\": \"x\", \"text\": \"t\", \"n\": [-1e400]}", "JSON"},
      {"id_overflow", "{\"id\": 1e999, \"text\": \"t\"}", "JSON"},
  };
}

}  // namespace

// -- JSON lines: records -----------------------------------------------------------------------

TEST(JsonlReader, ReadsDefaultFields) {
  TempDir dir;
  const std::string p = dir.write(
      "a.jsonl",
      "{\"id\": \"a1\", \"title\": \"T1\", \"text\": \"Body one.\", \"source\": \"Reuters\", "
      "\"date\": \"2024-05-01T10:00:00Z\", \"url\": \"https://e.com/1\"}\n"
      "{\"id\": \"a2\", \"text\": \"Body two.\"}\n");
  newsim::JsonlReader reader(p);
  newsim::Article a;
  ASSERT_TRUE(reader.next(a));
  EXPECT_EQ(a.id, "a1");
  EXPECT_EQ(a.title, "T1");
  EXPECT_EQ(a.text, "Body one.");
  EXPECT_EQ(a.source, "Reuters");
  EXPECT_EQ(a.date, "2024-05-01T10:00:00Z");
  EXPECT_EQ(a.url, "https://e.com/1");
  EXPECT_EQ(nlohmann::json::parse(a.meta), nlohmann::json::object());
  EXPECT_EQ(reader.line(), 1);
  ASSERT_TRUE(reader.next(a));
  EXPECT_EQ(a.id, "a2");
  EXPECT_EQ(a.text, "Body two.");
  EXPECT_TRUE(a.title.empty());
  EXPECT_TRUE(a.source.empty());
  EXPECT_TRUE(a.date.empty());
  EXPECT_TRUE(a.url.empty());
  EXPECT_EQ(nlohmann::json::parse(a.meta), nlohmann::json::object());
  EXPECT_EQ(reader.line(), 2);
  EXPECT_FALSE(reader.next(a));
  EXPECT_FALSE(reader.next(a));  // stays at the end
  EXPECT_EQ(reader.line(), 2);
  EXPECT_EQ(reader.skipped(), 0);
  EXPECT_TRUE(reader.issues().empty());
}

TEST(JsonlReader, FieldMapping) {
  TempDir dir;
  const std::string p = dir.write(
      "mapped.jsonl",
      "{\"doc_id\": \"d1\", \"headline\": \"H\", \"body\": \"B\", \"outlet\": \"AFP\", "
      "\"published\": \"2024-01-02\", \"link\": \"u\", \"id\": \"not-the-id\", \"text\": \"not "
      "the text\", \"source\": \"ignored source\", \"title\": \"ignored title\"}\n");
  newsim::JsonlOptions o;
  o.fields.id = "doc_id";
  o.fields.title = "headline";
  o.fields.text = "body";
  o.fields.source = "outlet";
  o.fields.date = "published";
  o.fields.url = "link";
  const newsim::ReadResult r = newsim::read_jsonl(p, o);
  ASSERT_EQ(r.corpus.size(), 1u);
  const newsim::Article& a = r.corpus[0];
  EXPECT_EQ(a.id, "d1");
  EXPECT_EQ(a.title, "H");
  EXPECT_EQ(a.text, "B");
  EXPECT_EQ(a.source, "AFP");
  EXPECT_EQ(a.date, "2024-01-02");
  EXPECT_EQ(a.url, "u");
  // The default names are just other fields now: they go to meta.
  const nlohmann::json meta = nlohmann::json::parse(a.meta);
  EXPECT_EQ(meta, (nlohmann::json{{"id", "not-the-id"},
                                  {"text", "not the text"},
                                  {"source", "ignored source"},
                                  {"title", "ignored title"}}));
}

TEST(JsonlReader, EmptyFieldNameIsNotRead) {
  TempDir dir;
  const std::string p = dir.write(
      "a.jsonl", "{\"id\": \"x\", \"text\": \"t\", \"title\": \"kept in meta\", \"url\": 5}\n");
  newsim::JsonlOptions o;
  o.fields.title = "";
  o.fields.url = "";
  const newsim::ReadResult r = newsim::read_jsonl(p, o);
  ASSERT_EQ(r.corpus.size(), 1u);
  EXPECT_TRUE(r.corpus[0].title.empty());
  EXPECT_TRUE(r.corpus[0].url.empty());
  EXPECT_EQ(nlohmann::json::parse(r.corpus[0].meta),
            (nlohmann::json{{"title", "kept in meta"}, {"url", 5}}));
}

TEST(JsonlReader, IdsAndTextsFromNumbers) {
  TempDir dir;
  const std::string p = dir.write("n.jsonl",
                                  "{\"id\": 42, \"text\": \"a\"}\n"
                                  "{\"id\": -7, \"text\": 3, \"title\": 2024}\n"
                                  "{\"id\": 1.5, \"text\": \"c\"}\n"
                                  "{\"id\": 12345678901234, \"text\": \"d\"}\n");
  const newsim::ReadResult r = newsim::read_jsonl(p);
  EXPECT_EQ(ids(r.corpus),
            (std::vector<std::string>{"42", "-7", "1.5", "12345678901234"}));
  EXPECT_EQ(r.corpus.by_id("-7").text, "3");
  EXPECT_EQ(r.corpus.by_id("-7").title, "2024");
  EXPECT_EQ(r.skipped, 0);
}

TEST(JsonlReader, MissingIdBecomesLineNumber) {
  TempDir dir;
  const std::string p = dir.write("m.jsonl",
                                  "{\"text\": \"first\"}\n"
                                  "\n"
                                  "{\"id\": \"named\", \"text\": \"second\"}\n"
                                  "   \n"
                                  "{\"text\": \"third\"}\n"
                                  "{\"id\": null, \"text\": \"fourth\"}\n"
                                  "{\"id\": \"\", \"text\": \"fifth\"}\n");
  const newsim::ReadResult r = newsim::read_jsonl(p);
  EXPECT_EQ(ids(r.corpus), (std::vector<std::string>{"1", "named", "5", "6", "7"}));
  EXPECT_EQ(r.corpus.by_id("5").text, "third");
  EXPECT_EQ(r.corpus.by_id("6").text, "fourth");
  EXPECT_EQ(r.corpus.by_id("7").text, "fifth");
}

TEST(JsonlReader, ExtraFieldsGoToMeta) {
  TempDir dir;
  const std::string p = dir.write(
      "e.jsonl",
      "{\"id\": \"x\", \"text\": \"t\", \"lang\": \"en\", \"tags\": [\"a\", \"b\"], "
      "\"score\": 0.5, \"nested\": {\"k\": null}, \"flag\": true, \"title\": \"T\"}\n");
  const newsim::ReadResult r = newsim::read_jsonl(p);
  ASSERT_EQ(r.corpus.size(), 1u);
  const nlohmann::json meta = nlohmann::json::parse(r.corpus[0].meta);
  const nlohmann::json expected = {{"lang", "en"},
                                   {"tags", {"a", "b"}},
                                   {"score", 0.5},
                                   {"nested", {{"k", nullptr}}},
                                   {"flag", true}};
  EXPECT_EQ(meta, expected);
  EXPECT_EQ(r.corpus[0].title, "T");
}

TEST(JsonlReader, UnicodeTextSurvives) {
  TempDir dir;
  const std::string text = "Ελληνικά, русский, 中文, emoji \xF0\x9F\x98\x80, \\n escaped";
  const std::string p = dir.write(
      "u.jsonl", "{\"id\": \"ü\", \"text\": \"" + text + "\", \"title\": \"\\u00e9t\\u00e9\"}\n");
  const newsim::ReadResult r = newsim::read_jsonl(p);
  ASSERT_EQ(r.corpus.size(), 1u);
  EXPECT_EQ(r.corpus[0].id, "ü");
  EXPECT_EQ(r.corpus[0].text, "Ελληνικά, русский, 中文, emoji \xF0\x9F\x98\x80, \n escaped");
  EXPECT_EQ(r.corpus[0].title, "été");
}

TEST(JsonlReader, BlankLinesSkippedButCounted) {
  TempDir dir;
  const std::string p = dir.write("b.jsonl",
                                  "\n"
                                  "\n"
                                  "{\"id\": \"a\", \"text\": \"x\"}\n"
                                  " \t \n"
                                  "\n"
                                  "{\"id\": \"b\", \"text\": \"y\"}\n"
                                  "\n");
  newsim::JsonlReader reader(p);
  newsim::Article a;
  ASSERT_TRUE(reader.next(a));
  EXPECT_EQ(a.id, "a");
  EXPECT_EQ(reader.line(), 3);
  ASSERT_TRUE(reader.next(a));
  EXPECT_EQ(a.id, "b");
  EXPECT_EQ(reader.line(), 6);
  EXPECT_FALSE(reader.next(a));
  EXPECT_EQ(reader.line(), 7);
  EXPECT_EQ(reader.skipped(), 0);  // blank lines are not errors

  // A malformed line after blank lines is reported with its real line number.
  const std::string q = dir.write("b2.jsonl", "\n\n\n{oops\n");
  try {
    newsim::read_jsonl(q);
    FAIL() << "expected InvalidArgument";
  } catch (const newsim::InvalidArgument& e) {
    EXPECT_TRUE(contains(e.what(), "line 4")) << e.what();
  }
}

TEST(JsonlReader, CrlfLines) {
  TempDir dir;
  const std::string p = dir.write("crlf.jsonl",
                                  "{\"id\": \"a\", \"text\": \"x\"}\r\n"
                                  "\r\n"
                                  "{\"id\": \"b\", \"text\": \"line\\r\\nbreak\", \"k\": 1}\r\n"
                                  "{\"text\": \"no id\"}\r\n");
  const newsim::ReadResult r = newsim::read_jsonl(p);
  EXPECT_EQ(ids(r.corpus), (std::vector<std::string>{"a", "b", "4"}));
  EXPECT_EQ(r.corpus.by_id("a").text, "x");
  EXPECT_EQ(r.corpus.by_id("b").text, "line\r\nbreak");  // escaped CRLF inside the text stays
  EXPECT_EQ(nlohmann::json::parse(r.corpus.by_id("b").meta), (nlohmann::json{{"k", 1}}));
  EXPECT_EQ(r.skipped, 0);
}

TEST(JsonlReader, LastLineWithoutNewline) {
  TempDir dir;
  const std::string p = dir.write("nonl.jsonl",
                                  "{\"id\": \"a\", \"text\": \"x\"}\n"
                                  "{\"id\": \"b\", \"text\": \"y\"}");
  newsim::JsonlReader reader(p);
  newsim::Article a;
  ASSERT_TRUE(reader.next(a));
  ASSERT_TRUE(reader.next(a));
  EXPECT_EQ(a.id, "b");
  EXPECT_EQ(a.text, "y");
  EXPECT_EQ(reader.line(), 2);
  EXPECT_FALSE(reader.next(a));
}

TEST(JsonlReader, EmptyFileIsEmptyCorpus) {
  TempDir dir;
  const newsim::ReadResult r = newsim::read_jsonl(dir.write("empty.jsonl", ""));
  EXPECT_TRUE(r.corpus.empty());
  EXPECT_EQ(r.skipped, 0);
  EXPECT_TRUE(r.issues.empty());
  const newsim::ReadResult blank = newsim::read_jsonl(dir.write("blank.jsonl", "\n\n  \n"));
  EXPECT_TRUE(blank.corpus.empty());
}

TEST(JsonlReader, LongLinesAcrossReadChunks) {
  TempDir dir;
  // Lines longer than the reader's internal chunks (64 KiB), with multi-byte characters.
  std::string big;
  for (int i = 0; i < 30000; ++i) big += "é ab ";
  std::string content;
  for (int i = 0; i < 3; ++i) {
    content += "{\"id\": \"L" + std::to_string(i) + "\", \"text\": \"" + big + std::to_string(i) +
               "\"}\n";
  }
  const newsim::ReadResult r = newsim::read_jsonl(dir.write("long.jsonl", content));
  ASSERT_EQ(r.corpus.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r.corpus[static_cast<std::size_t>(i)].text, big + std::to_string(i));
  }
}

TEST(JsonlReader, RequireTextCanBeTurnedOff) {
  TempDir dir;
  const std::string p = dir.write("t.jsonl", "{\"id\": \"a\", \"title\": \"only a title\"}\n");
  EXPECT_THROW(newsim::read_jsonl(p), newsim::InvalidArgument);
  newsim::JsonlOptions o;
  o.require_text = false;
  const newsim::ReadResult r = newsim::read_jsonl(p, o);
  ASSERT_EQ(r.corpus.size(), 1u);
  EXPECT_EQ(r.corpus[0].title, "only a title");
  EXPECT_TRUE(r.corpus[0].text.empty());
}

// -- JSON lines: malformed lines ---------------------------------------------------------------

TEST(JsonlErrors, RaiseNamesFileAndLine) {
  TempDir dir;
  for (const Malformed& m : malformed_lines()) {
    const std::string p = dir.write(std::string(m.name) + ".jsonl", around(m.line));
    const std::string msg = raise_message(p);
    EXPECT_FALSE(msg.empty()) << m.name << ": no error raised";
    EXPECT_TRUE(contains(msg, p)) << m.name << ": message does not name the file: " << msg;
    EXPECT_TRUE(contains(msg, "line 3")) << m.name << ": message does not name line 3: " << msg;
    EXPECT_TRUE(contains(msg, m.message_part)) << m.name << ": " << msg;
  }
}

TEST(JsonlReader, IntegerIdsTooLongFor64BitsStayExact) {
  // Rounded to a double they became "1.2345678901234568e+29", and two such ids could collide.
  TempDir dir;
  const std::string p = dir.write(
      "big.jsonl",
      "{\"id\": 123456789012345678901234567890, \"text\": \"a\", \"n\": 98765432109876543210}\n"
      "{\"id\": 123456789012345678901234567891, \"text\": \"b\", \"x\": 1.5, \"k\": 7}\n"
      "{\"id\": -99999999999999999999, \"text\": \"c\", \"f\": 1e300}\n");
  const newsim::ReadResult r = newsim::read_jsonl(p);
  EXPECT_EQ(ids(r.corpus), (std::vector<std::string>{"123456789012345678901234567890",
                                                     "123456789012345678901234567891",
                                                     "-99999999999999999999"}));
  EXPECT_EQ(nlohmann::json::parse(r.corpus[0].meta),
            (nlohmann::json{{"n", "98765432109876543210"}}));
  // Other numbers are as json::parse reads them.
  EXPECT_EQ(nlohmann::json::parse(r.corpus[1].meta), (nlohmann::json{{"x", 1.5}, {"k", 7}}));
  EXPECT_EQ(nlohmann::json::parse(r.corpus[2].meta), (nlohmann::json{{"f", 1e300}}));
}

TEST(JsonlLimits, LineLongerThanMaxLineBytesIsMalformed) {
  TempDir dir;
  const std::string big = "{\"id\": \"big\", \"text\": \"" + std::string(5000, 'a') + "\"}";
  const std::string p = dir.write("long.jsonl", around(big));
  newsim::JsonlOptions o;
  o.max_line_bytes = 1000;
  try {
    newsim::read_jsonl(p, o);
    ADD_FAILURE() << "no error for a line over max_line_bytes";
  } catch (const newsim::InvalidArgument& e) {
    EXPECT_TRUE(contains(e.what(), p)) << e.what();
    EXPECT_TRUE(contains(e.what(), "line 3")) << e.what();
    EXPECT_TRUE(contains(e.what(), "max_line_bytes")) << e.what();
  }
  for (const newsim::OnError how : {newsim::OnError::skip, newsim::OnError::report}) {
    o.errors = how;
    const newsim::ReadResult r = newsim::read_jsonl(p, o);
    EXPECT_EQ(ids(r.corpus), (std::vector<std::string>{"good1", "good2"}));
    EXPECT_EQ(r.skipped, 1);
    if (how == newsim::OnError::report) {
      ASSERT_EQ(r.issues.size(), 1u);
      EXPECT_EQ(r.issues[0].line, 3);
      EXPECT_TRUE(contains(r.issues[0].message, "longer than 1000 bytes"));
    }
  }
  // At the limit it is read; the default limit reads it too.
  o.max_line_bytes = big.size();
  EXPECT_EQ(newsim::read_jsonl(p, o).corpus.size(), 3u);
  EXPECT_EQ(newsim::read_jsonl(p).corpus.size(), 3u);
  o.max_line_bytes = 0;
  EXPECT_THROW(newsim::read_jsonl(p, o), newsim::InvalidArgument);
}

TEST(JsonlLimits, GzipBombLineIsSkippedWithoutHoldingIt) {
  // 8 MB of one line without a newline compresses to a few KB; the last line of a file.
  TempDir dir;
  const std::string p = dir.write_gz(
      "bomb.jsonl.gz", "{\"id\": \"a\", \"text\": \"ok\"}\n" + std::string(8 << 20, ' ') + "x");
  EXPECT_LT(read_bytes(p).size(), 100000u);
  newsim::JsonlOptions o;
  o.max_line_bytes = 1 << 20;
  o.errors = newsim::OnError::skip;
  newsim::JsonlReader reader(p, o);
  newsim::Article a;
  ASSERT_TRUE(reader.next(a));
  EXPECT_EQ(a.id, "a");
  EXPECT_FALSE(reader.next(a));
  EXPECT_EQ(reader.skipped(), 1);  // the bomb, counted although it is the last line
  EXPECT_EQ(reader.line(), 2);
  o.errors = newsim::OnError::raise;
  EXPECT_THROW(newsim::read_jsonl(p, o), newsim::InvalidArgument);
}

TEST(JsonlErrors, RaiseFromTheStreamingReader) {
  TempDir dir;
  const std::string p = dir.write("r.jsonl", around("[1]"));
  newsim::JsonlReader reader(p);
  newsim::Article a;
  ASSERT_TRUE(reader.next(a));
  EXPECT_EQ(a.id, "good1");
  EXPECT_THROW(reader.next(a), newsim::InvalidArgument);
}

TEST(JsonlErrors, SkipCountsEachMalformedLine) {
  TempDir dir;
  for (const Malformed& m : malformed_lines()) {
    const std::string p = dir.write(std::string(m.name) + ".jsonl", around(m.line));
    const newsim::ReadResult r = newsim::read_jsonl(p, with_errors(newsim::OnError::skip));
    EXPECT_EQ(ids(r.corpus), (std::vector<std::string>{"good1", "good2"})) << m.name;
    EXPECT_EQ(r.skipped, 1) << m.name;
    EXPECT_TRUE(r.issues.empty()) << m.name << ": skip does not list issues";
  }
}

TEST(JsonlErrors, ReportListsLineAndMessage) {
  TempDir dir;
  for (const Malformed& m : malformed_lines()) {
    const std::string p = dir.write(std::string(m.name) + ".jsonl", around(m.line));
    const newsim::ReadResult r = newsim::read_jsonl(p, with_errors(newsim::OnError::report));
    EXPECT_EQ(ids(r.corpus), (std::vector<std::string>{"good1", "good2"})) << m.name;
    EXPECT_EQ(r.skipped, 1) << m.name;
    ASSERT_EQ(r.issues.size(), 1u) << m.name;
    EXPECT_EQ(r.issues[0].file, p) << m.name;
    EXPECT_EQ(r.issues[0].line, 3) << m.name;
    EXPECT_TRUE(contains(r.issues[0].message, m.message_part))
        << m.name << ": " << r.issues[0].message;
  }
}

// A date that is not ISO 8601 never loses the article, in any mode: it is kept (the date is
// repaired into meta "date_raw"), counted with where the first one was, and report lists it.
TEST(JsonlErrors, BadDatesAreKeptInMetaAndCounted) {
  TempDir dir;
  for (const char* date : {"2023-02-29", "yesterday", "31-MAR-1987 605:12:19.12"}) {
    const std::string line = std::string("{\"id\": \"x\", \"text\": \"t\", \"date\": \"") + date + "\"}";
    const std::string p = dir.write("d.jsonl", around(line));
    for (const auto mode :
         {newsim::OnError::raise, newsim::OnError::skip, newsim::OnError::report}) {
      const newsim::ReadResult r = newsim::read_jsonl(p, with_errors(mode));
      EXPECT_EQ(ids(r.corpus), (std::vector<std::string>{"good1", "x", "good2"})) << date;
      EXPECT_EQ(r.skipped, 0) << date;
      EXPECT_EQ(r.bad_dates, 1) << date;
      EXPECT_TRUE(contains(r.first_bad_date, p + ", line 3") && contains(r.first_bad_date, date))
          << r.first_bad_date;
      EXPECT_TRUE(r.corpus[1].date.empty());
      EXPECT_TRUE(contains(r.corpus[1].meta, std::string("\"date_raw\":\"") + date)) << r.corpus[1].meta;
      EXPECT_EQ(r.issues.size(), mode == newsim::OnError::report ? 1u : 0u) << date;
      if (!r.issues.empty()) EXPECT_EQ(r.issues[0].line, 3);
    }
  }
}

TEST(JsonlErrors, StreamingReaderSkipsAndReports) {
  TempDir dir;
  const std::string p = dir.write("s.jsonl",
                                  "[1]\n"
                                  "{\"id\": \"a\", \"text\": \"x\"}\n"
                                  "{\"id\": \"b\"}\n"
                                  "{bad\n"
                                  "{\"id\": \"c\", \"text\": \"z\"}\n");
  {
    newsim::JsonlReader reader(p, with_errors(newsim::OnError::skip));
    newsim::Article a;
    std::vector<std::string> got;
    while (reader.next(a)) got.push_back(a.id);
    EXPECT_EQ(got, (std::vector<std::string>{"a", "c"}));
    EXPECT_EQ(reader.skipped(), 3);
    EXPECT_TRUE(reader.issues().empty());
    EXPECT_EQ(reader.line(), 5);
  }
  {
    newsim::JsonlReader reader(p, with_errors(newsim::OnError::report));
    newsim::Article a;
    std::vector<std::string> got;
    while (reader.next(a)) got.push_back(a.id);
    EXPECT_EQ(got, (std::vector<std::string>{"a", "c"}));
    EXPECT_EQ(reader.skipped(), 3);
    ASSERT_EQ(reader.issues().size(), 3u);
    EXPECT_EQ(reader.issues()[0].line, 1);
    EXPECT_EQ(reader.issues()[1].line, 3);
    EXPECT_EQ(reader.issues()[2].line, 4);
    for (const newsim::ReadIssue& i : reader.issues()) {
      EXPECT_EQ(i.file, p);
      EXPECT_FALSE(i.message.empty());
    }
  }
}

TEST(JsonlErrors, ManyMalformedLinesAllCounted) {
  TempDir dir;
  std::string content;
  int good = 0, bad = 0;
  for (int i = 1; i <= 200; ++i) {
    if (i % 7 == 0) {
      content += "{\"id\": \"g" + std::to_string(i) + "\", \"text\": \"cut";  // cut in half
      ++bad;
    } else if (i % 11 == 0) {
      content += "\"not an object\"";
      ++bad;
    } else {
      content += "{\"id\": \"g" + std::to_string(i) + "\", \"text\": \"fine\"}";
      ++good;
    }
    content += "\n";
  }
  const newsim::ReadResult r =
      newsim::read_jsonl(dir.write("many.jsonl", content), with_errors(newsim::OnError::report));
  EXPECT_EQ(static_cast<int>(r.corpus.size()), good);
  EXPECT_EQ(r.skipped, bad);
  ASSERT_EQ(static_cast<int>(r.issues.size()), bad);
  for (std::size_t k = 1; k < r.issues.size(); ++k) {
    EXPECT_LT(r.issues[k - 1].line, r.issues[k].line);
  }
  for (const newsim::ReadIssue& i : r.issues) {
    EXPECT_TRUE(i.line % 7 == 0 || i.line % 11 == 0) << i.line;
  }
}

TEST(JsonlErrors, DuplicateIds) {
  TempDir dir;
  const std::string p = dir.write("dup.jsonl",
                                  "{\"id\": \"a\", \"text\": \"first a\"}\n"
                                  "{\"id\": \"b\", \"text\": \"b\"}\n"
                                  "{bad json\n"
                                  "{\"id\": \"a\", \"text\": \"second a\"}\n"
                                  "{\"id\": 2, \"text\": \"numeric id 2\"}\n"
                                  "{\"text\": \"no id on line 6\"}\n"
                                  "{\"id\": \"6\", \"text\": \"explicit 6\"}\n");
  // raise: the first problem is the bad JSON on line 3.
  try {
    newsim::read_jsonl(p);
    FAIL() << "expected InvalidArgument";
  } catch (const newsim::InvalidArgument& e) {
    EXPECT_TRUE(contains(e.what(), "line 3")) << e.what();
  }
  // raise, without the bad line: the duplicate on line 3.
  const std::string q = dir.write("dup2.jsonl",
                                  "{\"id\": \"a\", \"text\": \"first a\"}\n"
                                  "{\"id\": \"b\", \"text\": \"b\"}\n"
                                  "{\"id\": \"a\", \"text\": \"second a\"}\n");
  try {
    newsim::read_jsonl(q);
    FAIL() << "expected InvalidArgument";
  } catch (const newsim::InvalidArgument& e) {
    EXPECT_TRUE(contains(e.what(), q)) << e.what();
    EXPECT_TRUE(contains(e.what(), "line 3")) << e.what();
    EXPECT_TRUE(contains(e.what(), "'a'")) << e.what();
  }
  // The streaming reader alone does not look for duplicates.
  {
    newsim::JsonlReader reader(q);
    newsim::Article a;
    int n = 0;
    while (reader.next(a)) ++n;
    EXPECT_EQ(n, 3);
  }
  // skip: the first one wins; both problems counted.
  const newsim::ReadResult s = newsim::read_jsonl(p, with_errors(newsim::OnError::skip));
  EXPECT_EQ(ids(s.corpus), (std::vector<std::string>{"a", "b", "2", "6"}));
  EXPECT_EQ(s.corpus.by_id("a").text, "first a");
  EXPECT_EQ(s.corpus.by_id("6").text, "no id on line 6");
  EXPECT_EQ(s.skipped, 3);
  EXPECT_TRUE(s.issues.empty());
  // report: issues in line order, with messages.
  const newsim::ReadResult r = newsim::read_jsonl(p, with_errors(newsim::OnError::report));
  EXPECT_EQ(ids(r.corpus), ids(s.corpus));
  EXPECT_EQ(r.skipped, 3);
  ASSERT_EQ(r.issues.size(), 3u);
  EXPECT_EQ(r.issues[0].line, 3);
  EXPECT_TRUE(contains(r.issues[0].message, "JSON")) << r.issues[0].message;
  EXPECT_EQ(r.issues[1].line, 4);
  EXPECT_TRUE(contains(r.issues[1].message, "duplicate")) << r.issues[1].message;
  EXPECT_TRUE(contains(r.issues[1].message, "'a'")) << r.issues[1].message;
  EXPECT_EQ(r.issues[2].line, 7);
  EXPECT_TRUE(contains(r.issues[2].message, "'6'")) << r.issues[2].message;
  for (const newsim::ReadIssue& i : r.issues) EXPECT_EQ(i.file, p);
}

// -- gzip ------------------------------------------------------------------------------------

TEST(JsonlGzip, ReadsBackWhatWasWritten) {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 5000; ++i) {
    content += "{\"id\": \"g" + std::to_string(i) + "\", \"text\": \"Article number " +
               std::to_string(i) + " é\", \"n\": " + std::to_string(i) + "}\n";
    if (i % 1000 == 0) content += "\n";
  }
  const std::string gz = dir.write_gz("corpus.jsonl.gz", content);
  const std::string plain = dir.write("corpus.jsonl", content);
  EXPECT_LT(read_bytes(gz).size(), content.size());  // really compressed
  const newsim::ReadResult a = newsim::read_jsonl(gz);
  const newsim::ReadResult b = newsim::read_jsonl(plain);
  ASSERT_EQ(a.corpus.size(), 5000u);
  EXPECT_EQ(a.corpus.articles(), b.corpus.articles());
  EXPECT_EQ(a.corpus.by_id("g4321").text, "Article number 4321 é");
  EXPECT_EQ(nlohmann::json::parse(a.corpus.by_id("g17").meta), (nlohmann::json{{"n", 17}}));

  newsim::JsonlReader reader(gz);
  newsim::Article art;
  std::int64_t n = 0;
  while (reader.next(art)) ++n;
  EXPECT_EQ(n, 5000);
  EXPECT_EQ(reader.line(), 5005);
}

TEST(JsonlGzip, EmptyAndConcatenatedStreams) {
  TempDir dir;
  const newsim::ReadResult empty = newsim::read_jsonl(dir.write_gz("empty.jsonl.gz", ""));
  EXPECT_TRUE(empty.corpus.empty());
  EXPECT_EQ(empty.skipped, 0);
  // Two gzip members one after the other (as `cat a.gz b.gz` makes) are one stream.
  const std::string a = read_bytes(dir.write_gz("a.gz", "{\"id\": \"a\", \"text\": \"x\"}\n"));
  const std::string b = read_bytes(dir.write_gz("b.gz", "{\"id\": \"b\", \"text\": \"y\"}\n"));
  const newsim::ReadResult ab = newsim::read_jsonl(dir.write("ab.jsonl.gz", a + b));
  EXPECT_EQ(ids(ab.corpus), (std::vector<std::string>{"a", "b"}));
}

TEST(JsonlGzip, CorruptStreamIsIoError) {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 2000; ++i) {
    content += "{\"id\": \"" + std::to_string(i) + "\", \"text\": \"w" +
               std::to_string(i * 31337 % 99991) + "\"}\n";
  }
  std::string bytes = read_bytes(dir.write_gz("c.jsonl.gz", content));
  bytes[bytes.size() / 2] = static_cast<char>(bytes[bytes.size() / 2] ^ 0x55);
  const std::string p = dir.write("corrupt.jsonl.gz", bytes);
  EXPECT_THROW(newsim::read_jsonl(p), newsim::IoError);
  EXPECT_THROW(newsim::read_jsonl(p, with_errors(newsim::OnError::skip)), newsim::IoError);
}

TEST(JsonlGzip, MalformedLineInsideGzip) {
  TempDir dir;
  const std::string gz = dir.write_gz("bad.jsonl.gz", around("{\"id\": 1"));
  const std::string msg = raise_message(gz);
  EXPECT_TRUE(contains(msg, gz)) << msg;
  EXPECT_TRUE(contains(msg, "line 3")) << msg;
  const newsim::ReadResult r = newsim::read_jsonl(gz, with_errors(newsim::OnError::report));
  EXPECT_EQ(r.corpus.size(), 2u);
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_EQ(r.issues[0].line, 3);
}

TEST(JsonlGzip, TruncatedFileIsIoError) {
  TempDir dir;
  std::string content;
  std::mt19937 gen(7);
  for (int i = 0; i < 3000; ++i) {
    // Random words so that the stream does not compress to almost nothing.
    std::string text;
    for (int w = 0; w < 12; ++w) text += "w" + std::to_string(gen() % 100000) + " ";
    content += "{\"id\": \"t" + std::to_string(i) + "\", \"text\": \"" + text + "\"}\n";
  }
  const std::string whole = dir.write_gz("whole.jsonl.gz", content);
  const std::string bytes = read_bytes(whole);
  ASSERT_GT(bytes.size(), 1000u);
  ASSERT_EQ(newsim::read_jsonl(whole).corpus.size(), 3000u);

  for (const std::size_t cut : {std::size_t{2}, std::size_t{10}, std::size_t{30}, bytes.size() / 2,
                                bytes.size() - 4, bytes.size() - 1}) {
    const std::string cut_path =
        dir.write("cut" + std::to_string(cut) + ".jsonl.gz", bytes.substr(0, cut));
    for (const newsim::OnError mode :
         {newsim::OnError::raise, newsim::OnError::skip, newsim::OnError::report}) {
      EXPECT_THROW(newsim::read_jsonl(cut_path, with_errors(mode)), newsim::IoError)
          << "cut at " << cut << " of " << bytes.size();
    }
    try {
      newsim::JsonlReader reader(cut_path, with_errors(newsim::OnError::skip));
      newsim::Article a;
      while (reader.next(a)) {
      }
      ADD_FAILURE() << "no IoError for a gzip file cut at " << cut << " of " << bytes.size();
    } catch (const newsim::IoError& e) {
      EXPECT_TRUE(contains(e.what(), cut_path)) << e.what();
    }
  }
}

// -- files that cannot be read ---------------------------------------------------------------

TEST(JsonlFiles, MissingFileIsIoError) {
  TempDir dir;
  const std::string p = dir.file("does_not_exist.jsonl");
  try {
    newsim::JsonlReader reader(p);
    FAIL() << "expected IoError";
  } catch (const newsim::IoError& e) {
    EXPECT_TRUE(contains(e.what(), p)) << e.what();
  }
  EXPECT_THROW(newsim::read_jsonl(p), newsim::IoError);
  EXPECT_THROW(newsim::read_jsonl(dir.file("missing.jsonl.gz")), newsim::IoError);
  EXPECT_THROW(newsim::read_jsonl(p, with_errors(newsim::OnError::skip)), newsim::IoError);
  // IoError is a std::runtime_error, not an InvalidArgument.
  EXPECT_THROW(newsim::read_jsonl(p), std::runtime_error);
}

TEST(JsonlFiles, DirectoryIsIoError) {
  TempDir dir;
  const std::string p = dir.path().string();
  try {
    newsim::JsonlReader reader(p);
    FAIL() << "expected IoError";
  } catch (const newsim::IoError& e) {
    EXPECT_TRUE(contains(e.what(), p)) << e.what();
  }
  fs::create_directories(dir.path() / "folder.jsonl");
  EXPECT_THROW(newsim::read_jsonl(dir.file("folder.jsonl")), newsim::IoError);
  EXPECT_THROW(newsim::read_jsonl(p, with_errors(newsim::OnError::report)), newsim::IoError);
}

// -- streaming -------------------------------------------------------------------------------

TEST(JsonlStreaming, HundredThousandLinesOneAtATime) {
  TempDir dir;
  const int n = 100000;
  {
    std::ofstream out(dir.file("big.jsonl"), std::ios::binary);
    for (int i = 0; i < n; ++i) {
      out << "{\"id\": \"s" << i << "\", \"text\": \"streamed line " << i << "\"}\n";
    }
  }
  newsim::JsonlReader reader(dir.file("big.jsonl"));
  newsim::Article a;
  int count = 0;
  bool in_order = true;
  while (reader.next(a)) {
    if (a.id != "s" + std::to_string(count) ||
        a.text != "streamed line " + std::to_string(count)) {
      in_order = false;
    }
    ++count;
    EXPECT_EQ(reader.line(), count) << "after " << count << " articles";
    if (reader.line() != count) break;
  }
  EXPECT_EQ(count, n);
  EXPECT_TRUE(in_order);
  EXPECT_EQ(a.id, "s" + std::to_string(n - 1));
  EXPECT_EQ(reader.line(), n);
  EXPECT_EQ(reader.skipped(), 0);
}

// -- folders ---------------------------------------------------------------------------------

TEST(Folder, ReadsSortedTxtFiles) {
  TempDir dir;
  dir.write("b.txt", "Text of b.\n");
  dir.write("a.txt", "Text of a.\r\nSecond line.");
  dir.write("10.txt", "ten");
  dir.write("2.txt", "two");
  dir.write("c.d.txt", "dots");
  dir.write("ü.txt", "unicode name");
  dir.write("notes.md", "not an article");
  dir.write("data.json", "{}");
  dir.write("a.txt.bak", "backup");
  dir.write("txt", "no extension");
  fs::create_directories(dir.path() / "sub.txt");
  dir.write("sub.txt/inner.txt", "inside a subfolder");
  const newsim::ReadResult r = newsim::read_folder(dir.path().string());
  EXPECT_EQ(ids(r.corpus), (std::vector<std::string>{"10", "2", "a", "b", "c.d", "ü"}));
  EXPECT_EQ(r.corpus.by_id("a").text, "Text of a.\r\nSecond line.");  // bytes as stored
  EXPECT_EQ(r.corpus.by_id("b").text, "Text of b.\n");
  EXPECT_EQ(r.corpus.by_id("c.d").text, "dots");
  EXPECT_EQ(r.skipped, 0);
  EXPECT_TRUE(r.issues.empty());
  for (const newsim::Article& a : r.corpus) {
    EXPECT_TRUE(a.title.empty());
    EXPECT_TRUE(a.source.empty());
    EXPECT_EQ(a.meta, "{}");
  }
}

TEST(Folder, EmptyFolderAndEmptyFile) {
  TempDir dir;
  const newsim::ReadResult r = newsim::read_folder(dir.path().string());
  EXPECT_TRUE(r.corpus.empty());
  EXPECT_EQ(r.skipped, 0);
  dir.write("only.md", "x");
  EXPECT_TRUE(newsim::read_folder(dir.path().string()).corpus.empty());
  dir.write("empty.txt", "");
  const newsim::ReadResult e = newsim::read_folder(dir.path().string());
  ASSERT_EQ(e.corpus.size(), 1u);
  EXPECT_EQ(e.corpus[0].id, "empty");
  EXPECT_EQ(e.corpus[0].text, "");
}

// Found by fuzz/folder_reader: a symlink loop escaped as std::filesystem::filesystem_error.
TEST(Folder, UnreadableEntriesAreAnIoErrorOrASkip) {
  TempDir dir;
  dir.write("a.txt", "good");
  fs::create_symlink(dir.path() / "loop.txt", dir.path() / "loop.txt");
  try {
    newsim::read_folder(dir.path().string());
    ADD_FAILURE() << "no IoError";
  } catch (const newsim::IoError& e) {
    EXPECT_NE(std::string(e.what()).find("loop.txt: cannot read"), std::string::npos) << e.what();
  }
  fs::create_symlink(dir.path() / "nowhere", dir.path() / "dangling.txt");
  const newsim::ReadResult r = newsim::read_folder(dir.path().string(), newsim::OnError::report);
  EXPECT_EQ(ids(r.corpus), (std::vector<std::string>{"a"}));
  EXPECT_EQ(r.skipped, 2);
  ASSERT_EQ(r.issues.size(), 2u);
  for (const auto& issue : r.issues) EXPECT_EQ(issue.message.rfind("cannot read: ", 0), 0u);
}

TEST(Folder, InvalidUtf8) {
  TempDir dir;
  dir.write("a.txt", "good");
  dir.write("b.txt", std::string("bad \xC3( byte"));
  dir.write("c.txt", "also good");
  const std::string bad_path = dir.file("b.txt");
  try {
    newsim::read_folder(dir.path().string());
    FAIL() << "expected InvalidArgument";
  } catch (const newsim::InvalidArgument& e) {
    EXPECT_TRUE(contains(e.what(), "b.txt")) << e.what();
    EXPECT_TRUE(contains(e.what(), "4")) << "byte offset: " << e.what();
  }
  EXPECT_THROW(newsim::read_folder(dir.path().string(), newsim::OnError::raise),
               newsim::InvalidArgument);

  const newsim::ReadResult s = newsim::read_folder(dir.path().string(), newsim::OnError::skip);
  EXPECT_EQ(ids(s.corpus), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(s.skipped, 1);
  EXPECT_TRUE(s.issues.empty());

  const newsim::ReadResult r = newsim::read_folder(dir.path().string(), newsim::OnError::report);
  EXPECT_EQ(ids(r.corpus), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(r.skipped, 1);
  ASSERT_EQ(r.issues.size(), 1u);
  EXPECT_TRUE(contains(r.issues[0].file, "b.txt")) << r.issues[0].file;
  EXPECT_TRUE(contains(r.issues[0].message, "UTF-8")) << r.issues[0].message;
}

TEST(Folder, NotAFolderIsIoError) {
  TempDir dir;
  const std::string file = dir.write("plain.txt", "x");
  EXPECT_THROW(newsim::read_folder(file), newsim::IoError);
  EXPECT_THROW(newsim::read_folder(dir.file("missing_folder")), newsim::IoError);
  EXPECT_THROW(newsim::read_folder(dir.file("missing_folder"), newsim::OnError::skip),
               newsim::IoError);
  try {
    newsim::read_folder(file);
    FAIL() << "expected IoError";
  } catch (const newsim::IoError& e) {
    EXPECT_TRUE(contains(e.what(), file)) << e.what();
  }
}

TEST(Folder, DetectTitlesAsCleaningFindsThem) {
  TempDir dir;
  dir.write("a.txt", "Talks stall\n\nNATO and Russia did not agree on the shield, officials said "
                     "on Monday after a long meeting.\n");
  const newsim::ReadResult plain = newsim::read_folder(dir.path().string());
  ASSERT_EQ(plain.corpus.size(), 1u);
  EXPECT_EQ(plain.corpus[0].title, "");
  const newsim::ReadResult titled =
      newsim::read_folder(dir.path().string(), newsim::OnError::raise, true);
  EXPECT_EQ(titled.corpus[0].title, "Talks stall");
  EXPECT_EQ(titled.corpus[0].text, plain.corpus[0].text);  // the text stays as it is
}
