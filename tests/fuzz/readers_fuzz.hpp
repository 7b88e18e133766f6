// One fuzz entry per reader: parse the bytes; bad input must end in InputError, anything else
// (another exception, a crash, a sanitizer report) is a bug. A parsed table is read whole, so an
// element beyond its buffer shows under AddressSanitizer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "data/csv.hpp"
#include "data/idx.hpp"
#include "data/input_error.hpp"
#include "data/npy.hpp"
#include "data/table.hpp"

namespace siv::fuzz {

template <class Parse>
int run_reader(const std::uint8_t* data, std::size_t size, Parse&& parse) {
  auto bytes = std::make_shared<const std::string>(reinterpret_cast<const char*>(data), size);
  try {
    data::require_finite(parse(bytes));  // reads every element
  } catch (const InputError&) {
  }
  return 0;
}

inline int fuzz_csv(const std::uint8_t* data, std::size_t size) {
  return run_reader(data, size, [](const auto& bytes) { return data::parse_csv(*bytes, "fuzz.csv"); });
}
inline int fuzz_npy(const std::uint8_t* data, std::size_t size) {
  return run_reader(data, size, [](const auto& bytes) { return data::parse_npy(bytes, "fuzz.npy"); });
}
inline int fuzz_idx(const std::uint8_t* data, std::size_t size) {
  return run_reader(data, size, [](const auto& bytes) { return data::parse_idx(bytes, "fuzz.idx"); });
}

}  // namespace siv::fuzz
