#pragma once

// Stateless hashed term vectors with scikit-learn's HashingVectorizer numbers: signed 32-bit
// MurmurHash3 of each term's UTF-8 bytes, column |h| mod n_features, sign of h when
// alternate_sign is on.

#include <cstdint>
#include <string>
#include <string_view>

#include "newsim/analyzer.hpp"
#include "newsim/sparse.hpp"
#include "newsim/vectorizer.hpp"

namespace newsim {

/// MurmurHash3 (x86, 32-bit) of `key` as a signed integer, like sklearn's murmurhash3_32.
std::int32_t murmurhash3_32(std::string_view key, std::uint32_t seed = 0);

/// Settings of a HashingVectorizer (scikit-learn's names and defaults).
struct HashingOptions {
  AnalyzerOptions analysis;
  std::int64_t n_features = std::int64_t{1} << 20;
  bool binary = false;
  Norm norm = Norm::l2;
  bool alternate_sign = true;
  int n_jobs = 0;  // as in VectorizerOptions

  /// Throws InvalidArgument naming the first bad setting.
  void validate() const;
};

/// Hashes documents into a fixed number of columns; needs no fitting and is thread-safe.
class HashingVectorizer {
 public:
  explicit HashingVectorizer(HashingOptions options = {});

  /// Hashed term vectors; colliding terms in a row are summed (an explicit zero may remain, as
  /// in scikit-learn). O(total length). Throws DecodeError.
  template <class T = double>
  CsrMatrix<T> transform(const Documents& docs) const;
  template <class T = double>
  CsrMatrix<T> transform(const std::vector<std::string>& docs) const {
    return transform<T>(as_documents(docs));
  }

  /// Column and sign of one term.
  std::int32_t column(std::string_view term) const;

  const HashingOptions& options() const { return options_; }
  const Analyzer& analyzer() const { return analyzer_; }

  /// The settings as versioned JSON ("format": "newsim.hashing_vectorizer").
  std::string to_json() const;
  /// Reads to_json() output; throws ModelFormatError naming `origin`.
  static HashingVectorizer from_json(std::string_view json, std::string_view origin = "<string>");
  /// Writes / reads a settings file; throws IoError or ModelFormatError naming the path.
  void save(const std::string& path) const;
  static HashingVectorizer load(const std::string& path);

 private:
  HashingOptions options_;
  Analyzer analyzer_;
};

}  // namespace newsim
