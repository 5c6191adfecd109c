// Builds a TF-IDF model on three short texts with an installed newsim, prints the terms and
// the number of stored entries, checks a save/load round trip and finds nearest neighbours. Exits nonzero on any
// inconsistency, so it doubles as the install test.
#include <cstdint>
#include <exception>
#include <filesystem>
#include <iostream>
#include <newsim/similarity.hpp>
#include <newsim/stop_words.hpp>
#include <newsim/vectorizer.hpp>
#include <string>
#include <vector>

namespace {

int fail(const std::string& what) {
  std::cerr << "newsim_example: " << what << "\n";
  return 1;
}

}  // namespace

int main() try {
  const std::vector<std::string> docs = {
      "The cat sat on the mat.",
      "The dog sat on the log.",
      "Cats and dogs are friends.",
  };

  newsim::VectorizerOptions opts;
  opts.use_idf = true;
  opts.norm = newsim::Norm::l2;
  opts.analysis.stop_words = newsim::english_stop_words();

  newsim::Vectorizer vec(opts);
  const newsim::CsrMatrix<double> X = vec.fit_transform(docs);

  const std::vector<std::string>& names = vec.vocabulary().terms();
  std::cout << "features:";
  for (const auto& name : names) std::cout << ' ' << name;
  std::cout << "\nmatrix: " << X.rows << " x " << X.cols << ", nnz " << X.nnz() << "\n";

  // "the", "on", "and", "are" are English stop words; the rest are all distinct terms.
  const std::vector<std::string> expected = {"cat",     "cats", "dog", "dogs",
                                             "friends", "log",  "mat", "sat"};
  if (names != expected) {
    return fail("unexpected feature names");
  }
  if (X.rows != 3 || X.cols != static_cast<std::int64_t>(expected.size())) {
    return fail("unexpected matrix shape");
  }
  if (X.nnz() != 9) return fail("expected 9 stored entries");

  // Written to the working directory, and removed again.
  const std::string model = "newsim_example_model.json";
  vec.save(model);
  const newsim::Vectorizer loaded = newsim::Vectorizer::load(model);
  std::filesystem::remove(model);
  const newsim::CsrMatrix<double> Y = loaded.transform(docs);
  if (Y.nnz() != X.nnz()) return fail("the loaded model gives a different matrix");

  // The first two texts share "sat"; the third shares nothing with either.
  newsim::TopKOptions top;
  top.k = 1;
  const newsim::Neighbors nb = newsim::top_k(X, nullptr, top);
  std::cout << "nearest: " << nb.indices[0] << ' ' << nb.indices[1] << ' ' << nb.indices[2] << "\n";
  if (nb.indices[0] != 1 || nb.indices[1] != 0 || nb.indices[2] != -1) {
    return fail("unexpected nearest neighbours");
  }
  const newsim::Explanation why = newsim::explain(X, 0, X, 1);
  if (why.shared.size() != 1 || names[static_cast<std::size_t>(why.shared[0].term)] != "sat") {
    return fail("the shared term should be 'sat'");
  }

  std::cout << "ok\n";
  return 0;
} catch (const std::exception& e) {
  return fail(std::string("error: ") + e.what());
}
