#include "newsim/names.hpp"

#include "newsim/detail/unicode.hpp"
#include "newsim/text.hpp"

namespace newsim {
namespace {

bool is_vowel(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'; }
bool is_letter(char c) { return c >= 'a' && c <= 'z'; }

// Step 1: accents off, lowercase; false when a letter is left outside ASCII.
bool fold_ascii(std::string_view word, std::string& out) {
  const std::u32string cps = decode_utf8(word, DecodeErrors::replace);
  std::u32string parts;
  bool ascii = true;
  for (char32_t c : cps) {
    parts.clear();
    switch (detail::simple_lower(c)) {
      case U'ß': parts = U"ss"; break;
      case U'æ': parts = U"ae"; break;
      case U'œ': parts = U"oe"; break;
      case U'ø': parts = U"o"; break;
      case U'ł': parts = U"l"; break;
      case U'đ': parts = U"d"; break;
      case U'þ': parts = U"th"; break;
      default: detail::append_nfkd(c, parts);
    }
    for (char32_t p : parts) {
      if ((detail::properties(p) & detail::kCombining) != 0) continue;
      const char32_t l = detail::simple_lower(p);
      if (l >= 0x80) ascii = false;
      append_utf8(out, l);
    }
  }
  return ascii;
}

}  // namespace

std::string name_word_key(std::string_view word) {
  std::string s;
  if (!fold_ascii(word, s)) return s;
  if (s.size() >= 2 && s[0] == 'y' && s[1] == 'e') s.erase(0, 1);
  // Step 2: letter rules, left to right.
  std::string t;
  t.reserve(s.size() + 4);
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const char next = i + 1 < s.size() ? s[i + 1] : '\0';
    if (c == 'o' && (next == 'e' || next == 'u')) {
      t += 'u';
      ++i;
    } else if (c == 'c' && next == 'k') {
      t += 'k';
      ++i;
    } else if (c == 'p' && next == 'h') {
      t += 'f';
      ++i;
    } else if (c == 'x') {
      t += "ks";
    } else if (c == 'q') {
      t += 'k';
    } else if (c == 'w') {
      t += 'v';
    } else if (c == 'y') {
      t += 'i';
    } else if (c == 'o') {
      t += 'u';
    } else if (c == 'h' && !t.empty() && is_letter(t.back()) && !is_vowel(t.back())) {
      // h after a consonant: dropped
    } else {
      t += c;
    }
  }
  if (!t.empty() && t[0] == 'g') t[0] = 'k';
  // Step 3: doubled letters.
  std::string u;
  u.reserve(t.size());
  for (char c : t) {
    if (u.empty() || u.back() != c || !is_letter(c)) u += c;
  }
  // Step 4: endings.
  const std::size_t n = u.size();
  if (n >= 5 && u.compare(n - 2, 2, "ed") == 0 && is_letter(u[n - 3]) && !is_vowel(u[n - 3])) {
    u[n - 2] = 'a';
  } else if (n >= 5 && (u.compare(n - 3, 3, "der") == 0 || u.compare(n - 3, 3, "ter") == 0)) {
    u.erase(n - 2, 1);
  }
  return u;
}

std::string name_key(std::string_view name) {
  std::string out;
  std::size_t i = 0;
  while (i < name.size()) {
    // Words are runs of bytes that are not ASCII separators; a non-ASCII separator stays
    // inside a word, which is harmless for a key.
    while (i < name.size() && (name[i] == ' ' || name[i] == '-' || name[i] == '\'' ||
                               name[i] == '.' || name[i] == '\t')) {
      ++i;
    }
    std::size_t j = i;
    while (j < name.size() && !(name[j] == ' ' || name[j] == '-' || name[j] == '\'' ||
                                name[j] == '.' || name[j] == '\t')) {
      ++j;
    }
    if (j > i) {
      std::string k = name_word_key(name.substr(i, j - i));
      if (!k.empty()) {
        if (!out.empty()) out += ' ';
        out += k;
      }
    }
    i = j;
  }
  return out;
}

}  // namespace newsim
