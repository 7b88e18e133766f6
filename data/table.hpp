// What a data file holds before selection and scaling: a first axis of points and the rest
// flattened in C order, over the file's own bytes (uint8 images are not widened to doubles until a
// subset is taken).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace siv::data {

enum class Dtype { u8, i8, i16, i32, f32, f64 };

struct Table {
  std::string name;                          // the file, for messages
  std::shared_ptr<const std::string> bytes;  // owns the storage
  std::size_t offset = 0;                    // byte of element 0
  Dtype dtype = Dtype::f64;
  bool big_endian = false;
  bool fortran = false;       // element (i, j...) at i + n (j_1 + d_1 j_2 + ...) rather than C order
  long rows = 0;              // points n
  std::vector<long> dims;     // the axes after the first (empty: one value per point)
  std::vector<long> line;     // CSV: the 1-based line of each row; empty for binary formats

  long cols() const;
  // Value of row i, column j (j in C order over dims). No bounds checks: callers stay in range.
  double at(long i, long j) const;
  // "f.csv:12" for text, "f.npy: row 3 (0-based)" otherwise.
  std::string where(long i) const;
};

std::size_t dtype_size(Dtype t);

// Throws InputError naming the first non-finite element.
void require_finite(const Table& table);

// Binary formats: adopts the payload that follows the header at t.offset, which must hold exactly
// `values` elements of t.dtype (errors name the table and `shape_text`, the header's shape as the
// format writes it); sets rows and dims from shape, then requires finite values.
void adopt_payload(Table& t, std::shared_ptr<const std::string> owned, const std::vector<long>& shape,
                   std::size_t values, const std::string& shape_text);

}  // namespace siv::data
