// The --model options shared by field, sample and verify (models/model_field.hpp). The model is
// loaded through libsiverify_torch.so (properties/model/torch_loader.hpp); in a build without libtorch the
// options stay, and giving --model says that this build cannot load it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "theory/error_models.hpp"

namespace siv::app {

struct ModelArgs {
  std::string file, output = "velocity", time = "data0";
  CLI::Option* file_opt = nullptr;
  bool given() const { return file_opt && file_opt->count() > 0; }
};

void add_model_options(CLI::App& cmd, ModelArgs& args);

// The model as the estimated field b^ of the oracle's training set; every problem (bad option,
// singular conversion on this schedule, unreadable or broken model, no libtorch) is an InputError
// naming the option or the file.
std::unique_ptr<EstimatedField> load_model(const ModelArgs& args, const OracleField& oracle);

// Unit roundoff of the model's dtype.
double model_unit_roundoff(const EstimatedField& model);

// Runs work, turning a model's failure during it (a throw or a non-finite output halfway through
// a run) into an InputError: exit 2, nothing written.
void with_model_errors(const std::function<void()>& work);

}  // namespace siv::app
