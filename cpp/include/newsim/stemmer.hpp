#pragma once

// Snowball stemmers (libstemmer) by language name.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace newsim {

/// The languages libstemmer offers ("arabic", ..., "english", "german", "porter", "russian", ...),
/// as sb_stemmer_list() gives them.
const std::vector<std::string>& stemmer_languages();

/// One Snowball stemmer. Not thread-safe (libstemmer keeps state in the stemmer): use one per
/// thread. Movable, not copyable.
class Stemmer {
 public:
  /// `language` is one of stemmer_languages(), or "" / "none" for no stemming (stem() returns
  /// the word). Throws InvalidArgument listing the valid names otherwise.
  explicit Stemmer(std::string_view language);
  ~Stemmer();
  Stemmer(Stemmer&&) noexcept;
  Stemmer& operator=(Stemmer&&) noexcept;
  Stemmer(const Stemmer&) = delete;
  Stemmer& operator=(const Stemmer&) = delete;

  /// The stem of one lowercase UTF-8 word. O(length).
  std::string stem(std::string_view word);
  /// True when the stemmer does nothing ("" or "none").
  bool identity() const { return impl_ == nullptr; }

  /// Throws InvalidArgument when `language` is not a valid stemmer name ("" and "none" are).
  static void check_language(std::string_view language);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace newsim
