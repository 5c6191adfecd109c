#include <gtest/gtest.h>

#include "newsim/errors.hpp"
#include "newsim/text.hpp"

using newsim::DecodeErrors;

TEST(DecodeUtf8, ValidTextRoundTrips) {
  const std::u32string out = newsim::decode_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", DecodeErrors::strict);
  EXPECT_EQ(out, std::u32string(U"café € \U0001F600"));
}

TEST(DecodeUtf8, StrictNamesDocumentAndOffset) {
  try {
    newsim::decode_utf8("ab\xff" "cd", DecodeErrors::strict, 7);
    FAIL() << "no error";
  } catch (const newsim::DecodeError& e) {
    EXPECT_EQ(e.document(), 7u);
    EXPECT_EQ(e.offset(), 2u);
    EXPECT_NE(std::string(e.what()).find("document 7"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("byte 2"), std::string::npos);
  }
}

TEST(DecodeUtf8, ReplaceUsesMaximalSubparts) {
  // As Python: b"\xe2\x82" (truncated) is one U+FFFD, b"\xe0\x80" is two, a surrogate is three.
  EXPECT_EQ(newsim::decode_utf8("a\xe2\x82" "b", DecodeErrors::replace), std::u32string(U"a\uFFFDb"));
  EXPECT_EQ(newsim::decode_utf8("\xe0\x80", DecodeErrors::replace), std::u32string(U"\uFFFD\uFFFD"));
  EXPECT_EQ(newsim::decode_utf8("\xed\xa0\x80", DecodeErrors::replace),
            std::u32string(U"\uFFFD\uFFFD\uFFFD"));
  EXPECT_EQ(newsim::decode_utf8("\xf4\x90\x80\x80", DecodeErrors::replace).size(), 4u);
}

TEST(DecodeUtf8, IgnoreDropsInvalidBytes) {
  EXPECT_EQ(newsim::decode_utf8("ab\xff\xfe" "cd", DecodeErrors::ignore), std::u32string(U"abcd"));
}

TEST(DecodeErrorsName, ParsesAndRejects) {
  EXPECT_EQ(newsim::parse_decode_errors("ignore"), DecodeErrors::ignore);
  EXPECT_THROW(newsim::parse_decode_errors("bogus"), newsim::InvalidArgument);
}
