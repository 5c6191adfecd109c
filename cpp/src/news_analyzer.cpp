#include "newsim/news_analyzer.hpp"

#include <utf8proc.h>

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>

#include "newsim/detail/decoder.hpp"
#include "newsim/detail/unicode.hpp"
#include "newsim/errors.hpp"
#include "newsim/names.hpp"
#include "newsim/spelling.hpp"
#include "newsim/stemmer.hpp"
#include "newsim/stop_words.hpp"

namespace newsim {

std::string_view to_string(TermKind kind) { return kind == TermKind::name ? "name" : "word"; }

const std::vector<std::string>& news_stop_words() {
  static const std::vector<std::string> words = {
      // reporting verbs
      "said", "says", "say", "saying", "told", "tell", "tells", "telling", "added", "adding",
      "asked", "asking", "according", "reported", "reporting", "announced", "stated", "noted",
      "explained", "confirmed",
      // filler
      "make", "made", "makes", "making", "including", "include", "includes", "also", "just",
      "really", "going", "like", "ago", "earlier", "later", "recently", "currently",
      "reportedly",
      // honorifics
      "mr", "mrs", "ms", "dr",
      // time
      "today", "yesterday", "tomorrow", "tonight", "week", "weeks", "weekend", "month", "months",
      "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "pm", "gmt",
      "january", "february", "april", "june", "july", "september", "october", "november",
      "december",
      // units of report
      "percent", "pct", "cent",
  };
  return words;
}

std::vector<std::string> news_stop_list(std::string_view name) {
  if (name == "none") return {};
  if (name == "english") return english_stop_words();
  if (name == "news") {
    std::vector<std::string> out = english_stop_words();
    out.insert(out.end(), news_stop_words().begin(), news_stop_words().end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  throw InvalidArgument("stop_words must be 'news', 'english', 'none' or a list of words; got '" +
                        std::string(name) + "'");
}

const std::vector<std::string>& news_title_words() {
  static const std::vector<std::string> words = {
      "president", "presidents", "vice", "prime", "minister", "ministers", "chancellor",
      "secretary", "general", "spokesman", "spokeswoman", "spokesperson", "king", "queen",
      "prince", "princess", "senator", "sen", "rep", "gov", "governor", "gen", "col", "lt",
      "sgt", "capt", "maj", "adm", "dr", "prof", "mr", "mrs", "ms", "miss", "sir", "lord",
      "lady", "pope", "sheikh", "ambassador", "mayor", "premier", "chairman", "chairwoman",
      "ceo", "director", "deputy", "former", "acting", "foreign", "defence", "defense",
      "finance", "interior", "commander", "judge", "envoy", "leader", "chief",
  };
  return words;
}

void NewsAnalyzerOptions::validate() const {
  Stemmer::check_language(language);
  if (!(title_weight > 0.0) || !std::isfinite(title_weight)) {
    throw InvalidArgument("title_weight must be a finite number > 0; got " +
                          std::to_string(title_weight));
  }
  if (!(lead_weight > 0.0) || !std::isfinite(lead_weight)) {
    throw InvalidArgument("lead_weight must be a finite number > 0; got " +
                          std::to_string(lead_weight));
  }
  if (lead_words < 0) {
    throw InvalidArgument("lead_words must be >= 0; got " + std::to_string(lead_words));
  }
}

namespace {

using StringSet = absl::flat_hash_set<std::string>;  // string_view lookups build no string

// Abseil's own string_view (this Abseil is not built with std::string_view) for heterogeneous
// lookups.
absl::string_view sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

const StringSet& connectors() {
  static const StringSet s = {"of", "the", "de", "del", "der", "di", "da", "du", "dos", "al",
                              "el", "la", "le", "von", "van", "bin", "ibn", "bint", "ben"};
  return s;
}

const StringSet& calendar_words() {
  static const StringSet s = {"monday", "tuesday", "wednesday", "thursday", "friday",
                              "saturday", "sunday", "january", "february", "march", "april",
                              "may", "june", "july", "august", "september", "october",
                              "november", "december"};
  return s;
}

const StringSet& abbreviations() {
  static const StringSet s = {"mr", "mrs", "ms", "dr", "st", "gen", "col", "lt", "sgt", "sen",
                              "rep", "gov", "prof", "jr", "sr", "mt", "ft", "no", "vs", "inc",
                              "co", "corp", "ltd", "capt", "maj", "adm", "rev", "messrs"};
  return s;
}

const StringSet& joined_prefixes() {
  static const StringSet s = {"anti", "co", "pre", "non", "re"};
  return s;
}

bool is_newline(char32_t c) {
  return c == U'\n' || c == U'\r' || c == 0x0B || c == 0x0C || c == 0x85 || c == 0x2028 ||
         c == 0x2029;
}
bool is_hyphen(char32_t c) { return c == U'-' || c == 0x2010 || c == 0x2011; }
bool is_apostrophe(char32_t c) { return c == U'\'' || c == 0x2019; }
bool is_opening_or_quote(char32_t c) {
  switch (c) {
    case U'"': case U'\'': case U'(': case U'[': case U'{': case 0x2018: case 0x2019:
    case 0x201C: case 0x201D: case 0x00AB: case 0x00BB: case 0x2014: case 0x2013: case U'-':
    case U'*':
      return true;
    default:
      return false;
  }
}
bool is_upper_start(char32_t c) {
  const auto* p = utf8proc_get_property(static_cast<utf8proc_int32_t>(c));
  return p->category == UTF8PROC_CATEGORY_LU || p->category == UTF8PROC_CATEGORY_LT;
}
bool is_lower_start(char32_t c) {
  return utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->category ==
         UTF8PROC_CATEGORY_LL;
}

void decode_field(TextView v, DecodeErrors errors, std::size_t doc, std::u32string& out) {
  out.clear();
  out.reserve(v.size);
  char32_t c = 0;
  auto run = [&](auto decoder) {
    while (decoder.next(c)) out.push_back(c);
  };
  switch (v.encoding) {
    case Encoding::utf8: run(detail::Decoder<Encoding::utf8>(v, errors, doc)); break;
    case Encoding::latin1: run(detail::Decoder<Encoding::latin1>(v, errors, doc)); break;
    case Encoding::ucs2: run(detail::Decoder<Encoding::ucs2>(v, errors, doc)); break;
    case Encoding::ucs4: run(detail::Decoder<Encoding::ucs4>(v, errors, doc)); break;
  }
}

// Appends s[b, e) as UTF-8, lowercased when asked (ASCII and the BMP through the tables).
void append_utf8_of(std::string& out, const std::u32string& s, std::size_t b, std::size_t e,
                    bool lower) {
  const char16_t* low = lower ? detail::bmp_lower() : nullptr;
  for (std::size_t i = b; i < e; ++i) {
    char32_t c = s[i];
    if (low != nullptr) c = c < 0x10000 ? static_cast<char32_t>(low[c]) : detail::simple_lower(c);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      append_utf8(out, c);
    }
  }
}

std::string utf8_of(const std::u32string& s, std::size_t b, std::size_t e, bool lower) {
  std::string out;
  out.reserve(e - b);
  append_utf8_of(out, s, b, e, lower);
  return out;
}

// What the analysis needs to know about a lowercase word, cached per workspace: its membership
// in the word lists (one hash lookup per token instead of several), its stem (computed on first
// use), and per-document evidence stamped with the document's generation.
enum WordFlag : std::uint8_t {
  kStop = 1, kConnector = 2, kCalendar = 4, kTitleWord = 8, kAbbreviation = 16
};
struct WordInfo {
  std::string word;  // the lowercase word itself (the cache's key points here)
  std::string stem;
  bool stemmed = false;
  std::uint8_t flags = 0;
  std::uint64_t lowercase_gen = 0;    // seen with a lowercase first letter in document gen
  std::uint64_t capitalised_gen = 0;  // seen capitalised mid-sentence in document gen
};

// One token of a field.
struct Token {
  WordInfo* info = nullptr;
  std::size_t begin = 0, end = 0;  // code point offsets in the field
  std::size_t cps = 0;
  std::string_view lower;      // info->word
  bool cap = false;            // first letter upper or title case
  bool lower_case = false;     // first letter lowercase
  bool sentence_start = false;
  bool linked = false;         // joined to the previous token inside a possible name
  bool initial = false;        // a single capital letter followed by '.'
  bool needs_evidence = false; // in a Title Case line: a name only if the document confirms it
  std::size_t line = 0;
  double weight = 1.0;
};

bool is_english(std::string_view language) {
  return language == "english" || language == "porter" || language.empty() || language == "none";
}

}  // namespace

struct NewsAnalyzer::Impl {
  StringSet stop;
  StringSet title_words;
  bool fold = true;
};

struct NewsAnalyzer::Workspace::State {
  Stemmer stemmer;
  // lowercase word -> lists, stem, evidence; the entries live in `infos` (stable addresses) and
  // the keys view their `word`.
  absl::flat_hash_map<absl::string_view, WordInfo*> words;
  std::deque<WordInfo> infos;
  std::string scratch;  // the token being looked up
  const void* owner = nullptr;                      // the Impl whose lists `words` reflects
  std::uint64_t gen = 0;                            // documents analysed
  // Buffers reused from document to document (fewer page faults and reallocations).
  std::u32string fields[2];
  std::vector<Token> toks[2];
  explicit State(const std::string& language) : stemmer(language) {}
};

NewsAnalyzer::Workspace::Workspace(const NewsAnalyzer& analyzer)
    : state_(std::make_unique<State>(analyzer.options_.language)) {}
NewsAnalyzer::Workspace::~Workspace() = default;
NewsAnalyzer::Workspace::Workspace(Workspace&&) noexcept = default;
NewsAnalyzer::Workspace& NewsAnalyzer::Workspace::operator=(Workspace&&) noexcept = default;

NewsAnalyzer::NewsAnalyzer(NewsAnalyzerOptions options) : options_(std::move(options)) {
  options_.validate();
  auto impl = std::make_shared<Impl>();
  impl->stop.insert(options_.stop_words.begin(), options_.stop_words.end());
  impl->title_words.insert(news_title_words().begin(), news_title_words().end());
  impl->fold = options_.fold_spelling && is_english(options_.language);
  impl_ = std::move(impl);
}

NewsAnalyzer::~NewsAnalyzer() = default;
NewsAnalyzer::NewsAnalyzer(const NewsAnalyzer&) = default;
NewsAnalyzer& NewsAnalyzer::operator=(const NewsAnalyzer&) = default;
NewsAnalyzer::NewsAnalyzer(NewsAnalyzer&&) noexcept = default;
NewsAnalyzer& NewsAnalyzer::operator=(NewsAnalyzer&&) noexcept = default;

namespace {

// Splits a field into tokens, marking sentence starts and name links; lookup(lower) gives each
// token's WordInfo.
template <class Lookup>
void tokenize(const std::u32string& f, std::vector<Token>& toks, std::string& lower,
              Lookup&& lookup) {
  toks.clear();
  const std::uint8_t* props = detail::bmp_properties();
  auto word = [&](char32_t c) {
    return ((c < 0x10000 ? props[c] : detail::properties(c)) & detail::kWord) != 0;
  };
  std::size_t i = 0;
  const std::size_t n = f.size();
  std::size_t prev_end = 0;
  std::size_t line = 0;
  while (i < n) {
    if (!word(f[i])) {
      ++i;
      continue;
    }
    Token t;
    t.begin = i;
    for (std::size_t k = prev_end; k < i; ++k) line += is_newline(f[k]) ? 1 : 0;
    t.line = line;
    while (i < n && word(f[i])) ++i;
    t.end = i;
    lower.clear();
    append_utf8_of(lower, f, t.begin, t.end, true);
    // anti-missile, co-operate: one word.
    if (i + 1 < n && is_hyphen(f[i]) && word(f[i + 1]) &&
        joined_prefixes().contains(sv(lower))) {
      std::size_t j = i + 1;
      while (j < n && word(f[j])) ++j;
      append_utf8_of(lower, f, i + 1, j, true);
      t.end = j;
      i = j;
    }
    t.cps = t.end - t.begin;
    t.info = lookup(std::string_view(lower));
    t.lower = t.info->word;
    t.cap = is_upper_start(f[t.begin]);
    t.lower_case = is_lower_start(f[t.begin]);
    t.initial = t.cps == 1 && t.cap && t.end < n && f[t.end] == U'.';
    if (toks.empty()) {
      t.sentence_start = true;
    } else {
      const Token& p = toks.back();
      // Sentence start: scan the gap backwards past spaces, quotes and brackets.
      bool start = false;
      for (std::size_t k = t.begin; k > prev_end; --k) {
        const char32_t c = f[k - 1];
        if (is_newline(c)) {
          start = true;
          break;
        }
        if (detail::is_space(c) || is_opening_or_quote(c)) continue;
        if (c == U'!' || c == U'?' || c == U':' || c == U';' || c == 0x2026) {
          start = true;
        } else if (c == U'.') {
          start = !(k - 1 == p.end && (p.initial || (p.info->flags & kAbbreviation) != 0));
        }
        break;
      }
      t.sentence_start = start;
      // Name link: spaces without a line break, or one hyphen or apostrophe, or an initial's
      // period (and spaces).
      const std::size_t gap = t.begin - prev_end;
      bool spaces = gap >= 1;
      for (std::size_t k = prev_end; k < t.begin && spaces; ++k) {
        spaces = detail::is_space(f[k]) && !is_newline(f[k]);
      }
      bool link = spaces;
      if (!link && gap == 1) link = is_hyphen(f[prev_end]) || is_apostrophe(f[prev_end]);
      if (!link && p.initial && f[prev_end] == U'.') {
        link = true;
        for (std::size_t k = prev_end + 1; k < t.begin && link; ++k) {
          link = detail::is_space(f[k]) && !is_newline(f[k]);
        }
      }
      t.linked = link;
    }
    prev_end = t.end;
    toks.push_back(t);
  }
}

}  // namespace

void NewsAnalyzer::occurrences(const NewsDocument& doc, Workspace& workspace,
                               std::vector<NewsOccurrence>& out, std::size_t doc_index) const {
  Workspace::State& ws = *workspace.state_;
  const Impl& impl = *impl_;
  out.clear();
  if (ws.owner != &impl || ws.words.size() > 200000) {  // bounded memory on huge vocabularies
    ws.words.clear();
    ws.infos.clear();
    ws.owner = &impl;
  }
  const std::uint64_t gen = ++ws.gen;
  auto lookup = [&](std::string_view lower) -> WordInfo* {
    auto it = ws.words.find(sv(lower));
    if (it != ws.words.end()) return it->second;
    WordInfo& w = ws.infos.emplace_back();
    w.word.assign(lower.data(), lower.size());
    std::uint8_t f = 0;
    if (impl.stop.contains(sv(lower))) f |= kStop;
    if (connectors().contains(sv(lower))) f |= kConnector;
    if (calendar_words().contains(sv(lower))) f |= kCalendar;
    if (impl.title_words.contains(sv(lower))) f |= kTitleWord;
    if (abbreviations().contains(sv(lower))) f |= kAbbreviation;
    w.flags = f;
    ws.words.emplace(sv(w.word), &w);
    return &w;
  };
  decode_field(doc.title, options_.decode_error, doc_index, ws.fields[0]);
  decode_field(doc.text, options_.decode_error, doc_index, ws.fields[1]);
  const std::u32string (&fields)[2] = ws.fields;
  std::vector<Token> (&toks)[2] = ws.toks;
  tokenize(fields[0], toks[0], ws.scratch, lookup);
  tokenize(fields[1], toks[1], ws.scratch, lookup);
  for (auto& t : toks[0]) t.weight = options_.title_weight;
  for (std::size_t k = 0; k < toks[1].size(); ++k) {
    toks[1][k].weight = k < static_cast<std::size_t>(options_.lead_words) ? options_.lead_weight
                                                                          : 1.0;
  }

  // Lines in Title Case (headlines, in the title or in the text): every word is read as a
  // sentence start that the document must confirm.
  for (int f = 0; f < 2; ++f) {
    std::vector<Token>& field = toks[f];
    for (std::size_t a = 0; a < field.size();) {
      std::size_t z = a;
      int long_words = 0;
      bool all_cap = true;
      for (; z < field.size() && field[z].line == field[a].line; ++z) {
        const Token& t = field[z];
        if (t.cps < 3 || (t.info->flags & kStop) != 0 || !(t.cap || t.lower_case)) continue;
        ++long_words;
        all_cap = all_cap && t.cap;
      }
      // A sentence, not a headline, ends with a period.
      bool period = false;
      for (std::size_t k = field[z - 1].end; k < fields[f].size() && !is_newline(fields[f][k]); ++k) {
        period = period || fields[f][k] == U'.';
      }
      if (long_words >= 2 && all_cap && !period) {
        for (std::size_t k = a; k < z; ++k) field[k].sentence_start = field[k].needs_evidence = true;
      }
      a = z;
    }
  }

  auto stem_of = [&](const Token& t) -> const std::string& {
    WordInfo& w = *t.info;
    if (!w.stemmed) {
      w.stem = impl.fold ? ws.stemmer.stem(fold_spelling(t.lower)) : ws.stemmer.stem(t.lower);
      w.stemmed = true;
    }
    return w.stem;
  };

  for (int f = 0; f < 2; ++f) {
    for (const Token& t : toks[f]) {
      if (t.cps < 2 || (t.info->flags & kStop) != 0) continue;
      NewsOccurrence& o = out.emplace_back();
      o.key = stem_of(t);
      o.kind = TermKind::word;
      o.surface.assign(t.lower.data(), t.lower.size());
      o.in_title = f == 0;
      o.weight = t.weight;
    }
  }
  if (!options_.names) return;

  // Evidence from the whole document for words that begin a sentence.
  for (int f = 0; f < 2; ++f) {
    for (const Token& t : toks[f]) {
      if (t.lower_case) t.info->lowercase_gen = gen;
      if (t.cap && !t.sentence_start) t.info->capitalised_gen = gen;
    }
  }
  auto lowercase_seen = [&](const Token& t) { return t.info->lowercase_gen == gen; };
  auto strippable = [&](const Token& t) {
    return t.cps < 2 || (t.info->flags & (kStop | kCalendar | kConnector)) != 0 || !t.cap;
  };
  auto confirmed = [&](const Token& t) {
    return t.info->capitalised_gen == gen && !lowercase_seen(t);
  };
  auto breaks = [&](const Token& t) {
    if ((t.info->flags & kConnector) != 0) return false;
    return (t.info->flags & (kTitleWord | kStop | kCalendar)) != 0 ||
           (t.needs_evidence && !confirmed(t));
  };
  auto emit = [&](const std::u32string& text, const std::vector<const Token*>& piece, bool title) {
    std::size_t b = 0, e = piece.size();
    for (;;) {
      while (b < e && strippable(*piece[b]) && !piece[b]->initial) ++b;
      while (e > b && strippable(*piece[e - 1])) --e;
      if (b == e) return;
      const Token& first = *piece[b];
      if (!first.sentence_start) break;
      const bool alone = e - b == 1;
      const bool ok = alone ? confirmed(first) : !lowercase_seen(first);
      if (ok) break;
      ++b;
    }
    // The surface as written, with each gap made one space (an initial keeps its period).
    std::string surface;
    for (std::size_t k = b; k < e; ++k) {
      const Token& t = *piece[k];
      if (k > b) {
        const Token& p = *piece[k - 1];
        const char32_t g = text[p.end];
        if (p.initial) {
          surface += '.';
          if (t.begin > p.end + 1) surface += ' ';
        } else if (is_hyphen(g) || is_apostrophe(g)) {
          append_utf8(surface, g);
        } else {
          surface += ' ';
        }
      }
      append_utf8_of(surface, text, t.begin, t.end, false);
    }
    const std::string key = name_key(surface);
    if (key.empty()) return;
    out.push_back({std::string(1, kNamePrefix) + key, TermKind::name, surface, title,
                   piece[b]->weight});
    if (e - b >= 2 && piece[e - 1]->cps >= 2) {
      const Token& last = *piece[e - 1];
      const std::string last_surface = utf8_of(text, last.begin, last.end, false);
      out.push_back({std::string(1, kNamePrefix) + name_word_key(last_surface), TermKind::name,
                     last_surface, title, last.weight});
    }
  };

  for (int f = 0; f < 2; ++f) {
    const std::vector<Token>& ts = toks[f];
    std::size_t k = 0;
    while (k < ts.size()) {
      if (!ts[k].cap) {
        ++k;
        continue;
      }
      // A maximal linked run of capitalised tokens and lowercase connectors.
      std::size_t e = k + 1;
      while (e < ts.size() && ts[e].linked &&
             (ts[e].cap || (ts[e].info->flags & kConnector) != 0)) {
        ++e;
      }
      // Titles, stop words and unconfirmed headline words split the run.
      std::vector<const Token*> piece;
      for (std::size_t q = k; q <= e; ++q) {
        if (q == e || breaks(ts[q])) {
          if (!piece.empty()) emit(fields[f], piece, f == 0);
          piece.clear();
        } else {
          piece.push_back(&ts[q]);
        }
      }
      k = e;
    }
  }
}

std::vector<NewsTerm> NewsAnalyzer::analyze(const NewsDocument& doc, Workspace& ws,
                                            std::size_t doc_index) const {
  std::vector<NewsOccurrence> occ;
  occurrences(doc, ws, occ, doc_index);
  struct Acc {
    TermKind kind;
    double count = 0.0;
    std::map<std::string, int> surfaces;
  };
  std::map<std::string, Acc> acc;
  for (const auto& o : occ) {
    Acc& a = acc.try_emplace(o.key, Acc{o.kind, 0.0, {}}).first->second;
    a.count += o.weight;
    ++a.surfaces[o.surface];
  }
  std::vector<NewsTerm> out;
  out.reserve(acc.size());
  for (auto& [key, a] : acc) {
    const std::string* best = nullptr;
    int best_n = 0;
    for (const auto& [s, n] : a.surfaces) {
      if (n > best_n) best = &s, best_n = n;  // map order: ties keep the smallest
    }
    out.push_back({key, a.kind, a.count, best != nullptr ? *best : std::string()});
  }
  return out;
}

std::vector<NewsTerm> NewsAnalyzer::analyze(const NewsDocument& doc) const {
  Workspace ws(*this);
  return analyze(doc, ws, 0);
}

std::vector<NewsOccurrence> NewsAnalyzer::occurrences(const NewsDocument& doc) const {
  Workspace ws(*this);
  std::vector<NewsOccurrence> out;
  occurrences(doc, ws, out, 0);
  return out;
}

}  // namespace newsim
