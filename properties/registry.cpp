// The built-in registration (claims C1-C9) and the registry that external checks join.
#include <stdexcept>
#include <string>

#include "properties/claims.hpp"

namespace siv {
namespace {

struct Registry {
  std::vector<std::unique_ptr<Check>> checks;
  std::vector<std::unique_ptr<Check>> pending;  // registered before the built-ins were added
  bool built_in = false;
};

// A function-local static: safe to reach from another file's static initialisation.
Registry& registry() {
  static Registry r;
  return r;
}

void append(std::vector<std::unique_ptr<Check>>& checks, std::unique_ptr<Check> check) {
  if (!check) throw std::invalid_argument("register_check: null check");
  for (const auto& existing : checks)
    if (existing->id() == check->id())
      throw std::invalid_argument("check '" + check->id() + "' registered twice");
  checks.push_back(std::move(check));
}

// Built-ins are added on first use, never during static initialisation (their claim files may
// not be initialised yet).
Registry& complete_registry() {
  Registry& r = registry();
  if (r.built_in) return r;
  r.built_in = true;
  for (auto* claim : {&c1_checks, &c2_checks, &c3_checks, &c4_checks, &c5_checks, &c6_checks, &c7_checks,
                      &c8_checks, &c9_checks})
    for (auto& check : (*claim)()) append(r.checks, std::move(check));
  auto pending = std::move(r.pending);
  r.pending.clear();
  for (auto& check : pending) append(r.checks, std::move(check));
  return r;
}

}  // namespace

void register_check(std::unique_ptr<Check> check) {
  Registry& r = registry();
  append(r.built_in ? r.checks : r.pending, std::move(check));
}

void register_checks(std::vector<std::unique_ptr<Check>> checks) {
  for (auto& check : checks) register_check(std::move(check));
}

CheckRegistrar::CheckRegistrar(std::vector<std::unique_ptr<Check>> (*make)()) {
  register_checks(make());
}

const std::vector<std::unique_ptr<Check>>& all_checks() { return complete_registry().checks; }

const Check& find_check(const std::string& id) {
  for (const auto& check : all_checks())
    if (check->id() == id) return *check;
  throw std::invalid_argument("unknown check '" + id + "'");
}

}  // namespace siv
