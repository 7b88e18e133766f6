// A minimal PNG writer (8-bit grayscale, no interlace): zlib's compress and crc32, per the PNG
// specification (ISO/IEC 15948). For image grids of data sets; no math here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace siv {

// pixels: height rows of width bytes. Returns the PNG file's bytes.
std::string png_gray(int width, int height, const std::vector<std::uint8_t>& pixels);

}  // namespace siv
