#include "lexicon.hpp"

#include <algorithm>
#include <string_view>

#include "newsim/stop_words.hpp"
#include "tokens.hpp"

namespace newsim::cleaning {

namespace {

// clang-format off
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
// clang-format on

}  // namespace

Lexicon::Lexicon() {
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
  for (const char* w :
       {"reporting", "additional", "editing", "writing", "compiled", "source", "sources", "with"}) {
    credit_starts[hash(w)] = 1;
  }
}

bool Lexicon::credit_start(std::string_view word) const {
  return credit_starts.find(hash(word)) != nullptr;
}

const Lexicon& lexicon() {
  static const Lexicon lex;
  return lex;
}

}  // namespace newsim::cleaning
