// libFuzzer entry for the CSV reader (tests/fuzz/readers_fuzz.hpp).
#include "readers_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return siv::fuzz::fuzz_csv(data, size);
}
