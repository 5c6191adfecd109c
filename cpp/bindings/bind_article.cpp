#include "common.hpp"
#include "newsim/article.hpp"
#include "newsim/errors.hpp"

namespace newsim::bindings {

void bind_article(py::module_& m) {
  py::class_<Article>(m, "_Article")
      .def(py::init([](std::string id, std::string title, std::string text, std::string source,
                       std::string date, std::string url, std::string meta) {
             if (!date.empty()) parse_date(date);
             return Article{std::move(id), std::move(title), std::move(text), std::move(source),
                            std::move(date), std::move(url), std::move(meta)};
           }),
           py::arg("id"), py::arg("title") = "", py::arg("text") = "", py::arg("source") = "",
           py::arg("date") = "", py::arg("url") = "", py::arg("meta") = "{}")
      .def_readonly("id", &Article::id)
      .def_readonly("title", &Article::title)
      .def_readonly("text", &Article::text)
      .def_readonly("source", &Article::source)
      .def_readonly("date", &Article::date)
      .def_readonly("url", &Article::url)
      .def_readonly("meta", &Article::meta)
      .def("__eq__", [](const Article& a, const Article& b) { return a == b; })
      .def(py::pickle(
          [](const Article& a) {
            return py::make_tuple(a.id, a.title, a.text, a.source, a.date, a.url, a.meta);
          },
          [](const py::tuple& t) {
            return Article{t[0].cast<std::string>(), t[1].cast<std::string>(),
                           t[2].cast<std::string>(), t[3].cast<std::string>(),
                           t[4].cast<std::string>(), t[5].cast<std::string>(),
                           t[6].cast<std::string>()};
          }));

  py::class_<Corpus>(m, "_Corpus")
      .def(py::init<>())
      .def("add", [](Corpus& c, const Article& a) { c.add(a); }, py::arg("article"))
      .def("__len__", &Corpus::size)
      .def("at", [](const Corpus& c, std::size_t i) { return c.at(i); }, py::arg("i"))
      .def("find", &Corpus::find, py::arg("id"))
      .def("by_id", [](const Corpus& c, const std::string& id) { return c.by_id(id); }, py::arg("id"))
      .def("slice", &Corpus::slice, py::arg("start"), py::arg("stop"), py::arg("step"))
      .def("take", [](const Corpus& c, const std::vector<std::size_t>& rows) {
             Corpus out;
             for (const std::size_t r : rows) out.add(c.at(r));
             return out;
           }, py::arg("rows"))
      .def("texts", [](const Corpus& c) {
             py::list out(c.size());
             for (std::size_t i = 0; i < c.size(); ++i) out[i] = to_py_str(c[i].text);
             return out;
           })
      .def("seconds", [](const Corpus& c, bool lenient) { return to_array(article_seconds(c, lenient)); },
           py::arg("lenient") = false)
      .def("column", [](const Corpus& c, const std::string& name) {
             std::string Article::*field = nullptr;
             if (name == "id") field = &Article::id;
             else if (name == "title") field = &Article::title;
             else if (name == "text") field = &Article::text;
             else if (name == "source") field = &Article::source;
             else if (name == "date") field = &Article::date;
             else if (name == "url") field = &Article::url;
             else if (name == "meta") field = &Article::meta;
             else throw InvalidArgument("no article field '" + name + "'");
             py::list out(c.size());
             for (std::size_t i = 0; i < c.size(); ++i) out[i] = to_py_str(c[i].*field);
             return out;
           }, py::arg("name"))
      .def(py::pickle(
          [](const Corpus& c) {
            py::list items;
            for (const Article& a : c) items.append(py::cast(a));
            return items;
          },
          [](const py::list& items) {
            Corpus c;
            for (const auto& a : items) c.add(a.cast<Article>());
            return c;
          }));
}

}  // namespace newsim::bindings
