// The check registry. Each built-in claim file contributes its checks and registry.cpp lists the
// claim files; external projects add their own with register_check (or a static CheckRegistrar)
// before running them, e.g. through siv::run_cli (app/cli.hpp).
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
std::vector<std::unique_ptr<Check>> c8_checks();
std::vector<std::unique_ptr<Check>> c9_checks();

// Adds checks after the built-in ones, in registration order. Registration is not thread-safe:
// register before any check runs. A check whose id is already taken throws std::invalid_argument
// (at registration, or at the first all_checks() for registrations made before it).
void register_check(std::unique_ptr<Check> check);
void register_checks(std::vector<std::unique_ptr<Check>> checks);

// Registers checks during static initialisation: `static const siv::CheckRegistrar r{my_checks};`
// at namespace scope of a source file linked into the program (an object file of the executable:
// the linker drops unreferenced members of a static library, registrar included).
struct CheckRegistrar {
  explicit CheckRegistrar(std::vector<std::unique_ptr<Check>> (*make)());
};

// Every built-in check in claim order, then the registered ones.
const std::vector<std::unique_ptr<Check>>& all_checks();
// Throws std::invalid_argument for an unknown check id.
const Check& find_check(const std::string& id);

}  // namespace siv
