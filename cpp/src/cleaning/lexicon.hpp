#pragma once

// The words and phrases of page furniture, news agencies and link labels, with one table of
// word classes looked up once per word. Internal.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "newsim/detail/hash_map.hpp"

namespace newsim::cleaning {

// Tables keyed by hash() of a word (phrases: combine() of their words' hashes).
struct Lexicon {
  detail::HashMap<std::pair<std::string, std::string>> phrases;  // (phrase, category)
  detail::HashMap<char> phrase_starts;
  detail::HashMap<std::string> words;
  std::unordered_set<std::string> agencies;
  std::unordered_set<std::string> labels;
  detail::HashMap<char> credit_starts;  // first words of agencies and of reporting lines
  // One lookup per word: what the word is (bits below), and the furniture word itself.
  static constexpr std::uint8_t kStop = 1, kAddress = 2, kPhraseStart = 4, kFurniture = 8;
  // Looked up for every word of the corpus, mostly in vain: sparse (a tenth full), so that
  // a miss stops at the first empty slot.
  detail::HashMap<std::uint8_t> flags{2048};

  Lexicon();
  // Whether `word` (lowercase) starts an agency's name or a reporting line. Out of line:
  // inlined into a caller's fixed buffer, GCC 12 warns falsely that XXH3 reads past it.
  bool credit_start(std::string_view word) const;
};

// The one lexicon, built on first use.
const Lexicon& lexicon();

}  // namespace newsim::cleaning
