#include "reports/png.hpp"

#include <zlib.h>

#include <stdexcept>

namespace siv {
namespace {

void put32(std::string& out, std::uint32_t v) {
  for (int b = 3; b >= 0; --b) out += static_cast<char>((v >> (8 * b)) & 0xff);
}

void chunk(std::string& out, const char* type, const std::string& data) {
  put32(out, static_cast<std::uint32_t>(data.size()));
  const std::string body = std::string(type, 4) + data;
  out += body;
  put32(out, static_cast<std::uint32_t>(
                 crc32(0, reinterpret_cast<const Bytef*>(body.data()), static_cast<uInt>(body.size()))));
}

}  // namespace

std::string png_gray(int width, int height, const std::vector<std::uint8_t>& pixels) {
  if (width < 1 || height < 1 || pixels.size() != static_cast<std::size_t>(width) * height)
    throw std::invalid_argument("png_gray: pixels must be width x height");
  std::string raw;  // each scanline starts with filter type 0 (none)
  for (int r = 0; r < height; ++r) {
    raw += '\0';
    raw.append(reinterpret_cast<const char*>(pixels.data()) + static_cast<std::size_t>(r) * width,
               static_cast<std::size_t>(width));
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string deflated(size, '\0');
  if (compress(reinterpret_cast<Bytef*>(deflated.data()), &size,
               reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size())) != Z_OK)
    throw std::runtime_error("png_gray: zlib compress failed");
  deflated.resize(size);
  std::string out("\x89PNG\r\n\x1a\n", 8);
  std::string header;
  put32(header, static_cast<std::uint32_t>(width));
  put32(header, static_cast<std::uint32_t>(height));
  header += std::string("\x08\x00\x00\x00\x00", 5);  // 8-bit grayscale, deflate, filter 0, no interlace
  chunk(out, "IHDR", header);
  chunk(out, "IDAT", deflated);
  chunk(out, "IEND", "");
  return out;
}

}  // namespace siv
