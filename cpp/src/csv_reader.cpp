// CSV files as Python's csv module reads them (the "excel" dialect), row by row.

#include <algorithm>
#include <string>
#include <vector>

#include "newsim/errors.hpp"
#include "newsim/reader.hpp"
#include "newsim/text.hpp"
#include "reader_internal.hpp"

namespace newsim {

namespace {

struct Row {
  std::vector<std::string> fields;
  std::int64_t first_line = 0;  // the line the row starts on (1-based)
  std::int64_t last_line = 0;
  bool unclosed = false;  // the file ended inside a quoted field
  bool too_long = false;  // more than max_line_bytes; its fields are not kept
  bool blank = false;     // an empty line
};

// Splits the bytes of a CSV file into rows. A line ends at "\n", "\r" or "\r\n", as Python's
// csv module (reading with newline="") sees it; inside quotes line ends are part of the field.
class CsvRows {
 public:
  CsvRows(detail::GzInput& input, std::size_t max_row_bytes)
      : input_(input), max_row_bytes_(max_row_bytes) {}

  // The next row that is not a blank line; false at the end of the file.
  bool next(Row& row) {
    for (;;) {
      row = Row{};
      if (!read_row(row)) return false;
      if (!row.blank) return true;
    }
  }

 private:
  enum class State { field_start, unquoted, quoted, quote_in_quoted };

  // One byte, or -1 at the end of the file.
  int get() {
    if (pos_ == len_) {
      len_ = input_.read(chunk_.data(), chunk_.size(), line_);
      pos_ = 0;
      if (len_ == 0) return -1;
    }
    return static_cast<unsigned char>(chunk_[pos_++]);
  }
  int peek() {
    const int c = get();
    if (c >= 0) --pos_;
    return c;
  }

  void keep(Row& row, std::string& field, char c) {
    if (row.too_long) return;
    if (++row_bytes_ > max_row_bytes_) {
      row.too_long = true;
      row.fields.clear();
      std::string().swap(field);
      return;
    }
    field.push_back(c);
  }

  // Reads one row (a blank line gives no fields); false at the end of the file.
  bool read_row(Row& row) {
    std::string field;
    State state = State::field_start;
    bool any = false;       // a byte of this row was read
    bool last_eol = false;  // the last byte read ended a line
    row_bytes_ = 0;
    if (line_ == 0 && peek() == 0xEF) {  // a UTF-8 byte-order mark
      const std::size_t at = pos_;
      if (get() == 0xEF && get() == 0xBB && get() == 0xBF) {
        // dropped
      } else {
        pos_ = at;
      }
    }
    row.first_line = line_ + 1;
    const auto end_field = [&] {
      if (!row.too_long) row.fields.push_back(std::move(field));
      field.clear();
    };
    for (;;) {
      const int c = get();
      if (c < 0) {
        if (!any) return false;
        if (state == State::quoted) row.unclosed = true;
        if (!last_eol) ++line_;  // a last line without its line end
        end_field();
        row.last_line = line_;
        return true;
      }
      const bool first = !any;
      any = true;
      const bool eol = c == '\n' || c == '\r';
      last_eol = eol;
      const bool crlf = c == '\r' && peek() == '\n';
      if (crlf) get();
      switch (state) {
        case State::quoted:
          if (c == '"') {
            state = State::quote_in_quoted;
          } else {
            keep(row, field, static_cast<char>(c));
            if (crlf) keep(row, field, '\n');
            if (eol) ++line_;
          }
          continue;
        case State::quote_in_quoted:
          if (c == '"') {
            keep(row, field, '"');
            state = State::quoted;
            continue;
          }
          break;  // the quote closed the field: read c as after an unquoted byte
        case State::field_start:
          if (c == '"') {
            state = State::quoted;
            continue;
          }
          if (eol && first) {  // a blank line
            row.blank = true;
            ++line_;
            row.last_line = line_;
            return true;
          }
          break;
        case State::unquoted:
          break;
      }
      if (c == ',') {
        end_field();
        state = State::field_start;
      } else if (eol) {
        ++line_;
        end_field();
        row.last_line = line_;
        return true;
      } else {
        keep(row, field, static_cast<char>(c));
        state = State::unquoted;
      }
    }
  }

  detail::GzInput& input_;
  std::size_t max_row_bytes_;
  std::size_t row_bytes_ = 0;
  std::vector<char> chunk_ = std::vector<char>(1 << 16);
  std::size_t pos_ = 0, len_ = 0;
  std::int64_t line_ = 0;  // lines read so far
};

// ['a', 'b'], as Python shows a list of names.
std::string name_list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += (i ? ", '" : "'") + names[i] + "'";
  }
  return out + "]";
}

}  // namespace

ReadResult read_csv(const std::string& path, const JsonlOptions& options) {
  if (options.max_line_bytes < 1) throw InvalidArgument("max_line_bytes must be at least 1");
  detail::GzInput input(path);
  CsvRows rows(input, options.max_line_bytes);
  Row header;
  if (!rows.next(header)) throw InvalidArgument(path + ": empty file (no header row)");
  if (header.too_long || header.unclosed) {
    throw InvalidArgument(path + ": the header row is not readable (a quote that never closes, "
                          "or longer than max_line_bytes)");
  }
  for (const std::string& name : header.fields) {
    if (find_invalid_utf8(name) >= 0) {
      throw InvalidArgument(path + ": invalid UTF-8 in the header row");
    }
  }
  std::vector<std::string> twice;
  for (std::size_t i = 0; i < header.fields.size(); ++i) {
    const auto& name = header.fields[i];
    if (std::count(header.fields.begin(), header.fields.end(), name) > 1 &&
        std::find(twice.begin(), twice.end(), name) == twice.end()) {
      twice.push_back(name);
    }
  }
  std::sort(twice.begin(), twice.end());
  if (!twice.empty()) {  // one column would silently win over the other
    throw InvalidArgument(path + ": the header names " + name_list(twice) +
                          " more than once (columns: " + name_list(header.fields) + ")");
  }
  const JsonlFields& f = options.fields;
  if (std::find(header.fields.begin(), header.fields.end(), f.text) == header.fields.end()) {
    throw InvalidArgument(path + ": no text column '" + f.text + "' (columns: " +
                          name_list(header.fields) + ")");
  }

  detail::ReadLog log(path, "line", options.errors);
  ReadResult out;
  Row row;
  Article article;
  std::string date_error;
  for (std::int64_t position = 0; rows.next(row); ++position) {
    const std::int64_t line = row.first_line;
    if (row.unclosed) {
      log.malformed(line, "a quoted field opened on line " + std::to_string(line) +
                              " never closes: lines " + std::to_string(line) + " to " +
                              std::to_string(row.last_line) +
                              " (the end of the file) were read as one field");
      continue;
    }
    if (row.too_long) {
      log.malformed(line, "longer than " + std::to_string(options.max_line_bytes) +
                              " bytes (max_line_bytes)");
      continue;
    }
    if (row.fields.size() != header.fields.size()) {
      log.malformed(line, std::to_string(row.fields.size()) + " fields where the header has " +
                              std::to_string(header.fields.size()));
      continue;
    }
    nlohmann::json record = nlohmann::json::object();
    std::string bad;
    for (std::size_t i = 0; i < row.fields.size() && bad.empty(); ++i) {
      const std::ptrdiff_t at = find_invalid_utf8(row.fields[i]);
      if (at >= 0) {
        bad = "invalid UTF-8 at byte " + std::to_string(at) + " of column '" +
              header.fields[i] + "'";
      }
      record[header.fields[i]] = std::move(row.fields[i]);
    }
    if (!bad.empty()) {
      log.malformed(line, bad);
      continue;
    }
    const std::string error = detail::record_to_article(
        record, f, options.require_text, std::to_string(position), article, date_error);
    if (!error.empty()) {
      log.malformed(line, error);
      continue;
    }
    log.add(out, std::move(article), line, date_error);
  }
  log.finish(out);
  return out;
}

}  // namespace newsim
