// LSA (newsim/lsa.hpp) and similarity over dense rows (newsim/dense.hpp).

#include <optional>
#include <utility>

#include "common.hpp"
#include "newsim/dense.hpp"
#include "newsim/errors.hpp"
#include "newsim/lsa.hpp"

namespace newsim::bindings {

namespace {

Metric dense_metric(const std::string& name) {
  if (name == "cosine") return Metric::cosine;
  if (name == "dot") return Metric::dot;
  throw InvalidArgument("metric must be 'cosine' or 'dot'; got '" + name + "'");
}

// A numpy array that owns the matrix (no copy).
py::array_t<double> matrix_to_python(DenseMatrix&& m) {
  const std::int64_t rows = m.rows();
  const std::int64_t cols = m.cols();
  if (rows == 0 || cols == 0) return py::array_t<double>({rows, cols});
  auto* owner = new DenseMatrix(std::move(m));
  py::capsule free_it(owner, [](void* p) { delete static_cast<DenseMatrix*>(p); });
  return py::array_t<double>({rows, cols},
                             {cols * static_cast<std::int64_t>(sizeof(double)),
                              static_cast<std::int64_t>(sizeof(double))},
                             owner->data(), free_it);
}

py::array_t<double> vector_to_python(const Eigen::VectorXd& v) {
  py::array_t<double> out(v.size());
  std::copy(v.data(), v.data() + v.size(), out.mutable_data());
  return out;
}

// A row-major float64 view of a 2-D array (copied by pybind11 only when it is not one).
struct Dense {
  Doubles array;
  DenseRef ref;
};

Dense dense_from(const py::handle& a, const char* name) {
  Dense d{a.cast<Doubles>(), {}};
  if (d.array.ndim() != 2) {
    throw InvalidArgument(std::string(name) + " must be a 2-D array; got " +
                          std::to_string(d.array.ndim()) + " dimensions");
  }
  d.ref = DenseRef(d.array.shape(0), d.array.shape(1), d.array.data());
  return d;
}

template <class T>
py::array_t<T> as_2d(Buffer<T>&& b, std::int64_t rows, std::int64_t cols) {
  if (b.size() == 0) return py::array_t<T>({rows, cols});
  return adopt(std::move(b)).reshape({rows, cols});
}

}  // namespace

void bind_lsa(py::module_& m) {
  py::class_<Lsa>(m, "Lsa")
      .def(py::init([](int n_components, int n_iter, int n_oversamples,
                       std::uint64_t random_state, int n_jobs) {
             LsaOptions o;
             o.n_components = n_components;
             o.n_iter = n_iter;
             o.n_oversamples = n_oversamples;
             o.random_state = random_state;
             o.n_jobs = n_jobs;
             o.interrupted = python_interrupt();
             return Lsa(std::move(o));
           }),
           py::arg("n_components") = 100, py::arg("n_iter") = 5, py::arg("n_oversamples") = 10,
           py::arg("random_state") = 0, py::arg("n_jobs") = 0)
      .def_property_readonly("is_fitted", &Lsa::is_fitted)
      .def(
          "fit_transform",
          [](Lsa& self, const py::tuple& x) {
            const Csr cx = csr_from(x);
            return matrix_to_python(released([&] { return self.fit_transform(cx.ref); }));
          },
          py::arg("x"))
      .def(
          "transform",
          [](const Lsa& self, const py::tuple& x) {
            const Csr cx = csr_from(x);
            return matrix_to_python(released([&] { return self.transform(cx.ref); }));
          },
          py::arg("x"))
      .def_property_readonly("n_components", &Lsa::n_components)
      .def_property_readonly("n_features", &Lsa::n_features)
      // Vᵀ as a Fortran-ordered view of the model's own array, kept alive by the array.
      .def_property_readonly("components",
                             [](py::object self) {
                               const Lsa& lsa = self.cast<const Lsa&>();
                               const auto v = lsa.components();
                               const auto d = static_cast<std::int64_t>(sizeof(double));
                               return py::array_t<double>({v.rows(), v.cols()},
                                                          {d, v.rows() * d}, v.data(), self);
                             })
      .def_property_readonly("singular_values",
                             [](const Lsa& l) { return vector_to_python(l.singular_values()); })
      .def_property_readonly("explained_variance",
                             [](const Lsa& l) { return vector_to_python(l.explained_variance()); })
      .def_property_readonly(
          "explained_variance_ratio",
          [](const Lsa& l) { return vector_to_python(l.explained_variance_ratio()); })
      .def("to_json", &Lsa::to_json)
      .def("arrays_to_bytes", [](const Lsa& l) { return py::bytes(l.arrays_to_bytes()); })
      .def_static(
          "from_json",
          [](const std::string& json, const py::bytes& arrays, const std::string& origin) {
            const std::string_view a(PyBytes_AS_STRING(arrays.ptr()),
                                     static_cast<std::size_t>(PyBytes_GET_SIZE(arrays.ptr())));
            return Lsa::from_json(json, a, origin);
          },
          py::arg("json"), py::arg("arrays"), py::arg("origin") = "<string>")
      .def("save", &Lsa::save, py::arg("path"), py::call_guard<py::gil_scoped_release>())
      .def_static("load", &Lsa::load, py::arg("path"), py::call_guard<py::gil_scoped_release>());

  m.def(
      "_dense_top_k",
      [](const py::handle& x, const py::object& y, int k, bool exclude_self,
         const std::string& metric, int n_jobs, bool graph) -> py::object {
        const Dense dx = dense_from(x, "X");
        const std::optional<Dense> dy =
            y.is_none() ? std::nullopt : std::optional<Dense>(dense_from(y, "Y"));
        TopKOptions o;
        o.k = k;
        o.exclude_self = exclude_self;
        o.metric = dense_metric(metric);
        o.n_jobs = n_jobs;
        o.interrupted = python_interrupt();
        const DenseRef* yr = dy ? &dy->ref : nullptr;
        Neighbors nb = released([&] { return top_k(dx.ref, yr, o); });
        if (graph) {
          const std::int64_t cols = dy ? dy->ref.rows : dx.ref.rows;
          return csr_to_python(released([&] { return nb.to_graph(cols); }));
        }
        return py::make_tuple(as_2d(std::move(nb.indices), nb.rows, nb.k),
                              as_2d(std::move(nb.scores), nb.rows, nb.k));
      },
      py::arg("x"), py::arg("y"), py::arg("k"), py::arg("exclude_self"), py::arg("metric"),
      py::arg("n_jobs"), py::arg("graph"));
  m.def(
      "_dense_similarity_join",
      [](const py::handle& x, const py::object& y, double threshold, const std::string& metric,
         int n_jobs, std::int64_t max_pairs) {
        const Dense dx = dense_from(x, "X");
        const std::optional<Dense> dy =
            y.is_none() ? std::nullopt : std::optional<Dense>(dense_from(y, "Y"));
        JoinOptions o;
        o.threshold = threshold;
        o.max_pairs = max_pairs;
        o.metric = dense_metric(metric);
        o.n_jobs = n_jobs;
        o.interrupted = python_interrupt();
        const DenseRef* yr = dy ? &dy->ref : nullptr;
        return csr_to_python(released([&] { return similarity_join(dx.ref, yr, o); }));
      },
      py::arg("x"), py::arg("y"), py::arg("threshold"), py::arg("metric"), py::arg("n_jobs"),
      py::arg("max_pairs") = kDefaultMaxPairs);
}

}  // namespace newsim::bindings
