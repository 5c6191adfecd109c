#pragma once

// Temporary folders and files for the C++ tests.

#include <gtest/gtest.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace newsim_test {

namespace fs = std::filesystem;

// A fresh folder under the system temp folder, removed with everything in it at the end.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    std::random_device rd;
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    path_ = fs::temp_directory_path() /
            ("newsim_test_" + std::to_string(stamp) + "_" + std::to_string(rd()) + "_" +
             std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

  // Writes bytes to name (binary) and returns the full path.
  std::string write(const std::string& name, const std::string& bytes) const {
    const std::string p = file(name);
    std::ofstream out(p, std::ios::binary);
    out << bytes;
    out.close();
    EXPECT_TRUE(out.good()) << "cannot write " << p;
    return p;
  }

  // Writes bytes gzip-compressed and returns the full path.
  std::string write_gz(const std::string& name, const std::string& bytes) const {
    const std::string p = file(name);
    gzFile f = gzopen(p.c_str(), "wb");
    EXPECT_NE(f, nullptr) << "cannot open " << p;
    if (f == nullptr) return p;
    if (!bytes.empty()) {
      EXPECT_EQ(gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size())),
                static_cast<int>(bytes.size()));
    }
    EXPECT_EQ(gzclose(f), Z_OK);
    return p;
  }

 private:
  fs::path path_;
};

}  // namespace newsim_test
