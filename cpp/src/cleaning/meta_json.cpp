#include "meta_json.hpp"

#include <algorithm>
#include <cstring>

#include "newsim/text.hpp"

namespace newsim::cleaning {

void append_json_string(std::string& out, std::string_view s, Escapes escapes) {
  static const char* kHex = "0123456789abcdef";
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      const char* short_form =
          escapes == Escapes::nlohmann ? std::strchr("\b\t\n\f\r", ch) : nullptr;
      if (c != 0 && short_form != nullptr) {
        out += '\\';
        out += "btnfr"[short_form - "\b\t\n\f\r"];
      } else {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    } else {
      out += ch;
    }
  }
  out += '"';
}

namespace {

// A JSON string at s[p] without escapes or control bytes, in valid UTF-8; moves p past it.
bool skip_plain_string(std::string_view s, std::size_t& p) {
  if (p >= s.size() || s[p] != '"') return false;
  std::size_t q = p + 1;
  bool ascii = true;
  for (; q < s.size() && s[q] != '"'; ++q) {
    const auto c = static_cast<unsigned char>(s[q]);
    if (c == '\\' || c < 0x20) return false;
    ascii = ascii && c < 0x80;
  }
  if (q >= s.size()) return false;
  if (!ascii && find_invalid_utf8(s.substr(p + 1, q - p - 1)) >= 0) return false;
  p = q + 1;
  return true;
}

// Whether a JSON value at s[p] is written as nlohmann::json::dump() writes what it parses
// (compact, keys sorted and unique, strings without escapes, numbers that are small integers),
// so that dump(parse(text)) == text; moves p past it. False also for any other valid JSON.
bool skip_canonical(std::string_view s, std::size_t& p, int depth) {
  if (p >= s.size() || depth > 32) return false;
  const char c = s[p];
  if (c == '"') return skip_plain_string(s, p);
  if (c == '{' || c == '[') {
    const char close = c == '{' ? '}' : ']';
    ++p;
    if (p < s.size() && s[p] == close) {
      ++p;
      return true;
    }
    std::string_view previous;
    for (bool first = true;; first = false) {
      if (c == '{') {
        const std::size_t k = p;
        if (!skip_plain_string(s, p)) return false;
        const std::string_view key = s.substr(k + 1, p - k - 2);
        if (!first && !(previous < key)) return false;  // std::map order, no duplicates
        previous = key;
        if (p >= s.size() || s[p] != ':') return false;
        ++p;
      }
      if (!skip_canonical(s, p, depth + 1)) return false;
      if (p < s.size() && s[p] == ',') {
        ++p;
      } else if (p < s.size() && s[p] == close) {
        ++p;
        return true;
      } else {
        return false;
      }
    }
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    std::size_t q = p + (c == '-');
    if (q >= s.size() || s[q] < '0' || s[q] > '9' || (c == '-' && s[q] == '0')) return false;
    const std::size_t digits_start = q;
    if (s[q] == '0') {
      ++q;
    } else {
      while (q < s.size() && s[q] >= '0' && s[q] <= '9') ++q;
    }
    if (q - digits_start > 18) return false;  // int64 for sure
    if (q < s.size() &&
        (s[q] == '.' || s[q] == 'e' || s[q] == 'E' || (s[q] >= '0' && s[q] <= '9'))) {
      return false;
    }
    p = q;
    return true;
  }
  for (const std::string_view literal : {"true", "false", "null"}) {
    if (s.compare(p, literal.size(), literal) == 0) {
      p += literal.size();
      return true;
    }
  }
  return false;
}

}  // namespace

bool merge_canonical(std::string_view meta, std::vector<JsonMember> found, std::string& out) {
  std::vector<std::pair<std::string_view, std::string_view>> members;  // key, "key":value
  std::size_t p = 1;
  if (meta.size() < 2 || meta[0] != '{') return false;
  std::string_view previous;
  while (p < meta.size() && meta[p] != '}') {
    const std::size_t k = p;
    if (!skip_plain_string(meta, p)) return false;
    const std::string_view key = meta.substr(k + 1, p - k - 2);
    if (!members.empty() && !(previous < key)) return false;
    previous = key;
    if (p >= meta.size() || meta[p] != ':') return false;
    ++p;
    if (!skip_canonical(meta, p, 1)) return false;
    members.emplace_back(key, meta.substr(k, p - k));
    if (p < meta.size() && meta[p] == ',' && p + 1 < meta.size() && meta[p + 1] != '}')
      ++p;
    else if (p >= meta.size() || meta[p] != '}')
      return false;
  }
  if (p + 1 != meta.size()) return false;
  for (const auto& f : found) {
    const bool ascii = std::all_of(f.second.begin(), f.second.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (!ascii && find_invalid_utf8(f.second) >= 0) return false;  // dump() would throw
  }
  std::sort(found.begin(), found.end(),
            [](const auto& x, const auto& y) { return std::strcmp(x.first, y.first) < 0; });
  out.clear();
  out.reserve(meta.size() + 64);
  out += '{';
  std::size_t i = 0, j = 0;
  while (i < members.size() || j < found.size()) {
    if (out.size() > 1) out += ',';
    const int order = i == members.size() ? 1
                      : j == found.size() ? -1
                                          : members[i].first.compare(found[j].first);
    if (order < 0) {
      out += members[i++].second;
    } else {
      if (order == 0) ++i;  // update() replaces the old value
      out += '"';
      out += found[j].first;
      out += "\":";
      out += found[j].second;
      ++j;
    }
  }
  out += '}';
  return true;
}

}  // namespace newsim::cleaning
