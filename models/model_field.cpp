// The only translation unit of ModelField that sees torch (slow headers; see model_field.hpp).
#include "models/model_field.hpp"

#include <atomic>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <mutex>
#include <sstream>

#include <ATen/Parallel.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/jit/runtime/graph_executor.h>
#include <torch/script.h>

namespace siv {
namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// Runtime errors of TorchScript put the traceback first and the reason last; compile errors put
// the reason first and the quoted source after it.
std::string reason(const std::exception& e, bool first_line = false) {
  const auto* c10 = dynamic_cast<const c10::Error*>(&e);
  const std::string text = c10 ? c10->what_without_backtrace() : e.what();
  std::string pick, line;
  std::istringstream lines(text);
  while (std::getline(lines, line)) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    pick = line;
    if (first_line) break;
  }
  const auto start = pick.find_first_not_of(" \t");
  return start == std::string::npos ? text : pick.substr(start);
}

// Shortest round-trip text (no app or reports helper here: they sit above this layer).
std::string format_number(double v) {
  char buffer[32];
  const auto end = std::to_chars(buffer, buffer + sizeof buffer, v).ptr;
  return std::string(buffer, end);
}

std::string shape(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

std::string dtype_name(c10::ScalarType type) {
  switch (type) {
    case torch::kFloat32: return "float32";
    case torch::kFloat64: return "float64";
    default: return c10::toString(type);
  }
}

torch::Tensor to_tensor(const Mat& m, torch::Dtype dtype, bool as_vector = false) {
  RowMat rows = m;
  torch::Tensor t = torch::from_blob(rows.data(), {rows.rows(), rows.cols()}, torch::kFloat64).clone();
  if (as_vector) t = t.reshape({rows.size()});
  return t.to(dtype);
}

torch::jit::Module load_module(const ModelSpec& spec) {
  try {
    if (!spec.bytes.empty()) {
      std::istringstream in(spec.bytes);
      return torch::jit::load(in, torch::kCPU);
    }
    if (!std::ifstream(spec.file)) throw ModelError("model '" + spec.file + "': cannot open the file");
    return torch::jit::load(spec.file, torch::kCPU);
  } catch (const ModelError&) {
    throw;
  } catch (const std::exception& e) {
    throw ModelError("model '" + spec.file + "': not a TorchScript module (torch.jit.save output): " +
                     reason(e));
  }
}

// b^ = cx x + co o at time t, with the forms of model_field.hpp.
struct Conversion {
  double cx = 0, co = 0;
};

std::atomic<std::uint64_t> next_instance{1};

}  // namespace

// Once per process: no graph optimisation (fusion would make the first calls round differently
// from later ones, so results would depend on evaluation order, hence on threads), and one
// intra-op thread (siverify parallelises over samples).
void configure_torch() {
  static std::once_flag once;
  std::call_once(once, [] {
    torch::jit::setGraphExecutorOptimize(false);
    at::set_num_threads(1);
  });
}

struct ModelField::Impl {
  mutable torch::jit::Module module;
  torch::Dtype dtype = torch::kFloat32;
  std::uint64_t instance = next_instance++;
  mutable std::mutex mutex;  // forward() of one module from one thread at a time

  // Model time and the velocity's sign for siverify's t.
  double model_time(const ModelSpec& spec, double t) const {
    return spec.time == ModelTime::data1 ? 1.0 - t : t;
  }
};

ModelField::ModelField(const ModelSpec& spec, const OracleField& oracle)
    : EstimatedField(oracle), spec_(spec), impl_(std::make_unique<Impl>()) {
  configure_torch();
  impl_->module = load_module(spec);
  const std::string where = "model '" + spec.file + "': ";
  if (!impl_->module.find_method("forward"))
    throw ModelError(where + "the module has no forward method");
  bool found = false;
  auto take = [&](const torch::Tensor& t) {
    if (!found && t.is_floating_point()) {
      impl_->dtype = t.scalar_type();
      found = true;
    }
  };
  for (const auto& p : impl_->module.parameters()) take(p);
  for (const auto& b : impl_->module.buffers()) take(b);
  if (impl_->dtype != torch::kFloat32 && impl_->dtype != torch::kFloat64)
    throw ModelError(where + "parameters in " + dtype_name(impl_->dtype) +
                     "; expected float32 or float64");
  dtype_ = dtype_name(impl_->dtype);
  unit_roundoff_ = impl_->dtype == torch::kFloat32 ? std::ldexp(1.0, -24) : std::ldexp(1.0, -53);
  impl_->module.eval();

  // Probe: three training points (cycled) at three times, then one point again: a module that
  // hard-codes its batch size fails here rather than halfway through a run.
  const Mat& y = oracle.points();
  for (const int rows : {3, 1}) {
    Mat x(rows, dim());
    for (int i = 0; i < rows; ++i) x.row(i) = 0.9 * y.col(i % y.cols()).transpose();
    Mat b;
    for (const double t : {0.25, 0.5, 0.75}) velocity_rows(t, x, b);
  }
  // Divergence by autograd, when the module supports it.
  has_divergence_ = true;
  const double probe = error_divergence(0.5, 0.9 * y.col(0));
  has_divergence_ = std::isfinite(probe);
}

ModelField::~ModelField() = default;

void ModelField::velocity_rows(double t, const ConstMatRef& x, Mat& b) const {
  const Schedule& s = schedule();
  const std::string where = "model '" + spec_.file + "': ";
  const double alpha = s.alpha(t);
  if ((spec_.output == ModelOutput::noise || spec_.output == ModelOutput::score) && !(alpha > 0))
    throw ModelError(where + "a " + to_string(spec_.output) + " model is singular at t = " +
                     format_number(t) + " (alpha = 0): m = (x - ...) / alpha is undefined");
  const long rows = x.rows(), d = dim();
  const double tm = impl_->model_time(spec_, t);
  torch::Tensor out;
  {
    const std::lock_guard lock(impl_->mutex);
    torch::NoGradGuard no_grad;
    const torch::Tensor xt = to_tensor(Mat(x), impl_->dtype);
    const torch::Tensor tt = torch::full({rows}, tm, torch::TensorOptions().dtype(impl_->dtype));
    c10::IValue value;
    try {
      value = impl_->module.forward({xt, tt});
    } catch (const std::exception& e) {
      throw ModelError(where + "forward(x, t) threw at model time t = " + format_number(tm) + ": " +
                       reason(e));
    }
    if (!value.isTensor())
      throw ModelError(where + "forward(x, t) returned a " + value.tagKind() +
                       "; expected a tensor of shape [" + std::to_string(rows) + ", " +
                       std::to_string(d) + "]");
    out = value.toTensor();
  }
  if (out.dim() != 2 || out.size(0) != rows || out.size(1) != d)
    throw ModelError(where + "forward(x, t) returned shape " + shape(out) + "; expected [" +
                     std::to_string(rows) + ", " + std::to_string(d) + "] (batch " +
                     std::to_string(rows) + ", d = " + std::to_string(d) + " of the training set)");
  if (out.scalar_type() != impl_->dtype)
    throw ModelError(where + "forward(x, t) returned " + dtype_name(out.scalar_type()) +
                     "; expected " + dtype_ + ", the dtype of its parameters and inputs");
  const torch::Tensor o64 = out.to(torch::kFloat64).contiguous();
  if (!torch::isfinite(o64).all().item<bool>())
    throw ModelError(where + "forward(x, t) returned a non-finite value at model time t = " +
                     format_number(tm));
  const Eigen::Map<const RowMat> o(o64.data_ptr<double>(), rows, d);
  const double dalpha = s.dalpha(t), sigma = s.sigma(t);
  switch (spec_.output) {
    case ModelOutput::velocity:
      b = spec_.time == ModelTime::data1 ? Mat(-o) : Mat(o);
      break;
    case ModelOutput::denoiser:
      b = dalpha * o + s.log_sigma_rate(t) * (x - alpha * o);
      break;
    case ModelOutput::noise:
      b = dalpha * ((x - sigma * o) / alpha) + s.dsigma(t) * o;
      break;
    case ModelOutput::score:
      b = dalpha * ((x + sigma * sigma * o) / alpha) - s.sigma_dsigma(t) * o;
      break;
  }
}

namespace {
// velocity() then error() at the same (t, x) is the solvers' pattern: one forward call serves both.
struct VelocityCache {
  std::uint64_t instance = 0;
  double t = std::numeric_limits<double>::quiet_NaN();
  Vec x, b;
};
thread_local VelocityCache cache;
}  // namespace

void ModelField::velocity(double t, const ConstVecRef& x, VecRef b) const {
  if (cache.instance == impl_->instance && cache.t == t && cache.x.size() == x.size() && cache.x == x) {
    b = cache.b;
    return;
  }
  Mat rows;
  velocity_rows(t, x.transpose(), rows);
  b = rows.row(0).transpose();
  cache.instance = impl_->instance;
  cache.t = t;
  cache.x = x;
  cache.b = b;
}

void ModelField::velocity_batch(double t, const ConstMatRef& x, Eigen::Ref<Mat> b) const {
  Mat rows;
  velocity_rows(t, x.transpose(), rows);
  b = rows.transpose();
}

// The implied-mean score of EstimatedField::score, s = s* + alpha / (kappa sigma^2) (b^ - b*),
// with b* and s* from the oracle's batched kernel.
void ModelField::velocity_score_batch(double t, const ConstMatRef& x, Eigen::Ref<Mat> b,
                                      Eigen::Ref<Mat> s) const {
  velocity_batch(t, x, b);
  thread_local ColumnBatch star;
  oracle().evaluate_columns(t, x, star);
  const Schedule& sc = schedule();
  const double sigma = sc.sigma(t);
  s = star.s + (sc.alpha(t) / (sc.kappa(t) * sigma * sigma)) * (b - star.b);
}

void ModelField::error(double t, const ConstVecRef& x, VecRef e) const {
  velocity_minus_oracle(t, x, e);
}

double ModelField::error_divergence(double t, const ConstVecRef& x) const {
  if (!has_divergence_) return std::numeric_limits<double>::quiet_NaN();
  const Schedule& s = schedule();
  const double alpha = s.alpha(t), dalpha = s.dalpha(t), sigma = s.sigma(t);
  Conversion c;
  switch (spec_.output) {
    case ModelOutput::velocity: c = {0, spec_.time == ModelTime::data1 ? -1.0 : 1.0}; break;
    case ModelOutput::denoiser: c = {s.log_sigma_rate(t), s.kappa(t)}; break;
    case ModelOutput::noise: c = {dalpha / alpha, s.dsigma(t) - dalpha * sigma / alpha}; break;
    case ModelOutput::score: c = {dalpha / alpha, dalpha * sigma * sigma / alpha - s.sigma_dsigma(t)}; break;
  }
  const long d = dim();
  double div = 0;
  try {
    const std::lock_guard lock(impl_->mutex);
    torch::AutoGradMode grad(true);
    const torch::Tensor xt = to_tensor(Mat(x.transpose()), impl_->dtype).requires_grad_(true);
    const torch::Tensor tt =
        torch::full({1}, impl_->model_time(spec_, t), torch::TensorOptions().dtype(impl_->dtype));
    const torch::Tensor out = impl_->module.forward({xt, tt}).toTensor();
    for (long i = 0; i < d; ++i) {
      const auto g = torch::autograd::grad({out.select(1, i).sum()}, {xt}, {}, /*retain_graph=*/true,
                                           /*create_graph=*/false, /*allow_unused=*/true)[0];
      if (g.defined()) div += g[0][i].item<double>();
    }
  } catch (const std::exception&) {
    return std::numeric_limits<double>::quiet_NaN();  // not differentiable: not measurable
  }
  return d * c.cx + c.co * div - oracle_divergence(oracle(), t, x);
}

std::string ModelField::name() const {
  return "model:" + spec_.file + ":" + to_string(spec_.output) + ":" + to_string(spec_.time);
}

double ModelField::precision_floor() const {
  return 10 * unit_roundoff_ * oracle().points().colwise().norm().maxCoeff();
}

std::vector<ModelParameter> ModelField::parameters() const {
  return {{"file", spec_.file},
          {"output", to_string(spec_.output)},
          {"time", to_string(spec_.time)},
          {"dtype", dtype_},
          {"unit_roundoff", format_number(unit_roundoff_)},
          {"precision_floor", format_number(precision_floor())},
          {"divergence", has_divergence_ ? "autograd" : "unavailable"}};
}

std::string script_module(const std::string& source, const std::vector<NamedTensor>& buffers,
                          bool float32) {
  configure_torch();
  try {
    torch::jit::Module m("siverify_model");
    for (const auto& b : buffers)
      m.register_buffer(b.name, to_tensor(b.value, float32 ? torch::kFloat32 : torch::kFloat64,
                                          b.as_vector));
    m.define(source);
    std::ostringstream out;
    m.save(out);
    return out.str();
  } catch (const std::exception& e) {
    throw ModelError("TorchScript source does not compile: " + reason(e, true));
  }
}

void write_module_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw ModelError("cannot write the module file '" + path + "'");
}

}  // namespace siv
