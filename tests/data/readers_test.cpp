// NPY, IDX, gzip and the named sets: round trips against bytes written here from the format
// specifications, malformed files, the size guards, selection and scaling.
#include <gtest/gtest.h>
#include <zlib.h>

#include <filesystem>
#include <limits>
#include <set>

#include "data/bytes.hpp"
#include "data/dataset.hpp"
#include "data/idx.hpp"
#include "data/npy.hpp"
#include "support.hpp"

namespace siv::data {
namespace {

using test::error_of;
using test::idx_bytes;
using test::npy_bytes;
using test::raw_bytes;
using test::TempDir;

auto shared(const std::string& s) { return std::make_shared<const std::string>(s); }

Mat npy(const std::string& bytes) { return test::as_dataset(parse_npy(shared(bytes), "a.npy"), "npy").rows; }
Mat idx(const std::string& bytes) { return test::as_dataset(parse_idx(shared(bytes), "a.idx"), "idx").rows; }

std::string gzip(const std::string& data) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// A 3 x 2 x 2 array with distinct values: the points are its rows flattened in C order.
const std::vector<double> kValues{0.5, -1, 2, 3.25, 4, 5, 6, 7, 8, 9, 10, 1e-300};
Mat expected_points() {
  Mat m(3, 4);
  for (int i = 0; i < 12; ++i) m(i / 4, i % 4) = kValues[static_cast<std::size_t>(i)];
  return m;
}
// The same array in Fortran order: element (i, r, c) at i + 3 (r + 2 c).
std::vector<double> fortran_values() {
  std::vector<double> f(12);
  for (int i = 0; i < 3; ++i)
    for (int r = 0; r < 2; ++r)
      for (int c = 0; c < 2; ++c) f[static_cast<std::size_t>(i + 3 * (r + 2 * c))] = kValues[static_cast<std::size_t>(4 * i + 2 * r + c)];
  return f;
}

TEST(NpyRead, Float64COrderAnyShape) {
  EXPECT_EQ(npy(npy_bytes("<f8", false, {3, 2, 2}, raw_bytes(kValues))), expected_points());
  EXPECT_EQ(npy(npy_bytes("<f8", false, {3, 4}, raw_bytes(kValues))), expected_points());
  EXPECT_EQ(npy(npy_bytes("<f8", false, {12}, raw_bytes(kValues))).rows(), 12);  // d = 1
}

TEST(NpyRead, FortranOrderGivesTheSamePoints) {
  EXPECT_EQ(npy(npy_bytes("<f8", true, {3, 2, 2}, raw_bytes(fortran_values()))), expected_points());
}

TEST(NpyRead, BigEndianFloat32AndUint8) {
  std::vector<float> f(kValues.begin(), kValues.end() - 1);
  f.push_back(0.125f);
  Mat want = expected_points();
  want(2, 3) = 0.125;
  EXPECT_EQ(npy(npy_bytes(">f4", false, {3, 4}, raw_bytes(f, true))), want);
  EXPECT_EQ(npy(npy_bytes("<f4", false, {3, 4}, raw_bytes(f))), want);
  const std::vector<unsigned char> pixels{0, 255, 17, 3, 4, 5};
  const auto set = test::as_dataset(parse_npy(shared(npy_bytes("|u1", false, {2, 3}, raw_bytes(pixels))), "p.npy"), "npy",
                                    {.scale = Scale::none});
  EXPECT_EQ(set.rows, (Mat(2, 3) << 0, 255, 17, 3, 4, 5).finished());
}

TEST(NpyRead, VersionTwoHeader) {
  std::string v1 = npy_bytes("<f8", false, {3, 4}, raw_bytes(kValues));
  const std::size_t len = static_cast<unsigned char>(v1[8]) | static_cast<unsigned char>(v1[9]) << 8;
  std::string v2 = std::string("\x93NUMPY\x02\x00", 8) + std::string{static_cast<char>(len & 0xff), static_cast<char>(len >> 8), 0, 0} + v1.substr(10);
  EXPECT_EQ(npy(v2), expected_points());
}

struct Malformed {
  std::string bytes, message;
};

TEST(NpyRead, MalformedFilesNameTheFileAndTheProblem) {
  const std::string good = npy_bytes("<f8", false, {3, 4}, raw_bytes(kValues));
  std::vector<double> with_nan = kValues;
  with_nan[6] = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Malformed> cases{
      {"", "a.npy: not an NPY file (wrong magic: expected \\x93NUMPY)"},
      {"PK\x03\x04 zip", "a.npy: not an NPY file (wrong magic: expected \\x93NUMPY)"},
      {good.substr(0, 9), "a.npy: truncated NPY header"},
      {good.substr(0, 40), "a.npy: truncated NPY header: it declares 118 bytes, 30 follow"},
      {good.substr(0, good.size() - 1),
       "a.npy: truncated: the header's shape (3, 4) needs 96 data bytes, the file has 95"},
      {good + "x", "a.npy: header and size disagree: shape (3, 4) needs 96 data bytes, the file has 97"},
      {npy_bytes("<i8", false, {3, 4}, raw_bytes(kValues)),
       "a.npy: NPY dtype '<i8' is not supported (float32 '<f4', float64 '<f8', uint8 '|u1')"},
      {npy_bytes("<f8", false, {}, raw_bytes(std::vector<double>{1})),
       "a.npy: NPY array is 0-dimensional: the first axis must index points"},
      {npy_bytes("<f8", false, {0, 4}, ""), "a.npy: NPY array of shape (0, 4) holds no values"},
      {npy_bytes("<f8", false, {1 << 20, 1 << 20}, ""),
       "a.npy: NPY array of shape (1048576, 1048576) has more than the limit of 67108864 values"},
      {npy_bytes("<f8", false, {3, 4}, raw_bytes(with_nan)),
       "a.npy: row 1 (0-based): column 3 is nan; every value must be finite"},
      {std::string("\x93NUMPY\x01\x00\x06\x00{'a':}", 16),
       "a.npy: bad NPY header (unknown key 'a' at character 5)"},
      {std::string("\x93NUMPY\x07\x00\x06\x00", 10), "a.npy: NPY format version 7 is not supported (1, 2, 3)"},
  };
  for (const auto& c : cases) EXPECT_EQ(error_of([&] { npy(c.bytes); }), c.message) << testing::PrintToString(c.bytes);
}

TEST(IdxRead, Uint8ImagesAndFloat64) {
  const std::vector<unsigned char> pixels{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const auto table = parse_idx(shared(idx_bytes(0x08, {3, 2, 2}, raw_bytes(pixels))), "i.idx");
  EXPECT_EQ(table.dtype, Dtype::u8);
  const auto raw = test::as_dataset(table, "idx", {.scale = Scale::none});
  EXPECT_EQ(raw.rows, (Mat(3, 4) << 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12).finished());
  // Pixels scale by 255 (unit, the default) or to [-1, 1] (symmetric).
  EXPECT_EQ(test::as_dataset(table, "idx").rows(2, 3), 12.0 / 255);
  EXPECT_EQ(test::as_dataset(table, "idx", {.scale = Scale::symmetric}).rows(0, 0), -253.0 / 255);
  EXPECT_EQ(idx(idx_bytes(0x0E, {3, 4}, raw_bytes(kValues, true))), expected_points());
  const std::vector<std::int16_t> shorts{-300, 2, 7};
  EXPECT_EQ(idx(idx_bytes(0x0B, {3}, raw_bytes(shorts, true))), (Mat(3, 1) << -300, 2, 7).finished());
}

TEST(IdxRead, MalformedFilesNameTheFileAndTheProblem) {
  const std::string good = idx_bytes(0x08, {3, 2, 2}, std::string(12, '\x07'));
  const std::vector<Malformed> cases{
      {"", "a.idx: truncated IDX header (0 bytes)"},
      {"\x01\x02\x08\x03", "a.idx: not an IDX file (wrong magic 01 02 08 03: expected 00 00, a type code 08 09 0b 0c 0d 0e, and the number of axes)"},
      {std::string("\0\0\x07\x01", 4), "a.idx: not an IDX file (wrong magic 00 00 07 01: expected 00 00, a type code 08 09 0b 0c 0d 0e, and the number of axes)"},
      {std::string("\0\0\x08\0", 4), "a.idx: IDX file with 0 axes: the first axis must index points"},
      {good.substr(0, 10), "a.idx: truncated IDX header: 3 axes need 16 bytes"},
      {good.substr(0, good.size() - 2), "a.idx: truncated: the header's shape 3 x 2 x 2 needs 12 data bytes, the file has 10"},
      {good + "zz", "a.idx: header and size disagree: shape 3 x 2 x 2 needs 12 data bytes, the file has 14"},
      {idx_bytes(0x08, {3, 0}, ""), "a.idx: IDX axis 1 has size 0: no values"},
      {idx_bytes(0x0D, {2}, raw_bytes(std::vector<float>{1, std::numeric_limits<float>::infinity()}, true)),
       "a.idx: row 1 (0-based): column 1 is infinite; every value must be finite"},
  };
  for (const auto& c : cases) EXPECT_EQ(error_of([&] { idx(c.bytes); }), c.message) << testing::PrintToString(c.bytes);
}

TEST(Gzip, RoundTripAndDamage) {
  const std::string data = idx_bytes(0x0E, {3, 4}, raw_bytes(kValues, true));
  const std::string z = gzip(data);
  EXPECT_EQ(gunzip(z, "a.gz"), data);
  EXPECT_EQ(gunzip(z + gzip("more"), "a.gz"), data + "more");  // concatenated members
  EXPECT_EQ(error_of([&] { gunzip(z.substr(0, z.size() - 9), "a.gz"); }), "a.gz: truncated gzip data");
  EXPECT_EQ(error_of([&] { gunzip(z + "junk", "a.gz"); }), "a.gz: 4 bytes of garbage after the gzip data");
  std::string flipped = z;
  flipped[12] = static_cast<char>(flipped[12] ^ 0x5a);
  EXPECT_NE(error_of([&] { gunzip(flipped, "a.gz"); }).find("a.gz: "), std::string::npos);
  EXPECT_EQ(error_of([&] { gunzip("plain", "a.gz"); }), "a.gz: not gzip data (wrong magic)");
}

TEST(Gzip, InflationBombIsRefused) {
  // 2 MiB of zeros compress to about 2 KiB; the guard is the same at any limit.
  const std::string bomb = gzip(std::string(std::size_t{2} << 20, '\0'));
  EXPECT_LT(bomb.size(), 4096u);
  EXPECT_EQ(error_of([&] { gunzip(bomb, "b.gz", std::size_t{1} << 20); }),
            "b.gz: inflates to more than the 1 MiB limit of siverify's readers");
}

TEST(DataSpec, FormatByExtensionPrefixOrContentWithLabelsBeside) {
  const TempDir dir;
  const std::string npy_file = npy_bytes("<f8", false, {3, 4}, raw_bytes(kValues));
  EXPECT_EQ(load_dataset(dir.write("a.npy", npy_file)).rows, expected_points());
  EXPECT_EQ(load_dataset(dir.write("a.bin", npy_file)).rows, expected_points());  // by content
  EXPECT_EQ(load_dataset("fmt:npy:" + dir.write("a.dat", npy_file)).rows, expected_points());
  EXPECT_EQ(load_dataset(dir.write("a.npy.gz", gzip(npy_file))).rows, expected_points());
  const std::string images = dir.write("x-images-idx3-ubyte.gz", gzip(idx_bytes(0x08, {3, 2, 2}, std::string(12, '\x33'))));
  dir.write("x-labels-idx1-ubyte.gz", gzip(idx_bytes(0x08, {3}, std::string("\x01\x00\x01", 3))));
  const Dataset set = load_dataset(images, {.label = 1});
  EXPECT_EQ(set.index, (std::vector<long>{0, 2}));
  EXPECT_EQ(set.labels, (std::vector<int>{1, 1}));
  EXPECT_EQ(set.source->height, 2);
  EXPECT_EQ(set.rows(1, 3), 0x33 / 255.0);
  EXPECT_EQ(error_of([&] { load_dataset("fmt:xls:" + images); }),
            "data spec 'fmt:xls:" + images + "': unknown format 'xls' (known: fmt:csv:, fmt:npy:, fmt:idx:)");
  EXPECT_EQ(error_of([&] { load_dataset(dir.write("y.csv", "1,2\n3,4\n"), {.label = 0}); }),
            "--class: '" + dir.path("y.csv") + "' has no labels (named sets and IDX images with a labels file have)");
  EXPECT_EQ(error_of([&] { load_dataset(images, {.label = 7}); }), "--class 7: no point of '" + images + "' has that label");
  dir.write("z-images-idx3-ubyte", idx_bytes(0x08, {3, 1}, "abc"));
  dir.write("z-labels-idx1-ubyte", idx_bytes(0x08, {2}, "ab"));
  EXPECT_EQ(error_of([&] { load_dataset(dir.path("z-images-idx3-ubyte")); }),
            dir.path("z-labels-idx1-ubyte") + ": 2 x 1 labels for 3 points (expected one label per point)");
}

TEST(DataSpec, GuardsRefuseEndlessAndHugeInputsAtOnce) {
  EXPECT_EQ(error_of([] { load_dataset("/dev/zero"); }), "/dev/zero:1: contains a NUL byte (offset 0): not a CSV text file");
  EXPECT_EQ(error_of([] { load_dataset("fmt:npy:/dev/zero"); }), "/dev/zero: not an NPY file (wrong magic: expected \\x93NUMPY)");
  EXPECT_NE(error_of([] { load_dataset("fmt:idx:/dev/zero"); }).find("/dev/zero: not an IDX file (wrong magic 00 00 00 00"), std::string::npos);
  EXPECT_EQ(error_of([] { load_dataset("fmt:csv:/dev/zero.gz"); }).substr(0, 14), "/dev/zero.gz: ");
  const TempDir dir;
  const std::string big = dir.path("big.csv");
  std::filesystem::resize_file(dir.write("big.csv", ""), kMaxBytes + 1);  // sparse
  EXPECT_EQ(error_of([&] { load_dataset(big); }), big + ": 536870913 bytes, larger than the 512 MiB limit of siverify's readers");
  std::string long_line(kMaxLineBytes + 10, '1');
  EXPECT_EQ(error_of([&] { load_dataset(dir.write("long.csv", long_line)); }), dir.path("long.csv") + ":1: line longer than the 16 MiB limit");
}

TEST(Selection, SeededSubsetInFileOrderWithItsHash) {
  const TempDir dir;
  std::string csv;
  for (int i = 0; i < 50; ++i) csv += std::to_string(i) + "," + std::to_string(i * i) + "\n";
  const std::string file = dir.write("p.csv", csv);
  const Dataset a = load_dataset(file, {.n = 10, .seed = 4});
  const Dataset b = load_dataset(file, {.n = 10, .seed = 4});
  const Dataset c = load_dataset(file, {.n = 10, .seed = 5});
  EXPECT_EQ(a.index, b.index);
  EXPECT_EQ(a.indices_hash, b.indices_hash);
  EXPECT_NE(a.index, c.index);
  EXPECT_NE(a.indices_hash, c.indices_hash);
  EXPECT_TRUE(std::is_sorted(a.index.begin(), a.index.end()));
  EXPECT_EQ(std::set<long>(a.index.begin(), a.index.end()).size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(a.rows(i, 0), static_cast<double>(a.index[static_cast<std::size_t>(i)]));
    EXPECT_EQ(a.where(i), file + ":" + std::to_string(a.index[static_cast<std::size_t>(i)] + 1));
  }
  EXPECT_NE(a.selection.find("n=10 seed=4 scale=none indices_fnv1a="), std::string::npos) << a.selection;
  EXPECT_EQ(load_dataset(file).rows.rows(), 50);
  EXPECT_EQ(error_of([&] { load_dataset(file, {.n = 51}); }), "--n 51: '" + file + "' has only 50 points");
  // unit: (v - min) / (max - min) over the whole file.
  EXPECT_EQ(load_dataset(file, {.scale = Scale::unit}).rows(49, 1), 1.0);
  EXPECT_EQ(error_of([&] { load_dataset(dir.write("same.csv", "2\n2\n"), {.scale = Scale::unit}); }),
            "--scale unit: every value of '" + dir.path("same.csv") + "' is the same, so it cannot be scaled");
}

TEST(Selection, DuplicatePointsAreNamed) {
  const TempDir dir;
  const std::string file = dir.write("d.csv", "x,y\n1,2\n3,4\n5,6\n3,4\n");
  EXPECT_NO_THROW(require_distinct(load_dataset(dir.write("e.csv", "1,2\n2,1\n"))));
  EXPECT_EQ(error_of([&] { require_distinct(load_dataset(file)); }),
            file + ":5: the same point as " + file +
                ":3; the checks need distinct training points (another --seed or --n draws another subset)");
}

// Debian's dataset-fashion-mnist, which scripts/run installs.
TEST(NamedSets, FashionMnistTestPartWithClasses) {
  if (!std::filesystem::exists(std::string(kFashionMnistDir) + "/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const Dataset set = load_dataset("fashion-mnist:test", {.n = 25, .label = 3, .seed = 1});
  EXPECT_EQ(set.rows.rows(), 25);
  EXPECT_EQ(set.rows.cols(), 784);
  EXPECT_EQ(set.source->table.rows, 10000);
  EXPECT_EQ(set.source->height, 28);
  EXPECT_EQ(set.labels, std::vector<int>(25, 3));
  EXPECT_GE(set.rows.minCoeff(), 0.0);
  EXPECT_LE(set.rows.maxCoeff(), 1.0);
  EXPECT_GT(set.rows.maxCoeff(), 0.9);
  EXPECT_EQ(error_of([] { load_dataset("fashion-mnist:validation"); }),
            "data set 'fashion-mnist:validation': unknown part 'validation' (known: train, test)");
}

}  // namespace
}  // namespace siv::data
