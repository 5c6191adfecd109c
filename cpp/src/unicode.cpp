#include "newsim/detail/unicode.hpp"

#include <utf8proc.h>

#include <array>
#include <memory>

namespace newsim::detail {
namespace {

bool is_mid_letter_or_quote(char32_t c) {
  // Word_Break MidLetter, MidNumLet and Single_Quote: the Case_Ignorable code points that no
  // general category gives away.
  switch (c) {
    case 0x27: case 0x2E: case 0x3A: case 0xB7: case 0x387: case 0x55F: case 0x5F4:
    case 0x2018: case 0x2019: case 0x2024: case 0x2027: case 0xFE13: case 0xFE52:
    case 0xFE55: case 0xFF07: case 0xFF0E: case 0xFF1A:
      return true;
    default:
      return false;
  }
}

bool is_python_space(char32_t c) {
  // str.isspace(): bidirectional class WS, B or S, or category Zs (fixed since Unicode 6.3).
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

// The NFKD decomposition of one code point into buf; its length, or <= 0 / > buf.size() on
// failure.
utf8proc_ssize_t nfkd(char32_t c, std::array<utf8proc_int32_t, 32>& buf) {
  int boundclass = 0;
  return utf8proc_decompose_char(static_cast<utf8proc_int32_t>(c), buf.data(), buf.size(),
                                 static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT),
                                 &boundclass);
}

std::uint8_t compute_properties(char32_t c) {
  if (c > 0x10FFFF) return 0;
  const auto cp = static_cast<utf8proc_int32_t>(c);
  const utf8proc_property_t* p = utf8proc_get_property(cp);
  std::uint8_t bits = 0;
  switch (p->category) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      bits |= kWord;
      break;
    default:
      break;
  }
  if (c == U'_') bits |= kWord;
  if (is_python_space(c)) bits |= kSpace;

  const bool has_case_mapping = utf8proc_tolower(cp) != cp || utf8proc_toupper(cp) != cp;
  const bool super_or_sub_letter =
      (p->category == UTF8PROC_CATEGORY_LM || p->category == UTF8PROC_CATEGORY_LO) &&
      (p->decomp_type == UTF8PROC_DECOMP_TYPE_SUPER || p->decomp_type == UTF8PROC_DECOMP_TYPE_SUB);
  if (p->category == UTF8PROC_CATEGORY_LU || p->category == UTF8PROC_CATEGORY_LL ||
      p->category == UTF8PROC_CATEGORY_LT || has_case_mapping || super_or_sub_letter) {
    bits |= kCased;
  }
  switch (p->category) {
    case UTF8PROC_CATEGORY_MN: case UTF8PROC_CATEGORY_ME: case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_SK:
      bits |= kCaseIgnorable;
      break;
    default:
      if (is_mid_letter_or_quote(c)) bits |= kCaseIgnorable;
  }
  if (p->combining_class != 0) bits |= kCombining;

  std::array<utf8proc_int32_t, 32> buf{};
  const auto n = nfkd(c, buf);
  if (n != 1 || buf[0] != cp) bits |= kDecomposes;
  return bits;
}

struct BmpTable {
  std::array<std::uint8_t, 0x10000> bits{};
  std::array<char16_t, 0x10000> lower{};
  BmpTable() {
    for (char32_t c = 0; c < 0x10000; ++c) {
      bits[c] = compute_properties(c);
      const auto l = utf8proc_tolower(static_cast<utf8proc_int32_t>(c));
      // Every BMP lowercase mapping stays in the BMP; guard anyway.
      lower[c] = l < 0x10000 ? static_cast<char16_t>(l) : static_cast<char16_t>(c);
    }
  }
};

const BmpTable& bmp() {
  static const auto* table = new BmpTable();  // never destroyed: used from worker threads
  return *table;
}

}  // namespace

const std::uint8_t* bmp_properties() { return bmp().bits.data(); }
const char16_t* bmp_lower() { return bmp().lower.data(); }

std::uint8_t properties(char32_t c) {
  if (c < 0x10000) return bmp().bits[c];
  return compute_properties(c);
}

char32_t simple_lower(char32_t c) {
  if (c < 0x10000) return bmp().lower[c];
  if (c > 0x10FFFF) return c;
  return static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
}

void append_nfkd(char32_t c, std::u32string& out) {
  std::array<utf8proc_int32_t, 32> buf{};
  const auto n = nfkd(c, buf);
  if (n <= 0 || n > static_cast<utf8proc_ssize_t>(buf.size())) {
    out.push_back(c);
    return;
  }
  for (utf8proc_ssize_t i = 0; i < n; ++i) out.push_back(static_cast<char32_t>(buf[i]));
}

}  // namespace newsim::detail
