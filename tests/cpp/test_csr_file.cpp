// Matrix files (write in blocks, check, read back) and streaming files to vectors.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "csr_fixture.hpp"
#include "newsim/article.hpp"
#include "newsim/cleaning.hpp"
#include "newsim/csr_file.hpp"
#include "newsim/errors.hpp"
#include "temp_dir.hpp"

namespace {

namespace fs = std::filesystem;
using newsim_test::expect_same;

using newsim_test::TempDir;

newsim::CsrMatrix<double> random_matrix(std::int64_t rows, std::int64_t cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::int64_t> indptr{0};
  std::vector<std::int32_t> indices;
  std::vector<double> data;
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int32_t c = 0; c < cols; ++c) {
      if (rng() % 4 == 0) {
        indices.push_back(c);
        data.push_back(static_cast<double>(rng() % 1000) / 7.0);
      }
    }
    indptr.push_back(static_cast<std::int64_t>(indices.size()));
  }
  newsim::CsrMatrix<double> m;
  m.rows = rows;
  m.cols = cols;
  m.indptr = newsim::Buffer<std::int64_t>(indptr.size());
  m.indices = newsim::Buffer<std::int32_t>(indices.size());
  m.data = newsim::Buffer<double>(data.size());
  std::copy(indptr.begin(), indptr.end(), m.indptr.begin());
  std::copy(indices.begin(), indices.end(), m.indices.begin());
  std::copy(data.begin(), data.end(), m.data.begin());
  return m;
}

// Rows [a, b) of m as a matrix of their own (indptr from 0).
newsim::CsrMatrix<double> rows_of(const newsim::CsrMatrix<double>& m, std::int64_t a, std::int64_t b) {
  newsim::CsrMatrix<double> out;
  out.rows = b - a;
  out.cols = m.cols;
  const std::int64_t first = m.indptr[static_cast<std::size_t>(a)];
  const std::int64_t last = m.indptr[static_cast<std::size_t>(b)];
  out.indptr = newsim::Buffer<std::int64_t>(static_cast<std::size_t>(b - a + 1));
  for (std::int64_t r = a; r <= b; ++r) out.indptr[static_cast<std::size_t>(r - a)] = m.indptr[static_cast<std::size_t>(r)] - first;
  out.indices = newsim::Buffer<std::int32_t>(static_cast<std::size_t>(last - first));
  out.data = newsim::Buffer<double>(static_cast<std::size_t>(last - first));
  std::copy(m.indices.begin() + first, m.indices.begin() + last, out.indices.begin());
  std::copy(m.data.begin() + first, m.data.begin() + last, out.data.begin());
  return out;
}

TEST(Buffer, ResizeKeepsTheValuesItHolds) {
  newsim::Buffer<std::int32_t> b(3);
  for (std::int32_t i = 0; i < 3; ++i) b[static_cast<std::size_t>(i)] = 7 * i;
  b.resize(1 << 20);  // past the allocator's small blocks
  ASSERT_EQ(b.size(), std::size_t{1} << 20);
  EXPECT_EQ(b[0], 0);
  EXPECT_EQ(b[2], 14);
  b[(1 << 20) - 1] = 5;
  b.resize(2);
  ASSERT_EQ(b.size(), 2U);
  EXPECT_EQ(b[1], 7);
  b.resize(0);
  EXPECT_EQ(b.size(), 0U);
  EXPECT_EQ(b.data(), nullptr);
  newsim::Buffer<double> empty;
  empty.resize(4);
  empty[3] = 1.5;
  EXPECT_EQ(empty[3], 1.5);
}

TEST(CsrFile, WrittenInBlocksReadsBackTheSame) {
  TempDir dir;
  const auto m = random_matrix(57, 40, 1);
  newsim::CsrFileWriter w(dir.file("m.json"), 40);
  for (std::int64_t a = 0; a < 57; a += 10) w.append(rows_of(m, a, std::min<std::int64_t>(57, a + 10)));
  w.append(rows_of(m, 57, 57));  // an empty block
  w.close();
  EXPECT_EQ(w.rows(), 57);
  const newsim::CsrFileInfo info = newsim::check_csr_file(dir.file("m.json"));
  EXPECT_EQ(info.rows, 57);
  EXPECT_EQ(info.nnz, static_cast<std::int64_t>(m.nnz()));
  expect_same(newsim::load_csr(dir.file("m.json")), m);
  newsim::save_csr(m, dir.file("whole.json"));
  expect_same(newsim::load_csr(dir.file("whole.json")), m);
}

TEST(CsrFile, WithoutCloseNothingIsLeft) {
  TempDir dir;
  {
    newsim::CsrFileWriter w(dir.file("m.json"), 5);
    w.append(random_matrix(3, 5, 2));
  }
  EXPECT_FALSE(fs::exists(dir.file("m.json")));
  EXPECT_FALSE(fs::exists(dir.file("m.json.data")));
  EXPECT_THROW(newsim::check_csr_file(dir.file("m.json")), newsim::IoError);
}

TEST(CsrFile, BlocksOfAnotherWidthAreRefused) {
  TempDir dir;
  newsim::CsrFileWriter w(dir.file("m.json"), 5);
  EXPECT_THROW(w.append(random_matrix(2, 6, 3)), newsim::InvalidArgument);
}

std::string corrupt_message(const std::string& header, const std::string& file,
                            std::size_t offset, const std::string& bytes) {
  {
    std::fstream f(file, std::ios::binary | std::ios::in | std::ios::out);
    f.seekp(static_cast<std::streamoff>(offset));
    f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  try {
    newsim::check_csr_file(header);
  } catch (const newsim::ModelFormatError& e) {
    return e.what();
  }
  return "";
}

TEST(CsrFile, CorruptFilesAreModelFormatErrorsNamingTheFile) {
  TempDir dir;
  newsim::CsrMatrix<double> m = random_matrix(6, 9, 4);
  const std::string h = dir.file("m.json");
  newsim::save_csr(m, h);
  // A column out of order in row 0 (its first two entries swapped).
  ASSERT_GE(m.indptr[1], 2);
  std::string swapped(8, '\0');
  std::memcpy(&swapped[0], &m.indices[1], 4);
  std::memcpy(&swapped[4], &m.indices[0], 4);
  EXPECT_NE(corrupt_message(h, h + ".indices", 0, swapped).find("row 0"), std::string::npos);
  newsim::save_csr(m, h);
  const std::int32_t big = 9;
  EXPECT_NE(corrupt_message(h, h + ".indices", 4 * static_cast<std::size_t>(m.indptr[1] - 1),
                            std::string(reinterpret_cast<const char*>(&big), 4)).find(">= cols"),
            std::string::npos);
  newsim::save_csr(m, h);
  const std::int64_t down = 0;
  EXPECT_NE(corrupt_message(h, h + ".indptr", 8 * 3, std::string(reinterpret_cast<const char*>(&down), 8))
                .find("falls"),
            std::string::npos);
  newsim::save_csr(m, h);
  fs::resize_file(h + ".data", 8);
  try {
    newsim::check_csr_file(h);
    FAIL() << "no error";
  } catch (const newsim::ModelFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("m.json.data holds 8 bytes"), std::string::npos) << e.what();
  }
  std::ofstream(h) << "{\"format\": \"newsim.csr\"";
  EXPECT_THROW(newsim::check_csr_file(h), newsim::ModelFormatError);
}

// Articles with page furniture repeated across them, in two files.
std::vector<std::string> files(const TempDir& dir) {
  std::vector<std::string> a, b;
  const char* topics[] = {"NATO and Russia discuss the missile shield in Brussels",
                          "Floods hit the north of England after heavy rain",
                          "The central bank raises interest rates again",
                          "Russia warns NATO over missile defence plans"};
  for (int i = 0; i < 30; ++i) {
    const std::string text = std::string("Home | World | Sign in\\n\\n") + topics[i % 4] +
                             ", officials said on day " + std::to_string(i) +
                             ".\\n\\nShare this article on Facebook";
    const std::string line = "{\"id\": \"a" + std::to_string(i) + "\", \"title\": \"T" +
                             std::to_string(i % 5) + "\", \"text\": \"" + text + "\"}";
    (i < 17 ? a : b).push_back(line);
  }
  b.push_back("{\"id\": \"a3\", \"text\": \"a duplicate id\"}");
  const auto lines = [](const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& l : v) out += l + "\n";
    return out;
  };
  return {dir.write_gz("a.jsonl.gz", lines(a)), dir.write_gz("b.jsonl.gz", lines(b))};
}

TEST(VectorizeFiles, EqualsFittingOnEverythingAtOnce) {
  TempDir dir;
  const std::vector<std::string> paths = files(dir);
  newsim::JsonlOptions skip;
  skip.errors = newsim::OnError::report;
  newsim::Corpus all;
  for (const std::string& p : paths) {
    for (const newsim::Article& a : newsim::read_jsonl(p, skip).corpus) {
      if (all.find(a.id) < 0) all.add(a);
    }
  }
  ASSERT_EQ(all.size(), 30u);
  for (const bool with_cleaning : {true, false}) {
    newsim::Vectorizer whole;
    const std::vector<std::string> docs =
        newsim::documents(all, 2, with_cleaning);
    const auto expected = whole.fit_transform<double>(docs);
    for (const std::size_t chunk : {std::size_t{1}, std::size_t{7}, std::size_t{1000}}) {
      newsim::StreamOptions o;
      o.chunk_articles = chunk;
      o.clean = with_cleaning;
      o.title_weight = 2;
      o.read = skip;
      newsim::Vectorizer v;
      const newsim::StreamResult r = newsim::vectorize_files(paths, v, dir.file("x.json"), o);
      EXPECT_EQ(r.rows, 30);
      EXPECT_EQ(r.skipped, 1);  // the duplicate id
      ASSERT_EQ(r.issues.size(), 1u);
      EXPECT_NE(r.issues[0].message.find("duplicate id 'a3'"), std::string::npos);
      EXPECT_EQ(r.ids.front(), "a0");
      EXPECT_EQ(r.ids.back(), "a29");
      EXPECT_EQ(v.vocabulary().size(), whole.vocabulary().size());
      expect_same(newsim::load_csr(dir.file("x.json")), expected);
    }
  }
  newsim::Vectorizer v;
  newsim::StreamOptions zero;
  zero.chunk_articles = 0;
  EXPECT_THROW(newsim::vectorize_files(paths, v, dir.file("y.json"), zero), newsim::InvalidArgument);
  EXPECT_THROW(newsim::vectorize_files(paths, v, dir.file("y.json")), newsim::InvalidArgument)
      << "a duplicate id under errors=raise";
}

}  // namespace
