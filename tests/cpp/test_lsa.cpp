#include <gtest/gtest.h>

#include <Eigen/SVD>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "newsim/errors.hpp"
#include "newsim/lsa.hpp"
#include "csr_fixture.hpp"

namespace {

using newsim::Lsa;
using newsim::LsaOptions;
using newsim_test::Owned;

std::vector<std::vector<double>> random_rows(std::size_t n, std::size_t cols, double density,
                                             unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<std::vector<double>> rows(n, std::vector<double>(cols, 0.0));
  for (auto& r : rows) {
    for (auto& v : r) {
      if (u(gen) < density) v = u(gen);
    }
  }
  return rows;
}

Eigen::MatrixXd dense(const std::vector<std::vector<double>>& rows) {
  Eigen::MatrixXd m(rows.size(), rows[0].size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t j = 0; j < rows[i].size(); ++j) m(i, j) = rows[i][j];
  }
  return m;
}

LsaOptions options(int k, int oversamples = 10, int jobs = 0) {
  LsaOptions o;
  o.n_components = k;
  o.n_oversamples = oversamples;
  o.n_jobs = jobs;
  return o;
}

std::string temp_path(const std::string& name) {
  return ::testing::TempDir() + "newsim_lsa_" + name;
}

// With k + p covering the smaller side, the randomized SVD is exact: compare with Eigen's.
TEST(Lsa, ExactWhenOversamplingCoversTheMatrix) {
  for (auto shape : {std::pair<std::size_t, std::size_t>{30, 50}, {50, 30}}) {
    const auto rows = random_rows(shape.first, shape.second, 0.3, 1);
    const Owned x(rows, static_cast<std::int64_t>(shape.second));
    Lsa lsa(options(6, 100));
    const newsim::DenseMatrix u = lsa.fit_transform(x.ref());
    const Eigen::MatrixXd a = dense(rows);
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(a, Eigen::ComputeThinU | Eigen::ComputeThinV);
    for (int i = 0; i < 6; ++i) {
      EXPECT_NEAR(lsa.singular_values()[i], svd.singularValues()[i], 1e-9);
    }
    const Eigen::MatrixXd v = lsa.components();
    EXPECT_TRUE((v * v.transpose()).isApprox(Eigen::MatrixXd::Identity(6, 6), 1e-10));
    // Same subspace: |<v_i, v_exact_i>| = 1.
    for (int i = 0; i < 6; ++i) {
      EXPECT_NEAR(std::abs(v.row(i).dot(svd.matrixV().col(i))), 1.0, 1e-8);
      Eigen::Index at = 0;
      v.row(i).cwiseAbs().maxCoeff(&at);
      EXPECT_GT(v(i, at), 0) << "sign convention";
    }
    // fit_transform = U·diag(s) = X·Vᵀ = transform(X).
    EXPECT_TRUE(u.isApprox(a * v.transpose(), 1e-9));
    EXPECT_TRUE(lsa.transform(x.ref()).isApprox(u, 1e-9));
  }
}

TEST(Lsa, ExplainedVarianceAsScikitLearnComputesIt) {
  const auto rows = random_rows(40, 25, 0.4, 2);
  const Owned x(rows, 25);
  Lsa lsa(options(4, 100));
  const newsim::DenseMatrix u = lsa.fit_transform(x.ref());
  const Eigen::MatrixXd a = dense(rows);
  const Eigen::RowVectorXd mean = a.colwise().mean();
  const double total = (a.rowwise() - mean).array().square().colwise().sum().sum() / 40.0;
  for (int i = 0; i < 4; ++i) {
    const double m = u.col(i).mean();
    const double var = (u.col(i).array() - m).square().sum() / 40.0;
    EXPECT_NEAR(lsa.explained_variance()[i], var, 1e-12);
    EXPECT_NEAR(lsa.explained_variance_ratio()[i], var / total, 1e-12);
  }
}

TEST(Lsa, ResultsDoNotDependOnThreads) {
  const auto rows = random_rows(700, 300, 0.05, 3);
  const Owned x(rows, 300);
  Lsa one(options(20, 10, 1));
  Lsa two(options(20, 10, 2));
  const newsim::DenseMatrix a = one.fit_transform(x.ref());
  const newsim::DenseMatrix b = two.fit_transform(x.ref());
  EXPECT_TRUE(a == b);
  EXPECT_TRUE(Eigen::MatrixXd(one.components()) == Eigen::MatrixXd(two.components()));
  EXPECT_TRUE(one.singular_values() == two.singular_values());
  EXPECT_TRUE(one.transform(x.ref()) == two.transform(x.ref()));
}

TEST(Lsa, RowsWithNoTermsGiveZeros) {
  auto rows = random_rows(20, 15, 0.4, 4);
  rows[3].assign(15, 0.0);
  const Owned x(rows, 15);
  Lsa lsa(options(3));
  const newsim::DenseMatrix u = lsa.fit_transform(x.ref());
  EXPECT_TRUE(u.row(3).isZero(0));
  EXPECT_TRUE(u.allFinite());
  EXPECT_TRUE(lsa.transform(x.ref()).row(3).isZero(0));
}

TEST(Lsa, BadInput) {
  const Owned x(random_rows(5, 8, 0.5, 5), 8);
  EXPECT_THROW(Lsa(options(5)).fit(x.ref()), newsim::InvalidArgument);  // k >= documents
  const Owned wide(random_rows(8, 5, 0.5, 5), 5);
  EXPECT_THROW(Lsa(options(5)).fit(wide.ref()), newsim::InvalidArgument);  // k >= terms
  const Owned empty(std::vector<std::vector<double>>{}, 8);
  EXPECT_THROW(Lsa(options(1)).fit(empty.ref()), newsim::InvalidArgument);
  EXPECT_THROW(Lsa(options(0)), newsim::InvalidArgument);
  EXPECT_THROW(Lsa(options(2)).transform(x.ref()), newsim::NotFittedError);
  Lsa lsa(options(2));
  lsa.fit(x.ref());
  EXPECT_THROW(lsa.transform(wide.ref()), newsim::InvalidArgument);
}

TEST(Lsa, NumberBeyondDoubleRangeOrBadFittedIsAModelFormatError) {
  const std::string path = temp_path("overflow.json");
  for (const char* fitted : {"1e400", "5", "\"yes\""}) {
    {
      std::ofstream out(path, std::ios::trunc);
      out << "{\"format\": \"newsim.lsa\", \"version\": 1, \"fitted\": " << fitted << "}";
    }
    try {
      Lsa::load(path);
      ADD_FAILURE() << fitted << ": no error";
    } catch (const newsim::ModelFormatError& e) {
      EXPECT_NE(std::string(e.what()).find("overflow.json"), std::string::npos) << e.what();
    }
  }
}

TEST(Lsa, SaveAndLoad) {
  const Owned x(random_rows(40, 30, 0.3, 6), 30);
  LsaOptions o = options(5);
  o.random_state = 42;
  Lsa lsa(o);
  lsa.fit(x.ref());
  const std::string path = temp_path("model.json");
  lsa.save(path);
  const Lsa back = Lsa::load(path);
  EXPECT_EQ(back.options().random_state, 42u);
  EXPECT_TRUE(Eigen::MatrixXd(back.components()) == Eigen::MatrixXd(lsa.components()));
  EXPECT_TRUE(back.singular_values() == lsa.singular_values());
  EXPECT_TRUE(back.explained_variance_ratio() == lsa.explained_variance_ratio());
  EXPECT_TRUE(back.transform(x.ref()) == lsa.transform(x.ref()));
  const Lsa again = Lsa::from_json(lsa.to_json(), lsa.arrays_to_bytes());
  EXPECT_TRUE(again.transform(x.ref()) == lsa.transform(x.ref()));
  const Lsa unfitted = Lsa::from_json(Lsa(o).to_json(), "");
  EXPECT_FALSE(unfitted.is_fitted());

  // A flipped byte in the arrays, a truncated file, arrays of another model: named errors.
  std::string bytes;
  {
    std::ifstream in(path + ".bin", std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& b) {
    std::ofstream out(path + ".bin", std::ios::binary | std::ios::trunc);
    out.write(b.data(), static_cast<std::streamsize>(b.size()));
  };
  auto expect_error = [&](const char* what) {
    try {
      Lsa::load(path);
      ADD_FAILURE() << what << ": no error";
    } catch (const newsim::ModelFormatError& e) {
      EXPECT_NE(std::string(e.what()).find("model.json.bin"), std::string::npos) << e.what();
    }
  };
  std::string flipped = bytes;
  flipped[bytes.size() - 3] ^= 1;
  write(flipped);
  expect_error("flipped");
  write(bytes.substr(0, bytes.size() - 8));
  expect_error("truncated");
  Lsa other(options(4));
  other.fit(x.ref());
  write(other.arrays_to_bytes());
  expect_error("other shape");
  std::remove((path + ".bin").c_str());
  EXPECT_THROW(Lsa::load(path), newsim::IoError);
  std::remove(path.c_str());
}

}  // namespace
