#include "newsim/analyzer.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "newsim/detail/decoder.hpp"
#include "newsim/detail/term_table.hpp"
#include "newsim/detail/unicode.hpp"
#include "newsim/errors.hpp"

namespace newsim {
namespace {

using detail::kCased;
using detail::kCaseIgnorable;
using detail::kCombining;
using detail::kDecomposes;
using detail::kSpace;
using detail::kWord;

struct PatternDeleter {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};

std::string pcre2_message(int code) {
  PCRE2_UCHAR buf[256];
  pcre2_get_error_message(code, buf, sizeof buf);
  return reinterpret_cast<const char*>(buf);
}

// UTF-8 length of a sequence from its lead byte.
inline std::size_t utf8_length(unsigned char b) {
  return b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
}

// Python's \s (str.isspace), which PCRE2's \s differs from in U+001C..U+001F and U+180E.
constexpr std::string_view kPythonSpaces =
    R"(\t-\r\x1c-\x20\x85\xa0\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000})";

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// A Python `re` pattern as PCRE2 reads it. Python spellings that PCRE2 reads differently are
// rewritten: \s and \S (Python's whitespace), \Z (absolute end), \uXXXX and \UXXXXXXXX,
// {,n} (as {0,n}), and '[' inside a class (literal in Python, a POSIX class opener in PCRE2).
// Leading global flags are read: (?u) and (?L) are dropped, (?a) turns Unicode classes off.
struct TranslatedPattern {
  std::string pcre;
  bool ascii = false;
};

TranslatedPattern translate_python_pattern(std::string_view p) {
  TranslatedPattern t;
  // Global flags at the start, e.g. (?u), (?ai), (?i).
  while (p.size() >= 4 && p.substr(0, 2) == "(?") {
    const std::size_t close = p.find(')');
    const std::string_view flags = p.substr(2, close == std::string_view::npos ? 0 : close - 2);
    if (flags.empty() || flags.find_first_not_of("aiLmsux") != std::string_view::npos) break;
    std::string keep;
    for (char f : flags) {
      if (f == 'a') t.ascii = true;
      if (f == 'i' || f == 'm' || f == 's' || f == 'x') keep += f;
    }
    if (!keep.empty()) t.pcre += "(?" + keep + ")";
    p.remove_prefix(close + 1);
  }
  std::string& out = t.pcre;
  bool in_class = false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char d = p[++i];
      const std::size_t hex = d == 'u' ? 4 : d == 'U' ? 8 : 0;
      if (d == 's') {
        out += in_class ? std::string(kPythonSpaces) : "[" + std::string(kPythonSpaces) + "]";
      } else if (d == 'S' && !in_class) {
        out += "[^" + std::string(kPythonSpaces) + "]";
      } else if (d == 'Z' && !in_class) {
        out += "\\z";
      } else if (hex != 0 && i + hex < p.size() &&
                 std::all_of(p.begin() + static_cast<std::ptrdiff_t>(i + 1),
                             p.begin() + static_cast<std::ptrdiff_t>(i + 1 + hex), is_hex)) {
        out += "\\x{" + std::string(p.substr(i + 1, hex)) + "}";
        i += hex;
      } else {
        out += c;
        out += d;
      }
      continue;
    }
    if (in_class) {
      if (c == '[') {
        out += "\\[";
        continue;
      }
      if (c == ']') in_class = false;
      out += c;
      continue;
    }
    if (c == '{' && i + 1 < p.size() && p[i + 1] == ',') {
      std::size_t j = i + 2;
      while (j < p.size() && p[j] >= '0' && p[j] <= '9') ++j;
      if (j > i + 2 && j < p.size() && p[j] == '}') {
        out += "{0";
        continue;
      }
    }
    out += c;
    if (c == '[') {
      in_class = true;
      if (i + 1 < p.size() && p[i + 1] == '^') out += p[++i];
      if (i + 1 < p.size() && p[i + 1] == ']') out += p[++i];  // a literal ] first
    }
  }
  return t;
}

}  // namespace

AnalyzerKind parse_analyzer_kind(std::string_view name) {
  if (name == "word") return AnalyzerKind::word;
  if (name == "char") return AnalyzerKind::char_ngrams;
  if (name == "char_wb") return AnalyzerKind::char_wb_ngrams;
  if (name == "terms") return AnalyzerKind::terms;
  throw InvalidArgument("analyzer must be 'word', 'char', 'char_wb' or 'terms'; got '" +
                        std::string(name) + "'");
}

std::string_view to_string(AnalyzerKind kind) {
  switch (kind) {
    case AnalyzerKind::word: return "word";
    case AnalyzerKind::char_ngrams: return "char";
    case AnalyzerKind::char_wb_ngrams: return "char_wb";
    case AnalyzerKind::terms: return "terms";
  }
  return "word";
}

StripAccents parse_strip_accents(std::string_view name) {
  if (name.empty()) return StripAccents::none;
  if (name == "unicode") return StripAccents::unicode;
  if (name == "ascii") return StripAccents::ascii;
  throw InvalidArgument("strip_accents must be None, 'unicode' or 'ascii'; got '" +
                        std::string(name) + "'");
}

std::string_view to_string(StripAccents value) {
  switch (value) {
    case StripAccents::none: return "";
    case StripAccents::unicode: return "unicode";
    case StripAccents::ascii: return "ascii";
  }
  return "";
}

void AnalyzerOptions::validate() const {
  if (ngram_range.first < 1 || ngram_range.second < 1) {
    throw InvalidArgument("ngram_range values must be positive integers; got (" +
                          std::to_string(ngram_range.first) + ", " +
                          std::to_string(ngram_range.second) + ")");
  }
  if (ngram_range.first > ngram_range.second) {
    throw InvalidArgument("Invalid value for ngram_range=(" + std::to_string(ngram_range.first) +
                          ", " + std::to_string(ngram_range.second) +
                          ") lower boundary larger than the upper boundary.");
  }
  if (analyzer == AnalyzerKind::terms &&
      (ngram_range != std::pair<int, int>{1, 1} || !stop_words.empty() || lowercase ||
       strip_accents != StripAccents::none)) {
    throw InvalidArgument("analyzer 'terms' takes documents that are already terms: it needs "
                          "ngram_range (1, 1), no stop words, lowercase off and no strip_accents");
  }
}

struct Analyzer::Impl {
  std::unique_ptr<pcre2_code, PatternDeleter> pattern;  // null: the default fast scanner
  bool use_group = false;                               // the pattern has one capturing group
  std::vector<std::string> stop_storage;
  detail::TermTable stop_words;  // keys view stop_storage
};

struct Analyzer::Workspace::State {
  std::string text;       // preprocessed document
  std::string collapsed;  // whitespace runs collapsed ("char")
  std::string scratch;    // one joined n-gram or one padded word
  std::u32string decomposed;
  // (offset, length) in text of each token; push() is small enough to inline on the hot path.
  struct Tokens {
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    std::size_t n = 0;

    void clear() { n = 0; }
    std::size_t size() const { return n; }
    void push(std::size_t offset, std::size_t length) {
      if (n == spans.size()) spans.resize(std::max<std::size_t>(64, 2 * n));
      spans[n++] = {offset, length};
    }
    const std::pair<std::size_t, std::size_t>& operator[](std::size_t i) const { return spans[i]; }
    const std::pair<std::size_t, std::size_t>* begin() const { return spans.data(); }
    const std::pair<std::size_t, std::size_t>* end() const { return spans.data() + n; }
  } tokens;
  std::vector<std::string_view> views;                      // a batch handed to the sink
  pcre2_match_data* match = nullptr;
  const pcre2_code* match_for = nullptr;

  ~State() {
    if (match != nullptr) pcre2_match_data_free(match);
  }
};

Analyzer::Workspace::Workspace() : state_(std::make_unique<State>()) {}
Analyzer::Workspace::~Workspace() = default;
Analyzer::Workspace::Workspace(Workspace&&) noexcept = default;
Analyzer::Workspace& Analyzer::Workspace::operator=(Workspace&&) noexcept = default;

Analyzer::Analyzer(AnalyzerOptions options) : options_(std::move(options)) {
  options_.validate();
  auto impl = std::make_shared<Impl>();
  impl->stop_storage = options_.stop_words;
  for (const std::string& w : impl->stop_storage) {
    impl->stop_words.intern(w, [](std::string_view v) { return v; });
  }
  std::string_view pattern = options_.token_pattern;
  if (options_.analyzer == AnalyzerKind::word && pattern != kDefaultTokenPattern &&
      pattern != R"(\b\w\w+\b)") {
    const TranslatedPattern translated = translate_python_pattern(pattern);
    int error = 0;
    PCRE2_SIZE offset = 0;
    const uint32_t flags = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | (translated.ascii ? 0 : PCRE2_UCP);
    pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.pcre.data()),
                                     translated.pcre.size(), flags, &error, &offset, nullptr);
    if (code == nullptr) {
      throw InvalidArgument("token_pattern '" + options_.token_pattern + "' is not a valid regular "
                            "expression (" + pcre2_message(error) + ", near offset " +
                            std::to_string(offset) + " of its PCRE2 form)");
    }
    impl->pattern.reset(code);
    pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter if JIT fails
    uint32_t groups = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &groups);
    if (groups > 1) {
      throw InvalidArgument(
          "More than 1 capturing group in token pattern. Only a single group should be "
          "captured.");
    }
    impl->use_group = groups == 1;
  }
  impl_ = std::move(impl);
}

Analyzer::~Analyzer() = default;
Analyzer::Analyzer(const Analyzer&) = default;
Analyzer& Analyzer::operator=(const Analyzer&) = default;
Analyzer::Analyzer(Analyzer&&) noexcept = default;
Analyzer& Analyzer::operator=(Analyzer&&) noexcept = default;

namespace {

// Writes the preprocessed text (decoded, lowercased as Python's str.lower, accents stripped as
// scikit-learn's strip_accents_*) into `out`, and reports every maximal run of Python word
// characters of the *output* to on_run(offset, bytes, code_points).
template <Encoding E, class OnRun>
std::size_t preprocess_into(TextView doc, std::size_t doc_index, const AnalyzerOptions& opt,
                     std::string& out, std::u32string& tmp, OnRun&& on_run) {
  const std::uint8_t* props = detail::bmp_properties();
  const char16_t* lower = detail::bmp_lower();
  auto props_of = [props](char32_t x) { return x < 0x10000 ? props[x] : detail::properties(x); };
  const bool lowercase = opt.lowercase;
  const StripAccents strip = opt.strip_accents;

  // The output grows in place; every write first makes room for the worst case of one input
  // code point (an NFKD expansion of up to 18 code points), plus the padding promised to
  // TermSink::terms, so [0, j + kTermPadding) is always inside `out`. `out` keeps its size
  // between documents (only [0, j) is text), so it is not zero-filled again for every document.
  constexpr std::size_t kPad = Analyzer::TermSink::kTermPadding;
  const std::size_t want = doc.size + doc.size / 4 + 64 + kPad;
  if (out.size() < want) out.resize(want);
  char* base = out.data();
  std::size_t cap = out.size();
  std::size_t j = 0;
  auto room = [&](std::size_t k) {
    if (j + k + kPad > cap) {
      out.resize(std::max(cap * 2, j + k + kPad));
      base = out.data();
      cap = out.size();
    }
  };

  std::size_t run_start = 0, run_cps = 0;
  auto classify = [&](std::size_t at, bool word) {
    if (word) {
      if (run_cps == 0) run_start = at;
      ++run_cps;
    } else if (run_cps != 0) {
      on_run(run_start, at - run_start, run_cps);
      run_cps = 0;
    }
  };
  auto put = [&](char32_t c) {  // one output code point
    const std::size_t at = j;
    if (c < 0x80) {
      base[j++] = static_cast<char>(c);
    } else if (c < 0x800) {
      base[j++] = static_cast<char>(0xC0 | (c >> 6));
      base[j++] = static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      base[j++] = static_cast<char>(0xE0 | (c >> 12));
      base[j++] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      base[j++] = static_cast<char>(0x80 | (c & 0x3F));
    } else {
      base[j++] = static_cast<char>(0xF0 | (c >> 18));
      base[j++] = static_cast<char>(0x80 | ((c >> 12) & 0x3F));
      base[j++] = static_cast<char>(0x80 | ((c >> 6) & 0x3F));
      base[j++] = static_cast<char>(0x80 | (c & 0x3F));
    }
    classify(at, (props_of(c) & kWord) != 0);
  };
  auto emit = [&](char32_t c) {  // one lowercased code point, accents still to strip
    if (strip == StripAccents::none || c < 0x80) {
      room(4);
      put(c);
      return;
    }
    auto keep = [&](char32_t x) {
      if (strip == StripAccents::ascii ? x < 0x80 : (props_of(x) & kCombining) == 0) put(x);
    };
    if (props_of(c) & kDecomposes) {
      tmp.clear();
      detail::append_nfkd(c, tmp);
      room(4 * tmp.size());
      for (char32_t x : tmp) keep(x);
    } else {
      room(4);
      keep(c);
    }
  };

  detail::Decoder<E> decoder(doc, opt.decode_error, doc_index);
  bool prev_cased = false;  // the last code point that is not Case_Ignorable is Cased
  char32_t c = 0;
  for (;;) {
    if constexpr (E == Encoding::latin1 || E == Encoding::utf8) {
      // Runs of ASCII bytes: one tight loop per word or gap.
      const auto* src = static_cast<const unsigned char*>(doc.data);
      const std::size_t n = doc.size;
      const std::size_t i = decoder.position();
      if (i < n && src[i] < 0x80) {
        room(n - i + 1);
        std::size_t k = i;
#if defined(__SSE2__)
        // Sixteen ASCII bytes at a time: lowercase with a masked add, find word characters with
        // range compares, and walk the run boundaries of the 16-bit mask.
        const __m128i before_a = _mm_set1_epi8('A' - 1), after_z = _mm_set1_epi8('Z' + 1);
        const __m128i before_la = _mm_set1_epi8('a' - 1), after_lz = _mm_set1_epi8('z' + 1);
        const __m128i before_0 = _mm_set1_epi8('0' - 1), after_9 = _mm_set1_epi8('9' + 1);
        const __m128i underscore = _mm_set1_epi8('_'), case_bit = _mm_set1_epi8(32);
        while (k + 16 <= n) {
          const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + k));
          if (_mm_movemask_epi8(v) != 0) break;  // a non-ASCII byte: the scalar loop
          const __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, before_a), _mm_cmplt_epi8(v, after_z));
          const __m128i lower_letter =
              _mm_and_si128(_mm_cmpgt_epi8(v, before_la), _mm_cmplt_epi8(v, after_lz));
          const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, before_0), _mm_cmplt_epi8(v, after_9));
          const __m128i word = _mm_or_si128(_mm_or_si128(upper, lower_letter),
                                            _mm_or_si128(digit, _mm_cmpeq_epi8(v, underscore)));
          const __m128i out16 = lowercase ? _mm_add_epi8(v, _mm_and_si128(upper, case_bit)) : v;
          _mm_storeu_si128(reinterpret_cast<__m128i*>(base + j), out16);
          const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(word));
          unsigned pos = 0;
          while (pos < 16) {
            if (run_cps == 0) {
              const unsigned starts = mask & (0xFFFFu << pos) & 0xFFFFu;
              if (starts == 0) break;
              pos = static_cast<unsigned>(__builtin_ctz(starts));
              run_start = j + pos;
            }
            const unsigned ends = ~mask & (0xFFFFu << pos) & 0xFFFFu;
            if (ends == 0) {
              run_cps += 16 - pos;
              break;
            }
            const auto end = static_cast<unsigned>(__builtin_ctz(ends));
            run_cps += end - pos;
            on_run(run_start, j + end - run_start, run_cps);
            run_cps = 0;
            pos = end;
          }
          j += 16;
          k += 16;
        }
#endif
        while (k < n) {
          unsigned char b = src[k];
          if (b >= 0x80) break;
          if (props[b] & kWord) {
            if (run_cps == 0) run_start = j;
            const std::size_t k0 = k;
            do {
              base[j++] = static_cast<char>(lowercase && static_cast<unsigned>(b - 'A') < 26u ? b + 32 : b);
              ++k;
            } while (k < n && (b = src[k]) < 0x80 && (props[b] & kWord));
            run_cps += k - k0;
          } else {
            if (run_cps != 0) {
              on_run(run_start, j - run_start, run_cps);
              run_cps = 0;
            }
            do {
              base[j++] = static_cast<char>(b);
              ++k;
            } while (k < n && (b = src[k]) < 0x80 && !(props[b] & kWord));
          }
        }
        for (std::size_t q = k; q > i; --q) {
          const std::uint8_t p = props[src[q - 1]];
          if ((p & kCaseIgnorable) == 0) {
            prev_cased = (p & kCased) != 0;
            break;
          }
        }
        decoder.skip_to(k);
        continue;
      }
    }
    if (!decoder.next(c)) break;
    if (c < 0x80) {
      // ASCII: the hot path.
      room(1);
      const auto b = static_cast<unsigned char>(lowercase && c >= 'A' && c <= 'Z' ? c + 32 : c);
      const std::uint8_t p = props[c];
      if ((p & kCaseIgnorable) == 0) prev_cased = (p & kCased) != 0;
      base[j] = static_cast<char>(b);
      classify(j, (p & kWord) != 0);
      ++j;
      continue;
    }
    const std::uint8_t p = props_of(c);
    if (!lowercase) {
      emit(c);
    } else if (c == 0x130) {
      // Python's full lowercase mapping of LATIN CAPITAL LETTER I WITH DOT ABOVE.
      emit(U'i');
      emit(0x307);
    } else if (c == 0x3A3) {
      // Final_Sigma: cased before (skipping case-ignorables) and not cased after.
      bool final_sigma = prev_cased;
      if (final_sigma) {
        detail::Decoder<E> ahead = decoder;
        char32_t n = 0;
        bool more = false;
        while ((more = ahead.next(n))) {
          if ((props_of(n) & kCaseIgnorable) == 0) break;
        }
        final_sigma = !more || (props_of(n) & kCased) == 0;
      }
      emit(final_sigma ? 0x3C2 : 0x3C3);
    } else {
      emit(c < 0x10000 ? static_cast<char32_t>(lower[c]) : detail::simple_lower(c));
    }
    if ((p & kCaseIgnorable) == 0) prev_cased = (p & kCased) != 0;
  }
  classify(j, false);
  return j;
}

template <class OnRun>
std::size_t preprocess_any(TextView doc, std::size_t doc_index, const AnalyzerOptions& opt,
                           std::string& out, std::u32string& tmp, OnRun&& on_run) {
  switch (doc.encoding) {
    case Encoding::utf8:
      return preprocess_into<Encoding::utf8>(doc, doc_index, opt, out, tmp, on_run);
    case Encoding::latin1:
      return preprocess_into<Encoding::latin1>(doc, doc_index, opt, out, tmp, on_run);
    case Encoding::ucs2:
      return preprocess_into<Encoding::ucs2>(doc, doc_index, opt, out, tmp, on_run);
    case Encoding::ucs4:
      break;
  }
  return preprocess_into<Encoding::ucs4>(doc, doc_index, opt, out, tmp, on_run);
}

}  // namespace

std::string Analyzer::preprocess(TextView doc, std::size_t doc_index) const {
  std::string out;
  std::u32string tmp;
  out.resize(preprocess_any(doc, doc_index, options_, out, tmp,
                            [](std::size_t, std::size_t, std::size_t) {}));
  return out;
}

// Hands the tokens found so far to `sink`, as views of the text, and forgets them.
void Analyzer::flush_tokens(Workspace::State& ws, TermSink& sink) {
  auto& views = ws.views;
  views.resize(ws.tokens.size());
  for (std::size_t i = 0; i < ws.tokens.size(); ++i) {
    views[i] = std::string_view(ws.text.data() + ws.tokens[i].first, ws.tokens[i].second);
  }
  sink.terms(views.data(), views.size());
  ws.tokens.clear();
}

std::size_t Analyzer::prepare(TextView doc, Workspace& workspace, std::size_t doc_index,
                              TermSink* batch) const {
  Workspace::State& ws = *workspace.state_;
  const bool filter = impl_->stop_words.size() != 0;
  const bool batches = batch != nullptr && options_.ngram_range == std::pair<int, int>{1, 1};
  auto& tokens = ws.tokens;
  tokens.clear();
  const std::string& text = ws.text;
  // A word token at [offset, offset + length) of the preprocessed text. Unigrams may go to
  // the sink in batches, as views made at hand-over time (the text buffer may still grow
  // while the document is read).
  constexpr std::size_t kBatch = 1024;
  auto add_token = [&](std::size_t offset, std::size_t length) {
    if (filter && impl_->stop_words.find(std::string_view(text.data() + offset, length)) >= 0) {
      return;
    }
    tokens.push(offset, length);
    if (batches && tokens.size() >= kBatch) flush_tokens(ws, *batch);
  };

  if (options_.analyzer == AnalyzerKind::word && impl_->pattern == nullptr) {
    // (?u)\b\w\w+\b is every maximal run of at least two word characters: found while
    // preprocessing, without a second pass.
    return preprocess_any(doc, doc_index, options_, ws.text, ws.decomposed,
                          [&](std::size_t offset, std::size_t bytes, std::size_t cps) {
                            if (cps >= 2) add_token(offset, bytes);
                          });
  }
  const std::size_t text_len = preprocess_any(doc, doc_index, options_, ws.text, ws.decomposed,
                                              [](std::size_t, std::size_t, std::size_t) {});
  if (options_.analyzer == AnalyzerKind::terms) {
    // Each term ends at a '\0'; text after the last one is one more term.
    std::size_t at = 0;
    while (at < text_len) {
      const void* nul = std::memchr(text.data() + at, '\0', text_len - at);
      const std::size_t stop =
          nul == nullptr ? text_len
                         : static_cast<std::size_t>(static_cast<const char*>(nul) - text.data());
      add_token(at, stop - at);
      at = stop + 1;
    }
    return text_len;
  }
  if (options_.analyzer != AnalyzerKind::word) return text_len;
  // Word tokens from a custom pattern.
  const pcre2_code* code = impl_->pattern.get();
  if (ws.match_for != code) {
    if (ws.match != nullptr) pcre2_match_data_free(ws.match);
    ws.match = pcre2_match_data_create_from_pattern(code, nullptr);
    ws.match_for = code;
  }
  const auto subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  PCRE2_SIZE at = 0;
  uint32_t flags = 0;
  for (;;) {
    const int rc = pcre2_match(code, subject, text_len, at, flags, ws.match, nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) {
      throw InvalidArgument("document " + std::to_string(doc_index) +
                            ": token_pattern failed: " + pcre2_message(rc));
    }
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(ws.match);
    if (impl_->use_group) {
      // An unset group yields an empty token, as Python's findall does.
      if (rc >= 2 && ov[2] != PCRE2_UNSET) {
        add_token(ov[2], ov[3] - ov[2]);
      } else {
        add_token(ov[0], 0);
      }
    } else {
      add_token(ov[0], ov[1] - ov[0]);
    }
    // After an empty match, the next one may not be empty at the same place (Python 3.7+).
    flags = ov[1] == ov[0] ? PCRE2_NOTEMPTY_ATSTART : 0;
    at = ov[1];
    if (at > text_len) break;
  }
  return text_len;
}

void Analyzer::analyze(TextView doc, Workspace& workspace, TermSink& sink,
                       std::size_t doc_index) const {
  Workspace::State& ws = *workspace.state_;
  const auto [min_n, max_n] = options_.ngram_range;
  const bool unigrams_only = min_n == 1 && max_n == 1;
  const std::size_t text_len = prepare(doc, workspace, doc_index, &sink);
  const std::string& text = ws.text;  // its first text_len bytes are the document
  const auto& tokens = ws.tokens;
  const auto* begin = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = begin + text_len;
  const std::uint8_t* props = detail::bmp_properties();
  auto props_of = [&](char32_t x) { return x < 0x10000 ? props[x] : detail::properties(x); };

  if (options_.analyzer == AnalyzerKind::terms) {
    flush_tokens(ws, sink);
    return;
  }

  if (options_.analyzer == AnalyzerKind::char_wb_ngrams) {
    // For each whitespace-separated word w, n-grams of " " + w + " ", a short word once.
    const unsigned char* p = begin;
    while (p < end) {
      const unsigned char* q = p;
      if ((props_of(detail::next_utf8(q)) & kSpace) != 0) {
        p = q;
        continue;
      }
      const unsigned char* word_begin = p;
      while (p < end) {
        q = p;
        if ((props_of(detail::next_utf8(q)) & kSpace) != 0) break;
        p = q;
      }
      std::string& w = ws.scratch;
      w.assign(1, ' ');
      w.append(reinterpret_cast<const char*>(word_begin), static_cast<std::size_t>(p - word_begin));
      w.push_back(' ');
      const std::size_t w_len = detail::count_code_points(w);
      for (int n = min_n; n <= max_n; ++n) {
        // Window [a, b) of n code points (or the whole word when shorter), slid one at a time.
        const char* a = w.data();
        const char* b = a;
        const char* w_end = w.data() + w.size();
        for (int k = 0; k < n && b < w_end; ++k) b += utf8_length(static_cast<unsigned char>(*b));
        sink(std::string_view(a, static_cast<std::size_t>(b - a)));
        std::size_t offset = 0;
        while (offset + static_cast<std::size_t>(n) < w_len) {
          ++offset;
          a += utf8_length(static_cast<unsigned char>(*a));
          b += utf8_length(static_cast<unsigned char>(*b));
          sink(std::string_view(a, static_cast<std::size_t>(b - a)));
        }
        if (offset == 0) break;
      }
    }
    return;
  }

  if (options_.analyzer == AnalyzerKind::char_ngrams) {
    // Runs of two or more whitespace characters become one space (re.sub(r"\s\s+", " ", ...)).
    std::string& s = ws.collapsed;
    s.clear();
    s.reserve(text_len);
    const unsigned char* p = begin;
    while (p < end) {
      const unsigned char* q = p;
      if ((props_of(detail::next_utf8(q)) & kSpace) == 0) {
        s.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(q - p));
        p = q;
        continue;
      }
      const unsigned char* run_end = q;
      std::size_t run = 1;
      while (run_end < end) {
        const unsigned char* r = run_end;
        if ((props_of(detail::next_utf8(r)) & kSpace) == 0) break;
        run_end = r;
        ++run;
      }
      if (run == 1) {
        s.append(reinterpret_cast<const char*>(p), static_cast<std::size_t>(q - p));
      } else {
        s.push_back(' ');
      }
      p = run_end;
    }
    const std::size_t len = detail::count_code_points(s);
    int first = min_n;
    if (min_n == 1) {
      for (std::size_t i = 0; i < s.size();) {
        const std::size_t l = utf8_length(static_cast<unsigned char>(s[i]));
        sink(std::string_view(s.data() + i, l));
        i += l;
      }
      first = 2;
    }
    for (int n = first; n <= max_n && static_cast<std::size_t>(n) <= len; ++n) {
      const char* a = s.data();
      const char* b = a;
      for (int k = 0; k < n; ++k) b += utf8_length(static_cast<unsigned char>(*b));
      const char* s_end = s.data() + s.size();
      for (;;) {
        sink(std::string_view(a, static_cast<std::size_t>(b - a)));
        if (b == s_end) break;
        a += utf8_length(static_cast<unsigned char>(*a));
        b += utf8_length(static_cast<unsigned char>(*b));
      }
    }
    return;
  }

  if (unigrams_only) {
    flush_tokens(ws, sink);
    return;
  }

  // Word n-grams in scikit-learn's order: all unigrams (if wanted), then bigrams, and so on.
  const std::size_t count = tokens.size();
  int first = min_n;
  if (min_n == 1) {
    for (const auto& [off, len] : tokens) sink(std::string_view(text.data() + off, len));
    first = 2;
  }
  std::string& joined = ws.scratch;
  for (int n = first; n <= max_n && static_cast<std::size_t>(n) <= count; ++n) {
    for (std::size_t i = 0; i + static_cast<std::size_t>(n) <= count; ++i) {
      joined.clear();
      for (int k = 0; k < n; ++k) {
        if (k != 0) joined.push_back(' ');
        const auto& [off, len] = tokens[i + static_cast<std::size_t>(k)];
        joined.append(text, off, len);
      }
      sink(joined);
    }
  }
}

std::vector<std::string> Analyzer::analyze(TextView doc) const {
  struct Collect : TermSink {
    std::vector<std::string> terms;
    void operator()(std::string_view term) override { terms.emplace_back(term); }
  } collect;
  Workspace ws;
  analyze(doc, ws, collect, 0);
  return std::move(collect.terms);
}

Analyzer::Spans Analyzer::spans(std::string_view doc) const {
  if (options_.analyzer != AnalyzerKind::word) {
    throw InvalidArgument("term spans need the word analyzer, not '" +
                          std::string(to_string(options_.analyzer)) + "'");
  }
  Workspace workspace;
  const Workspace::State& ws = *workspace.state_;
  prepare(doc, workspace, 0, nullptr);
  // ends[i]: where the preprocessed text of the document's first i code points ends; each code
  // point is preprocessed alone (lowercasing and accent stripping are per code point).
  const std::u32string cps = decode_utf8(doc, DecodeErrors::strict);
  std::vector<std::size_t> ends(cps.size() + 1, 0);
  {
    std::string one, out;
    std::u32string tmp;
    for (std::size_t i = 0; i < cps.size(); ++i) {
      one.clear();
      append_utf8(one, cps[i]);
      ends[i + 1] = ends[i] + preprocess_any(TextView(one), 0, options_, out, tmp,
                                             [](std::size_t, std::size_t, std::size_t) {});
    }
  }
  // The code point range that makes preprocessed bytes [from, to).
  auto code_points = [&](std::size_t from, std::size_t to) {
    const auto first = std::upper_bound(ends.begin(), ends.end(), from) - ends.begin() - 1;
    const auto last = std::lower_bound(ends.begin(), ends.end(), to) - ends.begin();
    return std::pair<std::size_t, std::size_t>(static_cast<std::size_t>(first),
                                               static_cast<std::size_t>(last));
  };
  Spans out;
  const std::size_t count = ws.tokens.size();
  for (const auto& [off, len] : ws.tokens) out.words.push_back(code_points(off, off + len));
  const auto [min_n, max_n] = options_.ngram_range;
  for (int n = min_n; n <= max_n && static_cast<std::size_t>(n) <= count; ++n) {
    for (std::size_t i = 0; i + static_cast<std::size_t>(n) <= count; ++i) {
      Spans::Term t;
      t.first = i;
      t.words = static_cast<std::size_t>(n);
      for (std::size_t k = 0; k < t.words; ++k) {
        if (k != 0) t.term.push_back(' ');
        const auto& [off, len] = ws.tokens[i + k];
        t.term.append(ws.text, off, len);
      }
      out.terms.push_back(std::move(t));
    }
  }
  return out;
}

}  // namespace newsim
