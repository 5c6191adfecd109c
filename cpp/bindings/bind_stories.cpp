#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "newsim/article.hpp"
#include "newsim/errors.hpp"
#include "newsim/evaluation.hpp"
#include "newsim/stories.hpp"

namespace newsim::bindings {

namespace {

std::vector<std::int64_t> labels_of(const py::array_t<std::int64_t, py::array::c_style |
                                                                    py::array::forcecast>& a) {
  return std::vector<std::int64_t>(a.data(), a.data() + a.size());
}

// The features' rows of d, the features fitted on d first when they are not yet.
CsrMatrix<double> rows_of(StoryFeatures& f, const Documents& d) {
  return f.is_fitted() ? f.transform(d) : f.fit_transform(d);
}

}  // namespace

void bind_stories(py::module_& m) {
  m.attr("_STORY_TIME_WINDOW") = kDefaultTimeWindow;
  m.attr("_STORY_MAX_NEIGHBORS") = StoryOptions{}.max_neighbors;
  py::class_<StoryClusterer>(m, "_StoryClusterer")
      .def(py::init([](const std::string& linkage, double threshold, double cohesion,
                       double min_similarity, double time_window, int max_neighbors,
                       int n_jobs) {
             StoryOptions o;
             o.linkage = parse_linkage(linkage);
             o.threshold = threshold;
             o.cohesion = cohesion;
             o.min_similarity = min_similarity;
             o.time_window = time_window;
             o.max_neighbors = max_neighbors;
             o.n_jobs = n_jobs;
             o.interrupted = python_interrupt();
             return StoryClusterer(std::move(o));
           }),
           py::arg("linkage"), py::arg("threshold"), py::arg("cohesion"),
           py::arg("min_similarity"), py::arg("time_window"), py::arg("max_neighbors"),
           py::arg("n_jobs"))
      .def("__len__", [](const StoryClusterer& c) { return released([&] { return c.size(); }); })
      .def(
          "add",
          [](StoryClusterer& c, const py::tuple& x, const py::object& times) {
            const Csr cx = csr_from(x);
            const auto t = times_from(times, static_cast<std::size_t>(cx.ref.rows), "article");
            return to_array(released([&] { return c.add(cx.ref, t ? &*t : nullptr); }));
          },
          py::arg("x"), py::arg("times") = py::none())
      .def(
          "add_texts",
          // The features' matrix stays in C++ and becomes the clusterer's rows (no copy).
          [](StoryClusterer& c, StoryFeatures& f, const py::object& texts,
             const py::object& times) {
            std::vector<py::object> keep;
            const Documents d = documents_from(texts, keep);
            const auto t = times_from(times, d.size(), "article");
            return to_array(released([&] {
              return c.add(rows_of(f, d), t ? &*t : nullptr);  // the clusterer keeps the rows
            }));
          },
          py::arg("features"), py::arg("texts"), py::arg("times") = py::none())
      .def(
          "add_corpus",
          // A corpus's documents are made, vectorised and dropped in C++ before the clustering.
          [](StoryClusterer& c, StoryFeatures& f, const Corpus& corpus, int title_weight,
             bool clean_first, const py::object& times) {
            const auto t = times_from(times, corpus.size(), "article");
            return to_array(released([&] {
              // The documents live until the rows are made, not through the clustering.
              CsrMatrix<double> x = rows_of(f, as_documents(documents(corpus, title_weight, clean_first)));
              return c.add(std::move(x), t ? &*t : nullptr);
            }));
          },
          py::arg("features"), py::arg("corpus"), py::arg("title_weight"), py::arg("clean_first"),
          py::arg("times") = py::none())
      .def_property_readonly("labels", [](const StoryClusterer& c) {
        return to_array(released([&] { return c.labels(); }));  // waits for an add
      })
      .def(
          "stories",
          [](const StoryClusterer& c, int top) {
            const std::vector<Story> stories = released([&] { return c.stories(top); });
            py::list out;
            for (const Story& s : stories) {
              py::dict d;
              d["story"] = s.id;
              d["members"] = to_array(s.members);
              d["representative"] = s.representative;
              d["cohesion"] = s.cohesion;
              d["first_time"] = s.first_time;
              d["last_time"] = s.last_time;
              py::list terms;
              for (const TermWeight& t : s.key_terms) terms.append(py::make_tuple(t.term, t.weight));
              d["key_terms"] = terms;
              out.append(d);
            }
            return out;
          },
          py::arg("top"))
      .def("pairs", [](const StoryClusterer& c) {
        const auto p = released([&] { return c.pairs(); });
        py::array_t<std::int64_t> i(static_cast<py::ssize_t>(p.size()));
        py::array_t<std::int64_t> j(static_cast<py::ssize_t>(p.size()));
        py::array_t<double> s(static_cast<py::ssize_t>(p.size()));
        for (std::size_t k = 0; k < p.size(); ++k) {
          i.mutable_data()[k] = p[k].i;
          j.mutable_data()[k] = p[k].j;
          s.mutable_data()[k] = p[k].score;
        }
        return py::make_tuple(i, j, s);
      });

  m.def(
      "_b_cubed",
      [](const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& truth,
         const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& predicted) {
        const BCubed b = b_cubed(labels_of(truth), labels_of(predicted));
        return py::make_tuple(b.precision, b.recall, b.f1);
      },
      py::arg("truth"), py::arg("predicted"));
  m.def(
      "_adjusted_rand_index",
      [](const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& truth,
         const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& predicted) {
        return adjusted_rand_index(labels_of(truth), labels_of(predicted));
      },
      py::arg("truth"), py::arg("predicted"));

  py::class_<StoryFeatures>(m, "_StoryFeatures")
      .def(py::init<double, int>(), py::arg("entity_weight"), py::arg("n_jobs"))
      .def(
          "fit_transform",
          [](StoryFeatures& f, const py::object& texts) {
            std::vector<py::object> keep;
            const Documents d = documents_from(texts, keep);
            return csr_to_python(released([&] { return f.fit_transform(d); }));
          },
          py::arg("texts"))
      .def(
          "transform",
          [](const StoryFeatures& f, const py::object& texts) {
            std::vector<py::object> keep;
            const Documents d = documents_from(texts, keep);
            return csr_to_python(released([&] { return f.transform(d); }));
          },
          py::arg("texts"))
      .def_property_readonly("vectorizer", [](const StoryFeatures& f) { return f.vectorizer(); })
      .def("entities", [](const StoryFeatures& f) { return to_py_list(f.entities()); })
      .def("weights", [](const StoryFeatures& f) { return to_array(f.weights()); });
}

}  // namespace newsim::bindings
