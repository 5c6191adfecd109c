#include "line_features.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "lexicon.hpp"
#include "tokens.hpp"

namespace newsim::cleaning {

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
        static_cast<unsigned char>(s[s.size() - 2]) == 0x80 && (c == 0x9D || c == 0x99)) {
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
    if (!letters)
      letters = std::any_of(w.begin(), w.end(), [](char c) { return c < '0' || c > '9'; });
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
  line.sentence = line.words >= 6 &&
                  ((line.ends && (!question || line.words > 12)) || line.words >= 20) &&
                  line.stop * 100 >= line.words * 15;
  line.key = letters ? key : 0;  // numbers alone are not furniture
}

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

bool ends_with_stop_word(const Line& line) {
  std::uint64_t last = 0;
  for_each_token(line.text, [&](std::string_view, std::uint64_t h, std::string_view) { last = h; });
  const std::uint8_t* f = lexicon().flags.find(last);
  return f != nullptr && (*f & Lexicon::kStop) != 0;
}

bool icon_row_text(std::string_view text) {
  if (text.empty()) return false;
  Line line;
  line.text = text;
  analyse(line);
  return !line.blank && icon_row(line);
}

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

std::vector<Line> split_lines(std::string_view text) {
  // Count the lines first, so that the vector is allocated once (memchr: std::count does a
  // byte at a time).
  std::size_t n = 1;
  for (const char *p = text.data(), *end = p + text.size();
       (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)))) !=
       nullptr;
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

std::vector<Line> article_lines(std::string_view text) {
  std::vector<Line> lines = split_lines(text);
  for (Line& l : lines) analyse(l);
  mark_prose(lines);
  return lines;
}

}  // namespace newsim::cleaning
