// End-to-end: field and sample read every data format through one reader, and the same points
// in CSV, NPY and IDX give byte-identical outputs; bad files exit 2 with nothing written.
#include <gtest/gtest.h>

#include <vector>

#include "run_binary.hpp"
#include "tests/data/support.hpp"
#include "theory/random.hpp"

namespace siv {
namespace {

using data::test::idx_bytes;
using data::test::npy_bytes;
using data::test::raw_bytes;
using test::Result;
using test::run_siverify;

// Six 3 x 4 images of random pixels, written in every format.
struct Files {
  test::TempDir dir;
  std::vector<std::string> scaled;  // pixel / 255 (the default scaling of uint8 data)
  std::vector<std::string> raw;     // pixel values as they are (--scale none for uint8)
  std::string points;               // query points for field

  Files() {
    Rng rng(17);
    std::vector<unsigned char> pixels;
    for (int i = 0; i < 72; ++i) pixels.push_back(static_cast<unsigned char>(rng.index(256)));
    std::vector<double> unit, fortran(72), whole;
    Mat unit_m(6, 12), raw_m(6, 12);
    for (int i = 0; i < 72; ++i) {
      unit.push_back(pixels[static_cast<std::size_t>(i)] / 255.0);
      unit_m(i / 12, i % 12) = unit.back();
      raw_m(i / 12, i % 12) = pixels[static_cast<std::size_t>(i)];
    }
    for (int i = 0; i < 6; ++i)  // (6, 3, 4) in Fortran order: (i, r, c) at i + 6 (r + 3 c)
      for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 4; ++c) fortran[static_cast<std::size_t>(i + 6 * (r + 3 * c))] = unit[static_cast<std::size_t>(12 * i + 4 * r + c)];
    const std::string u8 = raw_bytes(pixels);
    scaled = {dir.write("p.csv", test::to_csv(unit_m, "# pixels / 255\n")),
              dir.write("p64.npy", npy_bytes("<f8", false, {6, 12}, raw_bytes(unit))),
              dir.write("pf.npy", npy_bytes("<f8", true, {6, 3, 4}, raw_bytes(fortran))),
              dir.write("p8.npy", npy_bytes("|u1", false, {6, 3, 4}, u8)),
              dir.write("p-images-idx3-ubyte", idx_bytes(0x08, {6, 3, 4}, u8)),
              "fmt:idx:" + dir.write("p.bin", idx_bytes(0x08, {6, 12}, u8))};
    raw = {dir.write("raw.csv", test::to_csv(raw_m)),
           dir.write("raw64.npy", npy_bytes("<f8", false, {6, 12}, raw_bytes(std::vector<double>(pixels.begin(), pixels.end()))))};
    Mat q = Mat::Random(4, 12);
    points = dir.write("q.csv", test::to_csv(q));
  }
};

void expect_identical(const std::vector<std::string>& specs, std::vector<std::string> args,
                      const std::vector<std::string>& extra = {}) {
  args.insert(args.end(), extra.begin(), extra.end());
  std::string first;
  for (const auto& spec : specs) {
    std::vector<std::string> a = args;
    a.insert(a.begin() + 1, {"--data", spec});
    const Result run = run_siverify(a);
    ASSERT_EQ(run.code, 0) << spec << ": " << run.err;
    if (first.empty()) first = run.out;
    else EXPECT_EQ(run.out, first) << spec << " differs from " << specs.front();
  }
  EXPECT_GT(first.size(), 100u);
}

TEST(DataFormats, FieldIsByteIdenticalAcrossFormats) {
  const Files f;
  expect_identical(f.scaled, {"field", "--schedule", "trig", "--t", "0.3", "--points", f.points});
  std::vector<std::string> raw = f.raw;
  raw.push_back(f.scaled[3]);
  raw.push_back(f.scaled[4]);
  expect_identical(raw, {"field", "--schedule", "linear", "--t", "0.7", "--points", f.points,
                         "--scale", "none"});
}

TEST(DataFormats, SampleIsByteIdenticalAcrossFormatsWithSubsets) {
  const Files f;
  expect_identical(f.scaled, {"sample", "--schedule", "bridge:2", "--solver", "euler", "--steps",
                              "30", "--count", "5", "--seed", "9"});
  expect_identical(f.scaled, {"sample", "--schedule", "linear", "--solver", "adaptive", "--count",
                              "3", "--n", "4", "--seed", "2"});
  // Pixels scale by 255 whatever their container; other data by the range of the file.
  expect_identical({f.scaled[3], f.scaled[4], f.scaled[5]},
                   {"sample", "--schedule", "vp", "--solver", "em", "--eps", "0.1", "--count", "3",
                    "--scale", "symmetric"});
}

TEST(DataFormats, SubsetNearestIsTheRowOfTheFile) {
  const Files f;
  const Result all = run_siverify({"sample", "--data", f.scaled[0], "--schedule", "linear",
                                   "--solver", "adaptive", "--count", "8", "--seed", "1"});
  const Result sub = run_siverify({"sample", "--data", f.scaled[0], "--schedule", "linear",
                                   "--solver", "adaptive", "--count", "8", "--seed", "1", "--n", "2"});
  ASSERT_EQ(all.code, 0) << all.err;
  ASSERT_EQ(sub.code, 0) << sub.err;
  const auto table = test::parse_output(sub.out), full = test::parse_output(all.out);
  std::set<std::string> hit;
  for (const auto& row : table.rows) hit.insert(row[12]);
  EXPECT_LE(hit.size(), 2u);
  // Each landing point of the subset run is that row of the file.
  const data::Dataset file = data::load_dataset(f.scaled[0]);
  for (std::size_t i = 0; i < table.rows.size(); ++i) {
    const long k = std::stol(table.rows[i][12]);
    for (std::size_t j = 0; j < 12; ++j)
      EXPECT_NEAR(table.number(i, j), file.rows(k, static_cast<Eigen::Index>(j)), 1e-10);
  }
  EXPECT_EQ(full.rows.size(), 8u);
}

TEST(DataFormats, BadFilesAndOptionsExitTwoWithNothingWritten) {
  const Files f;
  const std::string truncated = f.dir.write("t.npy", npy_bytes("<f8", false, {6, 12}, std::string(50, '\0')));
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--data", truncated}, truncated + ": truncated: the header's shape (6, 12) needs 576 data bytes, the file has 50"},
      {{"--data", f.scaled[4], "--n", "7"}, "--n 7: '" + f.scaled[4] + "' has only 6 points"},
      {{"--data", f.scaled[4], "--n", "0"}, "--n must be >= 1, got 0"},
      {{"--data", f.scaled[4], "--scale", "log"}, "--scale: unknown scaling 'log' (known: auto, unit, symmetric, none)"},
      {{"--data", f.scaled[4], "--class", "1"}, "--class: '" + f.scaled[4] + "' has no labels (named sets and IDX images with a labels file have)"},
      {{"--data", f.scaled[4], "--seed", "3"}, "--seed applies only with --n (it draws the subset)"},
      {{"--data", "fashion-mnist:dev"}, "data set 'fashion-mnist:dev': unknown part 'dev' (known: train, test)"},
      {{"--data", "/dev/zero"}, "/dev/zero:1: contains a NUL byte (offset 0): not a CSV text file"},
  };
  for (const auto& [args, message] : cases) {
    std::vector<std::string> a{"field", "--schedule", "linear", "--t", "0.5", "--points", f.points};
    a.insert(a.end(), args.begin(), args.end());
    const Result run = run_siverify(a);
    EXPECT_EQ(run.code, 2) << message;
    EXPECT_EQ(run.out, "") << message;
    EXPECT_EQ(run.err, "siverify: " + message + "\n");
  }
}

}  // namespace
}  // namespace siv
