// The signal-to-noise leg both adaptive solvers share: solve_snr runs it from t = 1, and
// solve_adaptive hands an exact oracle's path to it where t = 1 - tau cannot resolve the steps
// the basin choice needs (derivation of du/dlambda = m in adaptive.hpp).
#pragma once

#include <functional>

#include "solvers/adaptive.hpp"
#include "solvers/basin_watch.hpp"

namespace siv {

// The t in (0, 1] with alpha(t)/sigma(t) = lambda, for lambda >= alpha(1)/sigma(1).
double time_of_snr(const Schedule& s, double lambda);

// Reads the basin at (lambda, u) into `watch` (local: the step's error bound in u): the verdict
// when options.settle, and the ceiling of the next lambda step when options.resolve_basins.
StepControl observe_snr(BasinWatch& watch, double lambda, const ConstVecRef& u, double local,
                        const AdaptiveOptions& options);

// Integrates du/dlambda = m(u, lambda) from (lambda0, u0), already observed by `watch`, toward
// lambda1 > lambda0, observing every accepted step (observe_snr); on_step(lambda, u) runs after
// each. The run's ending is the watch's verdict where it stopped early.
ForwardRun follow_snr(const OracleField& oracle, BasinWatch& watch, double lambda0,
                      const ConstVecRef& u0, double lambda1, const AdaptiveOptions& options,
                      const std::function<void(double, const ConstVecRef&)>& on_step = {});

}  // namespace siv
