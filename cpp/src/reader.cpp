#include "newsim/reader.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "newsim/errors.hpp"
#include "newsim/text.hpp"

namespace newsim {

namespace {

using nlohmann::json;

// A string field: JSON strings as they are, numbers as JSON writes them, null as empty.
bool field(const json& record, const std::string& name, std::string& out, std::string& error) {
  if (name.empty()) return false;
  const auto it = record.find(name);
  if (it == record.end()) return false;
  if (it->is_string()) {
    out = it->get<std::string>();
  } else if (it->is_number()) {
    out = it->dump();
  } else if (it->is_null()) {
    out.clear();
  } else {
    error = "field '" + name + "' must be a string or a number, not " + it->type_name();
  }
  return true;
}

// Builds a record as json::parse does, except that an integer too long for 64 bits (a
// 30-digit id) keeps its digits, as a string, instead of being rounded to a double: ids
// must stay exact. The lexer hands only such integers to number_float as plain digits.
class ExactIntegers : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  using Base = nlohmann::detail::json_sax_dom_parser<json>;
  using Base::Base;
  bool number_float(double value, const std::string& text) {
    const std::size_t digits = !text.empty() && text[0] == '-' ? 1 : 0;
    if (text.size() > digits &&
        std::all_of(text.begin() + static_cast<std::ptrdiff_t>(digits), text.end(),
                    [](char c) { return c >= '0' && c <= '9'; })) {
      std::string copy = text;
      return Base::string(copy);
    }
    return Base::number_float(value, text);
  }
};

}  // namespace

struct JsonlReader::Impl {
  std::string path;
  JsonlOptions options;
  gzFile file = nullptr;  // zlib reads plain files too
  std::int64_t line = 0;
  std::int64_t skipped = 0;
  std::vector<ReadIssue> issues;
  std::int64_t bad_dates = 0;
  std::string first_bad_date;
  std::string buffer;  // the current line
  std::vector<char> chunk = std::vector<char>(1 << 16);
  std::size_t chunk_pos = 0, chunk_len = 0;
  bool eof = false;
  bool too_long = false;  // the current line passed options.max_line_bytes; its rest is dropped

  ~Impl() {
    if (file != nullptr) gzclose(file);
  }

  // Reads the next line (without '\n') into buffer; false at the end.
  bool read_line() {
    buffer.clear();
    too_long = false;
    if (eof && chunk_pos >= chunk_len) return false;
    for (;;) {
      if (chunk_pos >= chunk_len) {
        const int n = gzread(file, chunk.data(), static_cast<unsigned>(chunk.size()));
        if (n < 0) {
          int code = 0;
          const char* msg = gzerror(file, &code);
          throw IoError(path + ": line " + std::to_string(line + 1) + ": cannot read: " +
                        (msg != nullptr ? msg : "error"));
        }
        chunk_pos = 0;
        chunk_len = static_cast<std::size_t>(n);
        if (n == 0) {
          eof = true;
          if (!gzdirect(file)) {
            int code = 0;
            gzerror(file, &code);
            if (code == Z_BUF_ERROR) {
              throw IoError(path + ": the gzip stream ends early (truncated file?) after line " +
                            std::to_string(line));
            }
            if (code != Z_OK) {
              throw IoError(path + ": the gzip stream is corrupt near line " +
                            std::to_string(line + 1));
            }
          }
          if (buffer.empty() && !too_long) {
            return false;
          }
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
        throw InvalidArgument(path + ", line " + std::to_string(line + 1) + ": longer than " +
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

  void fail(const std::string& message) {
    if (options.errors == OnError::raise) {
      throw InvalidArgument(path + ", line " + std::to_string(line) + ": " + message);
    }
    ++skipped;
    if (options.errors == OnError::report) issues.push_back({path, line, message});
  }

  // Parses buffer into out; false (after fail()) when the line is malformed.
  bool parse(Article& out) {
    if (too_long) {
      fail("longer than " + std::to_string(options.max_line_bytes) + " bytes (max_line_bytes)");
      return false;
    }
    if (!buffer.empty() && buffer.back() == '\r') buffer.pop_back();
    const std::ptrdiff_t bad = find_invalid_utf8(buffer);
    if (bad >= 0) {
      fail("invalid UTF-8 at byte " + std::to_string(bad) + " of the line");
      return false;
    }
    json record;
    try {
      ExactIntegers builder(record);
      json::sax_parse(buffer, &builder);
    } catch (const json::exception& e) {
      // parse_error, and out_of_range for a number beyond double's range (1e400).
      fail(std::string("not valid JSON (") + e.what() + ")");
      return false;
    }
    if (!record.is_object()) {
      fail(std::string("expected a JSON object, got ") + record.type_name());
      return false;
    }
    const JsonlFields& f = options.fields;
    out = Article{};
    std::string error;
    if (!field(record, f.id, out.id, error) || out.id.empty()) out.id = std::to_string(line);
    const bool has_text = field(record, f.text, out.text, error);
    field(record, f.title, out.title, error);
    field(record, f.source, out.source, error);
    field(record, f.date, out.date, error);
    field(record, f.url, out.url, error);
    if (!error.empty()) {
      fail(error);
      return false;
    }
    if (!has_text && options.require_text) {
      fail("no '" + f.text + "' field");
      return false;
    }
    std::string bad_date;
    if (!out.date.empty()) {
      try {
        parse_date(out.date);
      } catch (const InvalidArgument& e) {
        // Repair rather than lose the article: the text goes to meta "date_raw".
        if (bad_dates++ == 0) {
          first_bad_date = path + ", line " + std::to_string(line) + ": " + e.what();
        }
        if (options.errors == OnError::report) {
          issues.push_back({path, line, std::string(e.what()) + " (article kept; the date is in meta 'date_raw')"});
        }
        bad_date = std::move(out.date);
        out.date.clear();
      }
    }
    for (const std::string* name : {&f.id, &f.title, &f.text, &f.source, &f.date, &f.url}) {
      if (!name->empty()) record.erase(*name);
    }
    if (!bad_date.empty()) record["date_raw"] = bad_date;
    out.meta = record.dump();
    return true;
  }
};

JsonlReader::JsonlReader(const std::string& path, JsonlOptions options)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->options = std::move(options);
  if (impl_->options.max_line_bytes < 1) throw InvalidArgument("max_line_bytes must be at least 1");
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw IoError(path + ": is a folder, not a file");
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
    std::ifstream probe(path, std::ios::binary);
    unsigned char magic[2] = {0, 0};
    if (probe && (!probe.read(reinterpret_cast<char*>(magic), 2) || magic[0] != 0x1f || magic[1] != 0x8b)) {
      throw IoError(path + ": not a gzip file (or cut short)");
    }
  }
  impl_->file = gzopen(path.c_str(), "rb");
  if (impl_->file == nullptr) {
    throw IoError(path + ": cannot open (" + std::strerror(errno) + ")");
  }
  gzbuffer(impl_->file, 1 << 17);
}

JsonlReader::~JsonlReader() = default;

bool JsonlReader::next(Article& out) {
  while (impl_->read_line()) {
    const bool blank = std::all_of(impl_->buffer.begin(), impl_->buffer.end(),
                                   [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
    if (blank && !impl_->too_long) continue;  // blank lines separate nothing and hold nothing
    if (impl_->parse(out)) return true;
  }
  return false;
}

std::int64_t JsonlReader::line() const { return impl_->line; }
std::int64_t JsonlReader::skipped() const { return impl_->skipped; }
std::int64_t JsonlReader::bad_dates() const { return impl_->bad_dates; }
const std::string& JsonlReader::first_bad_date() const { return impl_->first_bad_date; }
const std::vector<ReadIssue>& JsonlReader::issues() const { return impl_->issues; }

ReadResult read_jsonl(const std::string& path, const JsonlOptions& options) {
  JsonlReader reader(path, options);
  ReadResult out;
  Article a;
  std::vector<ReadIssue> duplicates;
  while (reader.next(a)) {
    if (out.corpus.find(a.id) >= 0) {
      const std::string message = "duplicate id '" + a.id + "'";
      if (options.errors == OnError::raise) {
        throw InvalidArgument(path + ", line " + std::to_string(reader.line()) + ": " + message);
      }
      ++out.skipped;
      if (options.errors == OnError::report) duplicates.push_back({path, reader.line(), message});
      continue;
    }
    out.corpus.add(std::move(a));
  }
  out.skipped += reader.skipped();
  out.bad_dates = reader.bad_dates();
  out.first_bad_date = reader.first_bad_date();
  out.issues = reader.issues();
  out.issues.insert(out.issues.end(), duplicates.begin(), duplicates.end());
  std::sort(out.issues.begin(), out.issues.end(),
            [](const ReadIssue& p, const ReadIssue& q) { return p.line < q.line; });
  return out;
}

ReadResult read_folder(const std::string& path, OnError errors) {
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
  return out;
}

}  // namespace newsim
