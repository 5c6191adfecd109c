#pragma once

// Streams code points out of a TextView in any of its encodings. Internal.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "newsim/errors.hpp"
#include "newsim/text.hpp"

namespace newsim::detail {

/// A copyable cursor over the code points of a document in encoding E; copies read ahead
/// without side effects.
template <Encoding E>
class Decoder {
 public:
  Decoder(TextView doc, DecodeErrors errors, std::size_t document)
      : doc_(doc), errors_(errors), document_(document) {}

  /// Reads the next code point into `c`; false at the end. Throws DecodeError under "strict".
  bool next(char32_t& c) {
    if constexpr (E == Encoding::latin1) {
      if (pos_ >= doc_.size) return false;
      c = static_cast<const unsigned char*>(doc_.data)[pos_++];
      return true;
    } else if constexpr (E == Encoding::ucs2) {
      if (pos_ >= doc_.size) return false;
      c = static_cast<const char16_t*>(doc_.data)[pos_++];
      return true;
    } else if constexpr (E == Encoding::ucs4) {
      if (pos_ >= doc_.size) return false;
      c = static_cast<const char32_t*>(doc_.data)[pos_++];
      return true;
    } else {
      for (;;) {
        if (pos_ >= doc_.size) return false;
        const unsigned char b = static_cast<const unsigned char*>(doc_.data)[pos_];
        if (b < 0x80) {
          c = b;
          ++pos_;
          return true;
        }
        if (next_utf8(c)) return true;  // else an ignored invalid sequence: read on
      }
    }
  }

  /// Offset of the next code unit to read; skip_to() moves it forward past units read elsewhere.
  std::size_t position() const { return pos_; }
  void skip_to(std::size_t pos) { pos_ = pos; }

 private:
  bool next_utf8(char32_t& c) {
    const auto* p = static_cast<const unsigned char*>(doc_.data);
    const std::size_t n = doc_.size;
    const std::size_t i = pos_;
    const unsigned char b = p[i];
    if (b < 0x80) {
      c = b;
      pos_ = i + 1;
      return true;
    }
    // Table 3-7 of the Unicode standard: the sequence length and the range of the second byte.
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
      len = 2;
    } else if (b == 0xE0) {
      len = 3, lo = 0xA0;
    } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
      len = 3;
    } else if (b == 0xED) {
      len = 3, hi = 0x9F;
    } else if (b == 0xF0) {
      len = 4, lo = 0x90;
    } else if (b >= 0xF1 && b <= 0xF3) {
      len = 4;
    } else if (b == 0xF4) {
      len = 4, hi = 0x8F;
    }
    std::size_t good = len == 0 ? 0 : 1;
    while (good < len && i + good < n) {
      const unsigned char cb = p[i + good];
      if (cb < (good == 1 ? lo : 0x80) || cb > (good == 1 ? hi : 0xBF)) break;
      ++good;
    }
    if (len != 0 && good == len) {
      char32_t v = b & (len == 2 ? 0x1Fu : len == 3 ? 0x0Fu : 0x07u);
      for (std::size_t k = 1; k < len; ++k) v = (v << 6) | (p[i + k] & 0x3Fu);
      c = v;
      pos_ = i + len;
      return true;
    }
    // Invalid: the maximal subpart (the valid prefix, at least one byte) is one error.
    if (errors_ == DecodeErrors::strict) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", b);
      throw DecodeError("document " + std::to_string(document_) + ": invalid UTF-8 at byte " +
                            std::to_string(i) + " (" + hex +
                            "); pass decode_error='replace' or 'ignore' to repair",
                        document_, i);
    }
    pos_ = i + (good == 0 ? 1 : good);
    if (errors_ == DecodeErrors::replace) {
      c = 0xFFFD;
      return true;
    }
    return false;
  }

  TextView doc_;
  DecodeErrors errors_;
  std::size_t document_;
  std::size_t pos_ = 0;
};

}  // namespace newsim::detail
