// What a --model is and how to read it (models/model_field.hpp has the conversions). Header only
// and torch-free: the command line parses options with it without loading libtorch.
#pragma once

#include <stdexcept>
#include <string>

#include "theory/schedule.hpp"

namespace siv {

enum class ModelOutput { velocity, score, denoiser, noise };
enum class ModelTime { data0, data1 };
// Throw std::invalid_argument listing the known names.
inline ModelOutput parse_model_output(const std::string& name) {
  if (name == "velocity") return ModelOutput::velocity;
  if (name == "score") return ModelOutput::score;
  if (name == "denoiser") return ModelOutput::denoiser;
  if (name == "noise") return ModelOutput::noise;
  throw std::invalid_argument("unknown model output '" + name +
                              "' (known: velocity, score, denoiser, noise)");
}
inline ModelTime parse_model_time(const std::string& name) {
  if (name == "data0") return ModelTime::data0;
  if (name == "data1") return ModelTime::data1;
  throw std::invalid_argument("unknown model time convention '" + name + "' (known: data0, data1)");
}
inline std::string to_string(ModelOutput output) {
  switch (output) {
    case ModelOutput::velocity: return "velocity";
    case ModelOutput::score: return "score";
    case ModelOutput::denoiser: return "denoiser";
    case ModelOutput::noise: return "noise";
  }
  return "?";
}
inline std::string to_string(ModelTime time) { return time == ModelTime::data0 ? "data0" : "data1"; }

struct ModelSpec {
  std::string file;  // the .pt file, named in every message
  ModelOutput output = ModelOutput::velocity;
  ModelTime time = ModelTime::data0;
  // When non-empty, the module's serialized bytes (a trained network held in memory); file is
  // then only its name in messages.
  std::string bytes;
};

// A model that cannot be used: the message names the file, what was expected and what came back.
class ModelError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "" when converting `output` to b^ is regular on (0, 1] for the schedule, else why not (alpha
// vanishes at t = 1 for noise and score). alpha decreases in t for every catalogue schedule, so
// alpha(1) > 0 is the condition.
inline std::string singular_conversion(ModelOutput output, const Schedule& schedule) {
  if (output != ModelOutput::noise && output != ModelOutput::score) return "";
  if (schedule.alpha(1.0) > 0) return "";
  return "a " + to_string(output) + " model gives b^ through m = (x " +
         (output == ModelOutput::noise ? "- sigma eps" : "+ sigma^2 s") +
         ") / alpha, and alpha(1) = 0 on schedule " + schedule.name() +
         ", where generation starts (the data term is gone, so the model's output does not "
         "determine the velocity); use a schedule with alpha(1) > 0 (vp) or a velocity or "
         "denoiser model";
}

}  // namespace siv
