#pragma once

// Sparse matrices on disk, written row block by row block and read back (or memory-mapped
// from Python), and streaming a corpus from files to vectors in bounded memory.
//
// The format: `<path>` is a JSON header
//   {"format": "newsim.csr", "version": 1, "rows": R, "cols": C, "nnz": N,
//    "indptr": "<name>.indptr", "indices": "<name>.indices", "data": "<name>.data",
//    "dtypes": {"indptr": "<i8", "indices": "<i4", "data": "<f8"}}
// and the three files it names, beside it, hold the CSR arrays as raw little-endian values:
// indptr (R + 1 int64, from 0 to N), indices (N int32, sorted and unique within each row,
// each < C) and data (N float64). The header is written last, so a file cut short by a
// crash has no header and is never read as complete.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "newsim/cleaning.hpp"
#include "newsim/reader.hpp"
#include "newsim/similarity.hpp"
#include "newsim/sparse.hpp"
#include "newsim/vectorizer.hpp"

namespace newsim {

/// Writes a matrix to `path` block by block: append() the rows in order, then close().
/// Memory: one block. Throws IoError naming the file when it cannot be written.
class CsrFileWriter {
 public:
  CsrFileWriter(const std::string& path, std::int64_t cols);
  ~CsrFileWriter();  // without close(), the files are removed
  CsrFileWriter(const CsrFileWriter&) = delete;
  CsrFileWriter& operator=(const CsrFileWriter&) = delete;

  /// Appends the rows of `block` (a CsrMatrix<double> converts; its columns must be `cols`,
  /// its indptr start at 0); InvalidArgument otherwise.
  void append(const CsrRef& block);
  /// Writes the header; the matrix is complete.
  void close();
  std::int64_t rows() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Writes a whole matrix (CsrFileWriter with one block).
void save_csr(const CsrRef& m, const std::string& path);

/// The header of a matrix file, checked against the sizes of the files it names.
struct CsrFileInfo {
  std::int64_t rows = 0, cols = 0, nnz = 0;
  std::string indptr, indices, data;  // paths of the array files
};
/// Reads the header and checks it and the arrays (indptr from 0 to nnz and never falling,
/// indices sorted, unique and < cols in each row) in memory bounded by a block; throws
/// ModelFormatError naming the file and what is wrong, IoError when a file cannot be read.
CsrFileInfo check_csr_file(const std::string& path);
/// Reads a matrix file whole (after check_csr_file's checks).
CsrMatrix<double> load_csr(const std::string& path);

/// How vectorize_files streams a corpus.
struct StreamOptions {
  std::size_t chunk_articles = 20000;  // articles held at a time (>= 1)
  bool clean = true;                   // clean first, repetition counted over all files
  int title_weight = 1;                // as documents()
  JsonlOptions read;                   // how the JSON-lines files are read
  int n_jobs = 0;                      // cleaning threads (0: all cores)
};

/// What vectorize_files read and wrote.
struct StreamResult {
  std::int64_t rows = 0;     // articles vectorised, in file order
  std::int64_t skipped = 0;  // malformed lines skipped (errors = skip or report)
  std::vector<ReadIssue> issues;
  std::vector<std::string> ids;  // the id of each row
};

/// Fits `vectorizer` on the articles of JSON-lines files and writes their vectors to `out`
/// (the format above), holding at most chunk_articles articles at a time: one pass counts the
/// cleaning statistics of all files (when cleaning), one gathers vocabulary statistics (the
/// texts as documents() makes them), and one writes the vectors. The result equals fitting
/// on all articles at once and transforming them. Throws as JsonlReader and CsrFileWriter;
/// InvalidArgument for chunk_articles 0 or a vectorizer with a fixed vocabulary.
StreamResult vectorize_files(const std::vector<std::string>& paths, Vectorizer& vectorizer,
                             const std::string& out, const StreamOptions& options = {});

}  // namespace newsim
