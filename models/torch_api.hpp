// The entry points of libsiverify_torch.so, the one part of siverify that links libtorch. The
// command line opens it with dlopen only when a command needs it (--model, the network ladder):
// loading libtorch costs about two seconds, which no other command should pay.
#pragma once

#include <memory>
#include <vector>

#include "models/model_spec.hpp"
#include "theory/error_models.hpp"

namespace siv {

class Check;
struct ModelTarget;

struct TorchApi {
  // A ModelField (models/model_field.hpp); throws ModelError.
  std::unique_ptr<EstimatedField> (*load_model)(const ModelSpec& spec, const OracleField& oracle);
  // Unit roundoff of a loaded model's dtype.
  double (*unit_roundoff)(const EstimatedField& model);
  // The checks that need torch: with a target, those of `verify --model`; without, the ladder.
  std::vector<std::unique_ptr<Check>> (*checks)(const ModelTarget* target);
};

}  // namespace siv

extern "C" const siv::TorchApi* siverify_torch_api();
