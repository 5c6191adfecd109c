// Writes fitted models in the model_loader input format (a kind byte, the JSON, and for Lsa
// and ArticleSimilarity a NUL and the arrays) into a folder: the seed corpus of that target.
// Usage: fuzz_model_seeds <folder> <text file>... (models are fitted on the first 400 bytes
// of each text, so that seeds stay small and fast).

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "newsim/article_similarity.hpp"
#include "newsim/hashing.hpp"
#include "newsim/lsa.hpp"
#include "newsim/news_vectorizer.hpp"
#include "newsim/vectorizer.hpp"

namespace {

void write(const std::string& dir, const std::string& name, char kind, const std::string& json,
           const std::string* arrays = nullptr) {
  std::ofstream out(dir + "/" + name, std::ios::binary | std::ios::trunc);
  out.put(kind);
  out << json;
  if (arrays != nullptr) {
    out.put('\0');
    out << *arrays;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s <folder> <text file>...\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  std::vector<std::string> texts;
  for (int i = 2; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    texts.push_back(text.substr(0, 400));
  }
  // Cut at a character boundary: the seeds are valid UTF-8.
  for (auto& t : texts) {
    while (!t.empty() && (static_cast<unsigned char>(t.back()) & 0xC0) == 0x80) t.pop_back();
    if (!t.empty() && static_cast<unsigned char>(t.back()) >= 0xC0) t.pop_back();
  }
  std::vector<std::string> titles;
  for (const auto& t : texts) titles.push_back(t.substr(0, t.find('\n')));
  newsim::NewsDocuments news;
  for (std::size_t i = 0; i < texts.size(); ++i) news.push_back({titles[i], texts[i]});

  newsim::Vectorizer tfidf;
  tfidf.fit(texts);
  write(dir, "vectorizer_tfidf", 0, tfidf.to_json());
  newsim::VectorizerOptions counts = newsim::VectorizerOptions::counts();
  counts.analysis.analyzer = newsim::AnalyzerKind::char_wb_ngrams;
  counts.analysis.ngram_range = {2, 3};
  newsim::Vectorizer chars(counts);
  chars.fit(std::vector<std::string>(texts.begin(), texts.begin() + 1));
  write(dir, "vectorizer_char_wb", 0, chars.to_json());
  newsim::VectorizerOptions fixed;
  fixed.vocabulary = std::vector<std::string>{"said", "talks", "the"};
  write(dir, "vectorizer_fixed", 0, newsim::Vectorizer(fixed).to_json());

  newsim::HashingOptions hashing;
  hashing.n_features = 64;
  write(dir, "hashing", 1, newsim::HashingVectorizer(hashing).to_json());

  newsim::NewsVectorizer nv;
  nv.fit(news);
  write(dir, "news_vectorizer", 2, nv.to_json());
  write(dir, "vocabulary_stats", 3, tfidf.statistics(newsim::as_documents(texts)).to_json());

  newsim::LsaOptions lsa_options;
  lsa_options.n_components = 2;
  newsim::Lsa lsa(lsa_options);
  const auto x = tfidf.transform<double>(texts);
  lsa.fit(x);
  const auto lsa_arrays = lsa.arrays_to_bytes();
  write(dir, "lsa", 4, lsa.to_json(), &lsa_arrays);

  newsim::ArticleSimilarityOptions as_options;
  as_options.n_components = 2;
  newsim::ArticleSimilarity similarity(as_options);
  similarity.fit(news);
  const auto as_arrays = similarity.arrays_to_bytes();
  write(dir, "article_similarity", 5, similarity.to_json(), &as_arrays);
  return 0;
}
