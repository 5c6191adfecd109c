// Boilerplate cleaning: the first byte picks keep_captions, keep_subheads, min_repeats,
// whether articles have a source and a title; the rest is up to eight articles separated by
// NUL bytes. Each article gets a report with one label per line, and the cleaned corpus keeps
// ids and order.

#include <cstdint>
#include <string>

#include "fuzz_common.hpp"
#include "newsim/cleaning.hpp"
#include "newsim/errors.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  newsim::fuzz::Input in(data, size);
  const std::uint8_t flags = in.byte();
  newsim::CleanOptions options;
  options.keep_captions = (flags & 1) != 0;
  options.keep_subheads = (flags & 2) != 0;
  options.min_repeats = 1 + (flags >> 2) % 3;
  options.min_repeats_sentence = 1 + (flags >> 4) % 3;
  options.n_jobs = 1;
  const bool sources = (flags & 64) != 0;
  const bool titles = (flags & 128) != 0;

  newsim::Corpus corpus;
  int i = 0;
  for (auto& text : newsim::fuzz::split(in.rest(), '\0', 8)) {
    newsim::Article a;
    a.id = std::to_string(i);
    if (sources) a.source = i % 2 == 0 ? "wire" : "paper";
    if (titles && i % 2 == 1) a.title = text.substr(0, text.find('\n'));
    a.text = std::move(text);
    corpus.add(std::move(a));
    ++i;
  }
  try {
    const auto result = newsim::clean(corpus, options);
    if (result.corpus.size() != corpus.size() || result.reports.size() != corpus.size()) {
      newsim::fuzz::fail("clean lost or added articles");
    }
    for (std::size_t k = 0; k < corpus.size(); ++k) {
      if (result.corpus[k].id != corpus[k].id) newsim::fuzz::fail("clean changed an id");
    }
    for (const auto& e : result.audit) {
      if (e.article >= corpus.size()) newsim::fuzz::fail("audit names no article");
    }
  } catch (const newsim::InvalidArgument&) {  // invalid UTF-8 names the article
  }
  return 0;
}
