#include "common.hpp"
#include "newsim/analyzer.hpp"
#include "newsim/detail/unicode.hpp"
#include "newsim/stop_words.hpp"

namespace newsim::bindings {

void bind_analyzer(py::module_& m) {
  m.def("english_stop_words", [] { return to_py_list(english_stop_words()); },
        "scikit-learn's English stop word list (318 words).\n\n>>> len(english_stop_words())\n318\n>>> 'the' in english_stop_words()\nTrue");

  py::class_<Analyzer>(m, "Analyzer", "Turns one document into terms (scikit-learn semantics).")
      .def(py::init([](const std::string& analyzer, bool lowercase,
                       const std::optional<std::string>& strip_accents,
                       const std::string& token_pattern, py::object stop_words,
                       std::pair<int, int> ngram_range, const std::string& decode_error) {
             return Analyzer(analyzer_options(analyzer, lowercase, strip_accents, token_pattern,
                                              stop_words, ngram_range, decode_error));
           }),
           py::arg("analyzer") = "word", py::arg("lowercase") = true,
           py::arg("strip_accents") = py::none(),
           py::arg("token_pattern") = std::string(kDefaultTokenPattern),
           py::arg("stop_words") = py::none(), py::arg("ngram_range") = std::make_pair(1, 1),
           py::arg("decode_error") = "strict")
      .def(
          "analyze",
          [](const Analyzer& a, py::handle doc) {
            std::vector<py::object> keep;
            const std::vector<TextView> docs = documents_from(py::make_tuple(doc), keep);
            std::vector<std::string> terms = a.analyze(docs[0]);
            return to_py_list(terms);
          },
          py::arg("doc"), "The terms of one document (str or bytes), in scikit-learn's order.")
      .def(
          "preprocess",
          [](const Analyzer& a, py::handle doc) {
            std::vector<py::object> keep;
            const std::vector<TextView> docs = documents_from(py::make_tuple(doc), keep);
            return to_py_str(a.preprocess(docs[0]));
          },
          py::arg("doc"), "The decoded, lowercased, accent-stripped text of one document.")
      .def(
          "spans",
          [](const Analyzer& a, const std::string& doc) {
            const Analyzer::Spans s = released([&] { return a.spans(doc); });
            py::list words(s.words.size()), terms(s.terms.size());
            for (std::size_t i = 0; i < s.words.size(); ++i) {
              words[i] = py::make_tuple(s.words[i].first, s.words[i].second);
            }
            for (std::size_t i = 0; i < s.terms.size(); ++i) {
              terms[i] = py::make_tuple(to_py_str(s.terms[i].term), s.terms[i].first,
                                        s.terms[i].words);
            }
            return py::make_tuple(words, terms);
          },
          py::arg("doc"),
          "Where the terms of one str are (word analyzer): (words, terms), words as (begin, end) "
          "character offsets, terms as (term, first word, number of words).");

  m.def(
      "_check_analysis",
      [](const std::string& analyzer, const std::optional<std::string>& strip_accents,
         py::object stop_words, std::pair<int, int> ngram_range, const std::string& decode_error) {
        analyzer_options(analyzer, false, strip_accents, std::string(kDefaultTokenPattern),
                         stop_words, ngram_range, decode_error)
            .validate();
      },
      py::arg("analyzer"), py::arg("strip_accents"), py::arg("stop_words"),
      py::arg("ngram_range"), py::arg("decode_error"),
      "Checks analysis settings as the core does; ValueError naming the bad one.");
  m.def(
      "_unicode_table",
      [] {
        std::string bits(0x110000, '\0');
        for (char32_t c = 0; c < 0x110000; ++c) bits[c] = static_cast<char>(detail::properties(c));
        return py::bytes(bits);
      },
      "For tests: the property bits (1 word, 2 space, 4 cased, 8 case-ignorable, 16 combining, "
      "32 decomposes) of every code point.");
  m.def(
      "_lower",
      [](std::uint32_t c) { return static_cast<std::uint32_t>(detail::simple_lower(c)); },
      "For tests: the simple lowercase mapping of one code point.");
}

}  // namespace newsim::bindings
