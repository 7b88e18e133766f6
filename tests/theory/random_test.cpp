// theory/random.hpp: reproducible streams (same seed and stream, same draws; another stream or
// seed, other draws) and the distribution of the draws.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numbers>
#include <vector>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>

#include "theory/random.hpp"

namespace siv {
namespace {

// The first outputs of SplitMix64 seeded with 0 (published test vector of the generator).
TEST(Random, MixSeedIsSplitMix64) {
  EXPECT_EQ(mix_seed(0), 0xE220A8397B1DCDAFull);
  EXPECT_EQ(mix_seed(0x9E3779B97F4A7C15ull), 0x6E789E6AA1B965F4ull);
  static_assert(derive_seed(1, 2) == mix_seed(1 ^ mix_seed(2)));
}

// A source of draws: the first `count` numbers of stream `stream` under `seed`, mixing every kind
// of draw so that each takes part in the comparison.
using Source = std::function<std::vector<double>(std::uint64_t seed, std::uint64_t stream, int count)>;

std::vector<double> rng_draws(std::uint64_t seed, std::uint64_t stream, int count) {
  Rng rng(seed, stream);
  std::vector<double> out;
  while (static_cast<int>(out.size()) < count) {
    out.push_back(rng.normal());
    out.push_back(rng.uniform());
    out.push_back(rng.index(1000));
    for (double v : rng.normal_vector(3)) out.push_back(v);
  }
  out.resize(count);
  return out;
}

// Mutant: the stream label is ignored.
std::vector<double> streamless_draws(std::uint64_t seed, std::uint64_t, int count) { return rng_draws(seed, 0, count); }

// Two different (seed, stream) labels give different sequences: among 12 draws (continuous
// normals and uniforms included) a coincidence has probability far below 1e-30.
void labels_property(const Source& source) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const auto stream = *rc::gen::arbitrary<std::uint64_t>();
  const auto other = *rc::gen::distinctFrom(stream);
  RC_ASSERT(source(seed, stream, 12) == source(seed, stream, 12));
  RC_ASSERT(source(seed, stream, 12) != source(seed, other, 12));
  RC_ASSERT(source(seed, stream, 12) != source(*rc::gen::distinctFrom(seed), stream, 12));
}

RC_GTEST_PROP(Random, SameLabelsSameDrawsOtherLabelsOtherDraws, ()) { labels_property(rng_draws); }

TEST(Random, LabelsRejectIgnoredStream) {
  EXPECT_FALSE(rc::check("mutant: stream ignored", [] { labels_property(streamless_draws); }));
}

// Normal draws: over kStreams streams of kDraws each, the sample mean is N(0, 1/N) and the sample
// variance about N(1, 2/N) (normal fourth moment 3). Each of the 2 kStreams statistics is compared
// with z times its standard deviation, z for a two-sided false-alarm level of 1e-6 in total
// (Bonferroni); the seeds are fixed, so the level is that of the seed choice.
constexpr int kStreams = 4;
constexpr int kDraws = 100000;

double moment_excess(const std::function<double(Rng&)>& draw) {
  const double z = boost::math::quantile(boost::math::complement(boost::math::normal(), 1e-6 / (2 * 2 * kStreams)));
  double worst = 0;
  for (int stream = 0; stream < kStreams; ++stream) {
    Rng rng(2024, stream);
    double sum = 0, sum_sq = 0;
    for (int i = 0; i < kDraws; ++i) {
      const double v = draw(rng);
      sum += v;
      sum_sq += v * v;
    }
    const double mean = sum / kDraws, var = (sum_sq - kDraws * mean * mean) / (kDraws - 1);
    for (double e : {std::abs(mean) / (z / std::sqrt(kDraws)), std::abs(var - 1) / (z * std::sqrt(2.0 / kDraws))})
      worst = std::isnan(e) || e > worst ? e : worst;  // NaN wins
  }
  return worst;
}

TEST(Random, NormalMeanAndVariance) {
  EXPECT_LE(moment_excess([](Rng& rng) { return rng.normal(); }), 1.0);
  EXPECT_LE(moment_excess([](Rng& rng) { return rng.normal_vector(1)[0]; }), 1.0);
}

// Mutant: Box-Muller without the factor 2 under the root (variance 1/2).
TEST(Random, MomentsRejectBoxMullerWithoutTwo) {
  EXPECT_GT(moment_excess([](Rng& rng) {
              const double u = 1 - rng.uniform(), v = rng.uniform();
              return std::sqrt(-std::log(u)) * std::cos(2 * std::numbers::pi * v);
            }),
            1.0);
}

// uniform() in [0, 1) and index(n) in [0, n) with equal frequencies: chi-square over 10 bins
// (uniform) and over the n values (index), each at false-alarm level 1e-6 for the fixed seed.
double chi_square_excess(const std::function<int(Rng&)>& bin, int bins) {
  Rng rng(7, 1);
  std::vector<double> counts(bins, 0.0);
  const int draws = 100000;
  for (int i = 0; i < draws; ++i) {
    const int b = bin(rng);
    if (b < 0 || b >= bins) return std::numeric_limits<double>::infinity();
    ++counts[b];
  }
  const double expected = static_cast<double>(draws) / bins;
  double stat = 0;
  for (double c : counts) stat += (c - expected) * (c - expected) / expected;
  return stat / boost::math::quantile(boost::math::complement(boost::math::chi_squared(bins - 1), 1e-6));
}

TEST(Random, UniformAndIndexAreUniform) {
  EXPECT_LE(chi_square_excess([](Rng& rng) { return static_cast<int>(std::floor(10 * rng.uniform())); }, 10), 1.0);
  EXPECT_LE(chi_square_excess([](Rng& rng) { return rng.index(7); }, 7), 1.0);
}

// Mutant: index from floor(uniform * (n - 1)), which never returns n - 1.
TEST(Random, IndexRejectsOffByOne) {
  EXPECT_GT(chi_square_excess([](Rng& rng) { return static_cast<int>(std::floor(6 * rng.uniform())); }, 7), 1.0);
}

}  // namespace
}  // namespace siv
