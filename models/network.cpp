// The second (and last) translation unit that sees torch: training the networks of network.hpp.
#include "models/network.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include <torch/optim/adam.h>
#include <torch/script.h>

#include "models/model_field.hpp"
#include "theory/random.hpp"

namespace siv {
namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

torch::Tensor to_float(const RowMat& m) {
  return torch::from_blob(const_cast<double*>(m.data()), {m.rows(), m.cols()}, torch::kFloat64)
      .to(torch::kFloat32);
}

// N(0, 1/fan_in) from the seeded Rng (torch's own generator is global state).
torch::Tensor normal_weights(Rng& rng, long rows, long cols) {
  RowMat w(rows, cols);
  for (long i = 0; i < w.size(); ++i) w.data()[i] = rng.normal() / std::sqrt(double(rows));
  return to_float(w);
}

std::string source(double t_min) {
  std::ostringstream s;
  s.precision(17);
  s << "def forward(self, x, t):\n"
       "    tau = torch.clamp(t, min=" << t_min << ").unsqueeze(1)\n"
       "    angles = 3.141592653589793 * tau * self.frequencies\n"
       "    features = torch.cat([x, tau, torch.log(tau), torch.sin(angles), torch.cos(angles)], 1)\n"
       "    h = torch.matmul(features, self.w1) + self.b1\n"
       "    h = h * torch.sigmoid(h)\n"
       "    h = torch.matmul(h, self.w2) + self.b2\n"
       "    h = h * torch.sigmoid(h)\n"
       "    return self.ybar + torch.matmul(h, self.w3) + self.b3\n";
  return s.str();
}

}  // namespace

TrainedNetwork train_network(const Mat& data, const Schedule& schedule, const NetworkOptions& o,
                             std::uint64_t seed) {
  if (o.width < 1 || o.steps < 1 || o.batch < 1)
    throw std::invalid_argument("train_network: width, steps and batch must be >= 1");
  if (!(o.learning_rate > 0)) throw std::invalid_argument("train_network: learning rate must be > 0");
  if (!(o.t_min > 0 && o.t_min < 1)) throw std::invalid_argument("train_network: t_min must lie in (0, 1)");
  configure_torch();  // the same graph executor settings whether or not a model was loaded first
  const long n = data.rows(), d = data.cols(), features = d + 2 + 2 * 4;
  Rng init(seed, 0);
  torch::jit::Module net("siverify_mlp");
  RowMat frequencies(1, 4);
  frequencies << 1, 2, 3, 4;
  net.register_buffer("frequencies", to_float(frequencies));
  net.register_buffer("ybar", to_float(RowMat(data.colwise().mean())));
  const auto parameter = [&](const char* name, torch::Tensor value) {
    net.register_parameter(name, value.requires_grad_(true), false);
  };
  parameter("w1", normal_weights(init, features, o.width));
  parameter("b1", torch::zeros({o.width}));
  parameter("w2", normal_weights(init, o.width, o.width));
  parameter("b2", torch::zeros({o.width}));
  parameter("w3", torch::zeros({o.width, d}));
  parameter("b3", torch::zeros({d}));
  net.define(source(o.t_min));

  std::vector<torch::Tensor> params;
  for (const auto& p : net.parameters()) params.push_back(p);
  torch::optim::Adam adam(params, torch::optim::AdamOptions(o.learning_rate));
  Rng draws(seed, 1);
  const double log_range = std::log(1.0 / o.t_min);
  RowMat x(o.batch, d), y(o.batch, d), t(o.batch, 1), w(o.batch, 1);
  double tail_loss = 0;
  const int tail = std::max(1, o.steps / 10);
  for (int step = 0; step < o.steps; ++step) {
    for (int i = 0; i < o.batch; ++i) {
      const double ti = o.t_min * std::exp(log_range * draws.uniform());
      const int k = draws.index(static_cast<int>(n));
      y.row(i) = data.row(k);
      for (long j = 0; j < d; ++j) x(i, j) = schedule.alpha(ti) * data(k, j) + schedule.sigma(ti) * draws.normal();
      t(i, 0) = ti;
      const double kappa = schedule.kappa(ti);
      w(i, 0) = kappa * kappa * ti * log_range;
    }
    const torch::Tensor out =
        net.forward({to_float(x), to_float(t).reshape({o.batch})}).toTensor();
    const torch::Tensor loss = (to_float(w).reshape({o.batch}) * (out - to_float(y)).pow(2).sum(1)).mean();
    adam.zero_grad();
    loss.backward();
    adam.step();
    if (step >= o.steps - tail) tail_loss += loss.item<double>() / tail;
  }
  for (auto& p : params) p.requires_grad_(false);
  std::ostringstream bytes;
  net.save(bytes);
  return {bytes.str(), tail_loss};
}

}  // namespace siv
