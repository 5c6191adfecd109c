#pragma once

// Unicode properties with Python 3 str semantics, backed by utf8proc. Internal.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace newsim::detail {

enum : std::uint8_t {
  kWord = 1,           // Python's \w: str.isalnum() or '_'
  kSpace = 2,          // Python's \s and str.isspace()
  kCased = 4,          // Unicode Cased (for Final_Sigma)
  kCaseIgnorable = 8,  // Unicode Case_Ignorable (for Final_Sigma)
  kCombining = 16,     // canonical combining class != 0 (unicodedata.combining)
  kDecomposes = 32,    // NFKD maps it to something else
};

/// Property bits of a code point (see the enum above). O(1) for the BMP.
std::uint8_t properties(char32_t c);
inline bool is_word(char32_t c) { return (properties(c) & kWord) != 0; }
inline bool is_space(char32_t c) { return (properties(c) & kSpace) != 0; }

/// The BMP tables behind properties() and simple_lower(), for tight loops.
const std::uint8_t* bmp_properties();
const char16_t* bmp_lower();

/// Simple lowercase mapping (str.lower() but for U+0130 and Final_Sigma, handled by callers).
char32_t simple_lower(char32_t c);

/// Appends the NFKD decomposition of `c` (as one code point sequence) to `out`.
void append_nfkd(char32_t c, std::u32string& out);

/// Decodes one code point of (generalized, trusted) UTF-8 at `p`, advancing `p`.
inline char32_t next_utf8(const unsigned char*& p) {
  unsigned char b = *p;
  if (b < 0x80) {
    ++p;
    return b;
  }
  if (b < 0xE0) {
    char32_t c = ((b & 0x1Fu) << 6) | (p[1] & 0x3Fu);
    p += 2;
    return c;
  }
  if (b < 0xF0) {
    char32_t c = ((b & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    p += 3;
    return c;
  }
  char32_t c = ((b & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) |
               (p[3] & 0x3Fu);
  p += 4;
  return c;
}

/// Number of code points in trusted UTF-8.
inline std::size_t count_code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char b : s) n += (b & 0xC0u) != 0x80u;
  return n;
}

}  // namespace newsim::detail
