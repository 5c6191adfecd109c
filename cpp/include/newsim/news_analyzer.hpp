#pragma once

// News-aware analysis: a document is a title and a text; it yields word terms (lowercased,
// English + news stop words removed, British/American spellings folded, Snowball-stemmed) and
// name terms (capitalised word runs such as "Dmitry Medvedev", keyed so that transliteration
// variants meet), each counted with a weight for where it occurs (title, lead, rest).
//
// Tokens are maximal runs of Unicode letters, digits and '_' (as the other analyzers' \w);
// word terms need at least two code points. A hyphen joins the prefixes anti-, co-, pre-,
// non- and re- to the next word ("anti-missile" -> "antimissile", "co-operate" -> "cooperate").
//
// Names. A name run is a sequence of capitalised tokens (first letter upper or title case)
// separated by a space, a hyphen or an apostrophe (no newline, no other punctuation), with
// the connectors of, the, de, del, der, di, da, du, dos, al, el, la, le, von, van, bin, ibn,
// bint, ben allowed inside, never at its ends. A single capital letter followed by a period
// is an initial and continues the run ("George W. Bush"). Then:
//  - titles and honorifics (president, prime, minister, chancellor, secretary, general, mr,
//    king, senator, spokesman, ...; see news_title_words()), stop words, news stop words and
//    weekday and month names split a run and are dropped ("French President Nicolas Sarkozy"
//    -> "French", "Nicolas Sarkozy"; "Merkel Says Russia" -> "Merkel", "Russia");
//  - a word is "confirmed" when the same document writes it capitalised in the middle of a
//    sentence and never lowercase;
//  - the first word of a sentence (start of the field or line, after . ! ? : ; ignoring quotes
//    and brackets; not after an initial or an abbreviation such as "Mr.") is dropped from its
//    run when the document writes it lowercase elsewhere; alone, it is a name only if
//    confirmed;
//  - a line in Title Case (a headline, in the title or in the text: at least two words of three
//    or more letters that are not stop words, all capitalised, and no period after its last
//    word) contributes only confirmed
//    words; the others split its runs ("Medvedev, Sarkozy and Merkel to Meet" gives "Merkel"
//    when the text has "Merkel" mid-sentence, never "Meet"). A title-only document in Title
//    Case therefore yields no names.
// These rules need no corpus: they work on a single document.
// Each run yields the name term of the whole run, and, for runs of two or more words, the
// name term of its last word ("President Medvedev" and "Dmitry Medvedev" meet on "medvedev").
// Name keys are name_key() of the run prefixed with kNamePrefix ('@'), which no word term
// contains. The words of a name are also word terms.
//
// Weights: every occurrence counts title_weight in the title, lead_weight in the first
// lead_words tokens of the text (all tokens, stop words included), and 1 after that; a name
// counts as its first token.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "newsim/text.hpp"

namespace newsim {

/// One news article: its title (may be empty) and its text.
struct NewsDocument {
  TextView title;
  TextView text;
};

/// Word terms and name terms share one vocabulary; the kind tells them apart.
enum class TermKind : std::uint8_t { word = 0, name = 1 };
std::string_view to_string(TermKind kind);

/// First byte of every name term key ('@' is never part of a word term).
inline constexpr char kNamePrefix = '@';

/// The news stop list (lowercase), added to the English list by default: reporting verbs
/// (said, says, say, saying, told, tell, tells, telling, added, adding, asked, asking,
/// according, reported, reporting, announced, stated, noted, explained, confirmed), filler
/// (make, made, makes, making, including, include, includes, also, just, really, going,
/// like, ago, earlier, later, recently, currently, reportedly), honorifics (mr, mrs, ms, dr),
/// time words (today, yesterday, tomorrow, tonight, week, weeks, weekend, month, months,
/// monday ... sunday, pm, gmt, and the month names january, february, april, june, july,
/// september, october, november, december; not march, may and august, which are also
/// ordinary words), and percent, pct, cent. Content words ("missile", "talks") are kept.
const std::vector<std::string>& news_stop_words();

/// Stop lists by name: "news" (English + news lists, the default), "english", "none".
/// Throws InvalidArgument for another name.
std::vector<std::string> news_stop_list(std::string_view name);

/// Titles and honorifics that split name runs (lowercase).
const std::vector<std::string>& news_title_words();

/// Settings of news analysis.
struct NewsAnalyzerOptions {
  /// A libstemmer language (stemmer_languages()), or "" / "none" for no stemming.
  std::string language = "english";
  /// Fold British/American spellings (spelling.hpp); only applied when language is "english",
  /// "porter", "" or "none".
  bool fold_spelling = true;
  /// Removed before folding and stemming (lowercase); default: news_stop_list("news").
  std::vector<std::string> stop_words = news_stop_list("news");
  /// Emit name terms.
  bool names = true;
  /// Weights of occurrences in the title and in the lead (the first lead_words tokens of the
  /// text); both > 0, lead_words >= 0.
  double title_weight = 2.0;
  double lead_weight = 1.5;
  int lead_words = 50;
  DecodeErrors decode_error = DecodeErrors::strict;

  /// Throws InvalidArgument naming the first bad setting (unknown language: lists the valid).
  void validate() const;
};

/// The terms of one document: each distinct key once, with its weighted count.
struct NewsTerm {
  std::string key;      // the vocabulary key: a stem, or '@' + name key
  TermKind kind = TermKind::word;
  double count = 0.0;   // sum of occurrence weights
  std::string surface;  // the most frequent surface form in the document (ties: smallest)
};

/// One occurrence, for explanations.
struct NewsOccurrence {
  std::string key;
  TermKind kind = TermKind::word;
  std::string surface;  // as written ("missiles", "Dmitry Medvedev")
  bool in_title = false;
  double weight = 1.0;
};

/// Analyzes news documents. Immutable after construction; one instance serves any number of
/// threads, each with its own Workspace (which holds the thread's stemmer and a stem cache).
class NewsAnalyzer {
 public:
  /// Validates the options; throws InvalidArgument.
  explicit NewsAnalyzer(NewsAnalyzerOptions options = {});
  ~NewsAnalyzer();
  NewsAnalyzer(const NewsAnalyzer&);
  NewsAnalyzer& operator=(const NewsAnalyzer&);
  NewsAnalyzer(NewsAnalyzer&&) noexcept;
  NewsAnalyzer& operator=(NewsAnalyzer&&) noexcept;

  const NewsAnalyzerOptions& options() const { return options_; }

  /// Per-thread scratch state (a libstemmer stemmer is not thread-safe).
  class Workspace {
   public:
    explicit Workspace(const NewsAnalyzer& analyzer);
    ~Workspace();
    Workspace(Workspace&&) noexcept;
    Workspace& operator=(Workspace&&) noexcept;

   private:
    friend class NewsAnalyzer;
    struct State;
    std::unique_ptr<State> state_;
  };

  /// Every term occurrence of `doc`, title first, in text order. `doc_index` names the document
  /// in errors. O(length) plus one stem per distinct word (cached in the workspace). Throws
  /// DecodeError under decode_error="strict".
  void occurrences(const NewsDocument& doc, Workspace& ws, std::vector<NewsOccurrence>& out,
                   std::size_t doc_index = 0) const;

  /// The distinct terms of `doc`, sorted by key (see NewsTerm).
  std::vector<NewsTerm> analyze(const NewsDocument& doc, Workspace& ws,
                                std::size_t doc_index = 0) const;
  /// Convenience with a temporary workspace.
  std::vector<NewsTerm> analyze(const NewsDocument& doc) const;
  std::vector<NewsOccurrence> occurrences(const NewsDocument& doc) const;

 private:
  struct Impl;
  NewsAnalyzerOptions options_;
  std::shared_ptr<const Impl> impl_;
};

}  // namespace newsim
