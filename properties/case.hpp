// A generated case of a claim check, and its one-line replay token.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "properties/training_set.hpp"

namespace siv {

struct Case {
  std::string check;          // check id, e.g. "C2.rate"
  std::string group;          // the group it belongs to (usually a schedule spec)
  std::string schedule;       // schedule spec
  TrainingSetSpec set;        // rebuilds the training set
  std::uint64_t seed = 0;     // every random draw of the case derives from it
  int starts = 1;             // generated samples M
  int steps = 0;              // base step count (finest grid of a ladder), 0 when unused
  int ladder = 0;             // rungs of a step-size ladder ending at `steps`, 0 when unused
  std::string diffusion;      // diffusion spec, "" when unused
  std::string error_model;    // error model spec, "" when unused
  std::string variant;        // "" for the claim as stated, else a planted mutant
  // False-alarm level the case is judged at (the runner's share of its check's budget): the miss
  // probability of an interval case's confidence interval, the single-test level of a p-value
  // case. 0: not set (older tokens); a replay then uses the current run's.
  double level = 0;

  bool operator==(const Case&) const = default;
};

// "siv1;check=C2.rate;group=..;schedule=..;n=..;d=..;sep=..;set=..;[data=..;scale=..;class=..;]seed=..;M=..;N=..;L=..;eps=..;err=..;variant=..;level=.."
// Doubles are written in shortest round-trip form, so parse_token(to_token(c)) == c.
std::string to_token(const Case& c);
// Throws std::invalid_argument naming the offending field.
Case parse_token(std::string_view token);

std::ostream& operator<<(std::ostream& os, const Case& c);

}  // namespace siv
