// siverify's own networks for the criteria on real networks (THEORY.md C6-C7): an MLP denoiser
// with a time embedding, trained with libtorch on the interpolant loss over the finite training
// set, returned as a TorchScript module that ModelField loads like any researcher's model.
//
// Loss. With b^ = alpha' m^ + (sigma'/sigma)(x - alpha m^) and x_t' = alpha' y + sigma' xi,
//   b^(t, x_t) - x_t' = kappa (m^ - y),   kappa = alpha' - alpha sigma'/sigma
// (theory/learned.hpp), so the interpolant loss is E kappa^2 |m^(x_t, t) - y|^2 over t ~ U[t_min, 1],
// k uniform, x_t = alpha y_k + sigma xi. It is sampled with t log-uniform on [t_min, 1] and the
// weight kappa^2 t ln(1/t_min) (the same integral, lower variance).
// Network: m^ = ybar + W3 silu(W2 silu(W1 [x, tau, log tau, sin(pi j tau), cos(pi j tau)] + b1)
// + b2) + b3, j = 1..4, tau = max(t, t_min): the network was never trained below t_min, so its time
// input is frozen there. float32, like most trained models.
// Determinism: initial weights (N(0, 1/fan_in), zero biases, output layer zero) and every training
// draw come from siverify's seeded Rng; torch runs on one intra-op thread; the same seed gives the
// same bytes.
#pragma once

#include <cstdint>
#include <string>

#include "theory/schedule.hpp"
#include "theory/oracle.hpp"

namespace siv {

struct NetworkOptions {
  int width = 32;             // hidden units in each of the two hidden layers
  int steps = 200;            // Adam steps
  int batch = 128;            // draws (t, k, xi) per step
  double learning_rate = 3e-3;
  double t_min = 1e-2;
};

struct TrainedNetwork {
  std::string bytes;        // TorchScript module, --model-output denoiser, data0, float32
  double final_loss = 0;    // mean weighted batch loss over the last tenth of the steps
};

// data: n x d. Throws std::invalid_argument on options out of range (width, steps, batch < 1,
// learning rate <= 0, t_min outside (0, 1)).
TrainedNetwork train_network(const Mat& data, const Schedule& schedule, const NetworkOptions& options,
                             std::uint64_t seed);

}  // namespace siv
