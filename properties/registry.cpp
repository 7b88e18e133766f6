#include <stdexcept>
#include <string>

#include "properties/claims.hpp"

namespace siv {

const std::vector<std::unique_ptr<Check>>& all_checks() {
  static const auto checks = [] {
    std::vector<std::unique_ptr<Check>> all;
    for (auto* claim : {&c1_checks, &c2_checks, &c3_checks, &c4_checks, &c5_checks, &c6_checks, &c7_checks})
      for (auto& check : (*claim)()) all.push_back(std::move(check));
    return all;
  }();
  return checks;
}

const Check& find_check(const std::string& id) {
  for (const auto& check : all_checks())
    if (check->id() == id) return *check;
  throw std::invalid_argument("unknown check '" + id + "'");
}

}  // namespace siv
