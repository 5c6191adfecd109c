#include <pybind11/pybind11.h>

#include "newsim/version.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace py = pybind11;

namespace newsim::bindings {
void bind_errors(py::module_& m);
void bind_analyzer(py::module_& m);
void bind_vectorizer(py::module_& m);
void bind_similarity(py::module_& m);
void bind_lsa(py::module_& m);
void bind_article(py::module_& m);
void bind_cleaning(py::module_& m);
void bind_reader(py::module_& m);
void bind_near_duplicates(py::module_& m);
void bind_text_reuse(py::module_& m);
void bind_stories(py::module_& m);
void bind_news(py::module_& m);
void bind_article_similarity(py::module_& m);
}  // namespace newsim::bindings

PYBIND11_MODULE(_core, m) {
  m.doc() = "newsim's C++ core; use the newsim package rather than this module.";
  m.attr("__version__") = NEWSIM_VERSION;
  newsim::bindings::bind_errors(m);
  newsim::bindings::bind_analyzer(m);
  newsim::bindings::bind_vectorizer(m);
  newsim::bindings::bind_similarity(m);
  newsim::bindings::bind_lsa(m);
  newsim::bindings::bind_article(m);
  newsim::bindings::bind_cleaning(m);
  newsim::bindings::bind_reader(m);
  newsim::bindings::bind_near_duplicates(m);
  newsim::bindings::bind_text_reuse(m);
  newsim::bindings::bind_stories(m);
  newsim::bindings::bind_news(m);
  newsim::bindings::bind_article_similarity(m);
  m.def(
      "_release_memory",
      [] {
#if defined(__GLIBC__)
        // glibc keeps freed heap pages (of every thread's arena) for reuse; give them back.
        return malloc_trim(0) != 0;
#else
        return false;
#endif
      },
      "Returns freed heap memory to the operating system where the C library allows it "
      "(glibc's malloc_trim); whether any was returned.");
}
