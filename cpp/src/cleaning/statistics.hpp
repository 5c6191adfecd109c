#pragma once

// What clean() counts before it labels lines: CleanStatistics' tables. Internal.

#include <cstdint>
#include <string>
#include <vector>

#include "flat_map.hpp"
#include "line_features.hpp"
#include "newsim/cleaning.hpp"
#include "tokens.hpp"

namespace newsim {

struct CleanStatistics::Impl {
  std::int64_t articles = 0;
  cleaning::FlatMap<int> sources;       // hash(source) -> articles
  cleaning::FlatMap<int> lines;         // line key -> articles with the line
  cleaning::FlatMap<int> source_lines;  // source_key(source, key) -> articles of the source with it
};

namespace cleaning {

using Counts = CleanStatistics::Impl;

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
