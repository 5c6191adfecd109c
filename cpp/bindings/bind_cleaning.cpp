#include "common.hpp"
#include "newsim/article.hpp"
#include "newsim/cleaning.hpp"

namespace newsim::bindings {

void bind_cleaning(py::module_& m) {
  py::class_<CleanStatistics>(m, "CleanStatistics",
                              "How often lines repeat across a corpus shard: what clean() counts "
                              "before labelling lines; merge() adds another shard's.")
      .def(py::init<>())
      .def("__len__", [](const CleanStatistics& s) { return s.articles(); })
      .def_property_readonly("lines", &CleanStatistics::lines)
      .def(
          "merge",
          [](const CleanStatistics& s, const CleanStatistics& other) {
            CleanStatistics out = s;
            out.merge(other);
            return out;
          },
          py::arg("other"), py::call_guard<py::gil_scoped_release>(),
          "The statistics of both shards together; neither is changed.")
      .def("__eq__", [](const CleanStatistics& a, const CleanStatistics& b) { return a == b; })
      .def("to_bytes", [](const CleanStatistics& s) { return py::bytes(s.to_bytes()); })
      .def_static(
          "from_bytes",
          [](const py::bytes& b, const std::string& origin) {
            return CleanStatistics::from_bytes(std::string_view(b), origin);
          },
          py::arg("data"), py::arg("origin") = "<bytes>")
      .def("__repr__",
           [](const CleanStatistics& s) {
             return "CleanStatistics(" + std::to_string(s.articles()) + " articles, " +
                    std::to_string(s.lines()) + " distinct lines)";
           })
      .def(py::pickle([](const CleanStatistics& s) { return py::bytes(s.to_bytes()); },
                      [](const py::bytes& b) {
                        return CleanStatistics::from_bytes(std::string_view(b), "<pickle>");
                      }));

  m.def("_clean_statistics", &clean_statistics, py::arg("corpus"), py::arg("n_jobs"),
        py::call_guard<py::gil_scoped_release>());

  m.def(
      "_clean",
      [](const Corpus& corpus, bool keep_captions, bool keep_subheads, int min_repeats,
         int min_repeats_sentence, int n_jobs, const CleanStatistics* statistics) {
        CleanOptions o;
        o.keep_captions = keep_captions;
        o.keep_subheads = keep_subheads;
        o.min_repeats = min_repeats;
        o.min_repeats_sentence = min_repeats_sentence;
        o.n_jobs = n_jobs;
        CleanResult r;
        {
          py::gil_scoped_release release;
          r = statistics == nullptr ? clean(corpus, o) : clean(corpus, *statistics, o);
        }
        py::list audit;
        for (const AuditEntry& e : r.audit) {
          audit.append(
              py::make_tuple(e.article, e.line, e.label, e.rule, e.evidence, to_py_str(e.text)));
        }
        // Labels as one byte per line (LineLabel values) and each article's first line, so that
        // Python builds lists of names only when asked.
        std::size_t total = 0;
        for (const LineReport& rep : r.reports) total += rep.labels.size();
        std::string codes;
        codes.reserve(total);
        py::array_t<std::int64_t> starts(static_cast<py::ssize_t>(r.reports.size() + 1));
        auto* st = starts.mutable_data();
        st[0] = 0;
        for (std::size_t i = 0; i < r.reports.size(); ++i) {
          for (const LineLabel x : r.reports[i].labels) codes.push_back(static_cast<char>(x));
          st[i + 1] = static_cast<std::int64_t>(codes.size());
        }
        py::tuple labels = py::make_tuple(py::bytes(codes), starts);
        return py::make_tuple(std::move(r.corpus), audit, labels);
      },
      py::arg("corpus"), py::arg("keep_captions"), py::arg("keep_subheads"), py::arg("min_repeats"),
      py::arg("min_repeats_sentence"), py::arg("n_jobs"), py::arg("statistics") = nullptr);
}

}  // namespace newsim::bindings
