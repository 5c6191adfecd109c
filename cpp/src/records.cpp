// Records to articles: the rules and the error handling every reader shares.

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "newsim/errors.hpp"
#include "newsim/text.hpp"
#include "reader_internal.hpp"

namespace newsim {

namespace detail {

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
  } else if (error.empty()) {
    error = "field '" + name + "' must be a string or a number, not " + it->type_name();
  }
  return true;
}

// The lexer hands only integers too long for 64 bits to number_float as plain digits.
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

json parse_exact(const std::string& text) {
  json record;
  ExactIntegers builder(record);
  json::sax_parse(text, &builder);
  return record;
}

std::string record_to_article(json& record, const JsonlFields& f, bool require_text,
                              const std::string& default_id, Article& out,
                              std::string& date_error) {
  if (!record.is_object()) return std::string("expected a JSON object, got ") + record.type_name();
  out = Article{};
  date_error.clear();
  std::string error;
  if (!field(record, f.id, out.id, error) || out.id.empty()) out.id = default_id;
  const bool has_text = field(record, f.text, out.text, error);
  field(record, f.title, out.title, error);
  field(record, f.source, out.source, error);
  field(record, f.date, out.date, error);
  field(record, f.url, out.url, error);
  if (!error.empty()) return error;
  if (!has_text && require_text) return "no '" + f.text + "' field";
  std::string raw_date;
  if (!out.date.empty()) {
    try {
      parse_date(out.date);
    } catch (const InvalidArgument& e) {
      date_error = e.what();
      raw_date = std::move(out.date);
      out.date.clear();
    }
  }
  for (const std::string* name : {&f.id, &f.title, &f.text, &f.source, &f.date, &f.url}) {
    if (!name->empty()) record.erase(*name);
  }
  for (auto it = record.begin(); it != record.end();) {
    it = it->is_null() ? record.erase(it) : std::next(it);
  }
  // A "meta" object (as to_pandas writes a corpus) holds the meta itself; other leftovers
  // override its keys.
  const auto given = record.find("meta");
  if (given != record.end() && given->is_object()) {
    json meta = std::move(*given);
    record.erase("meta");
    for (auto& [key, value] : record.items()) meta[key] = std::move(value);
    record = std::move(meta);
  }
  if (!raw_date.empty()) record["date_raw"] = raw_date;
  out.meta = record.dump();
  return "";
}

std::string ReadLog::where(std::int64_t n) const {
  return file_ + ", " + unit_ + " " + std::to_string(n);
}

void ReadLog::malformed(std::int64_t n, const std::string& message) {
  if (errors_ == OnError::raise) throw InvalidArgument(where(n) + ": " + message);
  ++skipped;
  if (errors_ == OnError::report) issues.push_back({file_, n, message});
}

void ReadLog::bad_date(std::int64_t n, const std::string& message) {
  if (bad_dates++ == 0) first_bad_date = where(n) + ": " + message;
  if (errors_ == OnError::report) {
    issues.push_back({file_, n, message + " (article kept; the date is in meta 'date_raw')"});
  }
}

void ReadLog::add(ReadResult& out, Article&& article, std::int64_t n,
                  const std::string& date_error) {
  if (out.corpus.find(article.id) >= 0) {
    malformed(n, "duplicate id '" + article.id + "'");
    return;
  }
  out.corpus.add(std::move(article));
  if (!date_error.empty()) bad_date(n, date_error);
}

void ReadLog::finish(ReadResult& out) {
  out.skipped += skipped;
  out.bad_dates += bad_dates;
  if (out.first_bad_date.empty()) out.first_bad_date = std::move(first_bad_date);
  out.issues.insert(out.issues.end(), issues.begin(), issues.end());
  std::stable_sort(out.issues.begin(), out.issues.end(),
                   [](const ReadIssue& p, const ReadIssue& q) { return p.line < q.line; });
  skipped = bad_dates = 0;
  issues.clear();
}

GzInput::GzInput(const std::string& path) : path_(path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw IoError(path + ": is a folder, not a file");
  if (path.size() > 3 && path.compare(path.size() - 3, 3, ".gz") == 0) {
    std::ifstream probe(path, std::ios::binary);
    unsigned char magic[2] = {0, 0};
    if (probe && (!probe.read(reinterpret_cast<char*>(magic), 2) || magic[0] != 0x1f ||
                  magic[1] != 0x8b)) {
      throw IoError(path + ": not a gzip file (or cut short)");
    }
  }
  file_ = gzopen(path.c_str(), "rb");
  if (file_ == nullptr) throw IoError(path + ": cannot open (" + std::strerror(errno) + ")");
  gzbuffer(file_, 1 << 17);
}

GzInput::~GzInput() {
  if (file_ != nullptr) gzclose(file_);
}

std::size_t GzInput::read(char* data, std::size_t size, std::int64_t line) {
  const int n = gzread(file_, data, static_cast<unsigned>(size));
  if (n < 0) {
    int code = 0;
    const char* msg = gzerror(file_, &code);
    throw IoError(path_ + ": line " + std::to_string(line + 1) + ": cannot read: " +
                  (msg != nullptr ? msg : "error"));
  }
  if (n == 0 && !gzdirect(file_)) {
    int code = 0;
    gzerror(file_, &code);
    if (code == Z_BUF_ERROR) {
      throw IoError(path_ + ": the gzip stream ends early (truncated file?) after line " +
                    std::to_string(line));
    }
    if (code != Z_OK) {
      throw IoError(path_ + ": the gzip stream is corrupt near line " + std::to_string(line + 1));
    }
  }
  return static_cast<std::size_t>(n);
}

}  // namespace detail

ReadResult read_records(const std::vector<Record>& records, const JsonlOptions& options,
                        const std::string& where, const std::string& unit) {
  detail::ReadLog log(where, unit, options.errors);
  ReadResult out;
  out.corpus.reserve(records.size());
  Article article;
  std::string date_error;
  for (const Record& r : records) {
    if (!r.error.empty()) {
      log.malformed(r.number, r.error);
      continue;
    }
    const std::ptrdiff_t bad = find_invalid_utf8(r.json);
    if (bad >= 0) {
      log.malformed(r.number, "invalid UTF-8 at byte " + std::to_string(bad));
      continue;
    }
    nlohmann::json record;
    try {
      record = detail::parse_exact(r.json);
    } catch (const nlohmann::json::exception& e) {
      log.malformed(r.number, std::string("not valid JSON (") + e.what() + ")");
      continue;
    }
    const std::string error = detail::record_to_article(record, options.fields,
                                                        options.require_text, r.default_id,
                                                        article, date_error);
    if (!error.empty()) {
      log.malformed(r.number, error);
      continue;
    }
    log.add(out, std::move(article), r.number, date_error);
  }
  log.finish(out);
  return out;
}

}  // namespace newsim
