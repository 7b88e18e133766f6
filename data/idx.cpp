#include "data/idx.hpp"

#include <cstdio>

#include "data/bytes.hpp"
#include "data/input_error.hpp"

namespace siv::data {
namespace {

[[noreturn]] void fail(const std::string& name, const std::string& what) {
  throw InputError(name + ": " + what);
}

bool type_of(unsigned char code, Dtype& type) {
  switch (code) {
    case 0x08: type = Dtype::u8; return true;
    case 0x09: type = Dtype::i8; return true;
    case 0x0B: type = Dtype::i16; return true;
    case 0x0C: type = Dtype::i32; return true;
    case 0x0D: type = Dtype::f32; return true;
    case 0x0E: type = Dtype::f64; return true;
  }
  return false;
}

}  // namespace

bool looks_like_idx(std::string_view b) {
  Dtype t;
  return b.size() >= 4 && b[0] == 0 && b[1] == 0 && type_of(static_cast<unsigned char>(b[2]), t) &&
         b[3] >= 1 && b[3] <= 8;
}

Table parse_idx(std::shared_ptr<const std::string> owned, const std::string& name) {
  const std::string_view b = *owned;
  if (b.size() < 4) fail(name, "truncated IDX header (" + std::to_string(b.size()) + " bytes)");
  Table t;
  t.name = name;
  t.big_endian = true;
  if (b[0] != 0 || b[1] != 0 || !type_of(static_cast<unsigned char>(b[2]), t.dtype)) {
    char got[32];
    std::snprintf(got, sizeof got, "%02x %02x %02x %02x", static_cast<unsigned char>(b[0]),
                  static_cast<unsigned char>(b[1]), static_cast<unsigned char>(b[2]),
                  static_cast<unsigned char>(b[3]));
    fail(name, std::string("not an IDX file (wrong magic ") + got +
                   ": expected 00 00, a type code 08 09 0b 0c 0d 0e, and the number of axes)");
  }
  const int ndim = static_cast<unsigned char>(b[3]);
  if (ndim < 1) fail(name, "IDX file with 0 axes: the first axis must index points");
  if (b.size() < 4 + 4 * static_cast<std::size_t>(ndim))
    fail(name, "truncated IDX header: " + std::to_string(ndim) + " axes need " +
                   std::to_string(4 + 4 * ndim) + " bytes");
  std::vector<long> shape;
  std::size_t count = 1;
  for (int k = 0; k < ndim; ++k) {
    std::size_t v = 0;
    for (int j = 0; j < 4; ++j) v = v << 8 | static_cast<unsigned char>(b[4 + 4 * k + j]);
    if (v == 0) fail(name, "IDX axis " + std::to_string(k) + " has size 0: no values");
    if (count > kMaxValues / v)
      fail(name, "IDX array has more than the limit of " + std::to_string(kMaxValues) + " values");
    count *= v;
    shape.push_back(static_cast<long>(v));
  }
  t.offset = 4 + 4 * static_cast<std::size_t>(ndim);
  std::string dims;
  for (long v : shape) dims += (dims.empty() ? "" : " x ") + std::to_string(v);
  adopt_payload(t, std::move(owned), shape, count, dims);
  return t;
}

}  // namespace siv::data
