// IDX input (the MNIST format, http://yann.lecun.com/exdb/mnist/): magic 00 00 <type> <ndim>,
// ndim big-endian uint32 sizes, then the values big-endian in C order. Types uint8, int8, int16,
// int32, float32, float64. The first axis indexes points and the rest is flattened.
#pragma once

#include <memory>
#include <string>

#include "data/table.hpp"

namespace siv::data {

// Throws InputError "<name>: <what is wrong>". The table shares `bytes`.
Table parse_idx(std::shared_ptr<const std::string> bytes, const std::string& name);

// Starts like an IDX file (two zero bytes, a known type code, 1 <= ndim <= 8).
bool looks_like_idx(std::string_view bytes);

}  // namespace siv::data
