#include <utility>

#include "common.hpp"
#include "newsim/article_similarity.hpp"
#include "newsim/stories.hpp"

namespace newsim::bindings {

namespace {

const ArticleVectors& side(const ArticleSimilarity& s, const py::object& v) {
  return v.is_none() ? s.fitted() : v.cast<const ArticleVectors&>();
}

}  // namespace

void bind_article_similarity(py::module_& m) {
  m.def(
      "derived_title",
      [](const std::string& text) {
        const TextView t = derived_title(TextView(text));
        return to_py_str(std::string_view(static_cast<const char*>(t.data), t.size));
      },
      py::arg("text"), "The title newsim reads off a text given without one.");

  py::class_<ArticleVectors>(m, "_ArticleVectors")
      .def("__len__", [](const ArticleVectors& v) { return v.rows(); })
      .def(
          "select",
          [](const ArticleVectors& v, const std::vector<std::int64_t>& rows) {
            return select_rows(v, rows);
          },
          py::arg("rows"))
      .def_property_readonly("terms",
                             [](const ArticleVectors& v) { return csr_to_python(v.terms.copy()); })
      .def_property_readonly("latent", [](const ArticleVectors& v) {
        py::array_t<double> out(
            {static_cast<py::ssize_t>(v.latent.rows()), static_cast<py::ssize_t>(v.latent.cols())});
        std::copy(v.latent.data(), v.latent.data() + v.latent.size(), out.mutable_data());
        return out;
      });

  py::class_<ArticleSimilarity>(m, "_ArticleSimilarity")
      .def(py::init([](const NewsVectorizer& terms, int n_components, int n_iter,
                       std::uint64_t random_state, double terms_weight, double names_weight,
                       double title_weight, double latent_weight, double time_scale,
                       double time_floor, int n_jobs) {
             ArticleSimilarityOptions o;
             o.terms = terms.options();
             o.n_components = n_components;
             o.n_iter = n_iter;
             o.random_state = random_state;
             o.terms_weight = terms_weight;
             o.names_weight = names_weight;
             o.title_weight = title_weight;
             o.latent_weight = latent_weight;
             o.time_scale = time_scale;
             o.time_floor = time_floor;
             o.n_jobs = n_jobs;
             o.interrupted = python_interrupt();
             return ArticleSimilarity(std::move(o));
           }),
           py::arg("terms"), py::arg("n_components"), py::arg("n_iter"), py::arg("random_state"),
           py::arg("terms_weight"), py::arg("names_weight"), py::arg("title_weight"),
           py::arg("latent_weight"), py::arg("time_scale"), py::arg("time_floor"),
           py::arg("n_jobs"))
      .def(
          "fit",
          [](ArticleSimilarity& s, const py::object& texts, const py::object& titles,
             const py::object& times) {
            std::vector<py::object> keep;
            const NewsDocuments d = news_documents(texts, titles, keep, true);
            const auto t = times_from(times, d.size(), "document");
            released([&] { return &s.fit(d, t ? &*t : nullptr); });
          },
          py::arg("texts"), py::arg("titles") = py::none(), py::arg("times") = py::none())
      .def(
          "transform",
          [](const ArticleSimilarity& s, const py::object& texts, const py::object& titles,
             const py::object& times) {
            std::vector<py::object> keep;
            const NewsDocuments d = news_documents(texts, titles, keep, true);
            const auto t = times_from(times, d.size(), "document");
            return released([&] { return s.transform(d, t ? &*t : nullptr); });
          },
          py::arg("texts"), py::arg("titles") = py::none(), py::arg("times") = py::none())
      .def_property_readonly(
          "fitted", [](const ArticleSimilarity& s) -> const ArticleVectors& { return s.fitted(); },
          py::return_value_policy::reference_internal)
      .def(
          "score",
          [](const ArticleSimilarity& s, const ArticleVectors& a, const ArticleVectors& b) {
            return to_array(released([&] { return s.score(a, b); }));
          },
          py::arg("a"), py::arg("b"))
      .def(
          "top_k",
          [](const ArticleSimilarity& s, const py::object& queries, int k) {
            const ArticleVectors* q =
                queries.is_none() ? nullptr : &queries.cast<const ArticleVectors&>();
            return neighbors_to_python(released([&] { return s.top_k(q, k); }));
          },
          py::arg("queries"), py::arg("k"))
      .def(
          "top_k_search",
          [](const ArticleSimilarity& s, const py::object& queries, int k, std::int64_t cells,
             int probes, int candidates, std::int64_t time_neighbors, std::uint64_t seed) {
            const ArticleVectors* q =
                queries.is_none() ? nullptr : &queries.cast<const ArticleVectors&>();
            ArticleSimilarity::Search search;
            search.cells = cells;
            search.probes = probes;
            search.candidates = candidates;
            search.time_neighbors = time_neighbors;
            search.seed = seed;
            return neighbors_to_python(released([&] { return s.top_k_search(q, k, search); }));
          },
          py::arg("queries"), py::arg("k"), py::arg("cells"), py::arg("probes"),
          py::arg("candidates"), py::arg("time_neighbors"), py::arg("seed"))
      .def(
          "join",
          [](const ArticleSimilarity& s, double threshold) {
            return csr_to_python(released([&] { return s.join(threshold); }));
          },
          py::arg("threshold"))
      .def(
          "explain",
          [](const ArticleSimilarity& s, const py::object& a, std::int64_t i, const py::object& b,
             std::int64_t j, int top) {
            const ArticleExplanation ex = s.explain(side(s, a), i, side(s, b), j, top);
            py::list components;
            for (const auto& c : ex.components) {
              components.append(py::make_tuple(c.name, c.weight, c.similarity, c.contribution));
            }
            py::dict d;
            d["score"] = ex.score;
            d["base"] = ex.base;
            d["time_factor"] = ex.time_factor;
            d["components"] = components;
            d["shared"] = contributions(ex.terms.shared);
            d["only_a"] = contributions(ex.terms.only_a);
            d["only_b"] = contributions(ex.terms.only_b);
            d["names"] = contributions(ex.names.shared);
            d["latent_terms"] = contributions(ex.latent_terms);
            return d;
          },
          py::arg("a"), py::arg("i"), py::arg("b"), py::arg("j"), py::arg("top"))
      .def(
          "key_terms",
          [](const ArticleSimilarity& s, const std::vector<std::int64_t>& rows, int top,
             bool distinct) {
            py::list out;
            for (const auto& t : s.key_terms(rows, top, distinct))
              out.append(py::make_tuple(t.term, t.weight));
            return out;
          },
          py::arg("rows"), py::arg("top"), py::arg("distinct") = false)
      .def(
          "explain_pairs",
          [](const ArticleSimilarity& s, const std::vector<std::int64_t>& i,
             const std::vector<std::int64_t>& j, int top, bool distinct) {
            return term_lists(released([&] { return s.explain_pairs(i, j, top, distinct); }),
                              "share");
          },
          py::arg("i"), py::arg("j"), py::arg("top"), py::arg("distinct") = false)
      .def(
          "key_terms_rows",
          [](const ArticleSimilarity& s, const std::vector<std::int64_t>& rows, int top,
             bool distinct) {
            return term_lists(released([&] { return s.key_terms_rows(rows, top, distinct); }),
                              "weight");
          },
          py::arg("rows"), py::arg("top"), py::arg("distinct") = false)
      .def("feature_names",
           [](const ArticleSimilarity& s) { return to_py_list(s.vectorizer().feature_names()); })
      .def_property_readonly("vectorizer",
                             [](const ArticleSimilarity& s) { return s.vectorizer(); })
      .def_property_readonly("has_latent", &ArticleSimilarity::has_latent)
      .def_property_readonly("lsa", [](const ArticleSimilarity& s) { return s.lsa(); })
      .def_property_readonly("has_titles", &ArticleSimilarity::has_titles)
      .def_property_readonly("is_fitted", &ArticleSimilarity::is_fitted)
      .def("to_json", &ArticleSimilarity::to_json)
      .def("arrays_to_bytes",
           [](const ArticleSimilarity& s) { return py::bytes(s.arrays_to_bytes()); })
      .def_static(
          "from_json",
          [](const std::string& json, const py::bytes& arrays, const std::string& origin) {
            return ArticleSimilarity::from_json(json, std::string(arrays), origin);
          },
          py::arg("json"), py::arg("arrays"), py::arg("origin") = "<string>")
      .def("save", &ArticleSimilarity::save, py::arg("path"))
      .def_static("load", &ArticleSimilarity::load, py::arg("path"));

  m.def(
      "_cluster_article_stories",
      [](const ArticleSimilarity& s, const std::string& linkage, double threshold, double cohesion,
         double min_similarity, double time_window) {
        StoryOptions o;
        o.linkage = parse_linkage(linkage);
        o.threshold = threshold;
        o.cohesion = cohesion;
        o.min_similarity = min_similarity;
        o.time_window = time_window;
        return to_array(released([&] { return cluster_stories(s, o); }));
      },
      py::arg("similarity"), py::arg("linkage"), py::arg("threshold"), py::arg("cohesion"),
      py::arg("min_similarity"), py::arg("time_window"));
}

}  // namespace newsim::bindings
