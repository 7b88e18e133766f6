// One reader for every command: a data spec names a file or a named data set; a selection takes
// a seeded subset, a class and a scaling; the result carries where each row came from and a
// one-line record of the selection (indices hash) for reports.
//
// Specs:  PATH                  format by extension (.csv, .npy, .idx / *-ubyte, each optionally
//                               .gz), else by content (gzip, NPY or IDX magic), else CSV
//         fmt:csv|npy|idx:PATH  format given
//         fashion-mnist[:train|test]  Debian's dataset-fashion-mnist (60000 / 10000 28x28 images
//                               with labels), under /usr/share/datasets/fashion-mnist
//         "-"                   CSV on standard input
// An IDX images file "...images-idx3-ubyte[.gz]" takes its labels from the sibling
// "...labels-idx1-ubyte[.gz]" when that exists.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "data/input_error.hpp"
#include "data/table.hpp"
#include "theory/oracle.hpp"

namespace siv::data {

enum class Scale {
  automatic,  // unit for uint8 pixels, none otherwise
  unit,       // uint8: v / 255; other data: (v - min) / (max - min) over the whole file
  symmetric,  // 2 unit - 1: [-1, 1]
  none,
};
Scale parse_scale(const std::string& text);  // InputError naming --scale
std::string to_string(Scale s);

struct Selection {
  long n = 0;       // a seeded random subset of this size; 0: every point
  int label = -1;   // only points of this class; -1: every class
  Scale scale = Scale::automatic;
  std::uint64_t seed = 0;
};

// An opened spec: its table, labels and image shape. Opening is cached per spec for the process
// (verify takes many subsets of one file).
struct Source {
  std::string spec;
  std::string format;          // csv | npy | idx (named sets are idx)
  Table table;
  std::vector<int> labels;     // one per row, empty when the format has none
  int height = 0, width = 0;   // image shape when rows are 2-D images
  double min = 0, max = 0;     // over every value (for --scale unit on non-pixel data)
  bool pixels() const { return table.dtype == Dtype::u8; }
};

std::shared_ptr<const Source> open_source(const std::string& spec);

struct Dataset {
  std::shared_ptr<const Source> source;
  Mat rows;                    // n x d, row i is point i
  std::vector<long> index;     // row i is row index[i] of the source (0-based)
  std::vector<int> labels;     // per row, empty when the source has none
  Scale scale = Scale::none;   // as applied (automatic resolved)
  std::uint64_t indices_hash = 0;  // FNV-1a of the 64-bit little-endian indices
  std::string selection;       // one line: source, format, points, class, n, seed, scale, hash

  const std::string& name() const { return source->spec; }
  std::string where(Eigen::Index i) const;  // "f.csv:12", "f.npy: row 3 (0-based)"
};

Dataset take(const std::shared_ptr<const Source>& source, const Selection& selection);
inline Dataset load_dataset(const std::string& spec, const Selection& selection = {}) {
  return take(open_source(spec), selection);
}

// Throws InputError at the first row unless the set has d columns; `reason` says where d comes
// from, e.g. "the training set 'data.csv' has d = 2".
void require_columns(const Dataset& set, Eigen::Index d, std::string_view reason);

// Throws InputError naming two equal rows: the checks need distinct training points. The second
// form checks the rows a selection could draw (its class), without converting them.
void require_distinct(const Dataset& set);
void require_distinct(const Source& source, int label = -1);

// Where the named sets live.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

}  // namespace siv::data
