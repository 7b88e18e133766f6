#include "models/torch_api.hpp"

#include "models/model_field.hpp"

namespace siv {
namespace {

std::unique_ptr<EstimatedField> load_model(const ModelSpec& spec, const OracleField& oracle) {
  return std::make_unique<ModelField>(spec, oracle);
}

ModelInfo model_info(const EstimatedField& field) {
  const auto& m = dynamic_cast<const ModelField&>(field);
  return {m.dtype(), m.unit_roundoff(), m.precision_floor(), m.has_divergence()};
}

const TorchApi api{&load_model, &model_info, &train_network};

}  // namespace
}  // namespace siv

extern "C" const siv::TorchApi* siverify_torch_api() { return &siv::api; }
