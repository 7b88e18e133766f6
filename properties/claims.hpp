// Each claim file contributes its checks; registry.cpp lists the claim files.
#pragma once

#include <memory>
#include <vector>

#include "properties/check.hpp"

namespace siv {

std::vector<std::unique_ptr<Check>> c1_checks();
std::vector<std::unique_ptr<Check>> c2_checks();
std::vector<std::unique_ptr<Check>> c3_checks();
std::vector<std::unique_ptr<Check>> c4_checks();
std::vector<std::unique_ptr<Check>> c5_checks();
std::vector<std::unique_ptr<Check>> c6_checks();
std::vector<std::unique_ptr<Check>> c7_checks();

// Every check of every claim, in claim order.
const std::vector<std::unique_ptr<Check>>& all_checks();
// Throws std::invalid_argument for an unknown check id.
const Check& find_check(const std::string& id);

}  // namespace siv
