#include "newsim/cleaning.hpp"

// clean() and clean_statistics(): the passes over a corpus. What each step does lives in
// cleaning/: tokens and lexicon (words), line_features (what a line looks like), parsers
// (credits, datelines, title credits, photo wording), statistics (repetition counts),
// classifier (the labelling rules), rebuild and meta_json (the cleaned article).

#include <string>
#include <utility>
#include <vector>

#include "cleaning/classifier.hpp"
#include "cleaning/line_features.hpp"
#include "cleaning/rebuild.hpp"
#include "cleaning/statistics.hpp"
#include "newsim/detail/parallel.hpp"
#include "newsim/errors.hpp"

namespace newsim {

const char* to_string(LineLabel label) {
  switch (label) {
    case LineLabel::blank:
      return "blank";
    case LineLabel::body:
      return "body";
    case LineLabel::boilerplate:
      return "boilerplate";
    case LineLabel::title:
      return "title";
    case LineLabel::caption:
      return "caption";
    case LineLabel::credit:
      return "credit";
    case LineLabel::subhead:
      return "subhead";
  }
  return "body";
}

using cleaning::Counts;
using cleaning::Line;

namespace {

// Pass 1: article_lines of every article, in parallel.
std::vector<std::vector<Line>> analyse_articles(const Corpus& corpus, int threads) {
  std::vector<std::vector<Line>> lines(corpus.size());
  detail::parallel_for(corpus.size(), threads, [&](std::size_t i, std::size_t) {
    lines[i] = cleaning::article_lines(corpus[i].text);
  });
  return lines;
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
    out.reports[i] = cleaning::classify(corpus[i], i, lines[i], counts, options);
    cleaned[i] = cleaning::rebuild(corpus[i], lines[i], out.reports[i], options);
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

}  // namespace

CleanStatistics clean_statistics(const Corpus& corpus, int n_jobs) {
  // Only the keys of each article are kept, not its lines.
  std::vector<std::vector<std::uint64_t>> keys(corpus.size());
  detail::parallel_for(corpus.size(), detail::resolve_threads(n_jobs),
                       [&](std::size_t i, std::size_t) {
                         cleaning::repeat_keys(cleaning::article_lines(corpus[i].text), keys[i]);
                       });
  CleanStatistics out;
  for (std::size_t i = 0; i < corpus.size(); ++i)
    cleaning::count_article(*out.impl_, corpus[i].source, keys[i]);
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
    cleaning::repeat_keys(lines[i], keys);
    cleaning::count_article(counts, corpus[i].source, keys);
  }
  return label_articles(corpus, lines, counts, options, threads);
}

CleanResult clean(const Corpus& corpus, const CleanStatistics& statistics,
                  const CleanOptions& options) {
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
  Counts::Table own;  // articles per source here
  for (const Article& a : corpus) {
    if (!a.source.empty()) ++own[cleaning::hash(a.source)];
  }
  for (const Article& a : corpus) {
    if (a.source.empty()) continue;
    const std::uint64_t h = cleaning::hash(a.source);
    const int* counted = cleaning::count_of(counts.sources, h);
    if (counted == nullptr || *counted < own[h]) {
      throw lacking("they count " + std::to_string(counted == nullptr ? 0 : *counted) +
                    " articles of source '" + a.source + "', it holds " + std::to_string(own[h]));
    }
  }
  const int threads = detail::resolve_threads(options.n_jobs);
  std::vector<std::vector<Line>> lines = analyse_articles(corpus, threads);
  return label_articles(corpus, lines, counts, options, threads);
}

}  // namespace newsim
