#include "app/model_options.hpp"

#include <cmath>

#include "app/csv.hpp"
#include "properties/model/torch_loader.hpp"
#include "models/model_spec.hpp"

namespace siv::app {

void add_model_options(CLI::App& cmd, ModelArgs& args) {
  args.file_opt = cmd.add_option("--model", args.file,
                                 "TorchScript module (torch.jit.save) with forward(x (B,d), t (B,)) "
                                 "-> (B,d), used as the estimated field b^")
                      ->type_name("FILE");
  cmd.add_option("--model-output", args.output,
                 "What the model predicts: velocity (default) | denoiser (E[x_data|x_t]) | noise "
                 "(E[z|x_t]) | score")
      ->type_name("KIND");
  cmd.add_option("--model-time", args.time,
                 "data0 (default; siverify's convention, data at t = 0) | data1 (flow_matching, "
                 "torchcfm: data at t = 1; the model is called at 1 - t and a velocity flips sign)")
      ->type_name("CONV");
}

std::unique_ptr<EstimatedField> load_model(const ModelArgs& args, const OracleField& oracle) {
  ModelSpec spec;
  spec.file = args.file;
  try {
    spec.output = parse_model_output(args.output);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("--model-output: ") + e.what());
  }
  try {
    spec.time = parse_model_time(args.time);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("--model-time: ") + e.what());
  }
  if (const std::string why = singular_conversion(spec.output, oracle.schedule()); !why.empty())
    throw InputError("--model-output " + args.output + ": " + why);
  const TorchApi& torch = require_torch("--model");
  std::unique_ptr<EstimatedField> model;
  with_model_errors([&] { model = torch.load_model(spec, oracle); });
  return model;
}

double model_unit_roundoff(const EstimatedField& model) {
  return require_torch("--model").model_info(model).unit_roundoff;
}

void with_model_errors(const std::function<void()>& work) {
  try {
    work();
  } catch (const ModelError& e) {
    throw InputError(std::string("--model: ") + e.what());
  }
}

}  // namespace siv::app
