// NPY input (numpy's .npy format, versions 1-3): float32, float64 or uint8, either byte order,
// C or Fortran order, any shape with at least one axis; the first axis indexes points and the
// rest is flattened in C order. Header, dtype and file size are checked against each other.
#pragma once

#include <string>
#include <string_view>

#include "data/table.hpp"

namespace siv::data {

inline constexpr std::string_view kNpyMagic{"\x93NUMPY", 6};

// Throws InputError "<name>: <what is wrong>". The table refers to `bytes`, which it shares.
Table parse_npy(std::shared_ptr<const std::string> bytes, const std::string& name);

}  // namespace siv::data
