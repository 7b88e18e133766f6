// The checks that need libtorch (compiled into libsiverify_torch.so only): C4-C7 with a
// researcher's model as b^ on its own training set (`verify --model`), and C6 on siverify's own
// ladder of trained networks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/model_spec.hpp"
#include "models/network.hpp"
#include "properties/check.hpp"
#include "properties/data_study.hpp"
#include "theory/oracle.hpp"

namespace siv {

// The model of `verify --model` and the training set it was trained on.
struct ModelTarget {
  std::string data_name;  // the --data spec, for group labels
  Mat data;               // n x d
  std::string schedule;   // schedule spec
  ModelSpec spec;
};

std::vector<std::unique_ptr<Check>> model_checks(const ModelTarget& target);

// The endpoints of the first `count` paths of case c of these checks (the samples C6.model
// judged) and their nearest training points, for the diagnosis's image grid.
SampleImages model_case_samples(const ModelTarget& target, const Case& c, int count);

struct LadderRung {
  int width = 0, steps = 0;
  double final_loss = 0, excess = 0, mean_a = 0;
  long nn_memorized = 0;
  std::vector<bool> certified, memorized;  // per start
};

struct LadderResult {
  std::vector<LadderRung> rungs;
  long by_a[2][2] = {{0, 0}, {0, 0}}, by_loss[2][2] = {{0, 0}, {0, 0}};  // [predicted][observed]
  std::string failure;
};

// The default ladder: widths 4..64, Adam steps 10..800.
const std::vector<NetworkOptions>& network_ladder();
// On a user's data set (verify --data): the default ladder and a wide rung (256 units, 3000 steps).
const std::vector<NetworkOptions>& data_network_ladder();
// Trains every rung on data (seeded from seed), generates `starts` paths with each.
LadderResult run_network_ladder(const Mat& data, const SchedulePtr& schedule, int starts,
                                std::uint64_t seed, const std::vector<NetworkOptions>& rungs);
// Per-rung details and the two confusion tables (confusion_A.*, confusion_loss.*).
void report_ladder(const LadderResult& result, Observation& obs);

std::unique_ptr<Check> network_ladder_check();

}  // namespace siv
