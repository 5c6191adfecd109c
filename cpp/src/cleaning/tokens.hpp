#pragma once

// Words of a line for cleaning: byte classes without locale calls, a tokenizer that hashes
// lowercased words, and the line key under which repeated lines are counted. Internal.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "newsim/detail/hash.hpp"

namespace newsim::cleaning {

inline std::uint64_t hash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }

// Folds a word's hash into a running hash (order matters): a multiply-xorshift mix.
inline std::uint64_t combine(std::uint64_t h, std::uint64_t w) {
  h = (h ^ (w + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2))) * 0xBF58476D1CE4E5B9ULL;
  return h ^ (h >> 31);
}

// Byte classes, without locale calls: ASCII letters and digits and every non-ASCII byte are
// word bytes; lowercase is ASCII only. fold: the lowercase of a word byte, 0 for the others.
struct ByteTables {
  bool word[256];
  char lower[256];
  char fold[256];
  ByteTables() {
    for (int c = 0; c < 256; ++c) {
      word[c] =
          (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
      lower[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      fold[c] = word[c] ? lower[c] : 0;
    }
  }
};
inline const ByteTables kBytes;

inline bool is_word_byte(unsigned char c) { return kBytes.word[c]; }

// s with ASCII letters lowercased.
inline std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = kBytes.lower[static_cast<unsigned char>(c)];
  return out;
}

constexpr std::size_t kMaxToken = 48;  // bytes of a word kept for its hash

// Calls fn(token, hash, original) for each run of word bytes of s: the run lowercased (at most
// kMaxToken bytes kept), its hash, and the run as written.
template <class Fn>
void for_each_token(std::string_view s, Fn&& fn) {
  char buf[kMaxToken];
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  for (;;) {
    while (p < end && kBytes.fold[*p] == 0) ++p;
    if (p == end) return;
    const auto* const start = p;
    std::size_t len = 0;
    for (char c; p < end && (c = kBytes.fold[*p]) != 0; ++p) {
      if (len < kMaxToken) buf[len++] = c;
    }
    const std::string_view token(buf, len);
    fn(token, hash(token),
       std::string_view(reinterpret_cast<const char*>(start), static_cast<std::size_t>(p - start)));
  }
}

// The key under which repeated lines are counted: the sequence of lowercase words.
inline std::uint64_t line_key(std::string_view s) {
  std::uint64_t key = 0;
  for_each_token(s, [&](std::string_view, std::uint64_t h, std::string_view) {
    key = key == 0 ? h : combine(key, h);
  });
  return key;
}

}  // namespace newsim::cleaning
