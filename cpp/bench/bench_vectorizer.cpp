// Micro-benchmarks of the core on synthetic text (build with -DNEWSIM_BUILD_BENCHMARKS=ON).
// End-to-end comparisons with other libraries live in bench/.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

#include "newsim/analyzer.hpp"
#include "newsim/hashing.hpp"
#include "newsim/vectorizer.hpp"
#include "newsim/vocabulary.hpp"

namespace {

std::vector<std::string> corpus(std::size_t docs, std::size_t words) {
  std::vector<std::string> out;
  std::uint32_t x = 42;
  for (std::size_t d = 0; d < docs; ++d) {
    std::string text;
    for (std::size_t w = 0; w < words; ++w) {
      x = x * 1664525u + 1013904223u;
      const std::uint32_t r = (x >> 8) % 20000;  // Zipf-ish: small ids are frequent
      text += "Term" + std::to_string(r * r / 20000) + (w % 12 == 11 ? ". " : " ");
    }
    out.push_back(std::move(text));
  }
  return out;
}

const std::vector<std::string>& docs() {
  static const std::vector<std::string> d = corpus(2000, 300);
  return d;
}

std::int64_t total_bytes() {
  std::int64_t n = 0;
  for (const auto& d : docs()) n += static_cast<std::int64_t>(d.size());
  return n;
}

void BM_Analyze(benchmark::State& state) {
  const newsim::Analyzer analyzer{newsim::AnalyzerOptions{}};
  newsim::Analyzer::Workspace ws;
  struct Count : newsim::Analyzer::TermSink {
    std::size_t n = 0;
    void operator()(std::string_view) override { ++n; }
  } sink;
  for (auto _ : state) {
    for (std::size_t i = 0; i < docs().size(); ++i) analyzer.analyze(docs()[i], ws, sink, i);
  }
  benchmark::DoNotOptimize(sink.n);
  state.SetBytesProcessed(state.iterations() * total_bytes());
}
BENCHMARK(BM_Analyze);

void BM_TfidfFitTransform(benchmark::State& state) {
  newsim::VectorizerOptions o;
  o.n_jobs = static_cast<int>(state.range(0));
  for (auto _ : state) {
    newsim::Vectorizer v(o);
    benchmark::DoNotOptimize(v.fit_transform(docs()).nnz());
  }
  state.SetBytesProcessed(state.iterations() * total_bytes());
}
BENCHMARK(BM_TfidfFitTransform)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// The statistics of a corpus of 265,717 distinct words of scrambled letters (so that their
// first bytes spread as a real vocabulary's do), for pruning.
const newsim::VocabularyStats& word_stats() {
  static const newsim::VocabularyStats stats = [] {
    std::vector<std::string> texts;
    std::uint32_t x = 7;
    for (int d = 0; d < 4000; ++d) {
      std::string text;
      for (int w = 0; w < 200; ++w) {
        x = x * 1664525u + 1013904223u;
        const std::uint64_t r = (x >> 8) % 400000;
        // Zipf-ish ids, scrambled one-to-one and spelled in base 26.
        for (std::uint32_t id = static_cast<std::uint32_t>(r * r / 400000) * 2654435761u; id != 0; id /= 26) {
          text += static_cast<char>('a' + id % 26);
        }
        text += ' ';
      }
      texts.push_back(std::move(text));
    }
    newsim::VectorizerOptions o;
    return newsim::Vectorizer(o).statistics(newsim::as_documents(texts));
  }();
  return stats;
}

void BM_Prune(benchmark::State& state) {
  const newsim::VocabularyStats& stats = word_stats();
  for (auto _ : state) {
    benchmark::DoNotOptimize(newsim::prune(stats, newsim::PruneOptions{}, static_cast<int>(state.range(0))).df.size());
  }
  state.counters["terms"] = static_cast<double>(stats.size());
}
BENCHMARK(BM_Prune)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void BM_Hashing(benchmark::State& state) {
  newsim::HashingOptions o;
  o.n_jobs = 1;
  const newsim::HashingVectorizer h(o);
  for (auto _ : state) benchmark::DoNotOptimize(h.transform(docs()).nnz());
  state.SetBytesProcessed(state.iterations() * total_bytes());
}
BENCHMARK(BM_Hashing)->Unit(benchmark::kMillisecond);

}  // namespace
