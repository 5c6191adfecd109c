#include "newsim/reader.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "newsim/cleaning.hpp"
#include "newsim/errors.hpp"
#include "newsim/text.hpp"
#include "reader_internal.hpp"

namespace newsim {

struct JsonlReader::Impl {
  Impl(const std::string& path, JsonlOptions o)
      : options(std::move(o)), log(path, "line", options.errors), input(path) {}

  JsonlOptions options;
  detail::ReadLog log;
  detail::GzInput input;
  std::int64_t line = 0;
  std::string buffer;  // the current line
  std::vector<char> chunk = std::vector<char>(1 << 16);
  std::size_t chunk_pos = 0, chunk_len = 0;
  bool eof = false;
  bool too_long = false;  // the current line passed options.max_line_bytes; its rest is dropped

  // Reads the next line (without '\n') into buffer; false at the end.
  bool read_line() {
    buffer.clear();
    too_long = false;
    if (eof && chunk_pos >= chunk_len) return false;
    for (;;) {
      if (chunk_pos >= chunk_len) {
        chunk_len = input.read(chunk.data(), chunk.size(), line);
        chunk_pos = 0;
        if (chunk_len == 0) {
          eof = true;
          if (buffer.empty() && !too_long) return false;
          ++line;
          return true;
        }
      }
      const char* start = chunk.data() + chunk_pos;
      const char* end = chunk.data() + chunk_len;
      const char* nl = static_cast<const char*>(std::memchr(start, '\n', static_cast<std::size_t>(end - start)));
      append(start, nl == nullptr ? end : nl);
      if (nl == nullptr) {
        chunk_pos = chunk_len;
        continue;
      }
      chunk_pos += static_cast<std::size_t>(nl - start) + 1;
      ++line;
      return true;
    }
  }

  // Appends to the current line up to max_line_bytes; past it the line is marked too long and
  // its bytes are dropped, so that memory stays bounded whatever the file holds.
  void append(const char* from, const char* to) {
    if (too_long) return;
    const auto n = static_cast<std::size_t>(to - from);
    if (buffer.size() + n > options.max_line_bytes) {
      if (options.errors == OnError::raise) {
        throw InvalidArgument(log.file() + ", line " + std::to_string(line + 1) + ": longer than " +
                              std::to_string(options.max_line_bytes) +
                              " bytes (max_line_bytes; raise it to read such lines)");
      }
      too_long = true;
      buffer.clear();
      buffer.shrink_to_fit();
      return;
    }
    buffer.append(from, to);
  }

  // Parses buffer into out; false (after logging it) when the line is malformed. A repaired
  // date's message goes to date_error, for the caller to log.
  bool parse(Article& out, std::string& date_error) {
    if (too_long) {
      log.malformed(line, "longer than " + std::to_string(options.max_line_bytes) +
                              " bytes (max_line_bytes)");
      return false;
    }
    if (!buffer.empty() && buffer.back() == '\r') buffer.pop_back();
    const std::ptrdiff_t bad = find_invalid_utf8(buffer);
    if (bad >= 0) {
      log.malformed(line, "invalid UTF-8 at byte " + std::to_string(bad) + " of the line");
      return false;
    }
    nlohmann::json record;
    try {
      record = detail::parse_exact(buffer);
    } catch (const nlohmann::json::exception& e) {
      // parse_error, and out_of_range for a number beyond double's range (1e400).
      log.malformed(line, std::string("not valid JSON (") + e.what() + ")");
      return false;
    }
    const std::string error = detail::record_to_article(
        record, options.fields, options.require_text, std::to_string(line), out, date_error);
    if (!error.empty()) {
      log.malformed(line, error);
      return false;
    }
    return true;
  }

  // The next well-formed record's article; false at the end.
  bool next(Article& out, std::string& date_error) {
    while (read_line()) {
      const bool blank = std::all_of(buffer.begin(), buffer.end(),
                                     [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
      if (blank && !too_long) continue;  // blank lines separate nothing and hold nothing
      if (parse(out, date_error)) return true;
    }
    return false;
  }
};

JsonlReader::JsonlReader(const std::string& path, JsonlOptions options) {
  if (options.max_line_bytes < 1) throw InvalidArgument("max_line_bytes must be at least 1");
  impl_ = std::make_unique<Impl>(path, std::move(options));
}

JsonlReader::~JsonlReader() = default;

bool JsonlReader::next(Article& out) {
  std::string date_error;
  if (!impl_->next(out, date_error)) return false;
  if (!date_error.empty()) impl_->log.bad_date(impl_->line, date_error);
  return true;
}

std::int64_t JsonlReader::line() const { return impl_->line; }
std::int64_t JsonlReader::skipped() const { return impl_->log.skipped; }
std::int64_t JsonlReader::bad_dates() const { return impl_->log.bad_dates; }
const std::string& JsonlReader::first_bad_date() const { return impl_->log.first_bad_date; }
const std::vector<ReadIssue>& JsonlReader::issues() const { return impl_->log.issues; }

ReadResult read_jsonl(const std::string& path, const JsonlOptions& options) {
  JsonlReader reader(path, options);
  JsonlReader::Impl& in = *reader.impl_;
  ReadResult out;
  Article a;
  std::string date_error;
  while (in.next(a, date_error)) in.log.add(out, std::move(a), in.line, date_error);
  in.log.finish(out);
  return out;
}

ReadResult read_folder(const std::string& path, OnError errors, bool detect_titles) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(path, ec)) throw IoError(path + ": not a folder");
  ReadResult out;
  // A .txt entry that cannot be read (a symlink loop or a dangling one, no permission) is a
  // bad file, like one of invalid UTF-8: thrown as IoError under raise, else skipped, counted.
  const auto unreadable = [&](const fs::path& file, const std::string& why) {
    if (errors == OnError::raise) throw IoError(file.string() + ": cannot read: " + why);
    ++out.skipped;
    if (errors == OnError::report) out.issues.push_back({file.string(), 0, "cannot read: " + why});
  };
  std::vector<fs::path> files;
  fs::directory_iterator it(path, ec);
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (it->path().extension() != ".txt") continue;
    std::error_code status_ec;
    const bool regular = it->is_regular_file(status_ec);
    if (status_ec) {
      unreadable(it->path(), status_ec.message());
    } else if (regular) {
      files.push_back(it->path());
    }
  }
  if (ec) throw IoError(path + ": cannot list the folder: " + ec.message());
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      unreadable(file, std::strerror(errno));
      continue;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    Article a;
    a.id = file.stem().string();
    a.text = ss.str();
    const std::ptrdiff_t bad = find_invalid_utf8(a.text);
    if (bad >= 0) {
      const std::string message = "invalid UTF-8 at byte " + std::to_string(bad);
      if (errors == OnError::raise) throw InvalidArgument(file.string() + ": " + message);
      ++out.skipped;
      if (errors == OnError::report) out.issues.push_back({file.string(), 0, message});
      continue;
    }
    out.corpus.add(std::move(a));
  }
  if (detect_titles && !out.corpus.empty()) {
    const CleanResult cleaned = clean(out.corpus);
    Corpus titled;
    titled.reserve(out.corpus.size());
    for (std::size_t k = 0; k < out.corpus.size(); ++k) {
      Article a = out.corpus[k];
      if (a.title.empty()) a.title = cleaned.corpus[k].title;
      titled.add(std::move(a));
    }
    out.corpus = std::move(titled);
  }
  return out;
}

}  // namespace newsim
