// Text to terms: two option bytes pick the analyzer (word, char, char_wb), lowercase,
// strip_accents, n-gram range, decode_error, stop words, token pattern and the encoding of
// the text (UTF-8 bytes, or Latin-1 / UCS-2 / UCS-4 code units as Python str objects hold
// them; UCS-4 values folded below 0x110000, as in any str). A third of the inputs also go
// through the NewsAnalyzer (names, stems, spelling). The streamed terms must equal the
// convenience call's.

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "newsim/analyzer.hpp"
#include "newsim/errors.hpp"
#include "newsim/news_analyzer.hpp"
#include "newsim/stop_words.hpp"

namespace {

const char* const kPatterns[] = {nullptr, R"(\b\w+\b)", R"((?u)\w+|[^\w\s])", R"(\S+)"};

struct Collect : newsim::Analyzer::TermSink {
  std::vector<std::string> terms;
  void operator()(std::string_view term) override { terms.emplace_back(term); }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  newsim::fuzz::Input in(data, size);
  const std::uint8_t a = in.byte();
  const std::uint8_t b = in.byte();
  newsim::AnalyzerOptions options;
  options.analyzer = static_cast<newsim::AnalyzerKind>(a % 4);
  options.lowercase = (a & 4) == 0;
  options.strip_accents = static_cast<newsim::StripAccents>((a >> 3) % 3);
  options.decode_error = static_cast<newsim::DecodeErrors>((a >> 5) % 3);
  const int lo = 1 + b % 3;
  options.ngram_range = {lo, lo + (b >> 2) % 3};
  if ((b & 16) != 0) options.stop_words = newsim::english_stop_words();
  if (const char* pattern = kPatterns[(b >> 5) % 4]) options.token_pattern = pattern;
  const int encoding = (b >> 7) == 0 ? 0 : 1 + a % 3;
  if (options.analyzer == newsim::AnalyzerKind::terms && (b & 8) == 0) {
    // Mostly the options 'terms' takes; otherwise its refusal is exercised.
    options.lowercase = false;
    options.strip_accents = newsim::StripAccents::none;
    options.ngram_range = {1, 1};
    options.stop_words.clear();
  }

  const std::string_view rest = in.rest();
  std::vector<std::uint16_t> ucs2(rest.size() / 2);
  std::vector<std::uint32_t> ucs4(rest.size() / 4);
  if (!ucs2.empty()) std::memcpy(ucs2.data(), rest.data(), ucs2.size() * 2);
  if (!ucs4.empty()) std::memcpy(ucs4.data(), rest.data(), ucs4.size() * 4);
  for (auto& c : ucs4) c %= 0x110000;
  newsim::TextView doc(rest);
  if (encoding == 1) doc = newsim::TextView(rest.data(), rest.size(), newsim::Encoding::latin1);
  if (encoding == 2) doc = newsim::TextView(ucs2.data(), ucs2.size(), newsim::Encoding::ucs2);
  if (encoding == 3) doc = newsim::TextView(ucs4.data(), ucs4.size(), newsim::Encoding::ucs4);

  try {
    const newsim::Analyzer analyzer(options);
    const auto terms = analyzer.analyze(doc);
    newsim::Analyzer::Workspace ws;
    Collect sink;
    analyzer.analyze(doc, ws, sink, 7);
    if (sink.terms != terms) newsim::fuzz::fail("streamed terms differ from analyze(doc)");
    (void)analyzer.preprocess(doc);
  } catch (const newsim::DecodeError&) {
    if (options.decode_error != newsim::DecodeErrors::strict || encoding != 0) {
      newsim::fuzz::fail("DecodeError without decode_error=strict on UTF-8");
    }
  } catch (const newsim::InvalidArgument&) {  // a setting refused by validate()
  }

  if (a % 3 == 0) {
    newsim::NewsAnalyzerOptions news;
    news.decode_error = options.decode_error;
    news.names = (b & 1) == 0;
    news.fold_spelling = (b & 2) == 0;
    if ((b & 4) != 0) news.language = "none";
    try {
      const newsim::NewsAnalyzer analyzer(news);
      const auto half = rest.substr(0, rest.size() / 4);
      (void)analyzer.analyze({newsim::TextView(half), doc});
      (void)analyzer.occurrences({newsim::TextView(half), doc});
    } catch (const newsim::InvalidArgument&) {  // DecodeError among them
    }
  }
  return 0;
}
