#include "properties/model/torch_loader.hpp"

#include <dlfcn.h>

#include <filesystem>

#include "data/input_error.hpp"

namespace siv {
namespace {

struct Loaded {
  const TorchApi* api = nullptr;
  std::string why;
};

Loaded open_library() {
  if (void* loaded = ::dlopen("libsiverify_torch.so", RTLD_NOW | RTLD_NOLOAD)) {
    const auto entry = reinterpret_cast<const TorchApi* (*)()>(::dlsym(loaded, "siverify_torch_api"));
    if (entry) return {entry(), ""};
  }
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::string path = (exe.parent_path() / "libsiverify_torch.so").string();
  if (ec || !std::filesystem::exists(path))
    return {nullptr, "this siverify was built without libtorch (no " + path +
                         "); install libtorch-dev and rebuild (bash scripts/run build)"};
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return {nullptr, "cannot load " + path + ": " + ::dlerror()};
  using Entry = const TorchApi* (*)();
  const auto entry = reinterpret_cast<Entry>(::dlsym(handle, "siverify_torch_api"));
  if (!entry) return {nullptr, path + " has no siverify_torch_api entry point"};
  return {entry(), ""};
}

}  // namespace

const TorchApi* find_torch(std::string* why) {
  static const Loaded loaded = open_library();  // never closed: its objects live to the end
  if (why) *why = loaded.why;
  return loaded.api;
}

const TorchApi& require_torch(const std::string& option) {
  std::string why;
  const TorchApi* api = find_torch(&why);
  if (!api) throw InputError(option + ": " + why);
  return *api;
}

}  // namespace siv
