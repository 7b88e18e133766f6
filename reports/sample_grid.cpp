#include "reports/sample_grid.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "reports/png.hpp"

namespace siv {

std::string sample_grid_png(const std::vector<SampleImages>& images, int height, int width) {
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  std::size_t columns = 0;
  for (const auto& img : images) {
    columns = std::max(columns, img.samples.size());
    for (const Vec& v : img.nearest) {
      lo = std::min(lo, v.minCoeff());
      hi = std::max(hi, v.maxCoeff());
    }
  }
  if (!(hi > lo)) hi = lo + 1;
  const int pad = 2, cell_w = width + pad, cell_h = height + pad;
  const int grid_w = static_cast<int>(columns) * cell_w + pad;
  const int grid_h = static_cast<int>(2 * images.size()) * cell_h + pad;
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(grid_w) * grid_h, 128);
  auto draw = [&](const Vec& v, int row, int col) {
    for (int r = 0; r < height; ++r)
      for (int c = 0; c < width; ++c) {
        const double x = std::clamp((v[r * width + c] - lo) / (hi - lo), 0.0, 1.0);
        pixels[static_cast<std::size_t>(pad + row * cell_h + r) * grid_w + pad + col * cell_w + c] =
            static_cast<std::uint8_t>(std::lround(255 * x));
      }
  };
  for (std::size_t k = 0; k < images.size(); ++k)
    for (std::size_t i = 0; i < images[k].samples.size(); ++i) {
      draw(images[k].samples[i], static_cast<int>(2 * k), static_cast<int>(i));
      draw(images[k].nearest[i], static_cast<int>(2 * k + 1), static_cast<int>(i));
    }
  return png_gray(grid_w, grid_h, pixels);
}

}  // namespace siv
