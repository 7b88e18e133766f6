#include "models/torch_api.hpp"

#include "models/model_field.hpp"
#include "properties/check.hpp"

namespace siv {
namespace {

std::unique_ptr<EstimatedField> load_model(const ModelSpec& spec, const OracleField& oracle) {
  return std::make_unique<ModelField>(spec, oracle);
}

double unit_roundoff(const EstimatedField& model) {
  return dynamic_cast<const ModelField&>(model).unit_roundoff();
}

std::vector<std::unique_ptr<Check>> checks(const ModelTarget*) { return {}; }

const TorchApi api{&load_model, &unit_roundoff, &checks};

}  // namespace
}  // namespace siv

extern "C" const siv::TorchApi* siverify_torch_api() { return &siv::api; }
