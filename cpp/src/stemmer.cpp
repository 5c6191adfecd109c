#include "newsim/stemmer.hpp"

#include <libstemmer.h>

#include "newsim/errors.hpp"

namespace newsim {

const std::vector<std::string>& stemmer_languages() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const char** p = sb_stemmer_list(); *p != nullptr; ++p) out.emplace_back(*p);
    return out;
  }();
  return names;
}

void Stemmer::check_language(std::string_view language) {
  if (language.empty() || language == "none") return;
  for (const auto& name : stemmer_languages()) {
    if (name == language) return;
  }
  std::string valid;
  for (const auto& name : stemmer_languages()) valid += (valid.empty() ? "" : ", ") + name;
  throw InvalidArgument("language must be one of libstemmer's languages (" + valid +
                        ") or '' / 'none' for no stemming; got '" + std::string(language) + "'");
}

struct Stemmer::Impl {
  sb_stemmer* stemmer = nullptr;
  ~Impl() { sb_stemmer_delete(stemmer); }
};

Stemmer::Stemmer(std::string_view language) {
  check_language(language);
  if (language.empty() || language == "none") return;
  impl_ = std::make_unique<Impl>();
  impl_->stemmer = sb_stemmer_new(std::string(language).c_str(), "UTF_8");
  if (impl_->stemmer == nullptr) {
    throw InvalidArgument("libstemmer has no UTF-8 stemmer for '" + std::string(language) + "'");
  }
}

Stemmer::~Stemmer() = default;
Stemmer::Stemmer(Stemmer&&) noexcept = default;
Stemmer& Stemmer::operator=(Stemmer&&) noexcept = default;

std::string Stemmer::stem(std::string_view word) {
  if (impl_ == nullptr) return std::string(word);
  const sb_symbol* out = sb_stemmer_stem(impl_->stemmer,
                                         reinterpret_cast<const sb_symbol*>(word.data()),
                                         static_cast<int>(word.size()));
  if (out == nullptr) throw std::bad_alloc();
  return std::string(reinterpret_cast<const char*>(out),
                     static_cast<std::size_t>(sb_stemmer_length(impl_->stemmer)));
}

}  // namespace newsim
