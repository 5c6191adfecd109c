#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "common.hpp"
#include "newsim/errors.hpp"
#include "newsim/text_reuse.hpp"

namespace newsim::bindings {

namespace {

TextReuseOptions options_of(const py::dict& kw) {
  TextReuseOptions o;
  for (const auto& [key, value] : kw) {
    const auto name = key.cast<std::string>();
    if (name == "seed_words") o.seed_words = value.cast<int>();
    else if (name == "window") o.window = value.cast<int>();
    else if (name == "align_words") o.align_words = value.cast<int>();
    else if (name == "max_gap") o.max_gap = value.cast<int>();
    else if (name == "min_passage_words") o.min_passage_words = value.cast<int>();
    else if (name == "max_postings") o.max_postings = value.cast<int>();
    else if (name == "min_fingerprints") o.min_fingerprints = value.cast<int>();
    else if (name == "copy_coverage") o.copy_coverage = value.cast<double>();
    else if (name == "trimmed_coverage") o.trimmed_coverage = value.cast<double>();
    else if (name == "rewrite_coverage") o.rewrite_coverage = value.cast<double>();
    else if (name == "excerpt_coverage") o.excerpt_coverage = value.cast<double>();
    else if (name == "template_changed") o.template_changed = value.cast<double>();
    else if (name == "n_jobs") o.n_jobs = value.cast<int>();
    else if (name == "max_pairs") o.max_pairs = value.cast<std::int64_t>();
    else if (name == "passages") o.passages = value.cast<bool>();
    else if (name == "decode_error") o.decode_error = parse_decode_errors(value.cast<std::string>());
    else throw py::type_error("unexpected text reuse option '" + name + "'");
  }
  o.validate();
  return o;
}

py::dict alignment_to_python(const Alignment& al) {
  const auto n = static_cast<py::ssize_t>(al.passages.size());
  py::array_t<std::int64_t> a_begin(n), a_end(n), b_begin(n), b_end(n), a_words(n), b_words(n),
      matched(n);
  for (std::size_t i = 0; i < al.passages.size(); ++i) {
    const Passage& p = al.passages[i];
    a_begin.mutable_data()[i] = p.a_begin;
    a_end.mutable_data()[i] = p.a_end;
    b_begin.mutable_data()[i] = p.b_begin;
    b_end.mutable_data()[i] = p.b_end;
    a_words.mutable_data()[i] = p.a_words;
    b_words.mutable_data()[i] = p.b_words;
    matched.mutable_data()[i] = p.matched;
  }
  py::dict d;
  d["a_begin"] = a_begin;
  d["a_end"] = a_end;
  d["b_begin"] = b_begin;
  d["b_end"] = b_end;
  d["a_words"] = a_words;
  d["b_words"] = b_words;
  d["matched"] = matched;
  py::dict m;
  m["a_words"] = al.a_words;
  m["b_words"] = al.b_words;
  m["a_coverage"] = al.a_coverage;
  m["b_coverage"] = al.b_coverage;
  m["longest"] = al.longest;
  m["matched"] = al.matched;
  m["slots"] = al.slots;
  m["slots_changed"] = al.slots_changed;
  return py::dict(py::arg("passages") = d, py::arg("measures") = m);
}

// The pairs as one numpy record array that takes over the core's buffer (no copy: a million
// texts can give tens of millions of pairs), one column view per field; relation as an object
// array of the five names.
py::dict pairs_to_python(std::vector<ReusePair>&& v) {
  static_assert(std::is_standard_layout_v<ReusePair> && sizeof(ReusePair) == 64);
  const auto n = static_cast<py::ssize_t>(v.size());
  auto* owned = new std::vector<ReusePair>(std::move(v));
  const py::capsule owner(owned, [](void* p) { delete static_cast<std::vector<ReusePair>*>(p); });
  py::list names, formats, offsets;
  auto field = [&](const char* name, const char* format, std::size_t offset) {
    names.append(name);
    formats.append(format);
    offsets.append(offset);
  };
  field("a", "<i8", offsetof(ReusePair, a));
  field("b", "<i8", offsetof(ReusePair, b));
  field("relation", "u1", offsetof(ReusePair, relation));
  field("origin", "<i8", offsetof(ReusePair, origin));
  field("via", "<i8", offsetof(ReusePair, via));
  field("a_coverage", "<f8", offsetof(ReusePair, a_coverage));
  field("b_coverage", "<f8", offsetof(ReusePair, b_coverage));
  field("longest", "<i4", offsetof(ReusePair, longest));
  field("matched", "<i4", offsetof(ReusePair, matched));
  field("passages", "<i4", offsetof(ReusePair, passages));
  const py::module_ np = py::module_::import("numpy");
  const py::dtype record = np.attr("dtype")(py::dict(
      py::arg("names") = names, py::arg("formats") = formats, py::arg("offsets") = offsets,
      py::arg("itemsize") = sizeof(ReusePair)));
  const py::array rows(record, {n}, {static_cast<py::ssize_t>(sizeof(ReusePair))},
                       owned->data(), owner);
  py::list relation_names;
  for (int r = 0; r <= static_cast<int>(ReuseRelation::template_); ++r) {
    relation_names.append(std::string(to_string(static_cast<ReuseRelation>(r))));
  }
  py::dict d;
  for (const py::handle name : names) {
    const py::object column = rows[name];
    d[name] = py::str(name).equal(py::str("relation"))
                  ? np.attr("array")(relation_names, "object").attr("take")(column)
                  : column;
  }
  return d;
}

}  // namespace

// Flat: the passages of pair p are rows offsets[p] to offsets[p + 1].
template <class Of>
py::dict flat_passages(std::size_t pairs, Of&& of) {
  std::size_t total = 0;
  for (std::size_t p = 0; p < pairs; ++p) total += of(p).size();
  const auto m = static_cast<py::ssize_t>(total);
  py::array_t<std::int64_t> offsets(static_cast<py::ssize_t>(pairs + 1));
  py::array_t<std::int64_t> a_begin(m), a_end(m), b_begin(m), b_end(m), matched(m);
  std::size_t r = 0;
  offsets.mutable_data()[0] = 0;
  for (std::size_t p = 0; p < pairs; ++p) {
    for (const Passage& x : of(p)) {
      a_begin.mutable_data()[r] = x.a_begin;
      a_end.mutable_data()[r] = x.a_end;
      b_begin.mutable_data()[r] = x.b_begin;
      b_end.mutable_data()[r] = x.b_end;
      matched.mutable_data()[r] = x.matched;
      ++r;
    }
    offsets.mutable_data()[p + 1] = static_cast<std::int64_t>(r);
  }
  py::dict out;
  out["offsets"] = offsets;
  out["a_begin"] = a_begin;
  out["a_end"] = a_end;
  out["b_begin"] = b_begin;
  out["b_end"] = b_end;
  out["matched"] = matched;
  return out;
}

void bind_text_reuse(py::module_& m) {
  m.def(
      "_shared_passages",
      [](py::handle a, py::handle b, const py::kwargs& kw) {
        const TextReuseOptions o = options_of(kw);
        std::vector<py::object> keep;
        const std::vector<TextView> d = documents_from(py::make_tuple(a, b), keep);
        return alignment_to_python(released([&] { return shared_passages(d[0], d[1], o); }));
      },
      py::arg("a"), py::arg("b"));
  m.def(
      "_text_reuse",
      [](py::handle docs, const py::object& times, const py::kwargs& kw) {
        TextReuseOptions o = options_of(kw);
        o.interrupted = python_interrupt();
        std::vector<py::object> keep;
        const std::vector<TextView> d = documents_from(docs, keep);
        const auto t = times_from(times, d.size(), "text");
        TextReuse r = released([&] { return text_reuse(d, o, t ? &*t : nullptr); });
        py::object passages = py::none();
        if (o.passages) {
          passages = flat_passages(r.pairs.size(), [&](std::size_t p) -> const std::vector<Passage>& {
            return r.passages[p];
          });
        }
        return py::make_tuple(pairs_to_python(std::move(r.pairs)), py::cast(r.origins),
                              py::cast(r.groups), r.candidates, passages);
      },
      py::arg("docs"), py::arg("times") = py::none());
}

}  // namespace newsim::bindings
