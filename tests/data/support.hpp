// Helpers of the data reader tests: a table parsed from bytes as a data set, files on disk, and
// NPY / IDX bytes written here from the format specifications (no numpy needed).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "data/dataset.hpp"
#include "tests/app/run_binary.hpp"

namespace siv::data::test {

using siv::test::TempDir;

inline Dataset as_dataset(Table table, const std::string& format, const Selection& s = {}) {
  auto source = std::make_shared<Source>();
  source->spec = table.name;
  source->format = format;
  source->table = std::move(table);
  return take(source, s);
}

inline std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

// An NPY file (format version 1.0): magic, version, little-endian header length, a dict literal
// padded with spaces to a multiple of 64 bytes and ended by '\n', then the raw data.
inline std::string npy_bytes(const std::string& descr, bool fortran, const std::vector<long>& shape,
                             const std::string& data) {
  std::string dims;
  for (long v : shape) dims += std::to_string(v) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);
  else if (shape.size() == 1) dims.resize(dims.size() - 1);
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
                       ", 'shape': (" + dims + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + data;
}

template <typename T>
std::string raw_bytes(const std::vector<T>& values, bool big_endian = false) {
  std::string out;
  for (T v : values) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    if (big_endian) std::reverse(b, b + sizeof(T));  // the tests run on little-endian machines
    out.append(b, sizeof(T));
  }
  return out;
}

// An IDX file: 00 00 type ndim, big-endian uint32 sizes, big-endian data.
inline std::string idx_bytes(unsigned char type, const std::vector<std::uint32_t>& shape,
                             const std::string& data) {
  std::string out{'\0', '\0', static_cast<char>(type), static_cast<char>(shape.size())};
  for (std::uint32_t v : shape)
    for (int b = 3; b >= 0; --b) out += static_cast<char>((v >> (8 * b)) & 0xff);
  return out + data;
}

}  // namespace siv::data::test
