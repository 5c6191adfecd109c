// Model files: the first byte picks a loader (Vectorizer, HashingVectorizer, NewsVectorizer,
// VocabularyStats, Lsa, ArticleSimilarity); the rest is the JSON, and for Lsa and
// ArticleSimilarity the bytes after the first NUL are the binary arrays. A model that loads
// must save and load again, and transform a short text without crashing.

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "newsim/article_similarity.hpp"
#include "newsim/errors.hpp"
#include "newsim/hashing.hpp"
#include "newsim/lsa.hpp"
#include "newsim/news_vectorizer.hpp"
#include "newsim/vectorizer.hpp"
#include "newsim/vocabulary.hpp"

namespace {

const std::vector<std::string> kDocs = {"Officials said the talks in Geneva would resume.",
                                        ""};

// Loads a model from JSON alone, checks that it saves and loads to the same JSON, returns it.
template <class Model>
Model reloaded(std::string_view json) {
  const auto m = Model::from_json(json);
  const auto saved = m.to_json();
  if (saved != Model::from_json(saved).to_json()) newsim::fuzz::fail("to_json after a reload differs");
  return m;
}

// The same for a model with binary arrays beside its JSON: both must survive a reload.
template <class Model>
Model reloaded(std::string_view json, std::string_view arrays) {
  const auto m = Model::from_json(json, arrays);
  const auto saved = m.to_json();
  const auto bin = m.arrays_to_bytes();
  const auto again = Model::from_json(saved, bin);
  if (saved != again.to_json()) newsim::fuzz::fail("to_json after a reload differs");
  if (bin != again.arrays_to_bytes()) newsim::fuzz::fail("arrays differ after a reload");
  return m;
}

void vectorizer(std::string_view json) {
  const auto m = reloaded<newsim::Vectorizer>(json);
  try {
    (void)m.transform<double>(kDocs);
  } catch (const newsim::NotFittedError&) {
  }
}

void hashing(std::string_view json) {
  (void)reloaded<newsim::HashingVectorizer>(json).transform<double>(kDocs);
}

void news_vectorizer(std::string_view json) {
  const auto m = reloaded<newsim::NewsVectorizer>(json);
  try {
    (void)m.transform({{kDocs[0], kDocs[0]}, {kDocs[1], kDocs[1]}});
  } catch (const newsim::NotFittedError&) {
  }
}

void lsa(std::string_view json, std::string_view arrays) {
  const auto m = reloaded<newsim::Lsa>(json, arrays);
  if (!m.is_fitted() || m.n_features() < 1) return;
  // One row with one term in the first and the last column.
  const std::int64_t last = m.n_features() - 1;
  if (last > INT32_MAX) return;
  const std::vector<std::int64_t> indptr = {0, last == 0 ? 1 : 2};
  const std::vector<std::int32_t> indices = {0, static_cast<std::int32_t>(last)};
  const std::vector<double> data = {1.0, 0.5};
  (void)m.transform(newsim::CsrRef(1, m.n_features(), indptr.data(), indices.data(), data.data()));
}

void article_similarity(std::string_view json, std::string_view arrays) {
  const auto m = reloaded<newsim::ArticleSimilarity>(json, arrays);
  if (!m.is_fitted()) return;
  const auto v = m.transform({{kDocs[0], kDocs[0]}, {kDocs[1], kDocs[1]}});
  (void)m.top_k(&v, 3);
  (void)m.top_k(nullptr, 2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  newsim::fuzz::Input in(data, size);
  const int kind = in.byte() % 6;
  const std::string_view body = in.rest();
  const auto nul = body.find('\0');
  const std::string_view json = body.substr(0, nul);
  const std::string_view arrays =
      nul == std::string_view::npos ? std::string_view() : body.substr(nul + 1);
  try {
    switch (kind) {
      case 0: vectorizer(body); break;
      case 1: hashing(body); break;
      case 2: news_vectorizer(body); break;
      case 3: (void)reloaded<newsim::VocabularyStats>(body); break;
      case 4: lsa(json, arrays); break;
      default: article_similarity(json, arrays); break;
    }
  } catch (const newsim::InvalidArgument&) {  // ModelFormatError among them
  } catch (const newsim::KeyNotFound&) {
  } catch (const newsim::IndexOutOfRange&) {
  }
  return 0;
}
