// The entry points of libsiverify_torch.so, the one part of siverify that links libtorch (and
// only the theory layer besides). properties/model/torch_loader.hpp opens it with dlopen only when
// a command needs it (--model, the network ladder): loading libtorch costs about two seconds,
// which no other command should pay.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "models/model_spec.hpp"
#include "models/network.hpp"
#include "theory/error_models.hpp"

namespace siv {

// What a loaded model says about itself (models/model_field.hpp).
struct ModelInfo {
  std::string dtype;
  double unit_roundoff = 0, precision_floor = 0;
  bool has_divergence = false;
};

struct TorchApi {
  // A ModelField; throws ModelError.
  std::unique_ptr<EstimatedField> (*load_model)(const ModelSpec& spec, const OracleField& oracle);
  ModelInfo (*model_info)(const EstimatedField& model);  // model from load_model
  TrainedNetwork (*train_network)(const Mat& data, const Schedule& schedule,
                                  const NetworkOptions& options, std::uint64_t seed);
};

}  // namespace siv

extern "C" const siv::TorchApi* siverify_torch_api();
