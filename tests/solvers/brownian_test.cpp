// BrownianPath: coarse increments are exactly sums of fine ones (common random numbers across
// step sizes), reproducible from a seed, and N(0, dt I) distributed. Each check also runs on a
// mutant and the test asserts that the check rejects it.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "solvers/brownian.hpp"
#include "support.hpp"
#include "theory/random.hpp"
#include "theory/stats.hpp"

namespace siv {
namespace {

// Anything that hands out increments on grids dividing a finest grid.
struct IncrementSource {
  int dim = 0, finest = 0;
  std::function<Vec(int steps, int j)> increment;
};

IncrementSource source(const BrownianPath& path) {
  return {path.dim(), path.finest_steps(),
          [&path](int steps, int j) { return path.increment(steps, j); }};
}

// Mutant: coarse increments re-drawn from their own stream instead of summed; each grid alone is
// a valid Brownian discretisation, but grids no longer share their random numbers.
IncrementSource redrawn(std::uint64_t seed, int dim, int finest) {
  return {dim, finest, [=](int steps, int j) {
            Rng rng(derive_seed(seed, static_cast<std::uint64_t>(steps)),
                    static_cast<std::uint64_t>(j));
            return Vec(std::sqrt(1.0 / steps) * rng.normal_vector(dim));
          }};
}

// Mutant: coarse increments averaged instead of summed (variance 1/(N r) instead of r/N).
IncrementSource averaged(const BrownianPath& path) {
  return {path.dim(), path.finest_steps(), [&path](int steps, int j) {
            return Vec(path.increment(steps, j) * (static_cast<double>(steps) / path.finest_steps()));
          }};
}

std::vector<int> divisors(int n) {
  std::vector<int> out;
  for (int s = 1; s <= n; ++s)
    if (n % s == 0) out.push_back(s);
  return out;
}

// Consistency: every coarse increment equals the left-to-right sum of the fine increments it
// covers, bit for bit; and the sum of the two half-step increments of the grid with 2 * steps up to
// rounding (a few u times the sum of absolute fine increments).
std::string consistency_problem(const IncrementSource& src) {
  const int n = src.finest;
  for (int steps : divisors(n)) {
    const int ratio = n / steps;
    for (int j = 1; j <= steps; ++j) {
      Vec sum = src.increment(n, (j - 1) * ratio + 1);
      Vec abs_sum = sum.cwiseAbs();
      for (int i = 2; i <= ratio; ++i) {
        const Vec fine = src.increment(n, (j - 1) * ratio + i);
        sum += fine;
        abs_sum += fine.cwiseAbs();
      }
      const Vec coarse = src.increment(steps, j);
      if (coarse != sum)
        return "grid " + std::to_string(steps) + " increment " + std::to_string(j) +
               " is not the sum of its fine increments";
      if (n % (2 * steps) == 0) {
        const Vec halves = src.increment(2 * steps, 2 * j - 1) + src.increment(2 * steps, 2 * j);
        const double tol = 4 * std::numeric_limits<double>::epsilon() * abs_sum.maxCoeff();
        if (!((coarse - halves).lpNorm<Eigen::Infinity>() <= tol))
          return "grid " + std::to_string(steps) + " disagrees with the grid of " +
                 std::to_string(2 * steps);
      }
    }
  }
  return {};
}

TEST(Brownian, CoarseIncrementsAreSumsOfFineOnes) {
  const BrownianPath path(42, 3, 48);
  EXPECT_EQ(consistency_problem(source(path)), "");
  EXPECT_NE(consistency_problem(redrawn(42, 3, 48)), "");  // mutant
}

// Reproducibility: a second path from the same seed gives the same increments on every grid.
std::string reproducibility_problem(const IncrementSource& a, const IncrementSource& b) {
  for (int steps : divisors(a.finest))
    for (int j = 1; j <= steps; ++j)
      if (a.increment(steps, j) != b.increment(steps, j))
        return "grid " + std::to_string(steps) + " differs at " + std::to_string(j);
  return {};
}

TEST(Brownian, ReproducibleFromSeed) {
  const BrownianPath a(7, 2, 24), b(7, 2, 24), other(8, 2, 24);
  EXPECT_EQ(a.dim(), 2);
  EXPECT_EQ(a.finest_steps(), 24);
  EXPECT_EQ(reproducibility_problem(source(a), source(b)), "");
  EXPECT_NE(reproducibility_problem(source(a), source(other)), "");  // mutant: another seed
}

// Distribution: on a grid with `steps` steps, sum_j |dW_j|^2 * steps ~ chi2(steps * d). Two-sided
// variance test for each (seed, grid) pair; Holm over all of them keeps the family-wise false-alarm
// level at 1e-3 (valid although grids of one seed share their increments).
constexpr double kFalseAlarm = 1e-3;

double smallest_adjusted_p(const std::function<IncrementSource(std::uint64_t)>& make) {
  std::vector<double> p;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const IncrementSource src = make(seed);
    for (int steps : {1, 4, 64, src.finest}) {
      double sum_squares = 0;
      for (int j = 1; j <= steps; ++j) sum_squares += src.increment(steps, j).squaredNorm();
      p.push_back(variance_test(sum_squares, 1.0 / steps, steps * src.dim).p_value);
    }
  }
  const auto adjusted = holm(p);
  return *std::min_element(adjusted.begin(), adjusted.end());
}

TEST(Brownian, IncrementsHaveVarianceDt) {
  std::vector<std::unique_ptr<BrownianPath>> paths;
  const auto real = [&](std::uint64_t seed) {
    paths.push_back(std::make_unique<BrownianPath>(seed, 3, 1024));
    return source(*paths.back());
  };
  const auto mutant = [&](std::uint64_t seed) {
    paths.push_back(std::make_unique<BrownianPath>(seed, 3, 1024));
    return averaged(*paths.back());
  };
  EXPECT_GT(smallest_adjusted_p(real), kFalseAlarm);
  EXPECT_LT(smallest_adjusted_p(mutant), kFalseAlarm);
}

// The streamed form redraws blocks on demand: the same numbers as the stored one, in any order of
// requests, on grids whose steps straddle blocks; a huge path costs no memory up front.
TEST(Brownian, StreamedPathEqualsStoredPath) {
  const int finest = 3 * BrownianPath::kBlockSteps + 96;
  const BrownianPath stored(11, 2, finest), streamed(11, 2, finest, 0);
  ASSERT_FALSE(stored.streamed());
  ASSERT_TRUE(streamed.streamed());
  EXPECT_EQ(reproducibility_problem(source(stored), source(streamed)), "");
  for (int j : {1, 3, 2, 1}) EXPECT_EQ(stored.increment(3, j), streamed.increment(3, j));
  const BrownianPath other(12, 2, finest, 0);
  EXPECT_NE(reproducibility_problem(source(stored), source(other)), "");  // mutant: another seed
  const BrownianPath huge(1, 3, 2147483647);
  EXPECT_TRUE(huge.streamed());
  EXPECT_EQ(huge.increment(2147483647, 2147483647).size(), 3);
}

TEST(Brownian, RejectsBadGrids) {
  const BrownianPath path(1, 2, 12);
  EXPECT_THROW(path.increment(5, 1), std::invalid_argument);
  EXPECT_THROW(path.increment(4, 0), std::invalid_argument);
  EXPECT_THROW(path.increment(4, 5), std::invalid_argument);
  EXPECT_THROW(path.increment(0, 1), std::invalid_argument);
  Vec wrong(3);
  EXPECT_THROW(path.increment(4, 1, wrong), std::invalid_argument);
  EXPECT_THROW(BrownianPath(1, 0, 4), std::invalid_argument);
  EXPECT_THROW(BrownianPath(1, 2, 0), std::invalid_argument);
}

}  // namespace
}  // namespace siv
