// Image grids of generated samples beside their nearest training images (verify --data's
// data.md and verify --model's diagnosis.md).
#pragma once

#include <string>
#include <vector>

#include "properties/data_study.hpp"

namespace siv {

// One pair of rows per entry: its samples above their nearest training images, each a
// height x width image stored row-major. Gray levels map the training images' value range to
// 0..255 (samples outside it are clipped). Returns the PNG file's bytes.
std::string sample_grid_png(const std::vector<SampleImages>& images, int height, int width);

}  // namespace siv
