#include "common.hpp"
#include "newsim/detail/numpy_sort.hpp"
#include "newsim/errors.hpp"
#include "newsim/hashing.hpp"
#include "newsim/vectorizer.hpp"
#include "newsim/vocabulary.hpp"

namespace newsim::bindings {

namespace {

DfBound df_bound(py::handle value, const char* name) {
  if (PyBool_Check(value.ptr())) {
    throw py::type_error(std::string(name) + " must be an int or a float, not bool");
  }
  if (py::isinstance<py::int_>(value)) return DfBound::count(value.cast<std::int64_t>());
  if (py::isinstance<py::float_>(value)) return DfBound::fraction(value.cast<double>());
  throw py::type_error(std::string(name) + " must be an int or a float");
}

// Runs a matrix-producing call on the documents with the GIL released, by output dtype.
template <class Fn>
py::tuple with_dtype(const std::string& dtype, Fn&& fn) {
  if (dtype == "float64") return csr_to_python(fn(double{}));
  if (dtype == "float32") return csr_to_python(fn(float{}));
  if (dtype == "int64") return csr_to_python(fn(std::int64_t{}));
  if (dtype == "int32") return csr_to_python(fn(std::int32_t{}));
  throw InvalidArgument("dtype must be float64, float32, int64 or int32; got " + dtype);
}

// Reads the documents, then runs fn(documents, dtype tag) with the GIL released.
template <class Fn>
py::tuple matrix_of(py::handle docs, const std::string& dtype, Fn&& fn) {
  std::vector<py::object> keep;
  const Documents d = documents_from(docs, keep);
  return with_dtype(dtype, [&](auto tag) { return released([&] { return fn(d, tag); }); });
}

}  // namespace

void bind_vectorizer(py::module_& m) {
  py::class_<VocabularyStats>(m, "VocabularyStats",
                              "Document and term frequencies of a corpus shard; merge() adds "
                              "another shard's.")
      .def(py::init<>())
      .def("__len__", &VocabularyStats::size)
      .def_property_readonly("n_documents", &VocabularyStats::n_documents)
      .def(
          "merge", [](VocabularyStats& s, const VocabularyStats& other) { s.merge(other); },
          py::arg("other"), "Adds another shard's statistics to these.")
      .def("same_statistics", &VocabularyStats::same_statistics, py::arg("other"))
      .def("to_json", &VocabularyStats::to_json)
      .def_static("from_json", &VocabularyStats::from_json, py::arg("text"),
                  py::arg("origin") = "<string>")
      .def("__repr__",
           [](const VocabularyStats& s) {
             return "VocabularyStats(" + std::to_string(s.size()) + " terms, " +
                    std::to_string(s.n_documents()) + " documents)";
           })
      .def(py::pickle([](const VocabularyStats& s) { return s.to_json(); },
                      [](const std::string& state) {
                        return VocabularyStats::from_json(state, "<pickle>");
                      }))
      .def(
          "document_frequency",
          [](const VocabularyStats& s, const std::string& term) -> std::int64_t {
            const std::int32_t id = s.find(term);
            return id < 0 ? 0 : s.document_frequency(id);
          },
          py::arg("term"))
      .def(
          "term_frequency",
          [](const VocabularyStats& s, const std::string& term) -> std::int64_t {
            const std::int32_t id = s.find(term);
            return id < 0 ? 0 : s.term_frequency(id);
          },
          py::arg("term"));

  py::class_<Vectorizer>(m, "Vectorizer", "Vocabulary, idf and term vectors (scikit-learn "
                                          "CountVectorizer/TfidfVectorizer semantics).")
      .def(py::init([](const std::string& analyzer, bool lowercase,
                       const std::optional<std::string>& strip_accents,
                       const std::string& token_pattern, py::object stop_words,
                       std::pair<int, int> ngram_range, const std::string& decode_error,
                       py::object min_df, py::object max_df,
                       std::optional<std::int64_t> max_features,
                       std::optional<std::vector<std::string>> vocabulary, bool binary,
                       bool use_idf, bool smooth_idf, bool sublinear_tf,
                       const std::optional<std::string>& norm, int n_jobs) {
             VectorizerOptions o;
             o.analysis = analyzer_options(analyzer, lowercase, strip_accents, token_pattern,
                                           stop_words, ngram_range, decode_error);
             o.prune.min_df = df_bound(min_df, "min_df");
             o.prune.max_df = df_bound(max_df, "max_df");
             o.prune.max_features = max_features;
             o.vocabulary = std::move(vocabulary);
             o.binary = binary;
             o.use_idf = use_idf;
             o.smooth_idf = smooth_idf;
             o.sublinear_tf = sublinear_tf;
             o.norm = parse_norm(norm.value_or(""));
             o.n_jobs = n_jobs;
             o.interrupted = python_interrupt();
             return Vectorizer(std::move(o));
           }),
           py::arg("analyzer") = "word", py::arg("lowercase") = true,
           py::arg("strip_accents") = py::none(),
           py::arg("token_pattern") = std::string(kDefaultTokenPattern),
           py::arg("stop_words") = py::none(), py::arg("ngram_range") = std::make_pair(1, 1),
           py::arg("decode_error") = "strict", py::arg("min_df") = 1, py::arg("max_df") = 1.0,
           py::arg("max_features") = py::none(), py::arg("vocabulary") = py::none(),
           py::arg("binary") = false, py::arg("use_idf") = true, py::arg("smooth_idf") = true,
           py::arg("sublinear_tf") = false, py::arg("norm") = "l2", py::arg("n_jobs") = 0)
      .def(
          "fit",
          [](Vectorizer& v, py::handle docs) {
            std::vector<py::object> keep;
            const Documents d = documents_from(docs, keep);
            released([&] { v.fit(d); });
          },
          py::arg("documents"))
      .def(
          "fit_transform",
          [](Vectorizer& v, py::handle docs, const std::string& dtype) {
            return matrix_of(docs, dtype, [&](const Documents& d, auto tag) {
              return v.fit_transform<decltype(tag)>(d);
            });
          },
          py::arg("documents"), py::arg("dtype") = "float64")
      .def(
          "transform",
          [](const Vectorizer& v, py::handle docs, const std::string& dtype) {
            return matrix_of(docs, dtype, [&](const Documents& d, auto tag) {
              return v.transform<decltype(tag)>(d);
            });
          },
          py::arg("documents"), py::arg("dtype") = "float64")
      .def(
          "statistics",
          [](const Vectorizer& v, py::handle docs) {
            std::vector<py::object> keep;
            const Documents d = documents_from(docs, keep);
            return released([&] { return v.statistics(d); });
          },
          py::arg("documents"))
      .def(
          "fit_statistics",
          [](Vectorizer& v, const VocabularyStats& stats) { released([&] { v.fit_statistics(stats); }); },
          py::arg("stats"))
      .def_property_readonly("is_fitted", &Vectorizer::is_fitted)
      .def_property_readonly("fixed_vocabulary", &Vectorizer::fixed_vocabulary)
      .def_property_readonly("n_documents", &Vectorizer::n_documents)
      .def("vocabulary_size", [](const Vectorizer& v) { return v.vocabulary().size(); })
      .def(
          "term_id", [](const Vectorizer& v, const std::string& t) { return v.vocabulary().find(t); },
          py::arg("term"))
      .def("feature_names", [](const Vectorizer& v) { return to_py_list(v.vocabulary().views()); })
      .def(
          "feature_names_at",
          [](const Vectorizer& v, const std::vector<std::int64_t>& columns) {
            const auto& terms = v.vocabulary().views();
            std::vector<std::string_view> out;
            out.reserve(columns.size());
            for (const std::int64_t c : columns) {
              if (c < 0 || static_cast<std::size_t>(c) >= terms.size()) {
                throw py::index_error("column " + std::to_string(c) + " is not in the vocabulary of " +
                                      std::to_string(terms.size()) + " terms");
              }
              out.push_back(terms[static_cast<std::size_t>(c)]);
            }
            return to_py_list(out);
          },
          py::arg("columns"))
      .def("vocabulary_dict",
           [](const Vectorizer& v) {
             const auto& terms = v.vocabulary().views();
             py::dict out;
             for (std::size_t i = 0; i < terms.size(); ++i) {
               out[to_py_str(terms[i])] = py::int_(i);
             }
             return out;
           })
      .def("idf", [](const Vectorizer& v) { return to_array(v.idf()); })
      .def("set_idf", &Vectorizer::set_idf, py::arg("idf"))
      .def("pruned_terms", [](const Vectorizer& v) { return to_py_list(v.pruned_terms()); })
      .def("to_json", &Vectorizer::to_json)
      .def_static(
          "from_json",
          [](std::string_view text, std::string_view origin) {
            Vectorizer v = Vectorizer::from_json(text, origin);
            v.set_interrupt_check(python_interrupt());
            return v;
          },
          py::arg("text"), py::arg("origin") = "<string>")
      .def("save", &Vectorizer::save, py::arg("path"))
      .def_static(
          "load",
          [](const std::string& path) {
            Vectorizer v = Vectorizer::load(path);
            v.set_interrupt_check(python_interrupt());
            return v;
          },
          py::arg("path"));

  py::class_<HashingVectorizer>(m, "HashingVectorizer",
                                "Hashed term vectors (scikit-learn HashingVectorizer numbers).")
      .def(py::init([](const std::string& analyzer, bool lowercase,
                       const std::optional<std::string>& strip_accents,
                       const std::string& token_pattern, py::object stop_words,
                       std::pair<int, int> ngram_range, const std::string& decode_error,
                       std::int64_t n_features, bool binary, const std::optional<std::string>& norm,
                       bool alternate_sign, int n_jobs) {
             HashingOptions o;
             o.analysis = analyzer_options(analyzer, lowercase, strip_accents, token_pattern,
                                           stop_words, ngram_range, decode_error);
             o.n_features = n_features;
             o.binary = binary;
             o.norm = parse_norm(norm.value_or(""));
             o.alternate_sign = alternate_sign;
             o.n_jobs = n_jobs;
             return HashingVectorizer(std::move(o));
           }),
           py::arg("analyzer") = "word", py::arg("lowercase") = true,
           py::arg("strip_accents") = py::none(),
           py::arg("token_pattern") = std::string(kDefaultTokenPattern),
           py::arg("stop_words") = py::none(), py::arg("ngram_range") = std::make_pair(1, 1),
           py::arg("decode_error") = "strict", py::arg("n_features") = 1 << 20,
           py::arg("binary") = false, py::arg("norm") = "l2", py::arg("alternate_sign") = true,
           py::arg("n_jobs") = 0)
      .def(
          "transform",
          [](const HashingVectorizer& h, py::handle docs, const std::string& dtype) {
            return matrix_of(docs, dtype, [&](const Documents& d, auto tag) {
              return h.transform<decltype(tag)>(d);
            });
          },
          py::arg("documents"), py::arg("dtype") = "float64")
      .def("to_json", &HashingVectorizer::to_json)
      .def_static("from_json", &HashingVectorizer::from_json, py::arg("text"),
                  py::arg("origin") = "<string>");

  m.def(
      "idf_from_df",
      [](const std::vector<std::int64_t>& df, std::int64_t n_documents, bool smooth) {
        return to_array(idf_from_df(df, n_documents, smooth));
      },
      py::arg("df"), py::arg("n_documents"), py::arg("smooth"),
      "scikit-learn's idf of document frequencies: ln((1 + n) / (1 + df)) + 1 when smooth, "
      "else ln(n / df) + 1.");
  m.def(
      "murmurhash3_32",
      [](const std::string& key, std::uint32_t seed) { return murmurhash3_32(key, seed); },
      py::arg("key"), py::arg("seed") = 0,
      "Signed 32-bit MurmurHash3 of the UTF-8 bytes of key (scikit-learn's murmurhash3_32).\n\n>>> murmurhash3_32('nato') == murmurhash3_32('nato', seed=0)\nTrue");
  m.def(
      "_numpy_argsort",
      [](const std::vector<std::int64_t>& values) { return detail::numpy_argsort(values); },
      "For tests: numpy's default argsort order, as newsim reproduces it for max_features.");
}

}  // namespace newsim::bindings
