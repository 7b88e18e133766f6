// Reproducible randomness. Every draw derives from a 64-bit seed that a case carries plus a stream
// label, so a case replays from one token and results do not depend on thread scheduling.
#pragma once

#include <cstdint>
#include <random>

#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_01.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "theory/oracle.hpp"

namespace siv {

// SplitMix64 finaliser: a bijective mix, used to derive independent child seeds.
constexpr std::uint64_t mix_seed(std::uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  return mix_seed(seed ^ mix_seed(stream));
}

// Boost.Random distributions: their output is specified by the algorithm, not the standard
// library, so a seed gives the same numbers with any compiler.
class Rng {
 public:
  explicit Rng(std::uint64_t seed, std::uint64_t stream = 0) : engine_(derive_seed(seed, stream)) {}
  double normal() { return normal_(engine_); }
  double uniform() { return uniform_(engine_); }
  int index(int n) { return boost::random::uniform_int_distribution<int>(0, n - 1)(engine_); }
  Vec normal_vector(int d) {
    Vec v(d);
    for (int i = 0; i < d; ++i) v[i] = normal();
    return v;
  }
  std::mt19937_64& engine() { return engine_; }

 private:
  std::mt19937_64 engine_;
  boost::random::normal_distribution<double> normal_;
  boost::random::uniform_01<double> uniform_;
};

}  // namespace siv
