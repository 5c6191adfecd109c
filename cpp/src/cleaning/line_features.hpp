#pragma once

// Lines of an article and what each looks like: trimmed text, words, stop words, words that
// talk to the reader, furniture phrases and words, icon names, sentence shape, hard-wrapped
// prose. Internal.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "newsim/cleaning.hpp"

namespace newsim::cleaning {

struct Line {
  std::string_view text;  // trimmed, without the newline
  std::uint64_t key = 0;
  const std::pair<std::string, std::string>* phrase = nullptr;  // first furniture phrase found
                                                                // and its category (lexicon's)
  const std::string* word = nullptr;        // first furniture word found (lexicon's)
  const std::string* link_label = nullptr;  // "related" in "Related: ..." (lexicon's)
  const char* rule = "";
  std::string evidence;  // why it looks like furniture; empty when it does not
  int words = 0;
  int stop = 0;
  int icons = 0;
  int furniture_words = 0;
  int address = 0;  // you, your, we, us, our, please: words that talk to the reader
  int repeats = 0;  // articles (of the same source, when known) with this line
  int scope = 0;    // articles of that source (or of the corpus)
  LineLabel label = LineLabel::body;
  bool blank = true;
  bool ends = false;
  bool sentence = false;
  bool prose = false;  // in a block of hard-wrapped prose
  bool repeat_evidence = false;
};

// Strips spaces, tabs, carriage returns and no-break spaces (U+00A0) at both ends, in any mix.
std::string_view trim(std::string_view s);

// Whether the line ends like a sentence: . ! ? … possibly followed by quotes or brackets.
bool ends_sentence(std::string_view s);

// Trims line.text and fills in its features (all but prose, repeats and scope).
void analyse(Line& line);

// Hard-wrapped prose (several long lines without blank lines between them, as in wire copy):
// its lines are pieces of sentences, whatever their own shape.
void mark_prose(std::vector<Line>& lines);

// Lines that may count as repeated furniture: not wrapped prose, nor a piece of a sentence
// ("said.", "revenues of ...").
inline bool may_repeat_line(const Line& line) {
  return !line.blank && line.key != 0 && !line.prose &&
         !(line.text.front() >= 'a' && line.text.front() <= 'z');
}

// Whether the last word of the line is a stop word ("as", "the"): a broken sentence.
bool ends_with_stop_word(const Line& line);

// A row of icon names ("icon-facebook icon-twitter icon-mail").
inline bool icon_row(const Line& line) {
  return line.icons >= 3 && line.icons * 10 >= line.words * 3;
}

// Whether a text (a given title) is such a row.
bool icon_row_text(std::string_view text);

// Why the line looks like page furniture by its own words (not by repetition); empty when
// it does not.
std::string furniture_signs(const Line& line);

// The lines of text as Python's text.split("\n") gives them (a final newline ends an empty
// line), untrimmed.
std::vector<Line> split_lines(std::string_view text);

// An article's lines with their features (split_lines, analyse, mark_prose).
std::vector<Line> article_lines(std::string_view text);

}  // namespace newsim::cleaning
