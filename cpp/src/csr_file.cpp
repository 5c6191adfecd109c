#include "newsim/csr_file.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "model_io.hpp"
#include "newsim/errors.hpp"

namespace newsim {

namespace {

namespace fs = std::filesystem;
constexpr std::string_view kFormat = "newsim.csr";
constexpr int kVersion = 1;
constexpr std::size_t kBlock = std::size_t{1} << 16;  // values read at a time when checking

static_assert(sizeof(double) == 8 && std::numeric_limits<double>::is_iec559);

template <class T>
void write_values(std::ofstream& out, const T* values, std::size_t n, const std::string& path) {
  if (!model_io::little_endian()) throw IoError(path + ": matrix files are little-endian; this machine is not");
  out.write(reinterpret_cast<const char*>(values), static_cast<std::streamsize>(n * sizeof(T)));
  if (!out) throw IoError(path + ": cannot write");
}

std::ofstream open_out(const std::string& path) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw IoError(path + ": cannot open for writing (" + std::strerror(errno) + ")");
  return out;
}

// Reads n values of T from `in` into `out` (resized); IoError naming the file.
template <class T>
void read_values(std::ifstream& in, std::vector<T>& out, std::size_t n, const std::string& path) {
  out.resize(n);
  in.read(reinterpret_cast<char*>(out.data()), static_cast<std::streamsize>(n * sizeof(T)));
  if (!in) throw IoError(path + ": cannot read (cut short?)");
}

}  // namespace

struct CsrFileWriter::Impl {
  std::string path;
  std::int64_t cols = 0, rows = 0, nnz = 0;
  std::ofstream indptr, indices, data;
  bool closed = false;
  std::string name(const char* suffix) const { return path + "." + suffix; }
};

CsrFileWriter::CsrFileWriter(const std::string& path, std::int64_t cols)
    : impl_(std::make_unique<Impl>()) {
  if (cols < 0 || cols > std::numeric_limits<std::int32_t>::max()) {
    throw InvalidArgument("a matrix file holds 0 to 2^31 - 1 columns; got " + std::to_string(cols));
  }
  impl_->path = path;
  impl_->cols = cols;
  std::error_code ec;
  fs::remove(path, ec);  // an old header must not describe the arrays being written
  impl_->indptr = open_out(impl_->name("indptr"));
  impl_->indices = open_out(impl_->name("indices"));
  impl_->data = open_out(impl_->name("data"));
  const std::int64_t zero = 0;
  write_values(impl_->indptr, &zero, 1, impl_->name("indptr"));
}

CsrFileWriter::~CsrFileWriter() {
  if (impl_ && !impl_->closed) {
    impl_->indptr.close();
    impl_->indices.close();
    impl_->data.close();
    std::error_code ec;
    for (const char* s : {"indptr", "indices", "data"}) fs::remove(impl_->name(s), ec);
  }
}

void CsrFileWriter::append(const CsrRef& block) {
  Impl& w = *impl_;
  if (w.closed) throw InvalidArgument(w.path + ": the matrix file is closed");
  if (block.cols != w.cols) {
    throw InvalidArgument(w.path + ": a block of " + std::to_string(block.cols) +
                          " columns for a matrix of " + std::to_string(w.cols));
  }
  if (block.rows == 0) return;
  if (block.indptr[0] != 0) throw InvalidArgument(w.path + ": a block's indptr must start at 0");
  std::vector<std::int64_t> ends(static_cast<std::size_t>(block.rows));
  for (std::int64_t r = 0; r < block.rows; ++r) {
    ends[static_cast<std::size_t>(r)] = w.nnz + block.indptr[r + 1];
  }
  const auto n = static_cast<std::size_t>(block.nnz());
  write_values(w.indptr, ends.data(), ends.size(), w.name("indptr"));
  write_values(w.indices, block.indices, n, w.name("indices"));
  write_values(w.data, block.data, n, w.name("data"));
  w.rows += block.rows;
  w.nnz += block.nnz();
}

void CsrFileWriter::close() {
  Impl& w = *impl_;
  if (w.closed) return;
  for (std::ofstream* f : {&w.indptr, &w.indices, &w.data}) {
    f->close();
    if (!*f) throw IoError(w.path + ": cannot finish writing the arrays");
  }
  nlohmann::json header = model_io::new_model(kFormat, kVersion);
  header["rows"] = w.rows;
  header["cols"] = w.cols;
  header["nnz"] = w.nnz;
  const std::string base = fs::path(w.path).filename().string();
  header["indptr"] = base + ".indptr";
  header["indices"] = base + ".indices";
  header["data"] = base + ".data";
  header["dtypes"] = {{"indptr", "<i8"}, {"indices", "<i4"}, {"data", "<f8"}};
  const std::string tmp = w.path + ".tmp";
  {
    std::ofstream out = open_out(tmp);
    out << model_io::dump(header);
    if (!out) throw IoError(tmp + ": cannot write");
  }
  std::error_code ec;
  fs::rename(tmp, w.path, ec);
  if (ec) throw IoError(w.path + ": cannot write (" + ec.message() + ")");
  w.closed = true;
}

std::int64_t CsrFileWriter::rows() const { return impl_->rows; }

void save_csr(const CsrRef& m, const std::string& path) {
  CsrFileWriter w(path, m.cols);
  w.append(m);
  w.close();
}

CsrFileInfo check_csr_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path + ": cannot open (" + std::strerror(errno) + ")");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string where = "matrix file '" + path + "'";
  const nlohmann::json h = model_io::parse_model(text, "'" + path + "'", kFormat, kVersion);
  CsrFileInfo info;
  const fs::path folder = fs::path(path).parent_path();
  try {
    info.rows = h.at("rows").get<std::int64_t>();
    info.cols = h.at("cols").get<std::int64_t>();
    info.nnz = h.at("nnz").get<std::int64_t>();
    info.indptr = (folder / h.at("indptr").get<std::string>()).string();
    info.indices = (folder / h.at("indices").get<std::string>()).string();
    info.data = (folder / h.at("data").get<std::string>()).string();
    if (h.at("dtypes") != nlohmann::json{{"indptr", "<i8"}, {"indices", "<i4"}, {"data", "<f8"}}) {
      throw ModelFormatError(where + ": unknown dtypes " + h.at("dtypes").dump());
    }
  } catch (const nlohmann::json::exception& e) {
    throw ModelFormatError(where + ": the header is incomplete (" + e.what() + ")");
  }
  if (info.rows < 0 || info.cols < 0 || info.nnz < 0 ||
      info.cols > std::numeric_limits<std::int32_t>::max()) {
    throw ModelFormatError(where + ": rows, cols or nnz out of range");
  }
  const auto expect_size = [&](const std::string& file, std::int64_t count, std::int64_t bytes) {
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (ec) throw IoError(file + ": cannot read (" + ec.message() + ")");
    if (static_cast<std::int64_t>(size) != count * bytes) {
      throw ModelFormatError(where + ": " + file + " holds " + std::to_string(size) +
                             " bytes where the header says " + std::to_string(count * bytes));
    }
  };
  expect_size(info.indptr, info.rows + 1, 8);
  expect_size(info.indices, info.nnz, 4);
  expect_size(info.data, info.nnz, 8);
  if (!model_io::little_endian()) throw IoError(path + ": matrix files are little-endian; this machine is not");
  // indptr and indices, a block at a time.
  std::ifstream ip(info.indptr, std::ios::binary), ix(info.indices, std::ios::binary);
  if (!ip || !ix) throw IoError(path + ": cannot open its arrays");
  std::vector<std::int64_t> ptr;
  std::vector<std::int32_t> idx;
  std::int64_t prev = 0, read_idx = 0;
  std::size_t at_idx = 0;
  for (std::int64_t r0 = 0; r0 <= info.rows; r0 += static_cast<std::int64_t>(kBlock)) {
    const auto n = static_cast<std::size_t>(std::min<std::int64_t>(kBlock, info.rows + 1 - r0));
    read_values(ip, ptr, n, info.indptr);
    for (std::size_t k = 0; k < n; ++k) {
      const std::int64_t r = r0 + static_cast<std::int64_t>(k);
      const std::int64_t end = ptr[k];
      if (r == 0) {
        if (end != 0) throw ModelFormatError(where + ": indptr[0] is " + std::to_string(end));
        continue;
      }
      if (end < prev || end > info.nnz) {
        throw ModelFormatError(where + ": indptr[" + std::to_string(r) + "] = " +
                               std::to_string(end) + " falls or passes nnz");
      }
      std::int64_t last = -1;
      for (std::int64_t j = prev; j < end; ++j) {
        if (at_idx == idx.size()) {
          const auto m = static_cast<std::size_t>(std::min<std::int64_t>(kBlock, info.nnz - read_idx));
          read_values(ix, idx, m, info.indices);
          read_idx += static_cast<std::int64_t>(m);
          at_idx = 0;
        }
        const std::int32_t c = idx[at_idx++];
        if (c <= last || c >= info.cols) {
          throw ModelFormatError(where + ": row " + std::to_string(r - 1) + " has column " +
                                 std::to_string(c) + (c >= info.cols ? " >= cols" : " out of order"));
        }
        last = c;
      }
      prev = end;
    }
  }
  if (prev != info.nnz) {
    throw ModelFormatError(where + ": indptr ends at " + std::to_string(prev) + ", not nnz " +
                           std::to_string(info.nnz));
  }
  return info;
}

CsrMatrix<double> load_csr(const std::string& path) {
  const CsrFileInfo info = check_csr_file(path);
  CsrMatrix<double> m;
  m.rows = info.rows;
  m.cols = info.cols;
  m.indptr = Buffer<std::int64_t>(static_cast<std::size_t>(info.rows + 1));
  m.indices = Buffer<std::int32_t>(static_cast<std::size_t>(info.nnz));
  m.data = Buffer<double>(static_cast<std::size_t>(info.nnz));
  const auto fill = [](const std::string& file, void* into, std::size_t bytes) {
    std::ifstream in(file, std::ios::binary);
    in.read(static_cast<char*>(into), static_cast<std::streamsize>(bytes));
    if (!in && bytes != 0) throw IoError(file + ": cannot read (cut short?)");
  };
  fill(info.indptr, m.indptr.data(), m.indptr.size() * 8);
  fill(info.indices, m.indices.data(), m.indices.size() * 4);
  fill(info.data, m.data.data(), m.data.size() * 8);
  return m;
}

namespace {

// Reads JSON-lines files a chunk of articles at a time, in order.
class Chunks {
 public:
  Chunks(const std::vector<std::string>& paths, const JsonlOptions& read, std::size_t size)
      : paths_(paths), read_(read), size_(size) {}

  // The next chunk (empty at the end). Duplicate ids across the whole stream follow
  // read_.errors (the first article with an id stays); skipped lines are gathered into `out`.
  Corpus next(StreamResult* out) {
    Corpus chunk;
    chunk.reserve(size_);
    Article a;
    while (chunk.size() < size_) {
      if (!reader_) {
        if (file_ == paths_.size()) break;
        reader_ = std::make_unique<JsonlReader>(paths_[file_], read_);
      }
      if (!reader_->next(a)) {
        out->skipped += reader_->skipped();
        out->issues.insert(out->issues.end(), reader_->issues().begin(), reader_->issues().end());
        reader_.reset();
        ++file_;
        continue;
      }
      if (!ids_.insert(a.id).second) {
        const std::string message = "duplicate id '" + a.id + "'";
        if (read_.errors == OnError::raise) {
          throw InvalidArgument(paths_[file_] + ", line " + std::to_string(reader_->line()) +
                                ": " + message);
        }
        ++out->skipped;
        if (read_.errors == OnError::report) {
          out->issues.push_back({paths_[file_], reader_->line(), message});
        }
        continue;
      }
      chunk.add(std::move(a));
    }
    return chunk;
  }

 private:
  const std::vector<std::string>& paths_;
  JsonlOptions read_;
  std::size_t size_;
  std::size_t file_ = 0;
  std::unique_ptr<JsonlReader> reader_;
  std::unordered_set<std::string> ids_;
};

}  // namespace

StreamResult vectorize_files(const std::vector<std::string>& paths, Vectorizer& vectorizer,
                             const std::string& out, const StreamOptions& options) {
  if (options.chunk_articles == 0) throw InvalidArgument("chunk_articles must be at least 1");
  if (vectorizer.fixed_vocabulary()) {
    throw InvalidArgument("vectorize_files fits the vocabulary: give a vectorizer without one");
  }
  if (options.title_weight < 0) throw InvalidArgument("title_weight must be >= 0");
  CleanOptions clean_options;
  clean_options.n_jobs = options.n_jobs;
  // The texts of a chunk as the vectorizer sees them.
  CleanStatistics repetition;
  const auto texts = [&](const Corpus& chunk) {
    if (!options.clean) return documents(chunk, options.title_weight, false);
    return documents(clean(chunk, repetition, clean_options).corpus, options.title_weight, false);
  };
  // Pass 1: what cleaning counts, over every file (every pass reads the same articles).
  StreamResult result;
  if (options.clean) {
    Chunks chunks(paths, options.read, options.chunk_articles);
    for (Corpus c = chunks.next(&result); !c.empty(); c = chunks.next(&result)) {
      repetition.merge(clean_statistics(c, options.n_jobs));
    }
    result = StreamResult{};
  }
  // Pass 2: vocabulary statistics.
  {
    Chunks chunks(paths, options.read, options.chunk_articles);
    VocabularyStats stats;
    for (Corpus c = chunks.next(&result); !c.empty(); c = chunks.next(&result)) {
      stats.merge(vectorizer.statistics(as_documents(texts(c))));
    }
    vectorizer.fit_statistics(stats);
    result = StreamResult{};
  }
  // Pass 3: the vectors.
  const auto cols = static_cast<std::int64_t>(vectorizer.vocabulary().size());
  CsrFileWriter writer(out, cols);
  Chunks chunks(paths, options.read, options.chunk_articles);
  for (Corpus c = chunks.next(&result); !c.empty(); c = chunks.next(&result)) {
    writer.append(vectorizer.transform<double>(as_documents(texts(c))));
    for (const Article& a : c) result.ids.push_back(a.id);
  }
  writer.close();
  result.rows = writer.rows();
  return result;
}

}  // namespace newsim
