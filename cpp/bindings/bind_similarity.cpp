#include <utility>

#include "common.hpp"
#include "newsim/errors.hpp"
#include "newsim/similarity.hpp"

namespace newsim::bindings {

namespace {

Metric metric_of(const std::string& name) {
  if (name == "cosine") return Metric::cosine;
  if (name == "dot") return Metric::dot;
  throw InvalidArgument("metric must be 'cosine' or 'dot'; got '" + name + "'");
}

TopKMethod top_k_method_of(const std::string& name) {
  if (name == "auto") return TopKMethod::automatic;
  if (name == "all_pairs") return TopKMethod::all_pairs;
  if (name == "pruned") return TopKMethod::pruned;
  if (name == "approximate") return TopKMethod::approximate;
  throw InvalidArgument("method must be 'auto', 'all_pairs', 'pruned' or 'approximate'; got '" +
                        name + "'");
}

}  // namespace

void bind_similarity(py::module_& m) {
  py::class_<NeighborIndex>(m, "_NeighborIndex")
      .def(py::init([](const py::tuple& y, const std::string& metric) {
             const Csr cy = csr_from(y);
             const Metric mt = metric_of(metric);
             return released([&] { return NeighborIndex(cy.ref, mt); });
           }),
           py::arg("y"), py::arg("metric"))
      .def_property_readonly("shape",
                             [](const NeighborIndex& ix) { return py::make_tuple(ix.rows(), ix.cols()); })
      .def(
          "top_k",
          [](const NeighborIndex& ix, const py::tuple& x, int k, int n_jobs) {
            const Csr cx = csr_from(x);
            TopKOptions o;
            o.k = k;
            o.metric = ix.metric();
            o.n_jobs = n_jobs;
            o.interrupted = python_interrupt();
            return neighbors_to_python(released([&] { return ix.top_k(cx.ref, o); }));
          },
          py::arg("x"), py::arg("k"), py::arg("n_jobs"))
      .def(
          "similarity_join",
          [](const NeighborIndex& ix, const py::tuple& x, double threshold, int n_jobs,
             std::int64_t max_pairs) {
            const Csr cx = csr_from(x);
            JoinOptions o;
            o.threshold = threshold;
            o.max_pairs = max_pairs;
            o.metric = ix.metric();
            o.n_jobs = n_jobs;
            o.interrupted = python_interrupt();
            return csr_to_python(released([&] { return ix.similarity_join(cx.ref, o); }));
          },
          py::arg("x"), py::arg("threshold"), py::arg("n_jobs"),
          py::arg("max_pairs") = kDefaultMaxPairs);
  m.def(
      "_top_k",
      [](const py::tuple& x, const std::optional<py::tuple>& y, int k, bool exclude_self,
         const std::string& metric, int n_jobs, bool graph, const std::string& method,
         int candidates, std::int64_t postings) -> py::object {
        const Csr cx = csr_from(x);
        const std::optional<Csr> cy = y ? std::optional<Csr>(csr_from(*y)) : std::nullopt;
        TopKOptions o;
        o.k = k;
        o.exclude_self = exclude_self;
        o.metric = metric_of(metric);
        o.n_jobs = n_jobs;
        o.method = top_k_method_of(method);
        o.candidates = candidates;
        o.postings = postings;
        o.interrupted = python_interrupt();
        const CsrRef* yr = cy ? &cy->ref : nullptr;
        Neighbors nb = released([&] { return top_k(cx.ref, yr, o); });
        if (graph) {
          const std::int64_t cols = cy ? cy->ref.rows : cx.ref.rows;
          return csr_to_python(released([&] { return nb.to_graph(cols); }));
        }
        return neighbors_to_python(std::move(nb));
      },
      py::arg("x"), py::arg("y"), py::arg("k"), py::arg("exclude_self"), py::arg("metric"),
      py::arg("n_jobs"), py::arg("graph"), py::arg("method") = "auto", py::arg("candidates") = 0,
      py::arg("postings") = 0);
  m.def(
      "_similarity_join",
      [](const py::tuple& x, const std::optional<py::tuple>& y, double threshold,
         const std::string& metric, int n_jobs, std::int64_t max_pairs) {
        const Csr cx = csr_from(x);
        const std::optional<Csr> cy = y ? std::optional<Csr>(csr_from(*y)) : std::nullopt;
        JoinOptions o;
        o.threshold = threshold;
        o.max_pairs = max_pairs;
        o.metric = metric_of(metric);
        o.n_jobs = n_jobs;
        o.interrupted = python_interrupt();
        const CsrRef* yr = cy ? &cy->ref : nullptr;
        return csr_to_python(released([&] { return similarity_join(cx.ref, yr, o); }));
      },
      py::arg("x"), py::arg("y"), py::arg("threshold"), py::arg("metric"), py::arg("n_jobs"),
      py::arg("max_pairs") = kDefaultMaxPairs);
  m.def(
      "_pairwise",
      [](const py::tuple& x, const std::optional<py::tuple>& y, const std::string& metric) {
        const Csr cx = csr_from(x);
        const std::optional<Csr> cy = y ? std::optional<Csr>(csr_from(*y)) : std::nullopt;
        const CsrRef* yr = cy ? &cy->ref : nullptr;
        const Metric mt = metric_of(metric);
        std::vector<double> v = released([&] { return pairwise(cx.ref, yr, mt); });
        const std::int64_t cols = cy ? cy->ref.rows : cx.ref.rows;
        py::array_t<double> out({cx.ref.rows, cols});
        std::copy(v.begin(), v.end(), out.mutable_data());
        return out;
      },
      py::arg("x"), py::arg("y"), py::arg("metric"));
  m.def(
      "_explain",
      [](const py::tuple& a, std::int64_t i, const py::tuple& b, std::int64_t j, int top,
         const std::string& metric) {
        const Csr ca = csr_from(a);
        const Csr cb = csr_from(b);
        const Explanation e = explain(ca.ref, i, cb.ref, j, top, metric_of(metric));
        return py::make_tuple(e.similarity, contributions(e.shared), contributions(e.only_a),
                              contributions(e.only_b));
      },
      py::arg("a"), py::arg("i"), py::arg("b"), py::arg("j"), py::arg("top"), py::arg("metric"));
  m.def(
      "_key_terms",
      [](const py::tuple& x, const std::vector<std::int64_t>& rows, int top) {
        const Csr cx = csr_from(x);
        const std::vector<TermWeight> v = key_terms(cx.ref, rows, top);
        py::array_t<std::int32_t> term(static_cast<py::ssize_t>(v.size()));
        py::array_t<double> weight(static_cast<py::ssize_t>(v.size()));
        for (std::size_t i = 0; i < v.size(); ++i) {
          term.mutable_data()[i] = v[i].term;
          weight.mutable_data()[i] = v[i].weight;
        }
        return py::make_tuple(term, weight);
      },
      py::arg("x"), py::arg("rows"), py::arg("top"));
}

}  // namespace newsim::bindings
