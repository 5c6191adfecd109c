#include "newsim/cleaning.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "model_io.hpp"
#include "newsim/detail/hash.hpp"
#include "newsim/detail/parallel.hpp"
#include "newsim/detail/prefetch.hpp"
#include "newsim/errors.hpp"
#include "newsim/stop_words.hpp"
#include "newsim/text.hpp"

namespace newsim {

const char* to_string(LineLabel label) {
  switch (label) {
    case LineLabel::blank: return "blank";
    case LineLabel::body: return "body";
    case LineLabel::boilerplate: return "boilerplate";
    case LineLabel::title: return "title";
    case LineLabel::caption: return "caption";
    case LineLabel::credit: return "credit";
    case LineLabel::subhead: return "subhead";
  }
  return "body";
}

namespace {

std::uint64_t hash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }
// Folds a word's hash into a running hash (order matters): a multiply-xorshift mix.
std::uint64_t combine(std::uint64_t h, std::uint64_t w) {
  h = (h ^ (w + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2))) * 0xBF58476D1CE4E5B9ULL;
  return h ^ (h >> 31);
}

// Byte classes, without locale calls: ASCII letters and digits and every non-ASCII byte are
// word bytes; lowercase is ASCII only. fold: the lowercase of a word byte, 0 for the others.
struct ByteTables {
  bool word[256];
  char lower[256];
  char fold[256];
  ByteTables() {
    for (int c = 0; c < 256; ++c) {
      word[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
      lower[c] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
      fold[c] = word[c] ? lower[c] : 0;
    }
  }
};
const ByteTables kBytes;

bool is_word_byte(unsigned char c) { return kBytes.word[c]; }

constexpr std::size_t kMaxToken = 48;  // bytes of a word kept for its hash

// Calls fn(token, hash, original) for each run of word bytes of s: the run lowercased (at most
// kMaxToken bytes kept), its hash, and the run as written.
template <class Fn>
void for_each_token(std::string_view s, Fn&& fn) {
  char buf[kMaxToken];
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* const end = p + s.size();
  for (;;) {
    while (p < end && kBytes.fold[*p] == 0) ++p;
    if (p == end) return;
    const auto* const start = p;
    std::size_t len = 0;
    for (char c; p < end && (c = kBytes.fold[*p]) != 0; ++p) {
      if (len < kMaxToken) buf[len++] = c;
    }
    const std::string_view token(buf, len);
    fn(token, hash(token),
       std::string_view(reinterpret_cast<const char*>(start), static_cast<std::size_t>(p - start)));
  }
}

// The key under which repeated lines are counted: the sequence of lowercase words.
std::uint64_t line_key(std::string_view s) {
  std::uint64_t key = 0;
  for_each_token(s, [&](std::string_view, std::uint64_t h, std::string_view) {
    key = key == 0 ? h : combine(key, h);
  });
  return key;
}

// An open-addressing map from 64-bit hashes to V; fast lookups for the line features.
template <class V>
class FlatMap {
 public:
  explicit FlatMap(std::size_t expected = 16) {
    std::size_t cap = 16;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, Slot{});
    mask_ = cap - 1;
  }
  V* find(std::uint64_t key) {
    key = key == 0 ? 1 : key;
    for (std::size_t i = key & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return &slots_[i].value;
      if (slots_[i].key == 0) return nullptr;
    }
  }
  const V* find(std::uint64_t key) const { return const_cast<FlatMap*>(this)->find(key); }
  // Starts loading the slot of a key, so that a later find need not wait for memory.
  void prefetch(std::uint64_t key) const {
    key = key == 0 ? 1 : key;
    detail::prefetch(&slots_[key & mask_]);
  }
  std::size_t size() const { return size_; }
  // Calls fn(key, value) for each entry, in slot order (a stored key of 0 reads as 1).
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const Slot& slot : slots_) {
      if (slot.key != 0) fn(slot.key, slot.value);
    }
  }
  V& operator[](std::uint64_t key) {
    if ((size_ + 1) * 2 > slots_.size()) grow();
    key = key == 0 ? 1 : key;
    for (std::size_t i = key & mask_;; i = (i + 1) & mask_) {
      if (slots_[i].key == key) return slots_[i].value;
      if (slots_[i].key == 0) {
        slots_[i].key = key;
        ++size_;
        return slots_[i].value;
      }
    }
  }

 private:
  struct Slot {
    std::uint64_t key = 0;  // 0: empty (a key of 0 is stored as 1)
    V value{};
  };
  void grow() {
    FlatMap bigger(slots_.size());
    for (Slot& slot : slots_) {
      if (slot.key != 0) bigger[slot.key] = std::move(slot.value);
    }
    *this = std::move(bigger);
  }
  std::vector<Slot> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

// Multi-word phrases of page furniture: one is enough to call a line furniture when it is not
// a sentence, and in the head or tail of a page even when it is.
constexpr const char* kPhrases[][2] = {
    // appeals and memberships
    {"support us", "appeal"}, {"support our journalism", "appeal"}, {"your support", "appeal"},
    {"support today", "appeal"}, {"we need your help", "appeal"}, {"small favor to ask", "appeal"},
    {"small favour to ask", "appeal"}, {"make a contribution", "appeal"},
    {"become a member", "appeal"}, {"become a supporter", "appeal"}, {"donate now", "appeal"},
    {"make a donation", "appeal"}, {"ad free", "appeal"}, {"disabled all ads", "appeal"},
    {"remind me later", "appeal"}, {"not ready to", "appeal"}, {"payment methods", "appeal"},
    {"independent journalism", "appeal"},
    // subscriptions and accounts
    {"subscribe to", "subscription"}, {"subscribe now", "subscription"},
    {"sign up for", "subscription"}, {"sign up to", "subscription"}, {"sign in", "subscription"},
    {"log in", "subscription"}, {"create an account", "subscription"},
    {"already a subscriber", "subscription"}, {"free trial", "subscription"},
    {"unlimited access", "subscription"}, {"our newsletter", "subscription"},
    {"daily newsletter", "subscription"}, {"get the latest", "subscription"},
    {"delivered to your inbox", "subscription"}, {"enter your email", "subscription"},
    // cookies, legal
    {"we use cookies", "cookies"}, {"use of cookies", "cookies"}, {"cookie policy", "cookies"},
    {"cookie settings", "cookies"}, {"accept cookies", "cookies"}, {"accept all", "cookies"},
    {"privacy policy", "legal"}, {"terms of use", "legal"}, {"terms of service", "legal"},
    {"terms and conditions", "legal"}, {"all rights reserved", "legal"},
    // sharing
    {"share this article", "share"}, {"share this story", "share"}, {"share this page", "share"},
    {"share on facebook", "share"}, {"share on twitter", "share"},
    {"share article", "share"},
    {"copy link", "share"}, {"follow us", "share"}, {"email this", "share"},
    {"print this", "share"},
    // comments
    {"post a comment", "comments"}, {"leave a comment", "comments"}, {"add a comment", "comments"},
    {"join the conversation", "comments"}, {"show comments", "comments"},
    {"view comments", "comments"}, {"comments are closed", "comments"},
    {"sign in to comment", "comments"}, {"0 comments", "comments"},
    // navigation and lists
    {"accessibility links", "navigation"}, {"skip to content", "navigation"},
    {"skip to main content", "navigation"}, {"breaking news", "navigation"},
    {"read more", "navigation"}, {"related articles", "navigation"},
    {"related stories", "navigation"}, {"related topics", "navigation"},
    {"more on this story", "navigation"}, {"you may also like", "navigation"},
    {"you might also like", "navigation"}, {"most read", "navigation"},
    {"most popular", "navigation"}, {"back to top", "navigation"}, {"top stories", "navigation"},
{"recommended for you", "navigation"},
    {"click here", "navigation"}, {"hours ago", "navigation"}, {"minutes ago", "navigation"},
    {"min read", "navigation"},
};

// Single words of page furniture: evidence only in short lines that are not sentences.
constexpr const char* kWords[] = {
    "advertisement", "advertising", "sponsored", "comments", "comment", "share", "tweet",
    "facebook", "twitter", "whatsapp", "linkedin", "pinterest", "telegram", "instagram",
    "youtube", "email", "print", "menu", "home", "search", "login", "subscribe", "newsletter",
    "donate", "cookies", "related", "trending", "sections", "navigation", "icon", "close",
    "next", "previous", "prev", "more", "video", "videos", "photos", "gallery", "published",
    "updated", "loading", "privacy", "copyright",
};

// Link labels that start a line of page furniture: "Related: ...", "Trending: ...".
constexpr const char* kLabels[] = {
    "trending", "related", "read more", "read also", "also read", "see also", "more", "watch",
    "listen", "live", "advertisement", "sponsored", "you may also like", "you might also like",
    "recommended", "most read", "popular", "latest", "breaking", "more on this story", "top story",
    "editor's pick", "editors' picks", "promoted", "partner content",
};

// News agencies and wires: a line of nothing but these is a credit.
constexpr const char* kAgencies[] = {
    "reuters", "ap", "afp", "bloomberg", "associated press", "agence france-presse",
    "agence france presse", "xinhua", "tass", "itar-tass", "ria novosti", "interfax", "upi",
    "dpa", "ansa", "efe", "kyodo", "yonhap", "pti", "ians", "bbc", "bbc news", "cnn",
    "al jazeera", "agencies", "wires", "staff", "rt", "nyt", "the associated press", "reuter",
};

struct Lexicon {
  FlatMap<std::pair<std::string, std::string>> phrases;  // hash -> (phrase, category)
  FlatMap<char> phrase_starts;
  FlatMap<std::string> words;
  std::unordered_set<std::string> agencies;
  std::unordered_set<std::string> labels;
  FlatMap<char> credit_starts;  // first words of agencies and of reporting lines
  // One lookup per word: what the word is (bits below), and the furniture word itself.
  static constexpr std::uint8_t kStop = 1, kAddress = 2, kPhraseStart = 4, kFurniture = 8;
  // Looked up for every word of the corpus, mostly in vain: sparse (a tenth full), so that
  // a miss stops at the first empty slot.
  FlatMap<std::uint8_t> flags{2048};

  Lexicon() {
    for (const auto& p : kPhrases) {
      std::string_view s = p[0];
      std::uint64_t h = 0;
      bool first = true;
      while (!s.empty()) {
        const std::size_t sp = s.find(' ');
        const std::string_view w = s.substr(0, sp);
        if (first) phrase_starts[hash(w)] = 1;
        h = first ? hash(w) : combine(h, hash(w));
        first = false;
        s = sp == std::string_view::npos ? std::string_view() : s.substr(sp + 1);
      }
      phrases[h] = std::make_pair(std::string(p[0]), std::string(p[1]));
    }
    for (const char* w : kWords) words[hash(w)] = w;
    for (const char* a : kAgencies) agencies.insert(a);
    for (const char* l : kLabels) labels.insert(l);
    for (const std::string& w : english_stop_words()) flags[hash(w)] |= kStop;
    for (const char* w : {"you", "your", "we", "us", "our", "please"}) flags[hash(w)] |= kAddress;
    for (const char* w : kWords) flags[hash(w)] |= kFurniture;
    for (const auto& p : kPhrases) {
      const std::string_view v(p[0]);
      flags[hash(v.substr(0, v.find(' ')))] |= kPhraseStart;
    }
    for (const char* a : kAgencies) {
      const std::string_view v(a);
      credit_starts[hash(v.substr(0, std::min(v.find(' '), v.find('-'))))] = 1;
    }
    for (const char* w : {"reporting", "additional", "editing", "writing", "compiled", "source",
                          "sources", "with"}) {
      credit_starts[hash(w)] = 1;
    }
  }
};

const Lexicon& lexicon() {
  static const Lexicon lex;
  return lex;
}



// Strips spaces, tabs, carriage returns and no-break spaces (U+00A0) at both ends, in any mix.
std::string_view trim(std::string_view s) {
  auto nbsp_front = [](std::string_view v) {
    return v.size() >= 2 && static_cast<unsigned char>(v[0]) == 0xC2 &&
           static_cast<unsigned char>(v[1]) == 0xA0;
  };
  auto nbsp_back = [](std::string_view v) {
    return v.size() >= 2 && static_cast<unsigned char>(v[v.size() - 2]) == 0xC2 &&
           static_cast<unsigned char>(v.back()) == 0xA0;
  };
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  for (;;) {
    if (!s.empty() && space(s.front())) {
      s.remove_prefix(1);
    } else if (nbsp_front(s)) {
      s.remove_prefix(2);
    } else {
      break;
    }
  }
  for (;;) {
    if (!s.empty() && space(s.back())) {
      s.remove_suffix(1);
    } else if (nbsp_back(s)) {
      s.remove_suffix(2);
    } else {
      break;
    }
  }
  return s;
}

// Whether the line ends like a sentence: . ! ? … possibly followed by quotes or brackets.
bool ends_sentence(std::string_view s) {
  for (;;) {
    if (s.empty()) return false;
    const auto c = static_cast<unsigned char>(s.back());
    if (c == '"' || c == '\'' || c == ')' || c == ']') {
      s.remove_suffix(1);
      continue;
    }
    // ” ’ » (UTF-8: E2 80 9D, E2 80 99, C2 BB)
    if (s.size() >= 3 && static_cast<unsigned char>(s[s.size() - 3]) == 0xE2 &&
        static_cast<unsigned char>(s[s.size() - 2]) == 0x80 &&
        (c == 0x9D || c == 0x99)) {
      s.remove_suffix(3);
      continue;
    }
    if (s.size() >= 2 && static_cast<unsigned char>(s[s.size() - 2]) == 0xC2 && c == 0xBB) {
      s.remove_suffix(2);
      continue;
    }
    if (c == '.' || c == '!' || c == '?') return true;
    // … (E2 80 A6)
    return s.size() >= 3 && static_cast<unsigned char>(s[s.size() - 3]) == 0xE2 &&
           static_cast<unsigned char>(s[s.size() - 2]) == 0x80 && c == 0xA6;
  }
}

struct Line {
  std::string_view text;  // trimmed, without the newline
  std::uint64_t key = 0;
  const std::pair<std::string, std::string>* phrase = nullptr;  // first furniture phrase found
                                                                 // and its category (lexicon's)
  const std::string* word = nullptr;        // first furniture word found (lexicon's)
  const std::string* link_label = nullptr;  // "related" in "Related: ..." (lexicon's)
  const char* rule = "";
  std::string evidence;     // why it looks like furniture; empty when it does not
  int words = 0;
  int stop = 0;
  int icons = 0;
  int furniture_words = 0;
  int address = 0;          // you, your, we, us, our, please: words that talk to the reader
  int repeats = 0;          // articles (of the same source, when known) with this line
  int scope = 0;            // articles of that source (or of the corpus)
  LineLabel label = LineLabel::body;
  bool blank = true;
  bool ends = false;
  bool sentence = false;
  bool prose = false;       // in a block of hard-wrapped prose
  bool repeat_evidence = false;
};

void analyse(Line& line) {
  const Lexicon& lex = lexicon();
  line.text = trim(line.text);
  line.blank = line.text.empty();
  if (line.blank) {
    line.label = LineLabel::blank;
    return;
  }
  // Words: runs of letters and digits, lowercased (ASCII; other bytes kept).
  std::uint64_t hashes[64];
  int n_hashes = 0;
  bool letters = false;
  bool any_phrase_start = false;
  std::uint64_t key = 0;
  for_each_token(line.text, [&](std::string_view w, std::uint64_t h, std::string_view original) {
    ++line.words;
    key = key == 0 ? h : combine(key, h);
    if (!letters) letters = std::any_of(w.begin(), w.end(), [](char c) { return c < '0' || c > '9'; });
    const std::uint8_t* f = lex.flags.find(h);
    const std::uint8_t bits = f == nullptr ? 0 : *f;
    if (bits & Lexicon::kStop) ++line.stop;
    // An icon name: "icon" alone (CSS classes "icon-facebook icon-twitter" split at the
    // hyphen) or within a word ("facebookicon").
    if (w == "icon") {
      ++line.icons;
    } else if (w.size() > 4) {
      for (std::size_t k = 0; k + 4 <= w.size(); ++k) {
        if (w[k] == 'i' && w[k + 1] == 'c' && w[k + 2] == 'o' && w[k + 3] == 'n') {
          ++line.icons;
          break;
        }
      }
    }
    if ((bits & Lexicon::kAddress) && !(w == "us" && original == "US")) ++line.address;
    if (bits & Lexicon::kFurniture) {
      ++line.furniture_words;
      if (line.word == nullptr) line.word = lex.words.find(h);
    }
    if (bits & Lexicon::kPhraseStart) any_phrase_start = true;
    if (n_hashes < 64) hashes[n_hashes++] = h;
  });
  for (int i = 0; any_phrase_start && i < n_hashes && line.phrase == nullptr; ++i) {
    if (lex.phrase_starts.find(hashes[i]) == nullptr) continue;
    std::uint64_t h = hashes[i];
    for (int j = i + 1; j < std::min(n_hashes, i + 5); ++j) {
      h = combine(h, hashes[j]);
      if (const auto* found = lex.phrases.find(h)) {
        line.phrase = found;
        break;
      }
    }
  }
  const std::size_t colon = line.text.substr(0, 25).find(':');  // a label ends by byte 24
  if (colon != std::string_view::npos && colon > 0 && colon <= 24 && colon + 1 < line.text.size()) {
    std::string label(line.text.substr(0, colon));
    for (char& c : label) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto found = lex.labels.find(label);
    if (found != lex.labels.end()) line.link_label = &*found;
  }
  line.ends = ends_sentence(line.text);
  // A short question is as likely a headline ("Will the Budget lift spirits?") as a sentence.
  const bool question = line.ends && line.text.back() == '?';
  line.sentence = line.words >= 6 && ((line.ends && (!question || line.words > 12)) ||
                                      line.words >= 20) &&
                  line.stop * 100 >= line.words * 15;
  line.key = letters ? key : 0;  // numbers alone are not furniture
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = kBytes.lower[static_cast<unsigned char>(c)];
  return out;
}

// "(Reuters, Bloomberg, AP)", "Reporting by ...; Editing by ...", "Source: AFP".
bool is_credit(std::string_view text) {
  // Cheap test first: a credit starts with a reporting word or an agency's first word.
  std::size_t b = 0;
  while (b < text.size() && !is_word_byte(static_cast<unsigned char>(text[b]))) ++b;
  std::size_t e = b;
  char buf[16];
  while (e < text.size() && e - b < sizeof buf && is_word_byte(static_cast<unsigned char>(text[e]))) {
    buf[e - b] = kBytes.lower[static_cast<unsigned char>(text[e])];
    ++e;
  }
  if (e == b || lexicon().credit_starts.find(hash(std::string_view(buf, e - b))) == nullptr) {
    return false;
  }
  std::string s = lower(text);
  for (const char* lead : {"reporting by ", "additional reporting by ", "editing by ", "writing by ",
                           "compiled by ", "source: ", "sources: ", "with reporting by "}) {
    if (s.rfind(lead, 0) == 0) return true;
  }
  std::string_view v = s;
  while (!v.empty() && (v.front() == '(' || v.front() == '-' || v.front() == ' ')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ')' || v.back() == '.' || v.back() == ' ')) v.remove_suffix(1);
  if (v.size() < 2 || v.size() > 80) return false;
  // Split on ',', '/', ';' and " and ".
  std::string t(v);
  for (const char* sep : {" and ", "/", ";"}) {
    std::size_t p;
    while ((p = t.find(sep)) != std::string::npos) t.replace(p, std::strlen(sep), ",");
  }
  std::size_t start = 0;
  int parts = 0;
  while (start <= t.size()) {
    std::size_t end = t.find(',', start);
    if (end == std::string::npos) end = t.size();
    const std::string part(trim(std::string_view(t).substr(start, end - start)));
    if (!part.empty()) {
      if (lexicon().agencies.count(part) == 0) return false;
      ++parts;
    }
    start = end + 1;
  }
  return parts > 0;
}

// " - AFP" at the end of a title: the credit, or empty; `rest` is the title without it. Both
// view the title.
std::string_view title_credit(std::string_view title, std::string_view& rest) {
  rest = title;
  // No dash or bar at all: most lines. (find_first_of calls memchr once per byte.)
  if (std::none_of(title.begin(), title.end(),
                   [](char c) { return c == '-' || c == '|' || c == '\xE2'; })) {
    return {};
  }
  for (const char* sep : {" - ", " – ", " — ", " | "}) {
    const std::size_t p = title.rfind(sep);
    if (p == std::string_view::npos || p == 0) continue;
    const std::string_view tail = trim(title.substr(p + std::strlen(sep)));
    const bool agency = lexicon().agencies.count(lower(tail)) != 0;
    const bool site = std::string_view(sep) == " | " && !tail.empty() && tail.size() <= 40;
    if (agency || site) {
      rest = trim(title.substr(0, p));
      return tail;
    }
  }
  return {};
}

bool has_position_marker(std::string_view text) {
  // Every marker has a bracket, a colon or one of these letters runs; most lines have none.
  if (text.find('(') == std::string_view::npos && text.find(':') == std::string_view::npos &&
      text.find("hoto") == std::string_view::npos &&
      text.find("etty") == std::string_view::npos && text.find("mage") == std::string_view::npos &&
      text.find("HOTO") == std::string_view::npos) {
    return false;
  }
  const std::string s = lower(text);
  for (const char* m : {"(left)", "(right)", "(center)", "(centre)", "(pictured)", "(l)", "(r)",
                        "(above)", "(below)", "(file photo)", "ap photo", "getty images",
                        "photo:", "image:", "picture:", "photograph:", "image caption",
                        "file photo"}) {
    if (s.find(m) != std::string::npos) return true;
  }
  return false;
}

// A dateline at the start of t: "NICE, France (Reuters) -- ", "HOKKAIDO, Japan -- ",
// "SEOUL — ", "CLEVELAND, Feb 26 - ". Returns the length of the whole match (0: none) and the
// place (and agency) in `place`.
std::size_t match_dateline(std::string_view t, std::string_view& place) {
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto mark = [](char c) { return c == '.' || c == '\'' || c == '-'; };
  std::size_t p = 0;
  auto caps_word = [&](std::size_t min_len) {  // [A-Z][A-Z.'-]+
    std::size_t q = p;
    if (q >= t.size() || !upper(t[q])) return false;
    while (q < t.size() && (upper(t[q]) || mark(t[q]))) ++q;
    if (q - p < min_len || (q < t.size() && lower(t[q]))) return false;
    p = q;
    return true;
  };
  if (!caps_word(3)) return 0;
  while (p + 1 < t.size() && t[p] == ' ') {
    const std::size_t save = p++;
    if (!caps_word(2)) {
      p = save;
      break;
    }
  }
  if (p < t.size() && t[p] == ',') {  // ", France", ", Feb 26"
    std::size_t q = p + 1;
    if (q < t.size() && t[q] == ' ') ++q;
    int words = 0;
    while (words < 4 && q < t.size() && upper(t[q])) {
      std::size_t e = q + 1;
      while (e < t.size() && (upper(t[e]) || lower(t[e]) || mark(t[e]))) ++e;
      q = e;
      ++words;
      if (q + 1 < t.size() && t[q] == ' ' && upper(t[q + 1])) {
        ++q;
      } else {
        break;
      }
    }
    if (words > 0) {
      p = q;
      if (p + 1 < t.size() && t[p] == ' ' && t[p + 1] >= '0' && t[p + 1] <= '9') {  // "Feb 26"
        std::size_t e = p + 1;
        while (e < t.size() && e < p + 3 && t[e] >= '0' && t[e] <= '9') ++e;
        p = e;
      }
    }
  }
  std::size_t q = p;
  if (q < t.size() && t[q] == ' ') ++q;
  if (q < t.size() && t[q] == '(') {  // "(Reuters)"
    const std::size_t close = t.find(')', q);
    if (close != std::string_view::npos && close - q >= 3 && close - q <= 41) p = close + 1;
  }
  place = t.substr(0, p);
  q = p;
  if (q < t.size() && t[q] == ' ') ++q;
  if (t.compare(q, 2, "--") == 0) {
    q += 2;
  } else if (t.compare(q, 3, "\xE2\x80\x94") == 0 || t.compare(q, 3, "\xE2\x80\x93") == 0) {
    q += 3;
  } else if (q < t.size() && t[q] == '-' && q > p) {  // " - " needs the space before it
    q += 1;
  } else {
    return 0;
  }
  if (q < t.size() && t[q] == ' ') ++q;
  return q < t.size() ? q : 0;
}

}  // namespace

struct CleanStatistics::Impl {
  std::int64_t articles = 0;
  FlatMap<int> sources;       // hash(source) -> articles
  FlatMap<int> lines;         // line key -> articles with the line
  FlatMap<int> source_lines;  // source_key(source, key) -> articles of the source with it
};

namespace {

using Counts = CleanStatistics::Impl;

std::uint64_t source_key(const std::string& source, std::uint64_t key) {
  return combine(hash(source), key);
}

void add_audit(LineReport& r, std::size_t article, std::size_t i, const Line& line) {
  r.audit.push_back({article, static_cast<std::int32_t>(i + 1), to_string(line.label), line.rule,
                     line.evidence, std::string(line.text)});
}

// Hard-wrapped prose (several long lines without blank lines between them, as in wire copy):
// its lines are pieces of sentences, whatever their own shape.
void mark_prose(std::vector<Line>& lines) {
  const std::size_t n = lines.size();
  for (std::size_t i = 0; i < n;) {
    if (lines[i].blank) {
      ++i;
      continue;
    }
    std::size_t j = i, long_lines = 0;
    for (; j < n && !lines[j].blank; ++j) long_lines += lines[j].text.size() >= 40;
    if (j - i >= 3 && long_lines * 10 >= (j - i) * 6) {
      for (std::size_t k = i; k < j; ++k) {
        lines[k].prose = true;
        if (lines[k].words >= 4 && lines[k].stop > 0) lines[k].sentence = true;
      }
    }
    i = j;
  }
}

// Lines that may count as repeated furniture: not wrapped prose, nor a piece of a sentence
// ("said.", "revenues of ...").
bool may_repeat_line(const Line& line) {
  return !line.blank && line.key != 0 && !line.prose &&
         !(line.text.front() >= 'a' && line.text.front() <= 'z');
}

// Whether the last word of the line is a stop word ("as", "the"): a broken sentence.
bool ends_with_stop_word(const Line& line) {
  std::uint64_t last = 0;
  for_each_token(line.text, [&](std::string_view, std::uint64_t h, std::string_view) { last = h; });
  const std::uint8_t* f = lexicon().flags.find(last);
  return f != nullptr && (*f & Lexicon::kStop) != 0;
}

// A row of icon names ("icon-facebook icon-twitter icon-mail").
bool icon_row(const Line& line) { return line.icons >= 3 && line.icons * 10 >= line.words * 3; }

// Whether a text (a given title) is such a row.
bool icon_row_text(std::string_view text) {
  if (text.empty()) return false;
  Line line;
  line.text = text;
  analyse(line);
  return !line.blank && icon_row(line);
}

// Why the line looks like page furniture by its own words (not by repetition); empty when
// it does not.
std::string furniture_signs(const Line& line) {
  const bool continuation = line.prose && line.text.front() >= 'a' && line.text.front() <= 'z';
  if (line.phrase != nullptr && !continuation && (!line.sentence || line.address >= 2)) {
    // A sentence must also talk to the reader ("we need your help", "we use cookies ...
    // you agree"): a news sentence that says "become a member" or quotes "support us"
    // stays. So does a piece of wrapped prose.
    return "phrase '" + line.phrase->first + "' (" + line.phrase->second + ")";
  }
  if (line.link_label != nullptr) return "link label '" + *line.link_label + ":'";
  if (icon_row(line)) return std::to_string(line.icons) + " icon names";
  if (!line.sentence && line.words <= 12 && line.furniture_words * 2 >= line.words &&
      line.furniture_words >= 1 && !line.ends) {
    return "furniture word '" + *line.word + "' in a short line";
  }
  return {};
}

LineReport classify(const Article& a, std::size_t index, std::vector<Line>& lines,
                    const Counts& counts, const CleanOptions& options) {
  LineReport r;
  const std::size_t n = lines.size();
  // The repetition counts are in a table too large for the cache: ask for all lines at once.
  for (const Line& line : lines) {
    if (!line.blank && may_repeat_line(line)) counts.lines.prefetch(line.key);
  }
  const bool by_source = !a.source.empty();
  const int* of_source = by_source ? counts.sources.find(hash(a.source)) : nullptr;
  // Evidence of furniture, line by line.
  for (std::size_t i = 0; i < n; ++i) {
    Line& line = lines[i];
    if (line.blank) continue;
    const bool candidate = may_repeat_line(line);
    const int* in_corpus = candidate ? counts.lines.find(line.key) : nullptr;
    const int* in_source =
        candidate && by_source ? counts.source_lines.find(source_key(a.source, line.key)) : nullptr;
    // Counted lines are found: a miss means statistics counted without this article.
    if (candidate && (in_corpus == nullptr || (by_source && in_source == nullptr))) {
      throw InvalidArgument("article '" + a.id + "', line " + std::to_string(i + 1) +
                            ": not in the clean statistics; merge the statistics of every "
                            "shard, this one included");
    }
    line.repeats = candidate ? (by_source ? *in_source : *in_corpus) : 0;
    line.scope = of_source != nullptr ? *of_source : static_cast<int>(counts.articles);
    line.evidence = furniture_signs(line);
    // Furniture repeats on many pages of a site; a line of a table or list, on a few.
    const int needed = std::max(line.sentence ? options.min_repeats_sentence : options.min_repeats,
                                (line.scope + 99) / 100);

    // Without sources, a sentence must repeat in a tenth of the corpus (and 10 articles): wire
    // copies of one story repeat sentences in a few articles, a notice on most pages of a site.
    const bool widely = line.repeats >= 10 && line.repeats * 10 >= line.scope;
    const bool may_repeat = (!line.sentence || by_source || widely) && candidate;
    if (may_repeat && line.key != 0 && line.repeats >= needed) {
      line.repeat_evidence = true;
      const std::string where = "repeated in " + std::to_string(line.repeats) + " articles" +
                                (by_source ? " of source '" + a.source + "'" : "");
      line.evidence = line.evidence.empty() ? where : line.evidence + "; " + where;
    }
  }
  auto good = [&](std::size_t i) { return lines[i].sentence && lines[i].evidence.empty(); };
  // A credit line stands on its own: not the end of a wrapped sentence ("... told\nReuters.").
  auto credit_line = [&](std::size_t i) {
    const Line& line = lines[i];
    const auto c = static_cast<unsigned char>(line.text.front());
    if (line.words > 12 || !(std::isupper(c) || c == '(')) return false;
    if (i > 0 && !lines[i - 1].blank && !lines[i - 1].ends) return false;
    return is_credit(line.text);
  };
  std::size_t first_good = n, last_good = n;
  for (std::size_t i = 0; i < n; ++i) {
    if (good(i)) {
      if (first_good == n) first_good = i;
      last_good = i;
    }
  }
  auto standalone = [&](std::size_t i) {
    return (i == 0 || lines[i - 1].blank) && (i + 1 == n || lines[i + 1].blank);
  };
  // The title: the given one when its line is found near the top, else the first headline.
  std::size_t title = n;
  std::size_t seen = 0;
  std::size_t head_end = first_good;
  std::string_view given_rest;
  title_credit(a.title, given_rest);
  // A given title that is a row of icon names (a scraper took the share buttons) is no title:
  // a line labelled boilerplate can never be the title. (Furniture words are not enough here:
  // "Facebook to close Instagram video app" is a title.)
  const bool given_is_furniture = icon_row_text(a.title);
  const std::uint64_t given_key = a.title.empty() || given_is_furniture ? 0 : line_key(given_rest);
  for (std::size_t i = 0; i <= head_end && i < n && seen < 12; ++i) {
    const Line& line = lines[i];
    if (line.blank) continue;
    ++seen;
    if (given_key != 0) {
      if (line.key == given_key) {  // most often the title is the line as it is
        title = i;
        break;
      }
      std::string_view rest;
      if (title_credit(line.text, rest).empty()) continue;
      if (line_key(rest) == given_key) {
        title = i;
        break;
      }
      continue;
    }
    // A headline may repeat in a few pages (lists of related articles), furniture in many.
    const bool only_rare_repeats = line.phrase == nullptr && line.link_label == nullptr &&
                                   line.icons < 3 && line.repeat_evidence &&
                                   line.repeats * 10 < line.scope &&
                                   line.evidence.rfind("repeated", 0) == 0;
    if (i == head_end && (line.words > 14 || !line.ends || line.text.back() == '.')) break;
    const bool headline = (line.evidence.empty() || only_rare_repeats) && line.words >= 2 &&
                          line.words <= 25 &&
                          !(line.ends && line.text.back() == '.') && standalone(i);
    if (headline) {
      title = i;
      break;
    }
  }
  if (title != n) {
    Line& t = lines[title];
    t.label = LineLabel::title;
    t.rule = given_key != 0 ? "title: the article's title" : "title: first headline-shaped line";
    t.evidence = given_key != 0 ? "matches the given title"
                                : std::to_string(t.words) + " words, no full stop, stands alone";
    r.title = std::string(t.text);
    std::string_view rest;
    r.title_credit = std::string(title_credit(t.text, rest));
    if (!r.title_credit.empty()) r.title = std::string(rest);
  } else if (!a.title.empty() && !given_is_furniture) {
    r.title = a.title;
  }
  if (title != n && title == first_good) {  // a question for a headline: the text starts after it
    first_good = n;
    for (std::size_t i = title + 1; i < n && first_good == n; ++i) {
      if (good(i)) first_good = i;
    }
  }
  // Head: before the title, everything is page furniture.
  for (std::size_t i = 0; i < title && title != n; ++i) {
    Line& line = lines[i];
    if (line.blank) continue;
    line.label = LineLabel::boilerplate;
    line.rule = "head: before the title";
    if (line.evidence.empty()) line.evidence = "line before the title at line " + std::to_string(title + 1);
  }
  head_end = first_good;
  // No title: furniture signs before the first paragraph still count.
  for (std::size_t i = 0; i < head_end && title == n; ++i) {
    Line& line = lines[i];
    if (line.blank || line.evidence.empty()) continue;
    if (credit_line(i)) continue;  // labelled below
    // Without a title, repetition alone proves nothing here (table headings repeat too).
    if (line.repeat_evidence && line.phrase == nullptr && line.link_label == nullptr &&
        line.icons < 3 && line.evidence.rfind("repeated", 0) == 0) {
      continue;
    }
    line.label = LineLabel::boilerplate;
    line.rule = "head: furniture before the text";
  }
  for (std::size_t i = 0; i < head_end; ++i) {
    Line& line = lines[i];
    if (!line.blank && line.label == LineLabel::body && credit_line(i)) {
      line.label = LineLabel::credit;
      line.rule = "credit";
      line.evidence = "agency names or a reporting line";
    }
  }
  // Between the title and the first body paragraph: captions or furniture.
  const std::size_t after_title = title == n ? 0 : title + 1;
  for (std::size_t i = after_title; i < head_end && title != n; ++i) {
    Line& line = lines[i];
    if (line.blank) continue;
    if (!line.evidence.empty() && (!line.sentence || line.repeat_evidence || line.phrase != nullptr)) {
      line.label = LineLabel::boilerplate;
      line.rule = "furniture below the title";
    } else if (has_position_marker(line.text) ||
               (!line.ends && i + 1 < n && !lines[i + 1].blank && i + 1 == first_good &&
                !(line.text.front() >= 'a' && line.text.front() <= 'z'))) {
      line.label = LineLabel::caption;
      line.rule = "caption: between the title and the text";
      line.evidence = has_position_marker(line.text) ? "photo wording" : "no full stop, runs into the first paragraph";
    }
  }
  // Body and tail.
  std::string list_header;  // a tail furniture line that opens a list ("Related stories")
  bool tail_text = false;   // a line of text (a table, a list) already kept in the tail
  for (std::size_t i = head_end; i < n; ++i) {
    Line& line = lines[i];
    if (line.blank || line.label != LineLabel::body) continue;
    const bool tail = last_good != n && i > last_good;
    if (credit_line(i)) {
      line.label = LineLabel::credit;
      line.rule = "credit";
      line.evidence = "agency names or a reporting line";
      continue;
    }
    // Between paragraphs, a line that only repeats must repeat on many pages (a table
    // heading such as "Year" repeats on a few).
    const bool repeats_only = line.repeat_evidence && line.phrase == nullptr &&
                              line.link_label == nullptr && line.icons < 3 &&
                              line.evidence.rfind("repeated", 0) == 0;
    if (!line.evidence.empty() && !tail && repeats_only && line.repeats * 10 < line.scope) {
      continue;
    }
    if (!line.evidence.empty()) {
      if (!line.sentence || tail || line.repeat_evidence) {
        line.label = LineLabel::boilerplate;
        line.rule = tail ? "tail: furniture after the text" : "furniture line";
        // A short heading among the furniture ("Related stories", "Most viewed") opens a list.
        // Not after kept lines of the tail: a list of the article's own (results, names)
        // may be broken by an advertisement.
        if (tail && !tail_text && line.words <= 5 && !line.ends && line.link_label == nullptr) {
          list_header = std::string(line.text.substr(0, 40));
        }
      }
      continue;  // a sentence in the body with one weak sign stays
    }
    const auto punct = std::count(line.text.begin(), line.text.end(), ',') +
                       std::count(line.text.begin(), line.text.end(), ';');
    const bool headline_item = line.words >= 3 && line.words <= 16 && punct <= 1 &&
                               !(line.ends && line.text.back() != '?');
    if (tail && !list_header.empty() && !line.sentence && headline_item) {
      line.label = LineLabel::boilerplate;
      line.rule = "tail: list of links";
      line.evidence = "listed under '" + list_header + "'";
      continue;
    }
    if (tail) tail_text = true;
    if (!line.sentence && has_position_marker(line.text)) {
      line.label = LineLabel::caption;
      line.rule = "caption: photo wording";
      line.evidence = "photo wording";
      continue;
    }
    const char last = line.text.back();
    const auto first = static_cast<unsigned char>(line.text.front());
    std::size_t prev = i, next = i;
    while (prev > 0 && lines[prev - 1].blank) --prev;
    while (next + 1 < n && lines[next + 1].blank) ++next;
    const bool between_paragraphs = prev > 0 && good(prev - 1) && next + 1 < n && good(next + 1);
    if (!tail && !line.sentence && !line.ends && standalone(i) && line.words >= 1 &&
        line.words <= 14 && last != ',' && last != ';' && last != ':' &&
        (std::isupper(first) || std::isdigit(first) || first >= 0x80 || first == '"') &&
        between_paragraphs && !ends_with_stop_word(line)) {
      line.label = LineLabel::subhead;
      line.rule = "subhead: a short line between paragraphs";
      line.evidence = std::to_string(line.words) + " words, no full stop, stands alone";
    }
  }
  // Context: a short line between two furniture lines is furniture too.
  for (std::size_t i = 0; i < n; ++i) {
    Line& line = lines[i];
    if (line.blank || line.label != LineLabel::body || line.sentence || line.prose ||
        line.words > 6) {
      continue;
    }
    std::size_t p = i, q = i;
    while (p > 0 && lines[p - 1].blank) --p;
    while (q + 1 < n && lines[q + 1].blank) ++q;
    const bool before = p > 0 && lines[p - 1].label == LineLabel::boilerplate;
    const bool after = q + 1 < n && lines[q + 1].label == LineLabel::boilerplate;
    if (before && after) {
      line.label = LineLabel::boilerplate;
      line.rule = "context: between furniture lines";
      line.evidence = "lines " + std::to_string(p) + " and " + std::to_string(q + 2) + " are furniture";
    }
  }
  r.labels.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    r.labels[i] = lines[i].label;
    if (lines[i].label != LineLabel::body && lines[i].label != LineLabel::blank) {
      add_audit(r, index, i, lines[i]);
    }
  }
  // Dateline: split off the first body line.
  for (std::size_t i = 0; i < n; ++i) {
    if (lines[i].label != LineLabel::body) continue;
    std::string_view place;
    const std::size_t length = match_dateline(lines[i].text, place);
    if (length > 0) {
      r.dateline = std::string(place);
      r.dateline_length = length;
      r.audit.push_back({index, static_cast<std::int32_t>(i + 1), "dateline",
                         "dateline: place and agency before a dash",
                         "'" + std::string(lines[i].text.substr(0, length)) + "'", r.dateline});
    }
    break;
  }
  std::sort(r.audit.begin(), r.audit.end(),
            [](const AuditEntry& x, const AuditEntry& y) { return x.line < y.line; });
  return r;
}

// The lines of text as Python's text.split("\n") gives them (a final newline ends an empty line).
std::vector<Line> split_lines(std::string_view text) {
  // Count the lines first, so that the vector is allocated once (memchr: std::count does a
  // byte at a time).
  std::size_t n = 1;
  for (const char *p = text.data(), *end = p + text.size();
       (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)))) != nullptr;
       ++p) {
    ++n;
  }
  std::vector<Line> lines(n);
  std::size_t start = 0;
  for (Line& l : lines) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    l.text = text.substr(start, end - start);
    start = end + 1;
  }
  return lines;
}

// How control bytes are escaped in a JSON string: all as \u00XX, or as nlohmann::json::dump()
// writes them (\b \t \n \f \r, the rest \u00XX), so that a hand-made merge equals a dump.
enum class Escapes { plain, nlohmann };

// Appends s as a JSON string (UTF-8 kept as is; quotes, backslashes and controls escaped).
void append_json_string(std::string& out, std::string_view s, Escapes escapes = Escapes::plain) {
  static const char* kHex = "0123456789abcdef";
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      const char* short_form = escapes == Escapes::nlohmann ? std::strchr("\b\t\n\f\r", ch) : nullptr;
      if (c != 0 && short_form != nullptr) {
        out += '\\';
        out += "btnfr"[short_form - "\b\t\n\f\r"];
      } else {
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    } else {
      out += ch;
    }
  }
  out += '"';
}

// What cleaning found, as JSON object members in this order: dateline, captions, subheads,
// credits, title_credit. Each is (key, JSON value).
std::vector<std::pair<const char*, std::string>> found_list(const std::vector<Line>& lines,
                                                            const LineReport& r, Escapes escapes) {
  std::vector<std::pair<const char*, std::string>> out;
  if (!r.dateline.empty()) {
    out.emplace_back("dateline", std::string());
    append_json_string(out.back().second, r.dateline, escapes);
  }
  for (const auto& [label, name] : {std::make_pair(LineLabel::caption, "captions"),
                                    std::make_pair(LineLabel::subhead, "subheads"),
                                    std::make_pair(LineLabel::credit, "credits")}) {
    std::string* value = nullptr;
    for (const Line& line : lines) {
      if (line.label != label) continue;
      if (value == nullptr) {
        out.emplace_back(name, "[");
        value = &out.back().second;
      } else {
        *value += ',';
      }
      append_json_string(*value, line.text, escapes);
    }
    if (value != nullptr) *value += ']';
  }
  if (!r.title_credit.empty()) {
    out.emplace_back("title_credit", std::string());
    append_json_string(out.back().second, r.title_credit, escapes);
  }
  return out;
}

// What cleaning found, as the members of a JSON object ("key":value,...), without braces.
std::string found_members(const std::vector<Line>& lines, const LineReport& r) {
  std::string out;
  for (const auto& [key, value] : found_list(lines, r, Escapes::plain)) {
    if (!out.empty()) out += ',';
    out += '"';
    out += key;
    out += "\":";
    out += value;
  }
  return out;
}

// A JSON string at s[p] without escapes or control bytes, in valid UTF-8; moves p past it.
bool skip_plain_string(std::string_view s, std::size_t& p) {
  if (p >= s.size() || s[p] != '"') return false;
  std::size_t q = p + 1;
  bool ascii = true;
  for (; q < s.size() && s[q] != '"'; ++q) {
    const auto c = static_cast<unsigned char>(s[q]);
    if (c == '\\' || c < 0x20) return false;
    ascii = ascii && c < 0x80;
  }
  if (q >= s.size()) return false;
  if (!ascii && find_invalid_utf8(s.substr(p + 1, q - p - 1)) >= 0) return false;
  p = q + 1;
  return true;
}

// Whether a JSON value at s[p] is written as nlohmann::json::dump() writes what it parses
// (compact, keys sorted and unique, strings without escapes, numbers that are small integers),
// so that dump(parse(text)) == text; moves p past it. False also for any other valid JSON.
bool skip_canonical(std::string_view s, std::size_t& p, int depth) {
  if (p >= s.size() || depth > 32) return false;
  const char c = s[p];
  if (c == '"') return skip_plain_string(s, p);
  if (c == '{' || c == '[') {
    const char close = c == '{' ? '}' : ']';
    ++p;
    if (p < s.size() && s[p] == close) {
      ++p;
      return true;
    }
    std::string_view previous;
    for (bool first = true;; first = false) {
      if (c == '{') {
        const std::size_t k = p;
        if (!skip_plain_string(s, p)) return false;
        const std::string_view key = s.substr(k + 1, p - k - 2);
        if (!first && !(previous < key)) return false;  // std::map order, no duplicates
        previous = key;
        if (p >= s.size() || s[p] != ':') return false;
        ++p;
      }
      if (!skip_canonical(s, p, depth + 1)) return false;
      if (p < s.size() && s[p] == ',') {
        ++p;
      } else if (p < s.size() && s[p] == close) {
        ++p;
        return true;
      } else {
        return false;
      }
    }
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    std::size_t q = p + (c == '-');
    if (q >= s.size() || s[q] < '0' || s[q] > '9' || (c == '-' && s[q] == '0')) return false;
    const std::size_t digits_start = q;
    if (s[q] == '0') {
      ++q;
    } else {
      while (q < s.size() && s[q] >= '0' && s[q] <= '9') ++q;
    }
    if (q - digits_start > 18) return false;  // int64 for sure
    if (q < s.size() && (s[q] == '.' || s[q] == 'e' || s[q] == 'E' || (s[q] >= '0' && s[q] <= '9'))) {
      return false;
    }
    p = q;
    return true;
  }
  for (const std::string_view literal : {"true", "false", "null"}) {
    if (s.compare(p, literal.size(), literal) == 0) {
      p += literal.size();
      return true;
    }
  }
  return false;
}

// The meta with the found members merged in, as nlohmann's parse, update and dump would give
// it, when the meta is written as dump() writes (the readers write it so); false otherwise.
// Saves a parse and a dump per article.
bool merge_canonical(std::string_view meta, const std::vector<Line>& lines, const LineReport& r,
                     std::string& out) {
  std::vector<std::pair<std::string_view, std::string_view>> members;  // key, "key":value
  std::size_t p = 1;
  if (meta.size() < 2 || meta[0] != '{') return false;
  std::string_view previous;
  while (p < meta.size() && meta[p] != '}') {
    const std::size_t k = p;
    if (!skip_plain_string(meta, p)) return false;
    const std::string_view key = meta.substr(k + 1, p - k - 2);
    if (!members.empty() && !(previous < key)) return false;
    previous = key;
    if (p >= meta.size() || meta[p] != ':') return false;
    ++p;
    if (!skip_canonical(meta, p, 1)) return false;
    members.emplace_back(key, meta.substr(k, p - k));
    if (p < meta.size() && meta[p] == ',' && p + 1 < meta.size() && meta[p + 1] != '}') ++p;
    else if (p >= meta.size() || meta[p] != '}') return false;
  }
  if (p + 1 != meta.size()) return false;
  auto found = found_list(lines, r, Escapes::nlohmann);
  for (const auto& f : found) {
    const bool ascii = std::all_of(f.second.begin(), f.second.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (!ascii && find_invalid_utf8(f.second) >= 0) return false;  // dump() would throw
  }
  std::sort(found.begin(), found.end(), [](const auto& x, const auto& y) {
    return std::strcmp(x.first, y.first) < 0;
  });
  out.clear();
  out.reserve(meta.size() + 64);
  out += '{';
  std::size_t i = 0, j = 0;
  while (i < members.size() || j < found.size()) {
    if (out.size() > 1) out += ',';
    const int order = i == members.size() ? 1
                      : j == found.size() ? -1
                                          : members[i].first.compare(found[j].first);
    if (order < 0) {
      out += members[i++].second;
    } else {
      if (order == 0) ++i;  // update() replaces the old value
      out += '"';
      out += found[j].first;
      out += "\":";
      out += found[j].second;
      ++j;
    }
  }
  out += '}';
  return true;
}

Article rebuild(const Article& a, const std::vector<Line>& lines, const LineReport& r,
                const CleanOptions& options) {
  Article out;
  out.id = a.id;
  out.title = a.title;
  out.source = a.source;
  out.date = a.date;
  out.url = a.url;
  std::string text;
  text.reserve(a.text.size());
  bool pending_break = false;
  bool dateline_done = r.dateline.empty();
  std::string_view first_credit;
  for (const Line& line : lines) {
    const bool keep = line.label == LineLabel::body ||
                      (line.label == LineLabel::caption && options.keep_captions) ||
                      (line.label == LineLabel::subhead && options.keep_subheads);
    if (line.label == LineLabel::credit && first_credit.empty()) first_credit = line.text;
    if (line.blank) {
      pending_break = !text.empty();
      continue;
    }
    if (!keep) continue;
    std::string_view t = line.text;
    if (!dateline_done && line.label == LineLabel::body) {
      t.remove_prefix(r.dateline_length);
      dateline_done = true;
    }
    if (!text.empty()) text += pending_break ? "\n\n" : "\n";
    pending_break = false;
    text.append(t.data(), t.size());
  }
  out.text = std::move(text);
  if (out.title.empty() || icon_row_text(out.title)) out.title = r.title;
  if (out.source.empty()) {
    if (!r.title_credit.empty()) {
      out.source = r.title_credit;
    } else if (!first_credit.empty() && lower(first_credit).rfind("reporting", 0) != 0 &&
               is_credit(first_credit)) {
      std::string_view v = first_credit;
      while (!v.empty() && (v.front() == '(' || v.front() == ' ')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ')' || v.back() == ' ' || v.back() == '.')) v.remove_suffix(1);
      out.source = std::string(v);
    }
  }
  const std::string_view meta = trim(a.meta);
  if (!meta.empty() && (meta.size() < 2 || meta.front() != '{' || meta.back() != '}')) {
    throw InvalidArgument("article '" + a.id + "': meta is not a JSON object");
  }
  const std::string found = found_members(lines, r);
  const bool empty_meta = meta.empty() || trim(meta.substr(1, meta.size() - 2)).empty();
  if (found.empty()) {
    out.meta = a.meta.empty() ? std::string("{}") : a.meta;
  } else if (empty_meta) {
    out.meta = "{" + found + "}";
  } else {
    bool clash = false;
    for (const char* k : {"\"dateline\"", "\"captions\"", "\"subheads\"", "\"credits\"",
                          "\"title_credit\""}) {
      clash = clash || meta.find(k) != std::string_view::npos;
    }
    if (!clash) {  // append the new members to the object as written
      out.meta.reserve(meta.size() + found.size() + 1);
      out.meta.assign(meta.data(), meta.size() - 1);
      out.meta += ',';
      out.meta += found;
      out.meta += '}';
    } else if (!merge_canonical(meta, lines, r, out.meta)) {
      // Merge as objects: the meta already holds some of these keys.
      nlohmann::json m;
      try {
        m = nlohmann::json::parse(meta);
      } catch (const nlohmann::json::exception& e) {
        throw InvalidArgument("article '" + a.id + "': meta is not valid JSON (" + e.what() + ")");
      }
      if (!m.is_object()) throw InvalidArgument("article '" + a.id + "': meta is not a JSON object");
      m.update(nlohmann::json::parse("{" + found + "}"));
      out.meta = m.dump();
    }
  }
  return out;
}

// An article's lines and their features.
std::vector<Line> article_lines(std::string_view text) {
  std::vector<Line> lines = split_lines(text);
  for (Line& l : lines) analyse(l);
  mark_prose(lines);
  return lines;
}

// Pass 1: article_lines of every article, in parallel.
std::vector<std::vector<Line>> analyse_articles(const Corpus& corpus, int threads) {
  std::vector<std::vector<Line>> lines(corpus.size());
  detail::parallel_for(corpus.size(), threads,
                       [&](std::size_t i, std::size_t) { lines[i] = article_lines(corpus[i].text); });
  return lines;
}

// The keys of the lines that may count as repeated furniture, sorted and distinct: an article
// counts once per line.
void repeat_keys(const std::vector<Line>& lines, std::vector<std::uint64_t>& keys) {
  keys.clear();
  for (const Line& l : lines) {
    if (may_repeat_line(l)) keys.push_back(l.key);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
}

// Counts one more article, of `source` (may be empty), with these repeat_keys.
void count_article(Counts& counts, const std::string& source, const std::vector<std::uint64_t>& keys) {
  ++counts.articles;
  if (!source.empty()) ++counts.sources[hash(source)];
  for (const std::uint64_t k : keys) {
    ++counts.lines[k];
    if (!source.empty()) ++counts.source_lines[source_key(source, k)];
  }
}

void check_options(const CleanOptions& options) {
  if (options.min_repeats < 2 || options.min_repeats_sentence < 2) {
    throw InvalidArgument("min_repeats and min_repeats_sentence must be at least 2");
  }
}

// Pass 2: labels, audit and the cleaned articles, in parallel.
CleanResult label_articles(const Corpus& corpus, std::vector<std::vector<Line>>& lines,
                           const Counts& counts, const CleanOptions& options, int threads) {
  const std::size_t n = corpus.size();
  CleanResult out;
  out.reports.resize(n);
  std::vector<Article> cleaned(n);
  detail::parallel_for(n, threads, [&](std::size_t i, std::size_t) {
    out.reports[i] = classify(corpus[i], i, lines[i], counts, options);
    cleaned[i] = rebuild(corpus[i], lines[i], out.reports[i], options);
  });
  out.corpus.reserve(n);
  std::size_t audit_rows = 0;
  for (const LineReport& r : out.reports) audit_rows += r.audit.size();
  out.audit.reserve(audit_rows);
  for (std::size_t i = 0; i < n; ++i) {
    out.corpus.add(std::move(cleaned[i]));
    out.audit.insert(out.audit.end(), out.reports[i].audit.begin(), out.reports[i].audit.end());
  }
  return out;
}

// A table as two packed arrays (keys, counts) sorted by key, so that equal counts give equal
// bytes.
nlohmann::json pack_table(const FlatMap<int>& table) {
  std::vector<std::pair<std::uint64_t, std::int32_t>> entries;
  entries.reserve(table.size());
  table.for_each([&](std::uint64_t k, int c) { entries.emplace_back(k, c); });
  std::sort(entries.begin(), entries.end());
  std::vector<std::uint8_t> keys(entries.size() * 8), counts(entries.size() * 4);
  for (std::size_t i = 0; i < entries.size(); ++i) {
    std::memcpy(keys.data() + i * 8, &entries[i].first, 8);
    std::memcpy(counts.data() + i * 4, &entries[i].second, 4);
  }
  return {{"keys", nlohmann::json::binary(std::move(keys))},
          {"counts", nlohmann::json::binary(std::move(counts))}};
}

void unpack_table(const nlohmann::json& j, FlatMap<int>& table, const std::string& where) {
  const auto& keys = j.at("keys").get_binary();
  const auto& counts = j.at("counts").get_binary();
  if (keys.size() % 8 != 0 || keys.size() / 8 != counts.size() / 4 || counts.size() % 4 != 0) {
    throw ModelFormatError(where + " are corrupt: keys and counts differ in length");
  }
  table = FlatMap<int>(keys.size() / 8);
  for (std::size_t i = 0; i < keys.size() / 8; ++i) {
    std::uint64_t k;
    std::int32_t c;
    std::memcpy(&k, keys.data() + i * 8, 8);
    std::memcpy(&c, counts.data() + i * 4, 4);
    if (c < 1) throw ModelFormatError(where + " are corrupt: a count below 1");
    table[k] += c;
  }
}

// Whether every entry of a is in b with the same count (sizes compared by the caller).
bool same_entries(const FlatMap<int>& a, const FlatMap<int>& b) {
  bool same = true;
  a.for_each([&](std::uint64_t k, int c) {
    const int* other = b.find(k);
    same = same && other != nullptr && *other == c;
  });
  return same;
}

constexpr std::string_view kStatisticsFormat = "newsim.clean_statistics";
constexpr int kStatisticsVersion = 1;

}  // namespace

CleanStatistics::CleanStatistics() : impl_(std::make_unique<Impl>()) {}
CleanStatistics::~CleanStatistics() = default;
CleanStatistics::CleanStatistics(const CleanStatistics& other)
    : impl_(std::make_unique<Impl>(*other.impl_)) {}
CleanStatistics& CleanStatistics::operator=(const CleanStatistics& other) {
  if (this != &other) impl_ = std::make_unique<Impl>(*other.impl_);
  return *this;
}
CleanStatistics::CleanStatistics(CleanStatistics&&) noexcept = default;
CleanStatistics& CleanStatistics::operator=(CleanStatistics&&) noexcept = default;

void CleanStatistics::merge(const CleanStatistics& other) {
  Impl& a = *impl_;
  const Impl& b = *other.impl_;
  a.articles += b.articles;
  for (auto [mine, theirs] : {std::make_pair(&a.sources, &b.sources),
                              std::make_pair(&a.lines, &b.lines),
                              std::make_pair(&a.source_lines, &b.source_lines)}) {
    theirs->for_each([mine = mine](std::uint64_t k, int c) { (*mine)[k] += c; });
  }
}

std::int64_t CleanStatistics::articles() const { return impl_->articles; }
std::size_t CleanStatistics::lines() const { return impl_->lines.size(); }

bool CleanStatistics::operator==(const CleanStatistics& other) const {
  const Impl& a = *impl_;
  const Impl& b = *other.impl_;
  return a.articles == b.articles && a.sources.size() == b.sources.size() &&
         a.lines.size() == b.lines.size() && a.source_lines.size() == b.source_lines.size() &&
         same_entries(a.sources, b.sources) && same_entries(a.lines, b.lines) &&
         same_entries(a.source_lines, b.source_lines);
}

std::string CleanStatistics::to_bytes() const {
  nlohmann::json j = model_io::new_model(kStatisticsFormat, kStatisticsVersion);
  j["articles"] = impl_->articles;
  j["sources"] = pack_table(impl_->sources);
  j["lines"] = pack_table(impl_->lines);
  j["source_lines"] = pack_table(impl_->source_lines);
  const std::vector<std::uint8_t> bytes = nlohmann::json::to_msgpack(j);
  return std::string(bytes.begin(), bytes.end());
}

CleanStatistics CleanStatistics::from_bytes(std::string_view bytes, std::string_view origin) {
  const std::string where = "clean statistics " + std::string(origin);
  nlohmann::json j;
  try {
    j = nlohmann::json::from_msgpack(bytes.begin(), bytes.end());
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(where + " are not MessagePack (" + e.what() + ")");
  }
  model_io::check_model(j, where, kStatisticsFormat, kStatisticsVersion);
  CleanStatistics s;
  try {
    s.impl_->articles = j.at("articles").get<std::int64_t>();
    unpack_table(j.at("sources"), s.impl_->sources, where);
    unpack_table(j.at("lines"), s.impl_->lines, where);
    unpack_table(j.at("source_lines"), s.impl_->source_lines, where);
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(where + " are corrupt (" + e.what() + ")");
  }
  if (s.impl_->articles < 0) throw ModelFormatError(where + " are corrupt: articles below 0");
  return s;
}

CleanStatistics clean_statistics(const Corpus& corpus, int n_jobs) {
  // Only the keys of each article are kept, not its lines.
  std::vector<std::vector<std::uint64_t>> keys(corpus.size());
  detail::parallel_for(corpus.size(), detail::resolve_threads(n_jobs), [&](std::size_t i, std::size_t) {
    repeat_keys(article_lines(corpus[i].text), keys[i]);
  });
  CleanStatistics out;
  for (std::size_t i = 0; i < corpus.size(); ++i) count_article(*out.impl_, corpus[i].source, keys[i]);
  return out;
}

CleanResult clean(const Corpus& corpus, const CleanOptions& options) {
  check_options(options);
  const int threads = detail::resolve_threads(options.n_jobs);
  std::vector<std::vector<Line>> lines = analyse_articles(corpus, threads);
  // Repetition: in how many articles each line occurs (corpus-wide and per source).
  Counts counts;
  std::vector<std::uint64_t> keys;
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    repeat_keys(lines[i], keys);
    count_article(counts, corpus[i].source, keys);
  }
  return label_articles(corpus, lines, counts, options, threads);
}

CleanResult clean(const Corpus& corpus, const CleanStatistics& statistics, const CleanOptions& options) {
  check_options(options);
  const Counts& counts = *statistics.impl_;
  const auto lacking = [](const std::string& what) {
    return InvalidArgument("the clean statistics lack this corpus: " + what +
                           "; merge the statistics of every shard, this one included");
  };
  if (counts.articles < static_cast<std::int64_t>(corpus.size())) {
    throw lacking("they count " + std::to_string(counts.articles) + " articles, it holds " +
                  std::to_string(corpus.size()));
  }
  FlatMap<int> own;  // articles per source here
  for (const Article& a : corpus) {
    if (!a.source.empty()) ++own[hash(a.source)];
  }
  for (const Article& a : corpus) {
    const int* counted = a.source.empty() ? nullptr : counts.sources.find(hash(a.source));
    if (!a.source.empty() && (counted == nullptr || *counted < *own.find(hash(a.source)))) {
      throw lacking("they count " + std::to_string(counted == nullptr ? 0 : *counted) +
                    " articles of source '" + a.source + "', it holds " +
                    std::to_string(*own.find(hash(a.source))));
    }
  }
  const int threads = detail::resolve_threads(options.n_jobs);
  std::vector<std::vector<Line>> lines = analyse_articles(corpus, threads);
  return label_articles(corpus, lines, counts, options, threads);
}

}  // namespace newsim
