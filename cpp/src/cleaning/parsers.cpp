#include "parsers.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "lexicon.hpp"
#include "line_features.hpp"
#include "tokens.hpp"

namespace newsim::cleaning {

bool is_credit(std::string_view text) {
  // Cheap test first: a credit starts with a reporting word or an agency's first word.
  std::size_t b = 0;
  while (b < text.size() && !is_word_byte(static_cast<unsigned char>(text[b]))) ++b;
  std::size_t e = b;
  char buf[16];
  while (e < text.size() && e - b < sizeof buf &&
         is_word_byte(static_cast<unsigned char>(text[e]))) {
    buf[e - b] = kBytes.lower[static_cast<unsigned char>(text[e])];
    ++e;
  }
  if (e == b || !lexicon().credit_start(std::string_view(buf, e - b))) {
    return false;
  }
  std::string s = lower(text);
  for (const char* lead :
       {"reporting by ", "additional reporting by ", "editing by ", "writing by ", "compiled by ",
        "source: ", "sources: ", "with reporting by "}) {
    if (s.rfind(lead, 0) == 0) return true;
  }
  std::string_view v = s;
  while (!v.empty() && (v.front() == '(' || v.front() == '-' || v.front() == ' '))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ')' || v.back() == '.' || v.back() == ' ')) v.remove_suffix(1);
  if (v.size() < 2 || v.size() > 80) return false;
  // Split on ',', '/', ';' and " and ".
  std::string t(v);
  for (const char* sep : {" and ", "/", ";"}) {
    std::size_t p;
    while ((p = t.find(sep)) != std::string::npos) t.replace(p, std::strlen(sep), ",");
  }
  std::size_t start = 0;
  int parts = 0;
  while (start <= t.size()) {
    std::size_t end = t.find(',', start);
    if (end == std::string::npos) end = t.size();
    const std::string part(trim(std::string_view(t).substr(start, end - start)));
    if (!part.empty()) {
      if (lexicon().agencies.count(part) == 0) return false;
      ++parts;
    }
    start = end + 1;
  }
  return parts > 0;
}

std::string_view title_credit(std::string_view title, std::string_view& rest) {
  rest = title;
  // No dash or bar at all: most lines. (find_first_of calls memchr once per byte.)
  if (std::none_of(title.begin(), title.end(),
                   [](char c) { return c == '-' || c == '|' || c == '\xE2'; })) {
    return {};
  }
  for (const char* sep : {" - ", " – ", " — ", " | "}) {
    const std::size_t p = title.rfind(sep);
    if (p == std::string_view::npos || p == 0) continue;
    const std::string_view tail = trim(title.substr(p + std::strlen(sep)));
    const bool agency = lexicon().agencies.count(lower(tail)) != 0;
    const bool site = std::string_view(sep) == " | " && !tail.empty() && tail.size() <= 40;
    if (agency || site) {
      rest = trim(title.substr(0, p));
      return tail;
    }
  }
  return {};
}

bool has_position_marker(std::string_view text) {
  // Every marker has a bracket, a colon or one of these letters runs; most lines have none.
  if (text.find('(') == std::string_view::npos && text.find(':') == std::string_view::npos &&
      text.find("hoto") == std::string_view::npos && text.find("etty") == std::string_view::npos &&
      text.find("mage") == std::string_view::npos && text.find("HOTO") == std::string_view::npos) {
    return false;
  }
  const std::string s = lower(text);
  for (const char* m : {"(left)", "(right)", "(center)", "(centre)", "(pictured)", "(l)", "(r)",
                        "(above)", "(below)", "(file photo)", "ap photo", "getty images", "photo:",
                        "image:", "picture:", "photograph:", "image caption", "file photo"}) {
    if (s.find(m) != std::string::npos) return true;
  }
  return false;
}

std::size_t match_dateline(std::string_view t, std::string_view& place) {
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto mark = [](char c) { return c == '.' || c == '\'' || c == '-'; };
  std::size_t p = 0;
  auto caps_word = [&](std::size_t min_len) {  // [A-Z][A-Z.'-]+
    std::size_t q = p;
    if (q >= t.size() || !upper(t[q])) return false;
    while (q < t.size() && (upper(t[q]) || mark(t[q]))) ++q;
    if (q - p < min_len || (q < t.size() && lower(t[q]))) return false;
    p = q;
    return true;
  };
  if (!caps_word(3)) return 0;
  while (p + 1 < t.size() && t[p] == ' ') {
    const std::size_t save = p++;
    if (!caps_word(2)) {
      p = save;
      break;
    }
  }
  if (p < t.size() && t[p] == ',') {  // ", France", ", Feb 26"
    std::size_t q = p + 1;
    if (q < t.size() && t[q] == ' ') ++q;
    int words = 0;
    while (words < 4 && q < t.size() && upper(t[q])) {
      std::size_t e = q + 1;
      while (e < t.size() && (upper(t[e]) || lower(t[e]) || mark(t[e]))) ++e;
      q = e;
      ++words;
      if (q + 1 < t.size() && t[q] == ' ' && upper(t[q + 1])) {
        ++q;
      } else {
        break;
      }
    }
    if (words > 0) {
      p = q;
      if (p + 1 < t.size() && t[p] == ' ' && t[p + 1] >= '0' && t[p + 1] <= '9') {  // "Feb 26"
        std::size_t e = p + 1;
        while (e < t.size() && e < p + 3 && t[e] >= '0' && t[e] <= '9') ++e;
        p = e;
      }
    }
  }
  std::size_t q = p;
  if (q < t.size() && t[q] == ' ') ++q;
  if (q < t.size() && t[q] == '(') {  // "(Reuters)"
    const std::size_t close = t.find(')', q);
    if (close != std::string_view::npos && close - q >= 3 && close - q <= 41) p = close + 1;
  }
  place = t.substr(0, p);
  q = p;
  if (q < t.size() && t[q] == ' ') ++q;
  if (t.compare(q, 2, "--") == 0) {
    q += 2;
  } else if (t.compare(q, 3, "\xE2\x80\x94") == 0 || t.compare(q, 3, "\xE2\x80\x93") == 0) {
    q += 3;
  } else if (q < t.size() && t[q] == '-' && q > p) {  // " - " needs the space before it
    q += 1;
  } else {
    return 0;
  }
  if (q < t.size() && t[q] == ' ') ++q;
  return q < t.size() ? q : 0;
}

}  // namespace newsim::cleaning
