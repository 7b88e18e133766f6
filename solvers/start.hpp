// Exact draws from rho_1 = (1/n) sum_k N(alpha(1) y_k, sigma(1)^2 I): pick k, then add noise.
#pragma once

#include "theory/oracle.hpp"
#include "theory/random.hpp"

namespace siv {

struct Start {
  Vec z;      // Z_1
  int k;      // the centre it was drawn around
  Vec xi;     // standard normal: z = alpha(1) y_k + sigma(1) xi
};

Start draw_start(const OracleField& oracle, Rng& rng);

}  // namespace siv
