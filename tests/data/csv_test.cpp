// The CSV reader (data/csv.cpp), tested directly.
#include "data/csv.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "data/dataset.hpp"
#include "support.hpp"

namespace siv::data {
namespace {

using test::TempDir;

Dataset parse(const std::string& text) { return test::as_dataset(parse_csv(text, "f.csv"), "csv"); }

std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(CsvRead, PlainRowsWithLineNumbers) {
  const auto m = parse("1,2\n3,4.5\n-6e-3,7\n");
  ASSERT_EQ(m.rows.rows(), 3);
  ASSERT_EQ(m.rows.cols(), 2);
  EXPECT_EQ(m.rows(1, 1), 4.5);
  EXPECT_EQ(m.rows(2, 0), -6e-3);
  EXPECT_EQ(m.source->table.line, (std::vector<long>{1, 2, 3}));
  EXPECT_EQ(m.name(), "f.csv");
}

TEST(CsvRead, HeaderOfNamesIsSkipped) {
  const auto m = parse("x,y\n1,2\n");
  ASSERT_EQ(m.rows.rows(), 1);
  EXPECT_EQ(m.rows(0, 1), 2);
  EXPECT_EQ(m.where(0), "f.csv:2");
}

TEST(CsvRead, SpacesCrlfBomPlusCommentsAndBlankLines) {
  const auto m = parse(
      "\xEF\xBB\xBF# numpy.savetxt style\r\n  x , y\r\n\r\n 1 ,\t+2 \r\n# note\n\n-0,.5e1\n\n  \n");
  ASSERT_EQ(m.rows.rows(), 2);
  EXPECT_EQ(m.rows(0, 0), 1);
  EXPECT_EQ(m.rows(0, 1), 2);
  EXPECT_TRUE(std::signbit(m.rows(1, 0)));
  EXPECT_EQ(m.rows(1, 1), 5);
  EXPECT_EQ(m.source->table.line, (std::vector<long>{4, 7}));
}

TEST(CsvRead, LastLineWithoutNewline) { EXPECT_EQ(parse("1\n2").rows.rows(), 2); }

TEST(CsvRead, SubnormalsAreKept) { EXPECT_EQ(parse("4e-320\n").rows(0, 0), 4e-320); }

struct BadCase {
  const char* text;
  const char* message;  // the whole message
};

void PrintTo(const BadCase& c, std::ostream* os) {
  *os << testing::PrintToString(std::string(c.text));
}

class CsvReject : public testing::TestWithParam<BadCase> {};

TEST_P(CsvReject, NamesFileLineAndProblem) {
  EXPECT_EQ(error_of(GetParam().text), GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CsvReject,
    testing::Values(BadCase{"", "f.csv: no data rows"},
                    BadCase{"\n  \n# only a comment\n", "f.csv: no data rows"},
                    BadCase{"x,y\n", "f.csv: no data rows (line 1 was read as a header of names)"},
                    BadCase{"1,2\n3\n", "f.csv:2: 1 value, expected 2 as on line 1"},
                    BadCase{"a,b,c\n1,2\n", "f.csv:2: 2 values, expected 3 as on line 1"},
                    BadCase{"1,2\n\n3,4,5\n", "f.csv:3: 3 values, expected 2 as on line 1"},
                    BadCase{"1,2\n3,abc\n", "f.csv:2: column 2: 'abc' is not a number"},
                    BadCase{"x,1\n", "f.csv:1: column 1: 'x' is not a number"},
                    BadCase{"1,2\n3,nan\n", "f.csv:2: column 2: 'nan' is not finite"},
                    BadCase{"inf\n", "f.csv:1: column 1: 'inf' is not finite"},
                    BadCase{"1\n-inf\n", "f.csv:2: column 1: '-inf' is not finite"},
                    BadCase{"nan,inf\n", "f.csv:1: column 1: 'nan' is not finite"},
                    BadCase{"1e999\n", "f.csv:1: column 1: '1e999' is outside the range of double"},
                    BadCase{"1,,2\n", "f.csv:1: column 2: empty value"},
                    BadCase{"1,2,\n", "f.csv:1: column 3: empty value"},
                    BadCase{",x,y\n1,2,3\n", "f.csv:1: column 1: empty value"},
                    BadCase{"1\n1 2\n", "f.csv:2: column 1: '1 2' is not a number"},
                    BadCase{"1\n0x10\n", "f.csv:2: column 1: '0x10' is not a number"},
                    BadCase{"0\n1;2\n", "f.csv:2: column 1: '1;2' is not a number"},
                    BadCase{"1;2\n", "f.csv: no data rows (line 1 was read as a header of names)"},
                    BadCase{"1,2 # trailing comment\n",
                            "f.csv:1: column 2: '2 # trailing comment' is not a number"}));

TEST(CsvRead, MissingFileAndDirectoryNameThePath) {
  const TempDir dir;
  try {
    load_dataset(dir.path("absent.csv"));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()),
              dir.path("absent.csv") + ": cannot open: No such file or directory");
  }
  try {
    load_dataset(dir.path(""));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("is a directory"), std::string::npos) << e.what();
  }
}

TEST(CsvRead, ReadsAFile) {
  const TempDir dir;
  const auto m = load_dataset(dir.write("y.csv", "a,b\n1,2\n"));
  EXPECT_EQ(m.name(), dir.path("y.csv"));
  EXPECT_EQ(m.rows, (Mat(1, 2) << 1, 2).finished());
}

TEST(CsvRead, RequireColumnsNamesTheFirstDataLine) {
  const auto m = parse("# c\nx,y,z\n1,2,3\n");
  EXPECT_NO_THROW(require_columns(m, 3, "unused"));
  try {
    require_columns(m, 2, "the training set 'y.csv' has d = 2");
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "f.csv:3: 3 values per row, but the training set 'y.csv' has d = 2");
  }
}

}  // namespace
}  // namespace siv::data
