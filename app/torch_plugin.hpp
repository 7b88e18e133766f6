// Opens libsiverify_torch.so (models/torch_api.hpp) from the executable's folder on first use.
#pragma once

#include <string>

#include "models/torch_api.hpp"

namespace siv::app {

// nullptr when the library is absent (a build without libtorch) or cannot be opened; *why says
// which.
const TorchApi* find_torch(std::string* why = nullptr);

// find_torch, or an InputError naming `option` and the reason.
const TorchApi& require_torch(const std::string& option);

}  // namespace siv::app
