#include "data/table.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "data/input_error.hpp"

namespace siv::data {
namespace {

template <typename T>
T load(const char* p, bool big_endian) {
  using U = std::conditional_t<sizeof(T) == 1, std::uint8_t,
                               std::conditional_t<sizeof(T) == 2, std::uint16_t,
                                                  std::conditional_t<sizeof(T) == 4, std::uint32_t,
                                                                     std::uint64_t>>>;
  U u;
  std::memcpy(&u, p, sizeof u);
  if (big_endian != (std::endian::native == std::endian::big) && sizeof(T) > 1) {
    U r = 0;
    for (std::size_t b = 0; b < sizeof(T); ++b) r = static_cast<U>((r << 8) | ((u >> (8 * b)) & 0xff));
    u = r;
  }
  return std::bit_cast<T>(u);
}

}  // namespace

std::size_t dtype_size(Dtype t) {
  switch (t) {
    case Dtype::u8:
    case Dtype::i8: return 1;
    case Dtype::i16: return 2;
    case Dtype::i32:
    case Dtype::f32: return 4;
    case Dtype::f64: return 8;
  }
  return 1;
}

long Table::cols() const {
  long d = 1;
  for (long k : dims) d *= k;
  return d;
}

double Table::at(long i, long j) const {
  std::size_t element;
  if (!fortran) {
    element = static_cast<std::size_t>(i) * static_cast<std::size_t>(cols()) + static_cast<std::size_t>(j);
  } else {
    // Unravel j in C order over dims, then ravel (i, j_1, ...) in Fortran order.
    std::size_t offset = 0, stride = static_cast<std::size_t>(rows);
    std::vector<long> index(dims.size());
    for (std::size_t k = dims.size(); k-- > 0;) {
      index[k] = j % dims[k];
      j /= dims[k];
    }
    for (std::size_t k = 0; k < dims.size(); ++k) {
      offset += static_cast<std::size_t>(index[k]) * stride;
      stride *= static_cast<std::size_t>(dims[k]);
    }
    element = static_cast<std::size_t>(i) + offset;
  }
  const char* p = bytes->data() + offset + element * dtype_size(dtype);
  switch (dtype) {
    case Dtype::u8: return load<std::uint8_t>(p, big_endian);
    case Dtype::i8: return load<std::int8_t>(p, big_endian);
    case Dtype::i16: return load<std::int16_t>(p, big_endian);
    case Dtype::i32: return load<std::int32_t>(p, big_endian);
    case Dtype::f32: return load<float>(p, big_endian);
    case Dtype::f64: return load<double>(p, big_endian);
  }
  return 0;
}

std::string Table::where(long i) const {
  if (!line.empty()) return name + ":" + std::to_string(line[static_cast<std::size_t>(i)]);
  return name + ": row " + std::to_string(i) + " (0-based)";
}

void require_finite(const Table& table) {
  if (table.dtype != Dtype::f32 && table.dtype != Dtype::f64) return;
  const long d = table.cols();
  for (long i = 0; i < table.rows; ++i)
    for (long j = 0; j < d; ++j)
      if (const double v = table.at(i, j); !std::isfinite(v))
        throw InputError(table.where(i) + ": column " + std::to_string(j + 1) + " is " +
                         (std::isnan(v) ? "nan" : "infinite") + "; every value must be finite");
}

void adopt_payload(Table& t, std::shared_ptr<const std::string> owned, const std::vector<long>& shape,
                   std::size_t values, const std::string& shape_text) {
  const std::size_t need = values * dtype_size(t.dtype), have = owned->size() - t.offset;
  if (have != need)
    throw InputError(t.name + ": " +
                     (have < need ? "truncated: the header's shape " : "header and size disagree: shape ") +
                     shape_text + " needs " + std::to_string(need) + " data bytes, the file has " +
                     std::to_string(have));
  t.rows = shape[0];
  t.dims.assign(shape.begin() + 1, shape.end());
  t.bytes = std::move(owned);
  require_finite(t);
}

}  // namespace siv::data
