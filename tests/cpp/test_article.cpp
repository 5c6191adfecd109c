#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "newsim/article.hpp"
#include "newsim/errors.hpp"

namespace {

newsim::Article make(const std::string& id, const std::string& text = "text",
                     const std::string& source = "") {
  newsim::Article a;
  a.id = id;
  a.text = text;
  a.source = source;
  return a;
}

std::vector<std::string> ids(const newsim::Corpus& c) {
  std::vector<std::string> out;
  for (const newsim::Article& a : c) out.push_back(a.id);
  return out;
}

// A corpus of n articles with ids "a0", "a1", ...
newsim::Corpus numbered(int n) {
  newsim::Corpus c;
  for (int i = 0; i < n; ++i) c.add(make("a" + std::to_string(i), "text " + std::to_string(i)));
  return c;
}

// The message of the InvalidArgument thrown by parse_date(text), or "" when none is thrown.
std::string date_error(const std::string& text) {
  try {
    newsim::parse_date(text);
  } catch (const newsim::InvalidArgument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

// -- Corpus ---------------------------------------------------------------------------------

TEST(Corpus, StartsEmpty) {
  const newsim::Corpus c;
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(c.size(), 0u);
  EXPECT_EQ(c.begin(), c.end());
  EXPECT_EQ(c.find("x"), -1);
  EXPECT_THROW(c.at(0), newsim::IndexOutOfRange);
}

TEST(Corpus, AddKeepsOrderAndFields) {
  newsim::Corpus c;
  newsim::Article a = make("first", "Some text.", "Reuters");
  a.title = "A title";
  a.date = "2024-05-01";
  a.url = "https://example.com/1";
  a.meta = R"({"k":1})";
  c.add(a);
  c.add(make("second"));
  c.add(make("third"));
  EXPECT_FALSE(c.empty());
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0], a);
  EXPECT_EQ(c.at(0).title, "A title");
  EXPECT_EQ(c.at(0).meta, R"({"k":1})");
  EXPECT_EQ(c[1].id, "second");
  EXPECT_EQ(c.at(2).id, "third");
  EXPECT_EQ(c.articles().size(), 3u);
  EXPECT_EQ(c.articles()[2].id, "third");
}

TEST(Corpus, DefaultArticleMetaIsAnEmptyObject) {
  const newsim::Article a;
  EXPECT_EQ(a.meta, "{}");
  EXPECT_TRUE(a.id.empty());
}

TEST(Corpus, DuplicateIdIsRejectedAndCorpusUnchanged) {
  newsim::Corpus c;
  c.add(make("x", "one"));
  c.add(make("y", "two"));
  try {
    c.add(make("x", "three"));
    FAIL() << "expected InvalidArgument";
  } catch (const newsim::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("'x'"), std::string::npos) << e.what();
  }
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c.by_id("x").text, "one");
  EXPECT_EQ(c.find("y"), 1);
}

TEST(Corpus, EmptyIdIsRejected) {
  newsim::Corpus c;
  EXPECT_THROW(c.add(make("")), newsim::InvalidArgument);
  EXPECT_TRUE(c.empty());
  // The error is also a std::invalid_argument.
  EXPECT_THROW(c.add(make("")), std::invalid_argument);
}

TEST(Corpus, AtThrowsIndexOutOfRange) {
  const newsim::Corpus c = numbered(3);
  EXPECT_EQ(c.at(2).id, "a2");
  EXPECT_THROW(c.at(3), newsim::IndexOutOfRange);
  EXPECT_THROW(c.at(1000), newsim::IndexOutOfRange);
  EXPECT_THROW(c.at(static_cast<std::size_t>(-1)), std::out_of_range);
  try {
    c.at(7);
    FAIL() << "expected IndexOutOfRange";
  } catch (const newsim::IndexOutOfRange& e) {
    EXPECT_NE(std::string(e.what()).find('7'), std::string::npos) << e.what();
  }
}

TEST(Corpus, FindAndById) {
  const newsim::Corpus c = numbered(5);
  for (int i = 0; i < 5; ++i) {
    const std::string id = "a" + std::to_string(i);
    EXPECT_EQ(c.find(id), i);
    EXPECT_EQ(c.by_id(id).text, "text " + std::to_string(i));
    EXPECT_EQ(&c.by_id(id), &c[static_cast<std::size_t>(i)]);
  }
  EXPECT_EQ(c.find("a5"), -1);
  EXPECT_EQ(c.find(""), -1);
  EXPECT_EQ(c.find("A0"), -1);  // ids are case-sensitive
  EXPECT_THROW(c.by_id("missing"), newsim::KeyNotFound);
  try {
    c.by_id("missing");
    FAIL() << "expected KeyNotFound";
  } catch (const newsim::KeyNotFound& e) {
    EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos) << e.what();
  }
}

TEST(Corpus, SliceLikePython) {
  const newsim::Corpus c = numbered(10);
  EXPECT_EQ(ids(c.slice(0, 10)), ids(c));
  EXPECT_EQ(ids(c.slice(2, 5)), (std::vector<std::string>{"a2", "a3", "a4"}));
  EXPECT_EQ(ids(c.slice(1, 8, 3)), (std::vector<std::string>{"a1", "a4", "a7"}));
  EXPECT_EQ(ids(c.slice(0, 10, 2)), (std::vector<std::string>{"a0", "a2", "a4", "a6", "a8"}));
  EXPECT_EQ(ids(c.slice(1, 10, 2)), (std::vector<std::string>{"a1", "a3", "a5", "a7", "a9"}));
  EXPECT_EQ(ids(c.slice(7, 1000)), (std::vector<std::string>{"a7", "a8", "a9"}));  // stop clipped
  EXPECT_EQ(ids(c.slice(0, 1000, 4)), (std::vector<std::string>{"a0", "a4", "a8"}));
  EXPECT_TRUE(c.slice(5, 5).empty());
  EXPECT_TRUE(c.slice(6, 2).empty());
  EXPECT_TRUE(c.slice(20, 30).empty());
  EXPECT_EQ(ids(c.slice(3, 4, 100)), (std::vector<std::string>{"a3"}));
  EXPECT_THROW(c.slice(0, 5, 0), newsim::InvalidArgument);

  // A slice is a corpus of its own: lookups by id, positions renumbered.
  const newsim::Corpus s = c.slice(4, 10, 2);
  EXPECT_EQ(s.find("a6"), 1);
  EXPECT_EQ(s.find("a5"), -1);
  EXPECT_EQ(s.by_id("a8").text, "text 8");
}

TEST(Corpus, SliceWithHugeStepDoesNotWrapAround) {
  // A step far beyond the end takes only the start, as Python's c[1:10:2**64-1] does.
  const newsim::Corpus c = numbered(10);
  const std::size_t huge = std::numeric_limits<std::size_t>::max();
  EXPECT_EQ(ids(c.slice(0, huge, huge)), (std::vector<std::string>{"a0"}));
  EXPECT_EQ(ids(c.slice(1, 10, huge)), (std::vector<std::string>{"a1"}));
  EXPECT_EQ(ids(c.slice(3, 10, huge - 1)), (std::vector<std::string>{"a3"}));
}

TEST(Corpus, FilterKeepsOrder) {
  newsim::Corpus c;
  c.add(make("r1", "x", "Reuters"));
  c.add(make("a1", "x", "AFP"));
  c.add(make("r2", "x", "Reuters"));
  c.add(make("n1", "x", ""));
  c.add(make("r3", "x", "Reuters"));
  const newsim::Corpus r = c.filter([](const newsim::Article& a) { return a.source == "Reuters"; });
  EXPECT_EQ(ids(r), (std::vector<std::string>{"r1", "r2", "r3"}));
  EXPECT_EQ(r.find("r3"), 2);
  EXPECT_EQ(r.find("a1"), -1);
  EXPECT_TRUE(c.filter([](const newsim::Article&) { return false; }).empty());
  EXPECT_EQ(ids(c.filter([](const newsim::Article&) { return true; })), ids(c));
  // The original is untouched.
  EXPECT_EQ(c.size(), 5u);
}

TEST(Corpus, IterationInInsertionOrder) {
  newsim::Corpus c;
  const std::vector<std::string> order = {"zeta", "alpha", "mu", "10", "2", "beta"};
  for (const std::string& id : order) c.add(make(id));
  EXPECT_EQ(ids(c), order);
  std::size_t i = 0;
  for (auto it = c.begin(); it != c.end(); ++it, ++i) EXPECT_EQ(it->id, order[i]);
  EXPECT_EQ(i, order.size());
}

TEST(Corpus, CopiesAreIndependent) {
  newsim::Corpus c = numbered(2);
  newsim::Corpus d = c;
  d.add(make("extra"));
  EXPECT_EQ(c.size(), 2u);
  EXPECT_EQ(c.find("extra"), -1);
  EXPECT_EQ(d.find("extra"), 2);
  c.add(make("other"));
  EXPECT_EQ(d.find("other"), -1);
}

// -- parse_date -----------------------------------------------------------------------------

TEST(DateParse, DateOnly) {
  const newsim::DateTime d = newsim::parse_date("2024-05-01");
  EXPECT_EQ(d.year, 2024);
  EXPECT_EQ(d.month, 5);
  EXPECT_EQ(d.day, 1);
  EXPECT_FALSE(d.has_time);
  EXPECT_FALSE(d.has_offset);
  EXPECT_EQ(d.hour, 0);
  EXPECT_EQ(d.minute, 0);
  EXPECT_EQ(d.second, 0);
  EXPECT_EQ(d.microsecond, 0);
  EXPECT_EQ(d.offset_minutes, 0);
  const newsim::DateTime e = newsim::parse_date("1999-12-31");
  EXPECT_EQ(e.year, 1999);
  EXPECT_EQ(e.month, 12);
  EXPECT_EQ(e.day, 31);
  const newsim::DateTime f = newsim::parse_date("0001-01-01");
  EXPECT_EQ(f.year, 1);
}

TEST(DateParse, DateAndTime) {
  const newsim::DateTime d = newsim::parse_date("2024-05-01T10:20:30");
  EXPECT_EQ(d.year, 2024);
  EXPECT_EQ(d.month, 5);
  EXPECT_EQ(d.day, 1);
  EXPECT_TRUE(d.has_time);
  EXPECT_FALSE(d.has_offset);
  EXPECT_EQ(d.hour, 10);
  EXPECT_EQ(d.minute, 20);
  EXPECT_EQ(d.second, 30);
  EXPECT_EQ(d.microsecond, 0);
  // A space instead of T.
  const newsim::DateTime s = newsim::parse_date("2024-05-01 23:59:59");
  EXPECT_TRUE(s.has_time);
  EXPECT_EQ(s.hour, 23);
  EXPECT_EQ(s.minute, 59);
  EXPECT_EQ(s.second, 59);
  // Hours and minutes only, and hours only (as Python 3.11 reads them).
  const newsim::DateTime hm = newsim::parse_date("2024-05-01T07:05");
  EXPECT_TRUE(hm.has_time);
  EXPECT_EQ(hm.hour, 7);
  EXPECT_EQ(hm.minute, 5);
  EXPECT_EQ(hm.second, 0);
  const newsim::DateTime h = newsim::parse_date("2024-05-01T07");
  EXPECT_TRUE(h.has_time);
  EXPECT_EQ(h.hour, 7);
  EXPECT_EQ(h.minute, 0);
  const newsim::DateTime midnight = newsim::parse_date("2024-05-01T00:00:00");
  EXPECT_TRUE(midnight.has_time);
  EXPECT_EQ(midnight.hour, 0);
}

TEST(DateParse, FractionsBecomeMicroseconds) {
  EXPECT_EQ(newsim::parse_date("2024-05-01T10:00:00.5").microsecond, 500000);
  EXPECT_EQ(newsim::parse_date("2024-05-01T10:00:00.25").microsecond, 250000);
  EXPECT_EQ(newsim::parse_date("2024-05-01T10:00:00.250").microsecond, 250000);
  EXPECT_EQ(newsim::parse_date("2024-05-01T10:00:00.000001").microsecond, 1);
  EXPECT_EQ(newsim::parse_date("2024-05-01T10:00:00.123456").microsecond, 123456);
  EXPECT_EQ(newsim::parse_date("2024-05-01T10:00:00.000").microsecond, 0);
  EXPECT_EQ(newsim::parse_date("2024-05-01T10:00:00,75").microsecond, 750000);
  // Digits beyond microseconds are dropped, not rounded.
  EXPECT_EQ(newsim::parse_date("2024-05-01T10:00:00.1234569").microsecond, 123456);
  const newsim::DateTime d = newsim::parse_date("2024-05-01 10:00:00.250+02:00");
  EXPECT_EQ(d.second, 0);
  EXPECT_EQ(d.microsecond, 250000);
  EXPECT_TRUE(d.has_offset);
  EXPECT_EQ(d.offset_minutes, 120);
}

TEST(DateParse, Offsets) {
  const newsim::DateTime z = newsim::parse_date("2024-05-01T10:00:00Z");
  EXPECT_TRUE(z.has_offset);
  EXPECT_EQ(z.offset_minutes, 0);
  EXPECT_EQ(z.hour, 10);
  const newsim::DateTime plus = newsim::parse_date("2024-05-01T10:00:00+05:30");
  EXPECT_TRUE(plus.has_offset);
  EXPECT_EQ(plus.offset_minutes, 330);
  const newsim::DateTime minus = newsim::parse_date("2024-05-01T10:00:00-0530");
  EXPECT_TRUE(minus.has_offset);
  EXPECT_EQ(minus.offset_minutes, -330);
  const newsim::DateTime m2 = newsim::parse_date("2024-05-01T10:00-08:00");
  EXPECT_TRUE(m2.has_offset);
  EXPECT_EQ(m2.offset_minutes, -480);
  EXPECT_EQ(m2.minute, 0);
  const newsim::DateTime zero = newsim::parse_date("2024-05-01T10:00:00+00:00");
  EXPECT_TRUE(zero.has_offset);
  EXPECT_EQ(zero.offset_minutes, 0);
  const newsim::DateTime hours_only = newsim::parse_date("2024-05-01T10:00:00+02");
  EXPECT_TRUE(hours_only.has_offset);
  EXPECT_EQ(hours_only.offset_minutes, 120);
  const newsim::DateTime frac = newsim::parse_date("2024-05-01T10:00:00.5Z");
  EXPECT_TRUE(frac.has_offset);
  EXPECT_EQ(frac.microsecond, 500000);
  const newsim::DateTime far = newsim::parse_date("2024-05-01T10:00:00+23:59");
  EXPECT_EQ(far.offset_minutes, 23 * 60 + 59);
}

TEST(DateParse, LeapYears) {
  EXPECT_EQ(newsim::parse_date("2024-02-29").day, 29);  // divisible by 4
  EXPECT_EQ(newsim::parse_date("2000-02-29").day, 29);  // divisible by 400
  EXPECT_EQ(newsim::parse_date("1600-02-29").day, 29);
  EXPECT_EQ(newsim::parse_date("2023-02-28").day, 28);
  EXPECT_THROW(newsim::parse_date("2023-02-29"), newsim::InvalidArgument);  // not divisible by 4
  EXPECT_THROW(newsim::parse_date("1900-02-29"), newsim::InvalidArgument);  // by 100, not 400
  EXPECT_THROW(newsim::parse_date("2100-02-29"), newsim::InvalidArgument);
  EXPECT_THROW(newsim::parse_date("2024-02-30"), newsim::InvalidArgument);
}

TEST(DateParse, DaysPerMonth) {
  const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int m = 1; m <= 12; ++m) {
    char last[16], past[16];
    std::snprintf(last, sizeof last, "2023-%02d-%02d", m, days[m - 1]);
    std::snprintf(past, sizeof past, "2023-%02d-%02d", m, days[m - 1] + 1);
    EXPECT_EQ(newsim::parse_date(last).day, days[m - 1]) << last;
    EXPECT_THROW(newsim::parse_date(past), newsim::InvalidArgument) << past;
  }
}

TEST(DateParse, InvalidDatesAndTimes) {
  for (const char* bad : {"2023-02-29", "2023-04-31", "2023-00-10", "2023-13-01", "2023-01-00",
                          "0000-01-01", "2024-05-01T24:00:00", "2024-05-01T10:60:00",
                          "2024-05-01T10:00:60", "2024-05-01T10:00:00+24:00",
                          "2024-05-01T10:00:00+05:60"}) {
    const std::string msg = date_error(bad);
    EXPECT_FALSE(msg.empty()) << bad << " was accepted";
    EXPECT_NE(msg.find(bad), std::string::npos) << "message does not name the text: " << msg;
  }
}

TEST(DateParse, BadStringsNameTheText) {
  for (const char* bad : {"yesterday", "2024", "2024-05", "2024-5-1", "2024/05/01", "24-05-01",
                          "2024-05-01T", "2024-05-01X10:00", "2024-05-01T1:00",
                          "2024-05-01T10:00:00.", "2024-05-01T10:00:00Zjunk",
                          "2024-05-01T10:00:00+5", "2024-05-01T10:00:00+05:3",
                          "2024-05-01T10:00:00+05:30x", "2024-05-01T10:00:00 UTC",
                          "2024-05-01Z", " 2024-05-01", "2024-05-01 ", "May 1, 2024"}) {
    const std::string msg = date_error(bad);
    EXPECT_FALSE(msg.empty()) << "'" << bad << "' was accepted";
    EXPECT_NE(msg.find(std::string("'") + bad + "'"), std::string::npos)
        << "message does not name '" << bad << "': " << msg;
  }
  EXPECT_FALSE(date_error("").empty());
  EXPECT_THROW(newsim::parse_date("not a date"), std::invalid_argument);
}

TEST(DateParse, SecondsSinceTheEpochAsPython) {
  // Values of Python's (datetime - epoch).total_seconds() for the same instants.
  using newsim::parse_date;
  using newsim::seconds_since_epoch;
  EXPECT_EQ(seconds_since_epoch(parse_date("1970-01-01")), 0.0);
  EXPECT_EQ(seconds_since_epoch(parse_date("1987-03-31T06:05:12")), 544169112.0);
  EXPECT_EQ(seconds_since_epoch(parse_date("2024-02-29T23:59:59.25+02:00")), 1709243999.25);
  EXPECT_EQ(seconds_since_epoch(parse_date("1969-12-31T23:59:59Z")), -1.0);
  EXPECT_EQ(seconds_since_epoch(parse_date("0001-01-01")), -62135596800.0);
  EXPECT_EQ(seconds_since_epoch(parse_date("9999-12-31T23:59:59")), 253402300799.0);
  // Outside the years 1 to 9999 once in UTC.
  EXPECT_THROW(seconds_since_epoch(parse_date("0001-01-01T00:00:00+01:00")), newsim::InvalidArgument);
  EXPECT_THROW(seconds_since_epoch(parse_date("9999-12-31T23:00:00-02:00")), newsim::InvalidArgument);
}

TEST(DateParse, ArticleSecondsNaNWithoutADateAndNameTheArticle) {
  newsim::Corpus c;
  c.add({"a", "", "x", "", "2024-05-01T10:00:00", "", "{}"});
  c.add({"b", "", "y", "", "", "", "{}"});
  const std::vector<double> t = newsim::article_seconds(c);
  ASSERT_EQ(t.size(), 2U);
  EXPECT_EQ(t[0], 1714557600.0);
  EXPECT_TRUE(std::isnan(t[1]));
  c.add({"c", "", "z", "", "0001-01-01T00:00:00+05:00", "", "{}"});
  try {
    (void)newsim::article_seconds(c);
    FAIL() << "no error";
  } catch (const newsim::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("article 'c'"), std::string::npos) << e.what();
  }
}

TEST(DateParse, LenientArticleSecondsGiveNaNForOutOfRange) {
  newsim::Corpus c;
  c.add({"a", "", "x", "", "2024-05-01T10:00:00", "", "{}"});
  c.add({"c", "", "z", "", "0001-01-01T00:00:00+05:00", "", "{}"});
  const std::vector<double> t = newsim::article_seconds(c, true);
  EXPECT_EQ(t[0], 1714557600.0);
  EXPECT_TRUE(std::isnan(t[1]));
}

TEST(DateText, IsoAndEnglishForms) {
  const double may1 = 1714521600.0;  // 2024-05-01T00:00:00Z
  EXPECT_EQ(newsim::date_text_seconds("2024-05-01"), may1);
  EXPECT_EQ(newsim::date_text_seconds("  2024-05-01T10:00:00+02:00 "), may1 + 8 * 3600);
  EXPECT_EQ(newsim::date_text_seconds("May 1, 2024"), may1);
  EXPECT_EQ(newsim::date_text_seconds("1 May 2024"), may1);
  EXPECT_EQ(newsim::date_text_seconds("Wednesday, 1 may 2024"), may1);
  EXPECT_EQ(newsim::date_text_seconds("Wed, 01 May 2024 10:00:00 +0000"), may1 + 10 * 3600);
  EXPECT_EQ(newsim::date_text_seconds("Wed, 01 May 2024 10:00:00 GMT"), may1 + 10 * 3600);
  EXPECT_EQ(newsim::date_text_seconds("Sept 3, 2024 09:30 -05:00"),
            newsim::date_text_seconds("2024-09-03T14:30:00Z"));
  const newsim::DateTime d = newsim::parse_date_text("Feb 29 2024 23:59:59.5");
  EXPECT_EQ(d.month, 2);
  EXPECT_EQ(d.day, 29);
  EXPECT_EQ(d.microsecond, 500000);
  EXPECT_FALSE(d.has_offset);
}

TEST(DateText, UnreadableTextsNameTheText) {
  for (const char* text : {"yesterday-ish", "the day after", "May 2024", "Feb 30, 2024",
                           "May 1, 2024 25:00", "May 1, 2024 +0200", "1 2 2024", "",
                           "May 1, 2024 10:00 +99:00", "May May 1 2024"}) {
    try {
      (void)newsim::parse_date_text(text);
      ADD_FAILURE() << "read '" << text << "'";
    } catch (const newsim::InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("'") + text + "'"), std::string::npos)
          << e.what();
    }
  }
  try {
    (void)newsim::date_text_seconds("0001-01-01T00:00+05:00");
    ADD_FAILURE() << "no error";
  } catch (const newsim::InvalidArgument& e) {
    EXPECT_EQ(std::string(e.what()),
              "'0001-01-01T00:00+05:00' is outside the years 1 to 9999 in UTC");
  }
}
