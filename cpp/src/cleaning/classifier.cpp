#include "classifier.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

#include "newsim/errors.hpp"
#include "parsers.hpp"
#include "tokens.hpp"

namespace newsim::cleaning {

namespace {

// One article's lines while they are labelled, with the landmarks the rules go by.
struct Page {
  const Article& article;
  std::vector<Line>& lines;
  std::size_t n = lines.size();
  std::size_t title = n;       // the title's line; n: none
  std::size_t first_good = n;  // the first good line (below); n: none
  std::size_t last_good = n;   // the last one
  std::size_t head_end = n;    // the head ends at the first good line below the title

  // A sentence without furniture signs: body text for sure.
  bool good(std::size_t i) const { return lines[i].sentence && lines[i].evidence.empty(); }
  // Blank lines (or the page's ends) on both sides.
  bool standalone(std::size_t i) const {
    return (i == 0 || lines[i - 1].blank) && (i + 1 == n || lines[i + 1].blank);
  }
  // A credit line stands on its own: not the end of a wrapped sentence ("... told\nReuters.").
  bool credit_line(std::size_t i) const {
    const Line& line = lines[i];
    const auto c = static_cast<unsigned char>(line.text.front());
    if (line.words > 12 || !(std::isupper(c) || c == '(')) return false;
    if (i > 0 && !lines[i - 1].blank && !lines[i - 1].ends) return false;
    return is_credit(line.text);
  }
  // The first good line after line `from`, or n.
  std::size_t next_good(std::size_t from) const {
    for (std::size_t i = from; i < n; ++i) {
      if (good(i)) return i;
    }
    return n;
  }
};

void mark(Line& line, LineLabel label, const char* rule) {
  line.label = label;
  line.rule = rule;
}

// Evidence that is repetition alone, with no furniture sign of the line's own.
bool repeats_only(const Line& line) {
  return line.repeat_evidence && line.phrase == nullptr && line.link_label == nullptr &&
         line.icons < 3 && line.evidence.rfind("repeated", 0) == 0;
}

// On fewer than a tenth of the pages counted: a headline in lists of related articles, a
// table heading; furniture repeats on most pages of a site.
bool rarely(const Line& line) { return line.repeats * 10 < line.scope; }

// evidence: each line's furniture signs, and its repetition: in min_repeats articles (a
// sentence: min_repeats_sentence) and 1% of its source's, or without a source in 1% of the
// corpus (a sentence: in a tenth of it and 10 articles, since wire copies of one story repeat
// sentences in a few articles and a notice repeats on most pages of a site).
void weigh_evidence(Page& page, const Counts& counts, const CleanOptions& options) {
  const Article& a = page.article;
  // The repetition counts are in a table too large for the cache: ask for all lines at once.
  for (const Line& line : page.lines) {
    if (!line.blank && may_repeat_line(line)) counts.lines.prefetch(line.key);
  }
  const bool by_source = !a.source.empty();
  const int* of_source = by_source ? count_of(counts.sources, hash(a.source)) : nullptr;
  for (std::size_t i = 0; i < page.n; ++i) {
    Line& line = page.lines[i];
    if (line.blank) continue;
    const bool candidate = may_repeat_line(line);
    const int* in_corpus = candidate ? count_of(counts.lines, line.key) : nullptr;
    const int* in_source = candidate && by_source
                               ? count_of(counts.source_lines, source_key(a.source, line.key))
                               : nullptr;
    // Counted lines are found: a miss means statistics counted without this article.
    if (candidate && (in_corpus == nullptr || (by_source && in_source == nullptr))) {
      throw InvalidArgument("article '" + a.id + "', line " + std::to_string(i + 1) +
                            ": not in the clean statistics; merge the statistics of every "
                            "shard, this one included");
    }
    line.repeats = candidate ? (by_source ? *in_source : *in_corpus) : 0;
    line.scope = of_source != nullptr ? *of_source : static_cast<int>(counts.articles);
    line.evidence = furniture_signs(line);
    const int needed = std::max(line.sentence ? options.min_repeats_sentence : options.min_repeats,
                                (line.scope + 99) / 100);
    const bool widely = line.repeats >= 10 && line.repeats * 10 >= line.scope;
    const bool may_repeat = (!line.sentence || by_source || widely) && candidate;
    if (may_repeat && line.key != 0 && line.repeats >= needed) {
      line.repeat_evidence = true;
      const std::string where = "repeated in " + std::to_string(line.repeats) + " articles" +
                                (by_source ? " of source '" + a.source + "'" : "");
      line.evidence = line.evidence.empty() ? where : line.evidence + "; " + where;
    }
  }
  for (std::size_t i = 0; i < page.n; ++i) {
    if (page.good(i)) {
      if (page.first_good == page.n) page.first_good = i;
      page.last_good = i;
    }
  }
  page.head_end = page.first_good;
}

// title: the given title's line among the first 12 lines of the head, else the first
// headline-shaped line there (2 to 25 words, no full stop, standing alone, with no furniture
// signs but rare repetition). A given title that is a row of icon names is no title.
void find_title(Page& page, LineReport& r) {
  const Article& a = page.article;
  std::string_view given_rest;
  title_credit(a.title, given_rest);
  // A scraper that took the share buttons for the title: a line labelled boilerplate can never
  // be the title. (Furniture words are not enough here: "Facebook to close Instagram video
  // app" is a title.)
  const bool given_is_furniture = icon_row_text(a.title);
  const std::uint64_t given_key = a.title.empty() || given_is_furniture ? 0 : line_key(given_rest);
  std::size_t seen = 0;
  for (std::size_t i = 0; i <= page.head_end && i < page.n && seen < 12; ++i) {
    const Line& line = page.lines[i];
    if (line.blank) continue;
    ++seen;
    if (given_key != 0) {
      std::string_view rest;
      // Most often the title is the line as it is; else the line without its credit.
      if (line.key == given_key ||
          (!title_credit(line.text, rest).empty() && line_key(rest) == given_key)) {
        page.title = i;
        break;
      }
      continue;
    }
    if (i == page.head_end && (line.words > 14 || !line.ends || line.text.back() == '.')) break;
    const bool headline = (line.evidence.empty() || (repeats_only(line) && rarely(line))) &&
                          line.words >= 2 && line.words <= 25 &&
                          !(line.ends && line.text.back() == '.') && page.standalone(i);
    if (headline) {
      page.title = i;
      break;
    }
  }
  if (page.title == page.n) {
    if (!a.title.empty() && !given_is_furniture) r.title = a.title;
    return;
  }
  Line& t = page.lines[page.title];
  mark(t, LineLabel::title,
       given_key != 0 ? "title: the article's title" : "title: first headline-shaped line");
  t.evidence = given_key != 0 ? "matches the given title"
                              : std::to_string(t.words) + " words, no full stop, stands alone";
  std::string_view rest;
  r.title_credit = std::string(title_credit(t.text, rest));
  r.title = std::string(r.title_credit.empty() ? t.text : rest);
  // A question for a headline: the text starts after it.
  if (page.title == page.first_good) page.first_good = page.next_good(page.title + 1);
  page.head_end = page.first_good;
}

// head: before the title, every line is page furniture.
void head_before_title(Page& page) {
  for (std::size_t i = 0; i < page.title && page.title != page.n; ++i) {
    Line& line = page.lines[i];
    if (line.blank) continue;
    mark(line, LineLabel::boilerplate, "head: before the title");
    if (line.evidence.empty()) {
      line.evidence = "line before the title at line " + std::to_string(page.title + 1);
    }
  }
}

// head: without a title, a line before the first paragraph with furniture signs of its own
// (repetition alone proves nothing here: table headings repeat too). Credits are left.
void head_furniture(Page& page) {
  for (std::size_t i = 0; i < page.head_end && page.title == page.n; ++i) {
    Line& line = page.lines[i];
    if (line.blank || line.evidence.empty() || page.credit_line(i) || repeats_only(line)) continue;
    mark(line, LineLabel::boilerplate, "head: furniture before the text");
  }
}

// credit: agency names or a reporting line, standing alone.
bool credit(Page& page, std::size_t i) {
  if (!page.credit_line(i)) return false;
  Line& line = page.lines[i];
  mark(line, LineLabel::credit, "credit");
  line.evidence = "agency names or a reporting line";
  return true;
}

// credit, in the head.
void head_credits(Page& page) {
  for (std::size_t i = 0; i < page.head_end; ++i) {
    if (!page.lines[i].blank && page.lines[i].label == LineLabel::body) credit(page, i);
  }
}

// Between the title and the first paragraph: furniture below the title (any sign, but for a
// sentence repetition or a phrase), or a caption (photo wording; or no full stop and running
// into the first paragraph).
void below_title(Page& page) {
  if (page.title == page.n) return;
  for (std::size_t i = page.title + 1; i < page.head_end; ++i) {
    Line& line = page.lines[i];
    if (line.blank) continue;
    if (!line.evidence.empty() &&
        (!line.sentence || line.repeat_evidence || line.phrase != nullptr)) {
      mark(line, LineLabel::boilerplate, "furniture below the title");
      continue;
    }
    const bool photo = has_position_marker(line.text);
    const bool runs_in = !line.ends && i + 1 < page.n && !page.lines[i + 1].blank &&
                         i + 1 == page.first_good &&
                         !(line.text.front() >= 'a' && line.text.front() <= 'z');
    if (photo || runs_in) {
      mark(line, LineLabel::caption, "caption: between the title and the text");
      line.evidence = photo ? "photo wording" : "no full stop, runs into the first paragraph";
    }
  }
}

// What the body and tail rules remember of the lines above.
struct Tail {
  std::string list_header;  // a tail furniture line that opens a list ("Related stories")
  bool text = false;        // a line of text (a table, a list) already kept in the tail
};

// furniture line / tail: furniture after the text: a line with furniture signs, unless it is
// a body sentence with a weak sign, or (between paragraphs) a line that only repeats on few
// pages (a table heading such as "Year"). Kept lines with signs stop the rules here too.
bool furniture(Page& page, std::size_t i, bool tail, Tail& state) {
  Line& line = page.lines[i];
  if (line.evidence.empty()) return false;
  if (!tail && repeats_only(line) && rarely(line)) return true;
  if (!line.sentence || tail || line.repeat_evidence) {
    mark(line, LineLabel::boilerplate, tail ? "tail: furniture after the text" : "furniture line");
    // A short heading among the furniture ("Related stories", "Most viewed") opens a list. Not
    // after kept lines of the tail: a list of the article's own (results, names) may be broken
    // by an advertisement.
    if (tail && !state.text && line.words <= 5 && !line.ends && line.link_label == nullptr) {
      state.list_header = std::string(line.text.substr(0, 40));
    }
  }
  return true;
}

// tail: list of links: headline-shaped lines (3 to 16 words, at most one comma or semicolon,
// no full stop) under a list heading of the tail.
bool list_of_links(Page& page, std::size_t i, bool tail, const Tail& state) {
  Line& line = page.lines[i];
  const auto punct = std::count(line.text.begin(), line.text.end(), ',') +
                     std::count(line.text.begin(), line.text.end(), ';');
  const bool headline_item =
      line.words >= 3 && line.words <= 16 && punct <= 1 && !(line.ends && line.text.back() != '?');
  if (!tail || state.list_header.empty() || line.sentence || !headline_item) return false;
  mark(line, LineLabel::boilerplate, "tail: list of links");
  line.evidence = "listed under '" + state.list_header + "'";
  return true;
}

// caption: photo wording, in a line that is not a sentence.
bool photo_caption(Page& page, std::size_t i) {
  Line& line = page.lines[i];
  if (line.sentence || !has_position_marker(line.text)) return false;
  mark(line, LineLabel::caption, "caption: photo wording");
  line.evidence = "photo wording";
  return true;
}

// subhead: a short line (1 to 14 words, no full stop, not ending in , ; : or a stop word,
// starting with a capital, digit or quote) standing alone between two good paragraphs.
bool subhead(Page& page, std::size_t i) {
  Line& line = page.lines[i];
  const char last = line.text.back();
  const auto first = static_cast<unsigned char>(line.text.front());
  std::size_t prev = i, next = i;
  while (prev > 0 && page.lines[prev - 1].blank) --prev;
  while (next + 1 < page.n && page.lines[next + 1].blank) ++next;
  const bool between_paragraphs =
      prev > 0 && page.good(prev - 1) && next + 1 < page.n && page.good(next + 1);
  if (line.sentence || line.ends || !page.standalone(i) || line.words < 1 || line.words > 14 ||
      last == ',' || last == ';' || last == ':' ||
      !(std::isupper(first) || std::isdigit(first) || first >= 0x80 || first == '"') ||
      !between_paragraphs || ends_with_stop_word(line)) {
    return false;
  }
  mark(line, LineLabel::subhead, "subhead: a short line between paragraphs");
  line.evidence = std::to_string(line.words) + " words, no full stop, stands alone";
  return true;
}

// Body and tail (after the last good line), line by line: the first of these rules that
// fits labels the line.
void body_and_tail(Page& page) {
  Tail state;
  for (std::size_t i = page.head_end; i < page.n; ++i) {
    const Line& line = page.lines[i];
    if (line.blank || line.label != LineLabel::body) continue;
    const bool tail = page.last_good != page.n && i > page.last_good;
    if (credit(page, i) || furniture(page, i, tail, state) || list_of_links(page, i, tail, state)) {
      continue;
    }
    if (tail) state.text = true;
    if (!photo_caption(page, i) && !tail) subhead(page, i);
  }
}

// context: between furniture lines: a short line (up to 6 words, not a sentence nor prose)
// whose neighbours across blank lines are both furniture.
void context(Page& page) {
  for (std::size_t i = 0; i < page.n; ++i) {
    Line& line = page.lines[i];
    if (line.blank || line.label != LineLabel::body || line.sentence || line.prose ||
        line.words > 6) {
      continue;
    }
    std::size_t p = i, q = i;
    while (p > 0 && page.lines[p - 1].blank) --p;
    while (q + 1 < page.n && page.lines[q + 1].blank) ++q;
    const bool before = p > 0 && page.lines[p - 1].label == LineLabel::boilerplate;
    const bool after = q + 1 < page.n && page.lines[q + 1].label == LineLabel::boilerplate;
    if (before && after) {
      mark(line, LineLabel::boilerplate, "context: between furniture lines");
      line.evidence =
          "lines " + std::to_string(p) + " and " + std::to_string(q + 2) + " are furniture";
    }
  }
}

// dateline: place and agency before a dash, split off the first body line.
void dateline(const Page& page, std::size_t index, LineReport& r) {
  for (std::size_t i = 0; i < page.n; ++i) {
    const Line& line = page.lines[i];
    if (line.label != LineLabel::body) continue;
    std::string_view place;
    const std::size_t length = match_dateline(line.text, place);
    if (length > 0) {
      r.dateline = std::string(place);
      r.dateline_length = length;
      r.audit.push_back({index, static_cast<std::int32_t>(i + 1), "dateline",
                         "dateline: place and agency before a dash",
                         "'" + std::string(line.text.substr(0, length)) + "'", r.dateline});
    }
    return;
  }
}

}  // namespace

LineReport classify(const Article& a, std::size_t index, std::vector<Line>& lines,
                    const Counts& counts, const CleanOptions& options) {
  LineReport r;
  Page page{a, lines};
  weigh_evidence(page, counts, options);
  find_title(page, r);
  head_before_title(page);
  head_furniture(page);
  head_credits(page);
  below_title(page);
  body_and_tail(page);
  context(page);
  r.labels.resize(page.n);
  for (std::size_t i = 0; i < page.n; ++i) {
    const Line& line = lines[i];
    r.labels[i] = line.label;
    if (line.label != LineLabel::body && line.label != LineLabel::blank) {
      r.audit.push_back({index, static_cast<std::int32_t>(i + 1), to_string(line.label), line.rule,
                         line.evidence, std::string(line.text)});
    }
  }
  dateline(page, index, r);
  std::sort(r.audit.begin(), r.audit.end(),
            [](const AuditEntry& x, const AuditEntry& y) { return x.line < y.line; });
  return r;
}

}  // namespace newsim::cleaning
