#pragma once

// The public corpora in ../shared/corpora, beside the clone, for the C++ tests.

#include <cstddef>
#include <fstream>
#include <optional>
#include <string>

#include "newsim/article.hpp"
#include "newsim/reader.hpp"

namespace newsim_test {

// The first n Reuters-21578 articles (texts may be empty), or nothing without the corpus.
inline std::optional<newsim::Corpus> reuters_articles(std::size_t n) {
  const std::string path =
      std::string(NEWSIM_SOURCE_DIR) + "/../shared/corpora/reuters21578.jsonl.gz";
  if (!std::ifstream(path).good()) return std::nullopt;
  newsim::JsonlOptions o;
  o.errors = newsim::OnError::report;
  o.require_text = false;
  newsim::JsonlReader reader(path, o);
  newsim::Corpus corpus;
  newsim::Article a;
  while (corpus.size() < n && reader.next(a)) corpus.add(a);
  return corpus;
}

}  // namespace newsim_test
