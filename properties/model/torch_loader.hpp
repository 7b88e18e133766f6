// Opens libsiverify_torch.so (models/torch_api.hpp) on first use: the copy already loaded (tests
// link it), else the one beside the executable.
#pragma once

#include <string>

#include "models/torch_api.hpp"

namespace siv {

// nullptr when the library is absent (a build without libtorch) or cannot be opened; *why says
// which.
const TorchApi* find_torch(std::string* why = nullptr);

// find_torch, or an InputError (data/input_error.hpp: exit 2) naming `option` and the reason.
const TorchApi& require_torch(const std::string& option);

}  // namespace siv
