// Helpers shared by the theory tests.
#pragma once

#include <cmath>
#include <cstdint>

#include "theory/oracle.hpp"
#include "theory/random.hpp"

namespace siv::test {

// n x d standard normal points times scale, from (seed, stream 1).
inline Mat random_data(int n, int d, double scale, std::uint64_t seed) {
  Rng rng(seed, 1);
  Mat y(n, d);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < d; ++j) y(i, j) = scale * rng.normal();
  return y;
}

// Reference logits -|x - alpha y_k|^2 / (2 sigma^2) of data (n x d, rows are points), each
// difference rounded once (fma): an independent restatement of what the oracle computes.
inline Vec reference_logits(const Mat& data, double alpha, double sigma, const Vec& x) {
  Vec l(data.rows());
  for (Eigen::Index k = 0; k < data.rows(); ++k) {
    double sq = 0;
    for (Eigen::Index j = 0; j < data.cols(); ++j) sq += std::pow(std::fma(-alpha, data(k, j), x[j]), 2);
    l[k] = -sq / (2 * sigma * sigma);
  }
  return l;
}

}  // namespace siv::test
