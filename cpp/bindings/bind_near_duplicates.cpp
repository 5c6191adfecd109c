#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common.hpp"
#include "newsim/errors.hpp"
#include "newsim/near_duplicates.hpp"

namespace newsim::bindings {

namespace {

NearDuplicateOptions options_of(int shingle_size, int num_perm, double threshold, int bands,
                                double copy_threshold, double containment_threshold,
                                std::uint64_t seed, bool lowercase,
                                const std::optional<std::string>& strip_accents,
                                const std::string& token_pattern, const std::string& decode_error,
                                int n_jobs, std::int64_t max_pairs = 10'000'000) {
  NearDuplicateOptions o;
  o.shingle_size = shingle_size;
  o.num_perm = num_perm;
  o.threshold = threshold;
  o.bands = bands;
  o.copy_threshold = copy_threshold;
  o.containment_threshold = containment_threshold;
  o.seed = seed;
  o.words = analyzer_options("word", lowercase, strip_accents, token_pattern, py::none(), {1, 1},
                             decode_error);
  o.n_jobs = n_jobs;
  o.max_pairs = max_pairs;
  o.validate();
  return o;
}

// Pairs as a dict of equal-length numpy arrays (relation as its name).
py::dict pairs_to_python(const std::vector<DuplicatePair>& v) {
  const auto n = static_cast<py::ssize_t>(v.size());
  py::array_t<std::int64_t> a(n), b(n), container(n);
  py::array_t<double> jaccard(n), containment(n), cosine(n);
  py::list relation(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i) {
    a.mutable_data()[i] = v[i].a;
    b.mutable_data()[i] = v[i].b;
    container.mutable_data()[i] = v[i].container;
    jaccard.mutable_data()[i] = v[i].jaccard;
    containment.mutable_data()[i] = v[i].containment;
    cosine.mutable_data()[i] = v[i].cosine;
    relation[i] = py::str(std::string(to_string(v[i].relation)));
  }
  py::dict d;
  d["a"] = a;
  d["b"] = b;
  d["jaccard"] = jaccard;
  d["containment"] = containment;
  d["cosine"] = cosine;
  d["relation"] = relation;
  d["container"] = container;
  return d;
}

}  // namespace

void bind_near_duplicates(py::module_& m) {
  py::class_<NearDuplicateIndex>(m, "_NearDuplicateIndex")
      .def(py::init([](int shingle_size, int num_perm, double threshold, int bands,
                       double copy_threshold, double containment_threshold, std::uint64_t seed,
                       bool lowercase, const std::optional<std::string>& strip_accents,
                       const std::string& token_pattern, const std::string& decode_error,
                       int n_jobs, std::int64_t max_pairs) {
             NearDuplicateOptions o = options_of(shingle_size, num_perm, threshold, bands,
                                                 copy_threshold, containment_threshold, seed,
                                                 lowercase, strip_accents, token_pattern,
                                                 decode_error, n_jobs, max_pairs);
             o.interrupted = python_interrupt();
             return NearDuplicateIndex(std::move(o));
           }),
           py::arg("shingle_size"), py::arg("num_perm"), py::arg("threshold"), py::arg("bands"),
           py::arg("copy_threshold"), py::arg("containment_threshold"), py::arg("seed"),
           py::arg("lowercase"), py::arg("strip_accents"), py::arg("token_pattern"),
           py::arg("decode_error"), py::arg("n_jobs"),
           py::arg("max_pairs") = NearDuplicateOptions{}.max_pairs)
      // Every member that takes the index's lock lets the GIL go first: add() holds the lock
      // while its interrupt check takes the GIL.
      .def("__len__", &NearDuplicateIndex::size, py::call_guard<py::gil_scoped_release>())
      .def_property_readonly("banding",
                             [](const NearDuplicateIndex& ix) {
                               return py::make_tuple(ix.banding().bands, ix.banding().rows);
                             })
      .def_property_readonly("candidates",
                             [](const NearDuplicateIndex& ix) {
                               return released([&] { return ix.candidates(); });
                             })
      .def(
          "add",
          [](NearDuplicateIndex& ix, py::handle docs, const py::object& times) {
            std::vector<py::object> keep;
            const std::vector<TextView> d = documents_from(docs, keep);
            const auto t = times_from(times, d.size(), "document");
            return pairs_to_python(
                released([&] { return ix.add(d, t ? &*t : nullptr); }));
          },
          py::arg("docs"), py::arg("times") = py::none())
      .def(
          "query",
          [](const NearDuplicateIndex& ix, py::handle doc) {
            std::vector<py::object> keep;
            const std::vector<TextView> d = documents_from(py::make_tuple(doc), keep);
            return pairs_to_python(released([&] { return ix.query(d[0]); }));
          },
          py::arg("doc"))
      .def("result",
           [](const NearDuplicateIndex& ix) {
             NearDuplicates r = released([&] { return ix.result(); });
             return py::make_tuple(pairs_to_python(r.pairs), py::cast(r.groups),
                                   py::cast(r.canonical), r.candidates);
           })
      .def(
          "signature",
          [](const NearDuplicateIndex& ix, std::int64_t i) {
            return to_array(released([&] { return ix.signature(i); }));
          },
          py::arg("i"))
      .def(
          "shingle_set",
          [](const NearDuplicateIndex& ix, std::int64_t i) {
            return to_array(released([&] { return ix.shingle_set(i); }));
          },
          py::arg("i"));

  m.def(
      "_shingles",
      [](py::handle doc, int shingle_size, bool lowercase,
         const std::optional<std::string>& strip_accents, const std::string& token_pattern,
         const std::string& decode_error) {
        NearDuplicateOptions o = options_of(shingle_size, 1, 1.0, 0, 1.0, 1.0, 1, lowercase,
                                            strip_accents, token_pattern, decode_error, 1);
        std::vector<py::object> keep;
        const std::vector<TextView> d = documents_from(py::make_tuple(doc), keep);
        return to_array(shingles(d[0], o));
      },
      py::arg("doc"), py::arg("shingle_size"), py::arg("lowercase"), py::arg("strip_accents"),
      py::arg("token_pattern"), py::arg("decode_error"));
  m.def(
      "_minhash",
      [](const py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>& set,
         int num_perm, std::uint64_t seed) {
        std::vector<std::uint64_t> s(set.data(), set.data() + set.size());
        std::sort(s.begin(), s.end());
        s.erase(std::unique(s.begin(), s.end()), s.end());
        return to_array(minhash(s, num_perm, seed));
      },
      py::arg("shingle_set"), py::arg("num_perm"), py::arg("seed"));
  m.def("_lsh_probability", [](double j, int bands, int rows) {
    return lsh_probability(j, LshBands{bands, rows});
  });
  m.def("_choose_bands", [](double threshold, int num_perm, int bands) {
    const LshBands b = choose_bands(threshold, num_perm, bands);
    return py::make_tuple(b.bands, b.rows);
  });
}

}  // namespace newsim::bindings
