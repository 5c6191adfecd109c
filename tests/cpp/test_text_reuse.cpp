#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "newsim/errors.hpp"
#include "newsim/text_reuse.hpp"

namespace {

using newsim::ReusePair;
using newsim::ReuseRelation;
using newsim::TextReuseOptions;
using newsim::TextView;

// A number in letters (digits would make the word a figure).
std::string letters(int v) {
  std::string s;
  do {
    s += static_cast<char>('a' + v % 26);
    v /= 26;
  } while (v > 0);
  return s;
}

// n distinct words t<topic>w<i> (numbers in letters), as sentences of 10 words.
std::string text(int n, int topic, int from = 0) {
  std::string s;
  for (int i = from; i < from + n; ++i) {
    s += "t" + letters(topic) + "w" + letters(i);
    s += (i - from) % 10 == 9 ? ". " : " ";
  }
  return s;
}

std::vector<TextView> views(const std::vector<std::string>& texts) {
  return std::vector<TextView>(texts.begin(), texts.end());
}

const ReusePair* find_pair(const newsim::TextReuse& r, std::int64_t a, std::int64_t b) {
  for (const ReusePair& p : r.pairs) {
    if (p.a == a && p.b == b) return &p;
  }
  return nullptr;
}

TEST(SharedPassages, SpansExactInBothDirections) {
  const std::string quote = "The Minister said the missile shield would cost 1,200 million euros over ten years, "
                            "and that the talks would resume in Brussels next week";
  const std::string a = text(40, 1) + "\n\n" + quote + ".\n\n" + text(30, 1, 100);
  const std::string b = "Intro. " + text(25, 2) + " \"" + quote + "\" " + text(20, 2, 50);
  for (const bool swap : {false, true}) {
    const std::string& x = swap ? b : a;
    const std::string& y = swap ? a : b;
    const newsim::Alignment al = newsim::shared_passages(x, y);
    ASSERT_EQ(al.passages.size(), 1U) << swap;
    const newsim::Passage& p = al.passages[0];
    EXPECT_EQ(x.substr(p.a_begin, p.a_end - p.a_begin), quote);
    EXPECT_EQ(y.substr(p.b_begin, p.b_end - p.b_begin), quote);
    EXPECT_EQ(p.matched, 25);
    EXPECT_EQ(p.a_words, 25);
    EXPECT_EQ(al.longest, 25);
    EXPECT_NEAR(al.a_coverage, 25.0 / static_cast<double>(al.a_words), 1e-12);
  }
}

TEST(SharedPassages, SpansAreCharactersOfWideText) {
  // The same text as UCS-4 code points: spans count characters, not bytes.
  const std::u32string a = U"Ärger über die Straße: " + std::u32string(U"eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn fünfzehn sechzehn");
  const std::u32string b = U"Andere Worte hier. eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn vierzehn fünfzehn sechzehn!";
  const newsim::Alignment al = newsim::shared_passages(TextView(a.data(), a.size(), newsim::Encoding::ucs4),
                                                       TextView(b.data(), b.size(), newsim::Encoding::ucs4));
  ASSERT_EQ(al.passages.size(), 1U);
  EXPECT_EQ(al.passages[0].a_begin, 23);
  EXPECT_EQ(al.passages[0].a_end, static_cast<std::int64_t>(a.size()));
  EXPECT_EQ(al.passages[0].b_begin, 19);
  EXPECT_EQ(al.passages[0].b_end, static_cast<std::int64_t>(b.size()) - 1);
}

TEST(SharedPassages, SmallEditsStayInsideOnePassageShortMatchesDoNot) {
  std::string a = text(60, 3);
  std::string b = a;
  b.replace(b.find("t" + letters(3) + "w" + letters(30)), 5, "changed");  // one word edited in the middle
  const newsim::Alignment al = newsim::shared_passages(a, b);
  ASSERT_EQ(al.passages.size(), 1U);
  EXPECT_EQ(al.passages[0].matched, 59);
  EXPECT_EQ(al.passages[0].a_words, 60);
  // Ten shared words are below min_passage_words (15): no passage.
  const std::string c = text(30, 4) + text(10, 3) + text(30, 5);
  EXPECT_TRUE(newsim::shared_passages(a, c).passages.empty());
  TextReuseOptions o;
  o.min_passage_words = 10;
  EXPECT_EQ(newsim::shared_passages(a, c, o).passages.size(), 1U);
}

TEST(SharedPassages, ManyPairsAtOnceAreTheOnePairResults) {
  const std::vector<std::string> docs = {text(40, 1) + text(30, 2), "Lead. " + text(30, 2),
                                         text(50, 3), text(20, 1, 10) + " " + text(25, 3, 5)};
  const std::vector<std::pair<std::int64_t, std::int64_t>> pairs = {{0, 1}, {1, 0}, {0, 2}, {2, 3}, {0, 3}};
  for (const int threads : {1, 2}) {
    TextReuseOptions o;
    o.n_jobs = threads;
    const std::vector<newsim::Alignment> all = newsim::shared_passages(views(docs), pairs, o);
    ASSERT_EQ(all.size(), pairs.size());
    for (std::size_t p = 0; p < pairs.size(); ++p) {
      const newsim::Alignment one = newsim::shared_passages(docs[pairs[p].first], docs[pairs[p].second]);
      ASSERT_EQ(all[p].passages.size(), one.passages.size()) << p;
      for (std::size_t i = 0; i < one.passages.size(); ++i) {
        EXPECT_EQ(all[p].passages[i].a_begin, one.passages[i].a_begin);
        EXPECT_EQ(all[p].passages[i].b_end, one.passages[i].b_end);
      }
      EXPECT_EQ(all[p].a_coverage, one.a_coverage);
    }
    EXPECT_EQ(all[0].passages.size(), 1U);
    EXPECT_TRUE(all[2].passages.empty());
    EXPECT_EQ(all[3].passages.size(), 1U);
  }
  EXPECT_THROW(newsim::shared_passages(views(docs), {{0, 4}}), newsim::IndexOutOfRange);
  EXPECT_THROW(newsim::shared_passages(views(docs), {{-1, 0}}), newsim::IndexOutOfRange);
}

TEST(TextReuse, FigureTextsAlignAndChangedFiguresMakeATemplate) {
  // Texts of figures only: a copy with words added is still found.
  std::string table;
  for (int i = 0; i < 200; ++i) table += std::to_string(1000 + i * 7) + " ";
  const std::vector<std::string> docs = {table, table + "source: the ministry"};
  const newsim::TextReuse r = newsim::text_reuse(views(docs));
  ASSERT_EQ(r.pairs.size(), 1U);
  EXPECT_EQ(r.pairs[0].relation, ReuseRelation::copy);
}

TEST(TextReuse, MinFingerprintsDecidesWhatIsACandidate) {
  // A 16-word passage inside long texts: found with one shared fingerprint required.
  const std::vector<std::string> docs = {text(200, 1) + text(16, 9) + text(200, 2),
                                         text(200, 3) + text(16, 9) + text(200, 4)};
  TextReuseOptions o;
  o.min_fingerprints = 1;
  const newsim::TextReuse one = newsim::text_reuse(views(docs), o);
  ASSERT_EQ(one.pairs.size(), 1U);
  EXPECT_EQ(one.pairs[0].longest, 16);
  EXPECT_EQ(one.pairs[0].relation, ReuseRelation::excerpt);
  o.min_passage_words = 17;
  EXPECT_TRUE(newsim::text_reuse(views(docs), o).pairs.empty());
  o = {};
  o.min_fingerprints = 0;
  EXPECT_THROW(newsim::text_reuse(views(docs), o), newsim::InvalidArgument);
}

TEST(SharedPassages, EmptyWordlessAndBadInput) {
  EXPECT_TRUE(newsim::shared_passages("", "").passages.empty());
  EXPECT_TRUE(newsim::shared_passages("!!! ... ???", "!!! ... ???").passages.empty());
  EXPECT_EQ(newsim::shared_passages("", text(20, 1)).a_coverage, 0.0);
  EXPECT_THROW(newsim::shared_passages(std::string("ok \xff bad"), "x"), newsim::DecodeError);
  TextReuseOptions o;
  o.min_passage_words = 0;
  EXPECT_THROW(newsim::shared_passages("a", "b", o), newsim::InvalidArgument);
  o = {};
  o.copy_coverage = 1.5;
  EXPECT_THROW(newsim::shared_passages("a", "b", o), newsim::InvalidArgument);
}

TEST(TextReuse, RelationsAndOrigins) {
  const std::string base = text(40, 1) + "\n\n" + text(40, 1, 40) + "\n\n" + text(40, 1, 80) +
                           "\n\n" + text(40, 1, 120);
  std::vector<std::string> docs = {
      base,                                                     // 0
      text(40, 1) + "\n\n" + text(40, 1, 80),                   // 1: a cut of 0
      text(30, 9) + " " + text(40, 1, 40) + text(40, 1, 80) + " " + text(40, 1, 120) + text(25, 8),  // 2: rewrite
      text(120, 7) + " " + text(40, 1, 120),                    // 3: quotes 0's last paragraph
      base + " Extra",                                          // 4: a copy
      text(200, 6),                                             // 5: unrelated
  };
  const newsim::TextReuse r = newsim::text_reuse(views(docs));
  const ReusePair* cut = find_pair(r, 0, 1);
  ASSERT_NE(cut, nullptr);
  EXPECT_EQ(cut->relation, ReuseRelation::trimmed);
  EXPECT_EQ(cut->origin, 0);
  EXPECT_DOUBLE_EQ(cut->b_coverage, 1.0);
  EXPECT_DOUBLE_EQ(cut->a_coverage, 0.5);
  const ReusePair* rw = find_pair(r, 0, 2);
  ASSERT_NE(rw, nullptr);
  EXPECT_EQ(rw->relation, ReuseRelation::rewrite);
  const ReusePair* ex = find_pair(r, 0, 3);
  ASSERT_NE(ex, nullptr);
  EXPECT_EQ(ex->relation, ReuseRelation::excerpt);
  EXPECT_EQ(ex->origin, 0);
  EXPECT_EQ(ex->longest, 40);
  const ReusePair* cp = find_pair(r, 0, 4);
  ASSERT_NE(cp, nullptr);
  EXPECT_EQ(cp->relation, ReuseRelation::copy);
  for (const ReusePair& p : r.pairs) EXPECT_TRUE(p.a != 5 && p.b != 5);

  // Dates decide the origin: the cut is dated first.
  const double nan = std::nan("");
  const std::vector<double> times = {100, 50, nan, nan, nan, nan};
  const newsim::TextReuse dated = newsim::text_reuse(views(docs), {}, &times);
  ASSERT_NE(find_pair(dated, 0, 1), nullptr);
  EXPECT_EQ(find_pair(dated, 0, 1)->origin, 1);
  EXPECT_EQ(find_pair(dated, 0, 2)->origin, 0);
}

TEST(TextReuse, TemplatesAreNotCopies) {
  auto report = [](int week, int a, int b, const std::string& month) {
    return "Reporting members of the National Soybean Processors Association crushed " +
           std::to_string(a) + "," + std::to_string(b) + " bushels of soybeans in the week ended " +
           month + " " + std::to_string(week) + " compared with " + std::to_string(b) + "," +
           std::to_string(a) + " bushels in the previous week, the association said. It said "
           "total crushing capacity for members was " + std::to_string(a + 7) +
           " bushels vs last week and last year.";
  };
  const std::vector<std::string> docs = {report(4, 21, 782, "Feb"), report(11, 19, 416, "April"),
                                         report(4, 21, 782, "Feb")};
  const newsim::TextReuse r = newsim::text_reuse(views(docs));
  const ReusePair* t = find_pair(r, 0, 1);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->relation, ReuseRelation::template_);
  EXPECT_EQ(t->origin, -1);
  const ReusePair* c = find_pair(r, 0, 2);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->relation, ReuseRelation::copy);
  ASSERT_EQ(r.groups.size(), 1U);
  EXPECT_EQ(r.groups[0], (std::vector<std::int64_t>{0, 2}));
}

TEST(TextReuse, GroupsDoNotChain) {
  const std::string source = text(60, 1) + "\n\n" + text(30, 1, 60);
  const std::vector<std::string> docs = {
      text(80, 2) + " " + text(30, 1, 60),  // 0 quotes the source's second paragraph
      source,                               // 1
      text(70, 3) + " " + text(30, 1, 60),  // 2 quotes the same paragraph
      text(90, 4) + " " + text(30, 1, 10),  // 3 quotes another part
  };
  const newsim::TextReuse r = newsim::text_reuse(views(docs));
  ASSERT_EQ(r.origins, (std::vector<std::int64_t>{1}));
  EXPECT_EQ(r.groups[0], (std::vector<std::int64_t>{1, 0, 2, 3}));
  const ReusePair* sib = find_pair(r, 0, 2);
  ASSERT_NE(sib, nullptr);  // they share the quote...
  EXPECT_EQ(sib->origin, -1);  // ...through the source
  EXPECT_EQ(sib->via, 1);
  EXPECT_EQ(find_pair(r, 0, 3), nullptr);
}

TEST(TextReuse, IdenticalTextsCollapseEmptyTextsNeverPair) {
  std::vector<std::string> docs;
  for (int i = 0; i < 50; ++i) docs.push_back(i % 2 ? text(30, 1) : "  !!  ");
  docs.push_back("");
  docs.push_back("Short one");
  docs.push_back("short ONE.");
  const newsim::TextReuse r = newsim::text_reuse(views(docs));
  EXPECT_EQ(r.pairs.size(), 24U + 1U);  // 25 copies of the text: 24 pairs; and the short pair
  for (const ReusePair& p : r.pairs) {
    EXPECT_EQ(p.relation, ReuseRelation::copy);
    EXPECT_TRUE(p.a % 2 == 1 || p.a == 51) << p.a;
  }
  ASSERT_EQ(r.groups.size(), 2U);
  EXPECT_EQ(r.groups[0].size(), 25U);
  EXPECT_EQ(r.groups[0][0], 1);
}

TEST(TextReuse, ATextCopiedMoreThanMaxPostingsTimesStillFormsOneGroup) {
  // 300 near-identical texts: their fingerprints are held by more than max_postings (100)
  // texts, so each meets only the first holder: 299 copies of text 0, one group.
  std::vector<std::string> docs;
  for (int i = 0; i < 300; ++i) docs.push_back(text(40, 1) + " item " + letters(i));
  const newsim::TextReuse r = newsim::text_reuse(views(docs));
  ASSERT_EQ(r.pairs.size(), 299U);
  for (const ReusePair& p : r.pairs) {
    EXPECT_EQ(p.a, 0);
    EXPECT_EQ(p.relation, ReuseRelation::copy);
  }
  ASSERT_EQ(r.groups.size(), 1U);
  EXPECT_EQ(r.groups[0].size(), 300U);
  EXPECT_LT(r.candidates, 600);
}

TEST(TextReuse, SameResultsWithAnyNumberOfThreads) {
  std::mt19937 rng(7);
  std::vector<std::string> docs;
  for (int i = 0; i < 300; ++i) {
    std::string d = text(50 + static_cast<int>(rng() % 50), i);
    const int src = static_cast<int>(rng() % (i + 1));
    if (rng() % 3 == 0) d += " " + text(20 + static_cast<int>(rng() % 30), src, static_cast<int>(rng() % 20));
    docs.push_back(d);
  }
  TextReuseOptions o;
  o.n_jobs = 1;
  const newsim::TextReuse one = newsim::text_reuse(views(docs), o);
  o.n_jobs = 3;
  const newsim::TextReuse three = newsim::text_reuse(views(docs), o);
  ASSERT_GT(one.pairs.size(), 50U);
  ASSERT_EQ(one.pairs.size(), three.pairs.size());
  for (std::size_t i = 0; i < one.pairs.size(); ++i) {
    EXPECT_EQ(one.pairs[i].a, three.pairs[i].a);
    EXPECT_EQ(one.pairs[i].b, three.pairs[i].b);
    EXPECT_EQ(one.pairs[i].relation, three.pairs[i].relation);
    EXPECT_EQ(one.pairs[i].origin, three.pairs[i].origin);
    EXPECT_EQ(one.pairs[i].a_coverage, three.pairs[i].a_coverage);
  }
  EXPECT_EQ(one.groups, three.groups);
  EXPECT_EQ(one.candidates, three.candidates);
}

TEST(TextReuse, KeptPassagesAreThoseOfSharedPassages) {
  // With options.passages, each pair's passages (copies included, wide text included) are
  // what shared_passages gives for that pair, in any number of threads.
  std::mt19937 rng(11);
  std::vector<std::string> docs;
  for (int i = 0; i < 120; ++i) {
    std::string d = text(40 + static_cast<int>(rng() % 40), i);
    const int src = static_cast<int>(rng() % (i + 1));
    if (rng() % 2 == 0) d += "\n\n\u00e9t\u00e9 " + text(25 + static_cast<int>(rng() % 20), src, 3);
    docs.push_back(d);
    if (i % 10 == 0) docs.push_back(d);  // an identical copy
  }
  std::vector<std::pair<std::int64_t, std::int64_t>> pairs;
  for (const int threads : {1, 2}) {
    TextReuseOptions o;
    o.n_jobs = threads;
    o.passages = true;
    const newsim::TextReuse r = newsim::text_reuse(views(docs), o);
    o.passages = false;
    const newsim::TextReuse plain = newsim::text_reuse(views(docs), o);
    ASSERT_EQ(r.pairs.size(), plain.pairs.size());
    EXPECT_TRUE(plain.passages.empty());
    ASSERT_EQ(r.passages.size(), r.pairs.size());
    ASSERT_GT(r.pairs.size(), 30U);
    pairs.clear();
    bool copies = false;
    for (std::size_t p = 0; p < r.pairs.size(); ++p) {
      EXPECT_EQ(r.pairs[p].a, plain.pairs[p].a);
      EXPECT_EQ(r.pairs[p].b, plain.pairs[p].b);
      EXPECT_EQ(static_cast<std::int64_t>(r.passages[p].size()), r.pairs[p].passages);
      pairs.emplace_back(r.pairs[p].a, r.pairs[p].b);
      copies = copies || r.pairs[p].relation == ReuseRelation::copy;
    }
    EXPECT_TRUE(copies);
    const std::vector<newsim::Alignment> ref = newsim::shared_passages(views(docs), pairs);
    for (std::size_t p = 0; p < pairs.size(); ++p) {
      ASSERT_EQ(r.passages[p].size(), ref[p].passages.size()) << p;
      for (std::size_t i = 0; i < ref[p].passages.size(); ++i) {
        const newsim::Passage& x = r.passages[p][i];
        const newsim::Passage& y = ref[p].passages[i];
        EXPECT_EQ(std::tie(x.a_begin, x.a_end, x.b_begin, x.b_end, x.a_words, x.b_words, x.matched),
                  std::tie(y.a_begin, y.a_end, y.b_begin, y.b_end, y.a_words, y.b_words, y.matched))
            << p << " " << i;
      }
    }
  }
}

TEST(TextReuse, BadInput) {
  const std::vector<std::string> docs = {text(30, 1), text(30, 1), std::string("bad \xc3(")};
  try {
    newsim::text_reuse(views(docs));
    FAIL();
  } catch (const newsim::DecodeError& e) {
    EXPECT_NE(std::string(e.what()).find('2'), std::string::npos) << e.what();
  }
  const std::vector<double> times = {1.0, 2.0};
  EXPECT_THROW(newsim::text_reuse(views({text(30, 1)}), {}, &times), newsim::InvalidArgument);
  std::vector<std::string> many;
  for (int i = 0; i < 20; ++i) many.push_back(text(30, 1) + text(5, i));
  TextReuseOptions o;
  o.max_pairs = 10;
  EXPECT_THROW(newsim::text_reuse(views(many), o), newsim::InvalidArgument);
  o.max_pairs = -1;
  EXPECT_EQ(newsim::text_reuse(views(many), o).pairs.size(), 190U);
  EXPECT_TRUE(newsim::text_reuse({}).pairs.empty());
}

}  // namespace
