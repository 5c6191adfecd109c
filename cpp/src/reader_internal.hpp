#pragma once

// What the readers share (internal): the record -> Article rules, the log of what went wrong,
// and reading a plain or gzip file in chunks.

#include <zlib.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "newsim/reader.hpp"

namespace newsim::detail {

/// Parses a JSON text as json::parse does, except that an integer too long for 64 bits (a
/// 30-digit id) keeps its digits as a string instead of being rounded to a double. Throws
/// nlohmann::json::exception.
nlohmann::json parse_exact(const std::string& text);

/// The article of one record (a JSON object), by the rules every reader shares: the fields
/// named in `fields` fill the article (strings as they are, numbers as JSON writes them, null
/// as empty; an empty id becomes `default_id`); a leftover "meta" object is merged into meta;
/// other non-null leftovers go to meta. A date that is not ISO 8601 is repaired: the article
/// keeps an empty date, the text goes to meta "date_raw" and `date_error` gets the parser's
/// message. Returns why the record is malformed (a field of the wrong type, no text field when
/// `require_text`), or "" when `out` holds the article.
std::string record_to_article(nlohmann::json& record, const JsonlFields& fields,
                              bool require_text, const std::string& default_id, Article& out,
                              std::string& date_error);

/// What went wrong while reading one input, handled as `errors` says: under raise a malformed
/// record throws InvalidArgument "<file>, <unit> <n>: <message>"; else it is counted in
/// skipped and, under report, listed in issues. Repaired dates are always counted.
class ReadLog {
 public:
  ReadLog(std::string file, std::string unit, OnError errors)
      : file_(std::move(file)), unit_(std::move(unit)), errors_(errors) {}

  void malformed(std::int64_t n, const std::string& message);
  void bad_date(std::int64_t n, const std::string& message);
  /// Adds an article to `out` (a duplicate id is malformed), then the record's repaired date.
  void add(ReadResult& out, Article&& article, std::int64_t n, const std::string& date_error);
  /// Moves the counts and issues (sorted by number) into `out`.
  void finish(ReadResult& out);

  OnError errors() const { return errors_; }
  const std::string& file() const { return file_; }
  std::int64_t skipped = 0;
  std::int64_t bad_dates = 0;
  std::string first_bad_date;
  std::vector<ReadIssue> issues;

 private:
  std::string where(std::int64_t n) const;
  std::string file_, unit_;
  OnError errors_;
};

/// A plain or gzip file read in chunks (zlib reads both), with errors naming the file.
class GzInput {
 public:
  /// Throws IoError: a folder, a missing or unreadable file, a ".gz" name without gzip data.
  explicit GzInput(const std::string& path);
  ~GzInput();
  GzInput(const GzInput&) = delete;
  GzInput& operator=(const GzInput&) = delete;

  /// Up to `size` bytes into `data`; 0 at the end. Throws IoError (a read error, a corrupt or
  /// truncated gzip stream), naming `line` as where the reader was.
  std::size_t read(char* data, std::size_t size, std::int64_t line);

 private:
  std::string path_;
  gzFile file_ = nullptr;
};

}  // namespace newsim::detail
