// The parts of `verify` that need libtorch (properties/model/): `--model FILE` runs C4-C7 with the
// model as b^ on its training set and writes a diagnosis; `--claims C6.network` (or the deep
// profile) adds siverify's own ladder of trained networks to an ordinary run.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "app/inputs.hpp"
#include "app/model_options.hpp"
#include "properties/check.hpp"
#include "properties/runner.hpp"

namespace siv::app {

// --data, --n, --class and --scale are verify's own (app/verify_data.hpp); with --model they
// name the model's training set and are copied here (use_verify_data).
struct VerifyModelArgs {
  std::string data, schedule = "linear", data_seed = "0";
  SelectionOptions selection;
  ModelArgs model;
};

void add_verify_model_options(CLI::App& verify, VerifyModelArgs& args);

// With --model: reads the data, loads and probes the model (InputError before anything is
// written), and returns its checks.
std::vector<std::unique_ptr<Check>> model_verify_checks(const VerifyModelArgs& args);

// Without --model: the network ladder when the run asks for it and libtorch is present.
std::vector<std::unique_ptr<Check>> torch_checks(const std::string& claims, const std::string& profile);

// After a --model run: an InputError when the model failed during it (nothing written), else
// the diagnosis (markdown), also printed.
std::string model_diagnosis(const RunResult& result, const VerifyModelArgs& args);

// For image data (the data's own shape, or a square d >= 64): writes out/figures/model_samples.png,
// the first samples of the first C6.model case beside their nearest training images, and returns
// the diagnosis's section linking it; "" for other data.
std::string write_model_samples(const RunResult& result, const VerifyModelArgs& args,
                                const std::filesystem::path& out);

// sample --model ... --diagnose DIR: each check of verify --model on one case whose seed is
// --seed and whose paths are --count (its starts are those of the samples printed), judged at
// alpha = 1e-3; writes DIR/diagnosis.md (the verify diagnosis, the memorization of the printed
// samples of --solver `solver`, each case's outcome and replay token; the sample grid for images)
// and DIR/cases.jsonl. InputError (nothing written) when the model fails during it.
void write_sample_diagnosis(const VerifyModelArgs& args, std::uint64_t seed, int count,
                            const std::vector<Vec>& samples, const std::string& solver,
                            const std::filesystem::path& dir);

}  // namespace siv::app
