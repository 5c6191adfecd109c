#pragma once

// Conversions shared by the binding files: documents in, CSR buffers and terms out.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "newsim/analyzer.hpp"
#include "newsim/news_vectorizer.hpp"
#include "newsim/errors.hpp"
#include "newsim/explain_batch.hpp"
#include "newsim/similarity.hpp"
#include "newsim/sparse.hpp"
#include "newsim/text.hpp"

namespace newsim::bindings {

namespace py = pybind11;

/// Views of the str / bytes items of a Python iterable, or of a _Corpus's texts, without
/// copying them. The objects are kept alive in `keep` while the views are used (with the GIL
/// released).
std::vector<TextView> documents_from(py::handle iterable, std::vector<py::object>& keep);

/// AnalyzerOptions from scikit-learn's parameters; stop_words is None, a list name or a list.
AnalyzerOptions analyzer_options(const std::string& analyzer, bool lowercase,
                                 const std::optional<std::string>& strip_accents,
                                 const std::string& token_pattern, py::handle stop_words,
                                 std::pair<int, int> ngram_range, const std::string& decode_error);

using Doubles = py::array_t<double, py::array::c_style | py::array::forcecast>;
using Int32s = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>;
using Int64s = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

/// The arrays of a canonical scipy CSR matrix, held for as long as the view is used.
struct Csr {
  Doubles data;
  Int32s indices;
  Int64s indptr;
  CsrRef ref;
};

/// A view of (data, indices, indptr, shape); throws InvalidArgument when they do not match.
Csr csr_from(const py::tuple& m);

/// Ctrl-C: polled from the calling thread, which holds no GIL while the core works.
InterruptCheck python_interrupt();

/// Runs fn with the GIL released; an interruption re-raises Python's pending KeyboardInterrupt.
template <class Fn>
auto released(Fn&& fn) {
  try {
    py::gil_scoped_release release;
    return fn();
  } catch (const Interrupted&) {
    if (PyErr_Occurred() == nullptr) PyErr_SetNone(PyExc_KeyboardInterrupt);
    throw py::error_already_set();
  }
}

/// None, or one time (seconds since 1970) per item from a 1-D array of n numbers; throws
/// InvalidArgument saying "one value per <item>" otherwise.
std::optional<std::vector<double>> times_from(const py::object& times, std::size_t n,
                                              const char* item);

/// A numpy copy of a vector.
template <class T>
py::array_t<T> to_array(const std::vector<T>& v) {
  py::array_t<T> out(static_cast<py::ssize_t>(v.size()));
  std::copy(v.begin(), v.end(), out.mutable_data());
  return out;
}

/// A Python str from newsim's UTF-8 (lone surrogates pass through, as Python wrote them).
py::str to_py_str(std::string_view utf8);
template <class Terms>  // a vector of std::string or std::string_view
py::list to_py_list(const Terms& terms) {
  py::list out(terms.size());
  for (std::size_t i = 0; i < terms.size(); ++i) out[i] = to_py_str(terms[i]);
  return out;
}

/// A numpy array that owns the buffer (freed when the array goes away).
template <class T>
py::array_t<T> adopt(Buffer<T>&& buffer) {
  const std::size_t n = buffer.size();
  if (n == 0) return py::array_t<T>(0);
  T* p = buffer.release();
  py::capsule owner(p, [](void* q) { std::free(q); });
  return py::array_t<T>({n}, {sizeof(T)}, p, owner);
}

/// (data, indices, indptr, shape) for scipy.sparse.csr_matrix(..., copy=False). indptr is
/// int32 like indices when the matrix fits, so scipy keeps both arrays as they are.
template <class T>
py::tuple csr_to_python(CsrMatrix<T>&& m) {
  const auto shape = py::make_tuple(m.rows, m.cols);
  py::array_t<T> data = adopt(std::move(m.data));
  if (m.nnz() < static_cast<std::size_t>(INT32_MAX)) {
    py::array_t<std::int32_t> indptr(static_cast<py::ssize_t>(m.indptr.size()));
    auto* out = indptr.mutable_data();
    for (std::size_t i = 0; i < m.indptr.size(); ++i) out[i] = static_cast<std::int32_t>(m.indptr[i]);
    return py::make_tuple(data, adopt(std::move(m.indices)), indptr, shape);
  }
  py::array_t<std::int64_t> indices(static_cast<py::ssize_t>(m.indices.size()));
  auto* out = indices.mutable_data();
  for (std::size_t i = 0; i < m.indices.size(); ++i) out[i] = m.indices[i];
  return py::make_tuple(data, indices, adopt(std::move(m.indptr)), shape);
}

/// Texts and optional parallel titles as NewsDocuments viewing the Python objects in `keep`.
/// Without titles, each title is empty, or read off its text when `derive_titles`
/// (derived_title in article_similarity.hpp). Throws InvalidArgument when the counts differ.
NewsDocuments news_documents(py::handle texts, py::handle titles, std::vector<py::object>& keep,
                             bool derive_titles = false);

/// (indices, scores) as two rows × k numpy arrays that own the buffers.
py::tuple neighbors_to_python(Neighbors&& nb);

/// Term contributions as a dict of numpy arrays: term, weight_a, weight_b, contribution, share.
py::dict contributions(const std::vector<TermContribution>& v);

/// Flat term lists as a dict of numpy arrays: offsets, term and `values` (the values' name).
py::dict term_lists(const TermLists& v, const char* values);

}  // namespace newsim::bindings
