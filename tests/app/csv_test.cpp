// The CSV writer of the command line (app/csv.cpp), tested directly and against the reader.
#include "app/csv.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <sstream>

#include "data/csv.hpp"
#include "data/dataset.hpp"

namespace siv::app {
namespace {

Mat parse(const std::string& text) {
  auto source = std::make_shared<data::Source>();
  source->table = data::parse_csv(text, "f.csv");
  return data::take(source, {}).rows;
}

TEST(CsvWrite, HeaderRowsAndSeventeenDigits) {
  CsvWriter out({"a", "b", "c"});
  out.number(0.1).integer(-3).text("settled");
  out.end_row();
  out.numbers((Vec(3) << 1, -0.0, std::numeric_limits<double>::infinity()).finished());
  out.end_row();
  EXPECT_EQ(out.str(), "a,b,c\n0.10000000000000001,-3,settled\n1,-0,inf\n");
  EXPECT_EQ(numbered("z", 3), (std::vector<std::string>{"z1", "z2", "z3"}));
  EXPECT_EQ(format_number(1.0 / 3.0), "0.33333333333333331");
}

TEST(CsvWrite, ExtremeValuesRoundTrip) {
  const Vec v = (Vec(7) << DBL_MIN, std::numeric_limits<double>::denorm_min(), DBL_MAX, -DBL_MAX,
                 -0.0, 0.1, 1e-300)
                    .finished();
  CsvWriter out(numbered("v", v.size()));
  out.numbers(v);
  out.end_row();
  const Mat m = parse(out.str());
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    EXPECT_EQ(m(0, i), v[i]);
    EXPECT_EQ(std::signbit(m(0, i)), std::signbit(v[i]));
  }
}

RC_GTEST_PROP(CsvRoundTrip, WriterOutputReadsBackToTheSameDoubles, ()) {
  const int rows = *rc::gen::inRange(1, 20);
  const int cols = *rc::gen::inRange(1, 8);
  const auto values = *rc::gen::container<std::vector<double>>(
      static_cast<std::size_t>(rows * cols),
      rc::gen::suchThat(rc::gen::arbitrary<double>(), [](double v) { return std::isfinite(v); }));
  CsvWriter out(numbered("x", cols));
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < cols; ++j) out.number(values[static_cast<std::size_t>(i * cols + j)]);
    out.end_row();
  }
  const Mat m = parse(out.str());
  RC_ASSERT(m.rows() == rows);
  RC_ASSERT(m.cols() == cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j)
      RC_ASSERT(m(i, j) == values[static_cast<std::size_t>(i * cols + j)]);
}

}  // namespace
}  // namespace siv::app
