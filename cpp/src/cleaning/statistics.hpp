#pragma once

// What clean() counts before it labels lines: CleanStatistics' tables. Internal.

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <string>
#include <vector>

#include "line_features.hpp"
#include "newsim/cleaning.hpp"
#include "tokens.hpp"

namespace newsim {

// Tables from hashes to counts: absl::flat_hash_map, faster here than a hand-written table
// (cpp/bench/bench_hash_tables.cpp).
struct CleanStatistics::Impl {
  using Table = absl::flat_hash_map<std::uint64_t, int>;
  std::int64_t articles = 0;
  Table sources;       // hash(source) -> articles
  Table lines;         // line key -> articles with the line
  Table source_lines;  // source_key(source, key) -> articles of the source with it
};

namespace cleaning {

using Counts = CleanStatistics::Impl;

// The count of `key` in a table, or nullptr.
inline const int* count_of(const Counts::Table& table, std::uint64_t key) {
  const auto it = table.find(key);
  return it == table.end() ? nullptr : &it->second;
}

// The key of a line within the articles of a source.
inline std::uint64_t source_key(const std::string& source, std::uint64_t key) {
  return combine(hash(source), key);
}

// The keys of the lines that may count as repeated furniture, sorted and distinct: an article
// counts once per line.
void repeat_keys(const std::vector<Line>& lines, std::vector<std::uint64_t>& keys);

// Counts one more article, of `source` (may be empty), with these repeat_keys.
void count_article(Counts& counts, const std::string& source,
                   const std::vector<std::uint64_t>& keys);

}  // namespace cleaning
}  // namespace newsim
