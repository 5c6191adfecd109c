#pragma once

// Articles and corpora: the units every later stage works on.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace newsim {

/// One news article. Only id and text are required; the rest may be empty.
struct Article {
  std::string id;
  std::string title;
  std::string text;
  std::string source;  // outlet or agency
  std::string date;    // ISO 8601, naive or with an offset (see parse_date)
  std::string url;
  std::string meta = "{}";  // free metadata: a JSON object, kept as written

  bool operator==(const Article& o) const {
    return id == o.id && title == o.title && text == o.text && source == o.source &&
           date == o.date && url == o.url && meta == o.meta;
  }
};

/// A date and time read from ISO 8601 text ("2024-05-01", "2024-05-01T10:00:00",
/// "2024-05-01 10:00:00.250+02:00", "...Z").
struct DateTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int microsecond = 0;
  bool has_time = false;
  bool has_offset = false;   // timezone-aware
  int offset_minutes = 0;    // east of UTC
};

/// Parses ISO 8601 dates as Python's datetime.fromisoformat does for these forms. Throws
/// InvalidArgument naming the text.
DateTime parse_date(std::string_view text);

/// Reads a date as people and news feeds write it: ISO 8601 (parse_date), or English
/// day-month-year forms such as "May 1, 2024", "1 May 2024" and RFC 2822's
/// "Wed, 01 May 2024 10:00:00 +0000": a month name (full or three letters), a day, a four-digit
/// year, an optional weekday name, time "HH:MM[:SS]" and zone ("+hhmm", "+hh:mm", "Z", "UTC",
/// "GMT"), in any order of day and month. Throws InvalidArgument naming the text.
DateTime parse_date_text(std::string_view text);

/// Seconds since 1970-01-01 UTC (a naive time is taken as UTC), as Python's
/// (datetime - epoch).total_seconds(). Throws InvalidArgument when the instant falls outside
/// the years 1 to 9999 in UTC.
double seconds_since_epoch(const DateTime& d);

/// seconds_since_epoch(parse_date_text(text)); throws InvalidArgument naming the text (one
/// that does not read, or outside the years 1 to 9999 in UTC).
double date_text_seconds(std::string_view text);

class Corpus;
/// seconds_since_epoch of every article's date, NaN where it has none. Throws InvalidArgument
/// naming the article (a date that does not parse, or outside the years 1 to 9999 in UTC);
/// `lenient` gives NaN for such a date instead.
std::vector<double> article_seconds(const Corpus& corpus, bool lenient = false);

/// An ordered collection of articles with unique ids: access by position or by id in O(1).
class Corpus {
 public:
  Corpus() = default;

  /// Appends; throws InvalidArgument when the id is empty or already present.
  void add(Article article);
  /// Makes room for n articles in all, so that adding them does not reallocate. O(n).
  void reserve(std::size_t n);
  std::size_t size() const { return articles_.size(); }
  bool empty() const { return articles_.empty(); }
  const Article& operator[](std::size_t i) const { return articles_[i]; }
  /// Throws IndexOutOfRange.
  const Article& at(std::size_t i) const;
  /// Position of an id, or -1.
  std::int64_t find(std::string_view id) const;
  /// Throws KeyNotFound.
  const Article& by_id(std::string_view id) const;

  /// Articles [start, stop) with the given step (> 0), as Python slices them.
  Corpus slice(std::size_t start, std::size_t stop, std::size_t step = 1) const;
  /// The articles for which keep(article) is true, in order.
  Corpus filter(const std::function<bool(const Article&)>& keep) const;

  std::vector<Article>::const_iterator begin() const { return articles_.begin(); }
  std::vector<Article>::const_iterator end() const { return articles_.end(); }
  const std::vector<Article>& articles() const { return articles_; }

 private:
  std::vector<Article> articles_;
  std::unordered_map<std::string, std::size_t> index_;
};

/// The text each article is vectorised as: its title repeated title_weight times, a line
/// each, then its text; with clean_first the corpus is cleaned first (clean() with default
/// options, a block of articles at a time). Throws InvalidArgument for title_weight < 0.
std::vector<std::string> documents(const Corpus& corpus, int title_weight = 1,
                                   bool clean_first = true);

}  // namespace newsim
