#include "common.hpp"
#include "newsim/names.hpp"
#include "newsim/news_vectorizer.hpp"
#include "newsim/spelling.hpp"
#include "newsim/stemmer.hpp"

namespace newsim::bindings {

namespace {

DfBound bound(py::handle value, const char* name) {
  if (PyBool_Check(value.ptr())) {
    throw py::type_error(std::string(name) + " must be an int or a float, not bool");
  }
  if (py::isinstance<py::int_>(value)) return DfBound::count(value.cast<std::int64_t>());
  if (py::isinstance<py::float_>(value)) return DfBound::fraction(value.cast<double>());
  throw py::type_error(std::string(name) + " must be an int or a float");
}

py::list terms_to_python(const std::vector<NewsTerm>& terms) {
  py::list out;
  for (const auto& t : terms) {
    out.append(py::make_tuple(to_py_str(t.key), std::string(to_string(t.kind)), t.count,
                              to_py_str(t.surface)));
  }
  return out;
}

}  // namespace

void bind_news(py::module_& m) {
  m.def("stemmer_languages", &stemmer_languages, "libstemmer's language names.");
  m.def("news_stop_words", &news_stop_words, "The news stop list added to the English one.");
  m.def("news_stop_list", &news_stop_list, py::arg("name"),
        "A stop list by name: 'news', 'english' or 'none'.");
  m.def(
      "fold_spelling", [](const std::string& w) { return fold_spelling(w); }, py::arg("word"),
      "The American spelling of a lowercase British word (or the word).");
  m.def(
      "name_key", [](const std::string& n) { return name_key(n); }, py::arg("name"),
      "The key under which spelling variants of a name meet.");

  py::class_<NewsVectorizer>(m, "NewsVectorizer",
                             "News-aware term vectors: stemmed words, names, title/lead weights, "
                             "BM25 or TF-IDF.")
      .def(py::init([](const std::string& language, bool fold_spelling, py::object stop_words,
                       bool names, double title_weight, double lead_weight, int lead_words,
                       const std::string& decode_error, const std::string& scheme, double k1,
                       double b, bool sublinear_tf, const std::optional<std::string>& norm,
                       double slope, py::object min_df, py::object max_df, int n_jobs) {
             NewsVectorizerOptions o;
             o.analysis.language = language;
             o.analysis.fold_spelling = fold_spelling;
             if (stop_words.is_none()) {
               o.analysis.stop_words.clear();
             } else if (py::isinstance<py::str>(stop_words)) {
               o.analysis.stop_words = news_stop_list(stop_words.cast<std::string>());
             } else {
               o.analysis.stop_words.clear();
               for (py::handle w : stop_words) {
                 if (!py::isinstance<py::str>(w)) throw py::type_error("stop_words must be strings");
                 o.analysis.stop_words.push_back(w.cast<std::string>());
               }
             }
             o.analysis.names = names;
             o.analysis.title_weight = title_weight;
             o.analysis.lead_weight = lead_weight;
             o.analysis.lead_words = lead_words;
             o.analysis.decode_error = parse_decode_errors(decode_error);
             o.weighting.scheme = parse_news_scheme(scheme);
             o.weighting.k1 = k1;
             o.weighting.b = b;
             o.weighting.sublinear_tf = sublinear_tf;
             o.weighting.norm = parse_news_norm(norm.value_or(""));
             o.weighting.slope = slope;
             o.min_df = bound(min_df, "min_df");
             o.max_df = bound(max_df, "max_df");
             o.n_jobs = n_jobs;
             return NewsVectorizer(std::move(o));
           }),
           py::arg("language") = "english", py::arg("fold_spelling") = true,
           py::arg("stop_words") = "news", py::arg("names") = true,
           py::arg("title_weight") = 2.0, py::arg("lead_weight") = 1.5,
           py::arg("lead_words") = 50, py::arg("decode_error") = "strict",
           py::arg("scheme") = "bm25", py::arg("k1") = 1.2, py::arg("b") = 0.75,
           py::arg("sublinear_tf") = false, py::arg("norm") = "l2", py::arg("slope") = 0.25,
           py::arg("min_df") = 1, py::arg("max_df") = 1.0, py::arg("n_jobs") = 0)
      .def(
          "fit",
          [](NewsVectorizer& v, py::handle texts, py::handle titles) {
            std::vector<py::object> keep;
            const NewsDocuments d = news_documents(texts, titles, keep);
            py::gil_scoped_release release;
            v.fit(d);
          },
          py::arg("texts"), py::arg("titles") = py::none())
      .def(
          "fit_transform",
          [](NewsVectorizer& v, py::handle texts, py::handle titles) {
            std::vector<py::object> keep;
            const NewsDocuments d = news_documents(texts, titles, keep);
            CsrMatrix<double> x;
            {
              py::gil_scoped_release release;
              x = v.fit_transform(d);
            }
            return csr_to_python(std::move(x));
          },
          py::arg("texts"), py::arg("titles") = py::none())
      .def(
          "transform",
          [](const NewsVectorizer& v, py::handle texts, py::handle titles) {
            std::vector<py::object> keep;
            const NewsDocuments d = news_documents(texts, titles, keep);
            CsrMatrix<double> x;
            {
              py::gil_scoped_release release;
              x = v.transform(d);
            }
            return csr_to_python(std::move(x));
          },
          py::arg("texts"), py::arg("titles") = py::none())
      .def(
          "analyze",
          [](const NewsVectorizer& v, py::handle text, py::handle title) {
            std::vector<py::object> keep;
            const auto t = documents_from(py::make_tuple(text), keep);
            NewsDocument doc{{}, t[0]};
            if (!title.is_none()) doc.title = documents_from(py::make_tuple(title), keep)[0];
            return terms_to_python(v.analyze(doc));
          },
          py::arg("text"), py::arg("title") = py::none(),
          "[(key, kind, weighted count, surface)] of one document, sorted by key.")
      .def_property_readonly("is_fitted", &NewsVectorizer::is_fitted)
      .def_property_readonly("n_documents", &NewsVectorizer::n_documents)
      .def_property_readonly("average_length", &NewsVectorizer::average_length)
      .def_property_readonly("pivot", &NewsVectorizer::pivot)
      .def("vocabulary_keys",
           [](const NewsVectorizer& v) { return to_py_list(v.vocabulary().views()); })
      .def("vocabulary_dict",
           [](const NewsVectorizer& v) {
             const auto& terms = v.vocabulary().views();
             py::dict out;
             for (std::size_t i = 0; i < terms.size(); ++i) out[to_py_str(terms[i])] = py::int_(i);
             return out;
           })
      .def("term_kinds",
           [](const NewsVectorizer& v) {
             py::list out;
             for (TermKind k : v.term_kinds()) out.append(std::string(to_string(k)));
             return out;
           })
      .def("feature_names", [](const NewsVectorizer& v) { return to_py_list(v.feature_names()); })
      .def("idf", [](const NewsVectorizer& v) { return to_array(v.idf()); })
      .def("document_frequencies",
           [](const NewsVectorizer& v) { return to_array(v.document_frequencies()); })
      .def("to_json", &NewsVectorizer::to_json)
      .def_static("from_json", &NewsVectorizer::from_json, py::arg("text"),
                  py::arg("origin") = "<string>")
      .def("save", &NewsVectorizer::save, py::arg("path"))
      .def_static("load", &NewsVectorizer::load, py::arg("path"));
}

}  // namespace newsim::bindings
