#include "common.hpp"

#include <cmath>

#include "newsim/analyzer.hpp"
#include "newsim/article.hpp"
#include "newsim/article_similarity.hpp"
#include "newsim/stop_words.hpp"

namespace newsim::bindings {

std::vector<TextView> documents_from(py::handle iterable, std::vector<py::object>& keep) {
  std::vector<TextView> docs;
  if (py::isinstance<Corpus>(iterable)) {  // the articles' texts, without copies
    const Corpus& corpus = iterable.cast<const Corpus&>();
    docs.reserve(corpus.size());
    for (const Article& a : corpus) docs.emplace_back(a.text.data(), a.text.size(), Encoding::utf8);
    keep.push_back(py::reinterpret_borrow<py::object>(iterable));
    return docs;
  }
  if (PyList_Check(iterable.ptr()) || PyTuple_Check(iterable.ptr())) {
    docs.reserve(static_cast<std::size_t>(PySequence_Size(iterable.ptr())));
  }
  std::size_t index = 0;
  for (py::handle item : iterable) {
    PyObject* o = item.ptr();
    if (PyUnicode_Check(o)) {
      if (PyUnicode_READY(o) != 0) throw py::error_already_set();
      const auto kind = PyUnicode_KIND(o);
      const Encoding enc = kind == PyUnicode_1BYTE_KIND   ? Encoding::latin1
                           : kind == PyUnicode_2BYTE_KIND ? Encoding::ucs2
                                                          : Encoding::ucs4;
      docs.emplace_back(PyUnicode_DATA(o), static_cast<std::size_t>(PyUnicode_GET_LENGTH(o)), enc);
    } else if (PyBytes_Check(o)) {
      docs.emplace_back(PyBytes_AS_STRING(o), static_cast<std::size_t>(PyBytes_GET_SIZE(o)),
                        Encoding::utf8);
    } else if (PyFloat_Check(o) && std::isnan(PyFloat_AS_DOUBLE(o))) {
      // What pandas gives for a missing text; scikit-learn's message.
      throw py::value_error("np.nan is an invalid document, expected byte or unicode string. "
                            "(document " + std::to_string(index) + ")");
    } else {
      throw py::type_error("document " + std::to_string(index) + " is of type " +
                           std::string(Py_TYPE(o)->tp_name) + "; expected str or bytes");
    }
    keep.push_back(py::reinterpret_borrow<py::object>(item));
    ++index;
  }
  return docs;
}

py::str to_py_str(std::string_view utf8) {
  PyObject* s = PyUnicode_DecodeUTF8(utf8.data(), static_cast<Py_ssize_t>(utf8.size()),
                                     "surrogatepass");
  if (s == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(s);
}

AnalyzerOptions analyzer_options(const std::string& analyzer, bool lowercase,
                                 const std::optional<std::string>& strip_accents,
                                 const std::string& token_pattern, py::handle stop_words,
                                 std::pair<int, int> ngram_range, const std::string& decode_error) {
  AnalyzerOptions o;
  o.analyzer = parse_analyzer_kind(analyzer);
  o.lowercase = lowercase;
  o.strip_accents = parse_strip_accents(strip_accents.value_or(""));
  o.token_pattern = token_pattern;
  if (py::isinstance<py::str>(stop_words)) {
    o.stop_words = newsim::stop_words(stop_words.cast<std::string>());
  } else if (!stop_words.is_none()) {
    for (py::handle w : stop_words) {
      if (!py::isinstance<py::str>(w)) throw py::type_error("stop_words must be strings");
      o.stop_words.push_back(w.cast<std::string>());
    }
  }
  o.ngram_range = ngram_range;
  o.decode_error = parse_decode_errors(decode_error);
  return o;
}

Csr csr_from(const py::tuple& m) {
  if (m.size() != 4) throw InvalidArgument("expected (data, indices, indptr, shape)");
  Csr c{m[0].cast<Doubles>(), m[1].cast<Int32s>(), m[2].cast<Int64s>(), {}};
  const auto shape = m[3].cast<std::pair<std::int64_t, std::int64_t>>();
  if (c.indptr.size() != shape.first + 1 || c.indices.size() != c.data.size() ||
      (shape.first > 0 && c.indptr.data()[shape.first] != c.data.size())) {
    throw InvalidArgument("the CSR arrays do not match the shape");
  }
  c.ref = CsrRef(shape.first, shape.second, c.indptr.data(), c.indices.data(), c.data.data());
  return c;
}

std::optional<std::vector<double>> times_from(const py::object& times, std::size_t n,
                                              const char* item) {
  if (times.is_none()) return std::nullopt;
  const auto t = times.cast<py::array_t<double, py::array::c_style | py::array::forcecast>>();
  if (t.ndim() != 1 || static_cast<std::size_t>(t.size()) != n) {
    throw InvalidArgument("times must have one value per " + std::string(item) + " (" +
                          std::to_string(n) + ")");
  }
  return std::vector<double>(t.data(), t.data() + t.size());
}

InterruptCheck python_interrupt() {
  return [] {
    py::gil_scoped_acquire gil;
    return PyErr_CheckSignals() != 0;
  };
}

namespace {

template <class T>
py::array_t<T> as_2d(Buffer<T>&& b, std::int64_t rows, std::int64_t cols) {
  py::array_t<T> flat = adopt(std::move(b));
  return flat.reshape({rows, cols});
}

}  // namespace

py::tuple neighbors_to_python(Neighbors&& nb) {
  return py::make_tuple(as_2d(std::move(nb.indices), nb.rows, nb.k),
                        as_2d(std::move(nb.scores), nb.rows, nb.k));
}

py::dict contributions(const std::vector<TermContribution>& v) {
  py::array_t<std::int32_t> term(static_cast<py::ssize_t>(v.size()));
  py::array_t<double> wa(static_cast<py::ssize_t>(v.size()));
  py::array_t<double> wb(static_cast<py::ssize_t>(v.size()));
  py::array_t<double> contribution(static_cast<py::ssize_t>(v.size()));
  py::array_t<double> share(static_cast<py::ssize_t>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) {
    term.mutable_data()[i] = v[i].term;
    wa.mutable_data()[i] = v[i].weight_a;
    wb.mutable_data()[i] = v[i].weight_b;
    contribution.mutable_data()[i] = v[i].contribution;
    share.mutable_data()[i] = v[i].share;
  }
  py::dict d;
  d["term"] = term;
  d["weight_a"] = wa;
  d["weight_b"] = wb;
  d["contribution"] = contribution;
  d["share"] = share;
  return d;
}

NewsDocuments news_documents(py::handle texts, py::handle titles, std::vector<py::object>& keep,
                             bool derive_titles) {
  const std::vector<TextView> t = documents_from(texts, keep);
  NewsDocuments docs(t.size());
  for (std::size_t i = 0; i < t.size(); ++i) docs[i].text = t[i];
  if (titles.is_none()) {
    if (derive_titles) {
      for (auto& d : docs) d.title = derived_title(d.text);
    }
    return docs;
  }
  const std::vector<TextView> h = documents_from(titles, keep);
  if (h.size() != t.size()) {
    throw InvalidArgument("titles has " + std::to_string(h.size()) + " items for " +
                          std::to_string(t.size()) + " documents");
  }
  for (std::size_t i = 0; i < h.size(); ++i) docs[i].title = h[i];
  return docs;
}

py::dict term_lists(const TermLists& v, const char* values) {
  py::dict d;
  d["offsets"] = to_array(v.offsets);
  d["term"] = to_array(v.terms);
  d[values] = to_array(v.values);
  return d;
}

}  // namespace newsim::bindings
