#include "newsim/article.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>
#include <string>

#include "newsim/cleaning.hpp"
#include "newsim/errors.hpp"

namespace newsim {

namespace {

[[noreturn]] void bad_date(std::string_view text, const char* why) {
  throw InvalidArgument("date '" + std::string(text) + "' is not ISO 8601: " + why);
}

// Reads exactly n digits at text[pos].
int digits(std::string_view text, std::size_t& pos, int n) {
  int v = 0;
  for (int i = 0; i < n; ++i, ++pos) {
    if (pos >= text.size() || !std::isdigit(static_cast<unsigned char>(text[pos]))) {
      bad_date(text, "expected a digit");
    }
    v = v * 10 + (text[pos] - '0');
  }
  return v;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

DateTime parse_date(std::string_view text) {
  DateTime d;
  std::size_t p = 0;
  d.year = digits(text, p, 4);
  if (p >= text.size() || text[p++] != '-') bad_date(text, "expected YYYY-MM-DD");
  d.month = digits(text, p, 2);
  if (p >= text.size() || text[p++] != '-') bad_date(text, "expected YYYY-MM-DD");
  d.day = digits(text, p, 2);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d.year < 1 || d.month < 1 || d.month > 12 || d.day < 1 ||
      d.day > kDays[d.month - 1] + (d.month == 2 && leap(d.year))) {
    bad_date(text, "no such day");
  }
  if (p == text.size()) return d;
  if (text[p] != 'T' && text[p] != ' ') bad_date(text, "expected 'T' or ' ' after the date");
  ++p;
  d.has_time = true;
  d.hour = digits(text, p, 2);
  if (p < text.size() && text[p] == ':') {
    ++p;
    d.minute = digits(text, p, 2);
    if (p < text.size() && text[p] == ':') {
      ++p;
      d.second = digits(text, p, 2);
      if (p < text.size() && (text[p] == '.' || text[p] == ',')) {
        ++p;
        const std::size_t start = p;
        int frac = 0, n = 0;
        while (p < text.size() && std::isdigit(static_cast<unsigned char>(text[p]))) {
          if (n < 6) frac = frac * 10 + (text[p] - '0');
          ++n;
          ++p;
        }
        if (p == start) bad_date(text, "expected fraction digits");
        for (; n < 6; ++n) frac *= 10;
        d.microsecond = frac;
      }
    }
  }
  if (d.hour > 23 || d.minute > 59 || d.second > 59) bad_date(text, "no such time");
  if (p == text.size()) return d;
  if (text[p] == 'Z' && p + 1 == text.size()) {
    d.has_offset = true;
    return d;
  }
  if (text[p] != '+' && text[p] != '-') bad_date(text, "unexpected text after the time");
  const int sign = text[p++] == '-' ? -1 : 1;
  const int oh = digits(text, p, 2);
  int om = 0;
  if (p < text.size()) {
    if (text[p] == ':') ++p;
    om = digits(text, p, 2);
  }
  if (p != text.size()) bad_date(text, "unexpected text after the offset");
  if (oh > 23 || om > 59) bad_date(text, "no such offset");
  d.has_offset = true;
  d.offset_minutes = sign * (oh * 60 + om);
  return d;
}

namespace {

[[noreturn]] void unreadable(std::string_view text, const std::string& why) {
  throw InvalidArgument("cannot read '" + std::string(text) + "' as a date (" + why + ")");
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(),
                                   [](char c) { return c >= '0' && c <= '9'; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// 1 to 12 for an English month name (full or its first three letters), else 0.
int month_number(const std::string& word) {
  static const char* const kMonths[] = {"january", "february", "march", "april", "may", "june",
                                        "july", "august", "september", "october", "november",
                                        "december"};
  for (int m = 0; m < 12; ++m) {
    const std::string full = kMonths[m];
    if (word == full || (word.size() == 3 && full.compare(0, 3, word) == 0) ||
        (m == 8 && word == "sept")) {
      return m + 1;
    }
  }
  return 0;
}

bool weekday_name(const std::string& word) {
  static const char* const kDays[] = {"monday", "tuesday", "wednesday", "thursday", "friday",
                                      "saturday", "sunday"};
  for (const char* day : kDays) {
    const std::string full = day;
    if (word == full || (word.size() == 3 && full.compare(0, 3, word) == 0)) return true;
  }
  return false;
}

}  // namespace

DateTime parse_date_text(std::string_view text) {
  std::size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  const std::string_view t = text.substr(b, e - b);
  if (!t.empty() && std::isdigit(static_cast<unsigned char>(t[0])) && t.size() >= 10 &&
      t[4] == '-') {
    return parse_date(t);
  }
  std::vector<std::string> words;
  std::string word;
  for (const char c : t) {
    if (c == ' ' || c == ',' || c == '\t') {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word.push_back(c);
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  DateTime d;
  bool time = false, zone = false;
  for (const std::string& w : words) {
    const std::string low = lower(w);
    if (const int m = month_number(low); m != 0 && d.month == 0) {
      d.month = m;
    } else if (weekday_name(low) && d.day == 0 && d.month == 0) {
      // a leading weekday name says nothing more
    } else if (all_digits(w) && w.size() <= 2 && d.day == 0) {
      d.day = std::stoi(w);
    } else if (all_digits(w) && w.size() == 4 && d.year == 0) {
      d.year = std::stoi(w);
    } else if (w.find(':') != std::string::npos && !time && d.year != 0) {
      const std::string iso = "2000-01-01T" + w;
      DateTime clock;
      try {
        clock = parse_date(iso);
      } catch (const InvalidArgument&) {
        unreadable(text, "bad time '" + w + "'");
      }
      if (clock.has_offset) unreadable(text, "bad time '" + w + "'");
      d.hour = clock.hour, d.minute = clock.minute, d.second = clock.second;
      d.microsecond = clock.microsecond;
      d.has_time = time = true;
    } else if (time && !zone && (low == "z" || low == "utc" || low == "gmt")) {
      d.has_offset = zone = true;
    } else if (time && !zone && (w[0] == '+' || w[0] == '-') && w.size() >= 3) {
      DateTime offset;
      try {
        offset = parse_date("2000-01-01T00:00" + w);
      } catch (const InvalidArgument&) {
        unreadable(text, "bad zone '" + w + "'");
      }
      d.has_offset = zone = true;
      d.offset_minutes = offset.offset_minutes;
    } else {
      unreadable(text, "unexpected '" + w + "'");
    }
  }
  if (d.month == 0 || d.day == 0 || d.year == 0) {
    unreadable(text, "expected ISO 8601 or a day, an English month name and a four-digit year");
  }
  char iso[11];
  std::snprintf(iso, sizeof iso, "%04d-%02d-%02d", d.year, d.month, d.day);
  try {
    parse_date(iso);  // checks the day exists
  } catch (const InvalidArgument&) {
    unreadable(text, "no such day");
  }
  return d;
}

namespace {

// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

double seconds_since_epoch(const DateTime& d) {
  const std::int64_t days = days_from_civil(d.year, static_cast<unsigned>(d.month),
                                            static_cast<unsigned>(d.day));
  const std::int64_t seconds = days * 86400 + d.hour * 3600 + d.minute * 60 + d.second -
                               (d.has_offset ? std::int64_t{d.offset_minutes} * 60 : 0);
  // Python's datetime range in UTC: 0001-01-01 00:00:00 to 9999-12-31 23:59:59.999999.
  constexpr std::int64_t kMin = -62135596800, kMax = 253402300799;
  if (seconds < kMin || seconds > kMax) {
    throw InvalidArgument("the instant is outside the years 1 to 9999 in UTC");
  }
  // Whole microseconds over 1e6 in one rounding, as timedelta.total_seconds().
  return static_cast<double>(seconds * 1000000 + d.microsecond) / 1e6;
}

double date_text_seconds(std::string_view text) {
  const DateTime d = parse_date_text(text);
  try {
    return seconds_since_epoch(d);
  } catch (const InvalidArgument&) {
    throw InvalidArgument("'" + std::string(text) + "' is outside the years 1 to 9999 in UTC");
  }
}

std::vector<double> article_seconds(const Corpus& corpus, bool lenient) {
  std::vector<double> out(corpus.size(), std::numeric_limits<double>::quiet_NaN());
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    const Article& a = corpus[i];
    if (a.date.empty()) continue;
    try {
      out[i] = seconds_since_epoch(parse_date(a.date));
    } catch (const InvalidArgument& e) {
      if (lenient) continue;
      throw InvalidArgument("article '" + a.id + "': date '" + a.date + "': " + e.what());
    }
  }
  return out;
}

void Corpus::add(Article article) {
  if (article.id.empty()) throw InvalidArgument("an article needs a non-empty id");
  const auto [it, inserted] = index_.emplace(article.id, articles_.size());
  if (!inserted) {
    throw InvalidArgument("duplicate article id '" + article.id + "' (first at position " +
                          std::to_string(it->second) + ")");
  }
  articles_.push_back(std::move(article));
}

void Corpus::reserve(std::size_t n) {
  articles_.reserve(n);
  index_.reserve(n);
}

const Article& Corpus::at(std::size_t i) const {
  if (i >= articles_.size()) {
    throw IndexOutOfRange("article " + std::to_string(i) + " of a corpus of " +
                          std::to_string(articles_.size()));
  }
  return articles_[i];
}

std::int64_t Corpus::find(std::string_view id) const {
  const auto it = index_.find(std::string(id));
  return it == index_.end() ? -1 : static_cast<std::int64_t>(it->second);
}

const Article& Corpus::by_id(std::string_view id) const {
  const std::int64_t i = find(id);
  if (i < 0) throw KeyNotFound("no article with id '" + std::string(id) + "'");
  return articles_[static_cast<std::size_t>(i)];
}

Corpus Corpus::slice(std::size_t start, std::size_t stop, std::size_t step) const {
  if (step == 0) throw InvalidArgument("slice step must be positive");
  Corpus out;
  stop = std::min(stop, articles_.size());
  for (std::size_t i = start; i < stop; i += step) {
    out.add(articles_[i]);
    if (stop - i <= step) break;  // i + step would pass stop (or wrap around)
  }
  return out;
}

Corpus Corpus::filter(const std::function<bool(const Article&)>& keep) const {
  Corpus out;
  for (const Article& a : articles_) {
    if (keep(a)) out.add(a);
  }
  return out;
}

std::vector<std::string> documents(const Corpus& corpus, int title_weight, bool clean_first) {
  if (title_weight < 0) {
    throw InvalidArgument("title_weight must be an int >= 0; got " + std::to_string(title_weight));
  }
  std::vector<std::string> out;
  out.reserve(corpus.size());
  auto add = [&](const Article& a) {
    std::string doc;
    if (!a.title.empty() && title_weight > 0) {
      doc.reserve((a.title.size() + 1) * static_cast<std::size_t>(title_weight) + a.text.size());
      for (int i = 0; i < title_weight; ++i) (doc += a.title) += '\n';
    }
    out.push_back(doc += a.text);
  };
  if (!clean_first) {
    for (const Article& a : corpus) add(a);
    return out;
  }
  // The corpus's repetition statistics, then a block of articles cleaned at a time: clean() of
  // the whole corpus would hold every article's lines, audit and cleaned copy at once.
  constexpr std::size_t kBlock = std::size_t{1} << 14;
  const CleanStatistics statistics = clean_statistics(corpus);
  for (std::size_t lo = 0; lo < corpus.size(); lo += kBlock) {
    const CleanResult cleaned = clean(corpus.slice(lo, lo + kBlock), statistics);
    for (const Article& a : cleaned.corpus) add(a);
  }
  return out;
}

}  // namespace newsim
