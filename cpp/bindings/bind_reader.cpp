#include "common.hpp"
#include "newsim/article.hpp"
#include "newsim/csr_file.hpp"
#include "newsim/errors.hpp"
#include "newsim/model_sections.hpp"
#include "newsim/reader.hpp"

namespace newsim::bindings {

namespace {

OnError on_error(const std::string& name) {
  if (name == "raise") return OnError::raise;
  if (name == "skip") return OnError::skip;
  if (name == "report") return OnError::report;
  throw InvalidArgument("errors must be 'raise', 'skip' or 'report'; got '" + name + "'");
}

py::list issues_list(const std::vector<ReadIssue>& issues) {
  py::list out;
  for (const ReadIssue& i : issues) out.append(py::make_tuple(i.file, i.line, i.message));
  return out;
}

JsonlOptions jsonl_options(const py::dict& fields, const std::string& errors, bool require_text,
                           std::size_t max_line_bytes) {
  JsonlOptions o;
  o.errors = on_error(errors);
  o.require_text = require_text;
  o.max_line_bytes = max_line_bytes;
  for (const auto& [k, v] : fields) {
    const auto key = k.cast<std::string>();
    const std::string value = v.is_none() ? std::string() : v.cast<std::string>();
    if (key == "id") o.fields.id = value;
    else if (key == "title") o.fields.title = value;
    else if (key == "text") o.fields.text = value;
    else if (key == "source") o.fields.source = value;
    else if (key == "date") o.fields.date = value;
    else if (key == "url") o.fields.url = value;
    else throw InvalidArgument("unknown article field '" + key + "' (id, title, text, source, date, url)");
  }
  if (o.fields.text.empty()) throw InvalidArgument("the text field needs a name");
  return o;
}

py::tuple read_result(ReadResult&& r) {
  return py::make_tuple(std::move(r.corpus), r.skipped, issues_list(r.issues), r.bad_dates,
                        r.first_bad_date);
}

}  // namespace

void bind_reader(py::module_& m) {
  py::class_<JsonlReader>(m, "_JsonlReader")
      .def(py::init([](const std::string& path, const py::dict& fields, const std::string& errors,
                       bool require_text, std::size_t max_line_bytes) {
             return std::make_unique<JsonlReader>(
                 path, jsonl_options(fields, errors, require_text, max_line_bytes));
           }),
           py::arg("path"), py::arg("fields"), py::arg("errors"), py::arg("require_text"),
           py::arg("max_line_bytes") = JsonlOptions{}.max_line_bytes)
      .def("next", [](JsonlReader& r) -> py::object {
             Article a;
             bool ok;
             {
               py::gil_scoped_release release;
               ok = r.next(a);
             }
             if (!ok) return py::none();
             return py::cast(std::move(a));
           })
      .def_property_readonly("line", &JsonlReader::line)
      .def_property_readonly("skipped", &JsonlReader::skipped)
      .def_property_readonly("bad_dates", &JsonlReader::bad_dates)
      .def_property_readonly("first_bad_date", &JsonlReader::first_bad_date)
      .def_property_readonly("issues", [](const JsonlReader& r) { return issues_list(r.issues()); });

  m.def("_read_jsonl", [](const std::string& path, const py::dict& fields, const std::string& errors,
                          bool require_text, std::size_t max_line_bytes) {
    const JsonlOptions o = jsonl_options(fields, errors, require_text, max_line_bytes);
    return read_result(released([&] { return read_jsonl(path, o); }));
  }, py::arg("path"), py::arg("fields"), py::arg("errors"), py::arg("require_text"),
     py::arg("max_line_bytes") = JsonlOptions{}.max_line_bytes);

  m.def("_read_folder", [](const std::string& path, const std::string& errors,
                           bool detect_titles) {
    const OnError e = on_error(errors);
    return read_result(released([&] { return read_folder(path, e, detect_titles); }));
  }, py::arg("path"), py::arg("errors"), py::arg("detect_titles") = false);

  m.def("_parse_date", [](const std::string& text) {
    const DateTime d = parse_date(text);
    return py::make_tuple(d.year, d.month, d.day, d.hour, d.minute, d.second, d.microsecond,
                          d.has_time, d.has_offset ? py::object(py::int_(d.offset_minutes)) : py::object(py::none()));
  }, py::arg("text"));

  m.def("_read_model", [](const std::string& text, const std::string& origin) {
    const ModelSections s = read_model_sections(text, origin);
    const auto section = [](const std::string& json) {
      return json.empty() ? py::object(py::none()) : py::object(to_py_str(json));
    };
    return py::make_tuple(s.format, section(s.options), section(s.python));
  }, py::arg("text"), py::arg("origin"));

  m.def("_with_python_section", [](const std::string& model, const std::string& python) {
    return to_py_str(with_python_section(model, python));
  }, py::arg("model"), py::arg("python"));

  m.def("_save_csr", [](const py::tuple& csr, const std::string& path) {
    const Csr c = csr_from(csr);
    released([&] { save_csr(c.ref, path); });
  }, py::arg("csr"), py::arg("path"));

  m.def("_check_csr_file", [](const std::string& path) {
    const CsrFileInfo i = released([&] { return check_csr_file(path); });
    return py::make_tuple(i.rows, i.cols, i.nnz, i.indptr, i.indices, i.data);
  }, py::arg("path"));

  m.def("_vectorize_files", [](const std::vector<std::string>& paths, Vectorizer& vectorizer,
                               const std::string& out, std::size_t chunk_articles, bool clean,
                               int title_weight, const py::dict& fields,
                               const std::string& errors, std::size_t max_line_bytes,
                               int n_jobs) {
    StreamOptions o;
    o.chunk_articles = chunk_articles;
    o.clean = clean;
    o.title_weight = title_weight;
    o.read = jsonl_options(fields, errors, true, max_line_bytes);
    o.n_jobs = n_jobs;
    StreamResult r = released([&] { return vectorize_files(paths, vectorizer, out, o); });
    return py::make_tuple(r.rows, r.skipped, issues_list(r.issues), to_py_list(r.ids));
  }, py::arg("paths"), py::arg("vectorizer"), py::arg("out"), py::arg("chunk_articles"),
     py::arg("clean"), py::arg("title_weight"), py::arg("fields"), py::arg("errors"),
     py::arg("max_line_bytes"), py::arg("n_jobs"));

  m.def("_date_seconds", [](const std::string& text) { return date_text_seconds(text); },
        py::arg("text"));

  m.def("_read_csv", [](const std::string& path, const py::dict& fields, const std::string& errors,
                        std::size_t max_line_bytes) {
    const JsonlOptions o = jsonl_options(fields, errors, true, max_line_bytes);
    return read_result(released([&] { return read_csv(path, o); }));
  }, py::arg("path"), py::arg("fields"), py::arg("errors"),
     py::arg("max_line_bytes") = JsonlOptions{}.max_line_bytes);

  // records: (number, default id, JSON object text or None, error or None) tuples.
  m.def("_read_records", [](const py::list& records, const py::dict& fields,
                            const std::string& errors, const std::string& where,
                            const std::string& unit) {
    const JsonlOptions o = jsonl_options(fields, errors, true, JsonlOptions{}.max_line_bytes);
    std::vector<Record> rs;
    rs.reserve(records.size());
    for (const auto& item : records) {
      const auto t = item.cast<py::tuple>();
      Record r;
      r.number = t[0].cast<std::int64_t>();
      r.default_id = t[1].cast<std::string>();
      if (!t[2].is_none()) r.json = t[2].cast<std::string>();
      if (!t[3].is_none()) r.error = t[3].cast<std::string>();
      rs.push_back(std::move(r));
    }
    return read_result(released([&] { return read_records(rs, o, where, unit); }));
  }, py::arg("records"), py::arg("fields"), py::arg("errors"), py::arg("where"), py::arg("unit"));

  m.def("_documents", [](const Corpus& corpus, int title_weight, bool clean_first) {
    const std::vector<std::string> docs =
        released([&] { return documents(corpus, title_weight, clean_first); });
    py::list out(docs.size());
    for (std::size_t i = 0; i < docs.size(); ++i) out[i] = to_py_str(docs[i]);
    return out;
  }, py::arg("corpus"), py::arg("title_weight"), py::arg("clean_first"));
}

}  // namespace newsim::bindings
