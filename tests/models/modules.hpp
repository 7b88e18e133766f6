// TorchScript sources of test models, written here so that no test needs Python. Each forward
// computes the exact posterior mean m of the training set (buffer Y, n x d) in the module's own
// arithmetic, then returns one of the quantities siverify converts (models/model_field.hpp).
#pragma once

#include <string>
#include <vector>

#include "models/model_field.hpp"

namespace siv::test {

// a = alpha(t), s = sigma(t) as (B, 1) columns for siverify's time t.
inline std::string linear_coefficients() {
  return "    a = (1.0 - t).unsqueeze(1)\n"
         "    s = t.unsqueeze(1)\n";
}
// vp:0.1:20 (theory/schedule.hpp): B(t) = 0.1 t + 9.95 t^2, alpha = exp(-B/2), sigma = sqrt(1 - e^-B).
inline std::string vp_coefficients() {
  return "    integrated = 0.1 * t + 9.95 * t * t\n"
         "    a = torch.exp(-0.5 * integrated).unsqueeze(1)\n"
         "    s = torch.sqrt(-torch.expm1(-integrated)).unsqueeze(1)\n";
}

inline std::string posterior_mean() {
  return "    diff = x.unsqueeze(1) - a.unsqueeze(2) * self.Y.unsqueeze(0)\n"
         "    w = torch.softmax(-(diff * diff).sum(2) / (2.0 * s * s), 1)\n"
         "    m = torch.matmul(w, self.Y)\n";
}

// forward(x, t) with the given body; data1 turns the model's time into siverify's first.
inline std::string forward(const std::string& body, bool data1 = false) {
  return "def forward(self, x, t):\n" + std::string(data1 ? "    t = 1.0 - t\n" : "") + body;
}

// b* on the linear schedule: alpha' = -1, sigma'/sigma = 1/t.
inline std::string linear_oracle_velocity(const std::string& extra = "") {
  return forward(linear_coefficients() + posterior_mean() + "    return -m + (x - a * m) / s" + extra +
                 "\n");
}

inline std::string module_bytes(const std::string& source, const Mat& data,
                                std::vector<NamedTensor> more = {}, bool float32 = false) {
  more.insert(more.begin(), NamedTensor{"Y", data});
  return script_module(source, more, float32);
}

}  // namespace siv::test
