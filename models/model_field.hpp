// A researcher's trained model as an estimated field b^ (libtorch; torch appears only in
// models/*.cpp). The model is a TorchScript module whose forward(x, t) takes x of shape (B, d) and
// t of shape (B,) and returns a (B, d) tensor o, in its own dtype (that of its first floating
// parameter or buffer; float32 when it has none). siverify turns o into b^ with the schedule's
// closed forms (data at t = 0, x_t = alpha x_data + sigma z, m = E[x_data | x_t]):
//   | --model-output | o estimates    | b^                                                   |
//   | velocity       | b              | o                                                    |
//   | denoiser       | m              | alpha' o + (sigma'/sigma)(x - alpha o)               |
//   | noise          | E[z | x_t]     | alpha' m^ + sigma' o,        m^ = (x - sigma o)/alpha |
//   | score          | grad log rho_t | alpha' m^ - sigma sigma' o,  m^ = (x + sigma^2 o)/alpha |
// (from x = alpha m + sigma E[z | x] and s = -(x - alpha m)/sigma^2). Each is affine in o,
// b^ = cx x + co o, so div b^ = d cx + co div o. With --model-time data1 (flow_matching,
// torchcfm: data at t = 1) the model is called at 1 - t and a velocity changes sign; the other
// three quantities do not depend on the direction of time.
// Singular conversions: noise and score divide by alpha, which vanishes at t = 1 on linear, trig,
// bridge and power (m is not identifiable from them where the data term is gone). siverify never
// divides by it: singular_conversion names the problem up front, and an evaluation at alpha = 0
// throws ModelError.
// Precision: b* and the conversion are float64; a float32 model rounds its inputs to unit
// roundoff u = 2^-24, and near the data end b* has Lipschitz constant sigma'/sigma, so rounding x
// alone is a singular-type error of size ~ u |x| sigma'/sigma: endpoint distances and A below
// precision_floor() = 10 u max_k |y_k| are rounding, not model error. In data1 the model's time
// 1 - t also rounds: times t below ~u are not resolved at all.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/model_spec.hpp"
#include "theory/error_models.hpp"

namespace siv {

class ModelField final : public EstimatedField {
 public:
  // Loads the module and probes it on training points at three times (shape, dtype, finiteness,
  // exceptions), then probes autograd for the divergence. Throws ModelError.
  ModelField(const ModelSpec& spec, const OracleField& oracle);
  ~ModelField() override;

  void velocity(double t, const ConstVecRef& x, VecRef b) const override;
  // One forward call for the whole batch (the fixed-step and Euler-Maruyama solvers' groups),
  // rather than one locked call per column.
  void velocity_batch(double t, const ConstMatRef& x, Eigen::Ref<Mat> b) const override;
  void velocity_score_batch(double t, const ConstMatRef& x, Eigen::Ref<Mat> b,
                            Eigen::Ref<Mat> s) const override;
  void error(double t, const ConstVecRef& x, VecRef e) const override;
  // By autograd, d backward passes; NaN when the module is not differentiable (has_divergence).
  double error_divergence(double t, const ConstVecRef& x) const override;
  std::string name() const override;
  std::vector<ModelParameter> parameters() const override;

  // b^ at time t for a batch x (B x d, one point per row) in one forward call.
  void velocity_rows(double t, const ConstMatRef& x, Mat& b) const;

  const ModelSpec& spec() const { return spec_; }
  const std::string& dtype() const { return dtype_; }  // "float32" or "float64"
  double unit_roundoff() const { return unit_roundoff_; }
  double precision_floor() const;
  bool has_divergence() const { return has_divergence_; }

 private:
  struct Impl;
  ModelSpec spec_;
  std::string dtype_;
  double unit_roundoff_ = 0;
  bool has_divergence_ = false;
  std::unique_ptr<Impl> impl_;
};

// A tensor the test or trainer puts into a module, from a d1 x d2 matrix (or a vector: rows = 1
// with as_vector).
struct NamedTensor {
  std::string name;
  Mat value;
  bool as_vector = false;  // store a 1-D tensor of value.size() entries (row-major order)
};

// Once per process, before any module runs or trains: no graph optimisation (fusion would make
// the first calls round differently from later ones, so results would depend on what ran before,
// hence on threads and on replaying a case alone), one intra-op thread.
void configure_torch();

// Compiles TorchScript source (methods of one module, `def forward(self, x, t):` among them) into
// a module with the given buffers in float32 or float64, and returns its serialized bytes (what
// torch.jit.save writes; ModelSpec::bytes or a .pt file). Lets tests and the network ladder build
// models without Python. Throws ModelError with the compiler's message.
std::string script_module(const std::string& source, const std::vector<NamedTensor>& buffers,
                          bool float32);
// Writes bytes to path (throws ModelError naming it).
void write_module_file(const std::string& path, const std::string& bytes);

}  // namespace siv
