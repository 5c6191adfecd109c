#pragma once

// Reading articles: JSON lines and CSV (plain or gzip, streamed), folders of .txt files, and
// records handed over as JSON objects. One set of rules turns a record into an Article.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "newsim/article.hpp"

namespace newsim {

struct ReadResult;

/// What to do with a malformed line: throw (raise), or skip it and count it (skip), or skip
/// it and also list it (report). Nothing is ever dropped without being counted.
enum class OnError { raise, skip, report };

/// Names of the record fields (JSON keys, CSV columns) that fill an Article. An empty name means "not read". Other
/// fields go to Article::meta.
struct JsonlFields {
  std::string id = "id";
  std::string title = "title";
  std::string text = "text";
  std::string source = "source";
  std::string date = "date";
  std::string url = "url";
};

/// How every reader reads records (JSON lines, CSV rows, read_records).
struct JsonlOptions {
  JsonlFields fields;
  OnError errors = OnError::raise;
  bool require_text = true;  // a record without the text field is malformed
  /// Longest line (CSV: row) read, in bytes after gzip decompression: a longer one is
  /// malformed, and its bytes past the limit are never held, so memory stays bounded by it.
  /// 64 MiB by default, far above any article; must be at least 1.
  std::size_t max_line_bytes = std::size_t{64} << 20;
};

/// A line that was skipped: where and why.
struct ReadIssue {
  std::string file;
  std::int64_t line = 0;  // 1-based
  std::string message;
};

/// Streams articles from a JSON-lines file (".gz": gzip), one line at a time, in memory
/// bounded by max_line_bytes. The record rules, for every reader: a record without an id (or
/// with an empty one) gets its line (item, row) number as id; ids, texts and titles may be
/// strings or numbers (written as JSON writes them; an integer too long for 64 bits keeps
/// its digits, here and in meta, where it becomes a string), null is empty; other fields go
/// to meta, except null ones, and a "meta" object's keys are meta's own (as
/// Corpus.to_pandas writes them).
/// Throws IoError (missing or unreadable file), InvalidArgument naming file and line for a
/// malformed line when errors == raise (bad JSON or a number beyond double's range such as
/// 1e400, not an object, invalid UTF-8, a missing text field, a field of the wrong type, a
/// line longer than max_line_bytes). With skip or report, malformed lines are skipped and
/// counted. A date that is not ISO 8601 never loses the article, whatever `errors` says: the
/// article is kept with an empty date and the text in meta "date_raw", counted in
/// bad_dates() (and, with report, listed in issues).
class JsonlReader {
 public:
  JsonlReader(const std::string& path, JsonlOptions options = {});
  ~JsonlReader();
  JsonlReader(const JsonlReader&) = delete;
  JsonlReader& operator=(const JsonlReader&) = delete;

  /// The next article; false at the end of the file.
  bool next(Article& out);
  std::int64_t line() const;      // lines read so far
  std::int64_t skipped() const;   // malformed lines skipped
  std::int64_t bad_dates() const;  // articles kept without their malformed date
  /// Where the first bad date was and why ("file, line N: date ... is not ISO 8601: ..."),
  /// empty when there was none.
  const std::string& first_bad_date() const;
  /// Skipped lines, when errors == report (else empty).
  const std::vector<ReadIssue>& issues() const;

  struct Impl;

 private:
  friend ReadResult read_jsonl(const std::string& path, const JsonlOptions& options);
  std::unique_ptr<Impl> impl_;
};

/// A whole corpus with its report.
struct ReadResult {
  Corpus corpus;
  std::int64_t skipped = 0;
  std::vector<ReadIssue> issues;
  std::int64_t bad_dates = 0;  // articles kept without their malformed date (see JsonlReader)
  std::string first_bad_date;
};

/// Reads a whole JSON-lines file. A duplicate id is a malformed line. Throws as JsonlReader.
ReadResult read_jsonl(const std::string& path, const JsonlOptions& options = {});

/// Reads a CSV file (".gz": gzip) as Python's csv module reads it (comma-separated, fields
/// quoted with '"', a doubled quote inside quotes is one; quoted fields may span lines),
/// streamed row by row in memory bounded by max_line_bytes. The first row is the header; its
/// columns are the record's fields (see JsonlReader for the record rules; values are strings,
/// a record without an id column gets its position among the rows, from 0). Blank lines are
/// skipped; a UTF-8 byte-order mark is dropped. Throws IoError as read_jsonl, and
/// InvalidArgument naming the file for an empty file, a header naming a column twice or no
/// text column. Malformed rows, named by the line they start on: more or fewer fields than
/// the header, invalid UTF-8, a quote that never closes, longer than max_line_bytes, a
/// duplicate id.
ReadResult read_csv(const std::string& path, const JsonlOptions& options = {});

/// A record handed to read_records: a JSON object's text, or an error already found.
struct Record {
  std::int64_t number = 0;  // its item (row) number, for messages
  std::string default_id;   // the id when the record has none
  std::string json;         // a JSON object
  std::string error;        // non-empty: the record is malformed for this reason
};

/// Articles from records by the rules of JsonlReader (e.g. dicts or DataFrame rows handed
/// over by the Python module). Messages name "<where>, <unit> <number>".
ReadResult read_records(const std::vector<Record>& records, const JsonlOptions& options = {},
                        const std::string& where = "input", const std::string& unit = "item");

/// Reads the *.txt files of a folder, sorted by name: id = file name without ".txt", text =
/// the file (UTF-8). Throws IoError (not a folder, or one that cannot be listed). When
/// errors == raise, also InvalidArgument (invalid UTF-8 names the file and byte offset) and
/// IoError (a .txt entry that cannot be read: a symlink loop, a dangling symlink, no
/// permission); else such a file is skipped and counted.
/// With detect_titles, each article gets the title that clean() finds in it (its text stays as
/// it is).
ReadResult read_folder(const std::string& path, OnError errors = OnError::raise,
                       bool detect_titles = false);

}  // namespace newsim
