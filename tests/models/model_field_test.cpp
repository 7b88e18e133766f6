// ModelField (models/model_field.hpp) on TorchScript modules built here without Python: the exact
// oracle (A ~ 0, every path memorizes, C4's bound holds), the oracle plus the singular error
// c v sigma'/sigma (endpoints move by exactly -c v, C7's lower bound holds), the conversions of
// denoiser, noise and score models and of the data-at-1 convention, and broken models.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "models/model_field.hpp"
#include "modules.hpp"
#include "properties/error_cases.hpp"
#include "properties/training_set.hpp"
#include "solvers/start.hpp"

namespace siv {
namespace {

Mat small_set() { return build_training_set({5, 2, 1.0, 7}); }

ModelField load(const std::string& bytes, const OracleField& oracle,
                ModelOutput output = ModelOutput::velocity, ModelTime time = ModelTime::data0) {
  return ModelField(ModelSpec{"test.pt", output, time, bytes}, oracle);
}

// Largest |b^ - b*| / (1 + |b*|) over points near the data at several times.
double worst_relative_error(const ModelField& f, const OracleField& oracle) {
  Rng rng(3);
  double worst = 0;
  Vec bhat(oracle.dim()), bstar(oracle.dim());
  for (const double t : {1e-3, 0.05, 0.3, 0.7, 0.99}) {
    for (int i = 0; i < 8; ++i) {
      const Vec x = oracle.schedule().alpha(t) * oracle.points().col(i % oracle.size()) +
                    oracle.schedule().sigma(t) * rng.normal_vector(oracle.dim());
      f.velocity(t, x, bhat);
      oracle.velocity(t, x, bstar);
      worst = std::max(worst, (bhat - bstar).norm() / (1 + bstar.norm()));
    }
  }
  return worst;
}

void ExactOracleModuleHasNoErrorAndMemorizes() {
  const Mat data = small_set();
  const OracleField oracle(data, make_schedule("linear"));
  const ModelField f = load(test::module_bytes(test::linear_oracle_velocity(), data), oracle);
  EXPECT_EQ(f.dtype(), "float64");
  EXPECT_TRUE(f.has_divergence());
  EXPECT_LT(worst_relative_error(f, oracle), 1e-12);
  EXPECT_NEAR(f.error_divergence(0.3, data.row(0).transpose() * 0.7), 0.0, 1e-8);
  for (int i = 0; i < 4; ++i) {
    Rng rng(11, i);
    const Start start = draw_start(oracle, rng);
    const ErrorPath p = integrate_error_path(f, start.z, kErrorPathEnd, kErrorPathTolerance);
    ASSERT_EQ(p.ending, Ending::reached_end);
    EXPECT_LT(p.accumulated, 1e-9);                                       // A ~ 0
    EXPECT_LT(p.dist, 1e-6);                                              // memorized
    EXPECT_LE(p.dist, p.accumulated + p.remainder + p.solver_error);      // C4.bound
  }
}

void SingularErrorMovesEndpointsByMinusCV() {
  const Mat data = small_set();
  const OracleField oracle(data, make_schedule("linear"));
  const double c = 0.2;
  const Vec v = Vec::Unit(2, 0) * 0.6 + Vec::Unit(2, 1) * 0.8;
  const Mat cv = (c * v).transpose();
  // e = c v sigma'/sigma = c v / t on linear.
  const ModelField f = load(test::module_bytes(test::linear_oracle_velocity(" + self.cv / s"), data,
                                               {{"cv", cv}}),
                            oracle);
  for (int i = 0; i < 4; ++i) {
    Rng rng(12, i);
    const Start start = draw_start(oracle, rng);
    const ErrorPath p = integrate_error_path(f, start.z, kErrorPathEnd, kErrorPathTolerance);
    ASSERT_EQ(p.ending, Ending::reached_end);
    const Vec moved = p.z - oracle.points().col(p.nearest);
    // The exact path identity: Z - y_k = shift + rho_k, |rho_k| <= remainder; shift -> -c v.
    EXPECT_LE((moved + c * v).norm(), p.remainder + p.solver_error + 1e-6);
    EXPECT_NEAR(p.accumulated, c, 1e-6);
    // C7: dist >= ratio A - remainder with the no-cancellation ratio |shift| / A ~ 1.
    const double ratio = p.shift.norm() / p.accumulated;
    EXPECT_GT(ratio, 0.99);
    EXPECT_GE(p.dist, ratio * p.accumulated - p.remainder - p.solver_error);
  }
}

void DenoiserInDataAtOneConvention() {
  const Mat data = small_set();
  const OracleField oracle(data, make_schedule("linear"));
  // The model's time runs the other way (data at 1); the module converts it back to compute m.
  const std::string source =
      test::forward(test::linear_coefficients() + test::posterior_mean() + "    return m\n", true);
  const ModelField f = load(test::module_bytes(source, data), oracle, ModelOutput::denoiser,
                            ModelTime::data1);
  EXPECT_LT(worst_relative_error(f, oracle), 1e-11);
  // Read in the wrong convention the same module is far off.
  const ModelField wrong = load(test::module_bytes(source, data), oracle, ModelOutput::denoiser);
  EXPECT_GT(worst_relative_error(wrong, oracle), 0.1);
}

void VelocityInDataAtOneConventionFlipsSign() {
  const Mat data = small_set();
  const OracleField oracle(data, make_schedule("linear"));
  // d x / d t' = -b*(1 - t', x) in the model's time t' = 1 - t.
  const std::string source = test::forward(
      test::linear_coefficients() + test::posterior_mean() + "    return m - (x - a * m) / s\n", true);
  const ModelField f = load(test::module_bytes(source, data), oracle, ModelOutput::velocity,
                            ModelTime::data1);
  EXPECT_LT(worst_relative_error(f, oracle), 1e-12);
}

void NoiseAndScoreModelsWhereAlphaStaysPositive() {
  const Mat data = small_set();
  const OracleField oracle(data, make_schedule("vp:0.1:20"));
  const std::string mean = test::vp_coefficients() + test::posterior_mean();
  const ModelField noise = load(
      test::module_bytes(test::forward(mean + "    return (x - a * m) / s\n"), data), oracle,
      ModelOutput::noise);
  EXPECT_LT(worst_relative_error(noise, oracle), 1e-9);
  const ModelField score = load(
      test::module_bytes(test::forward(mean + "    return -(x - a * m) / (s * s)\n"), data), oracle,
      ModelOutput::score);
  EXPECT_LT(worst_relative_error(score, oracle), 1e-9);
  EXPECT_EQ(singular_conversion(ModelOutput::noise, oracle.schedule()), "");
}

void SingularConversionsAreRefusedNotDivided() {
  const Mat data = small_set();
  const OracleField oracle(data, make_schedule("linear"));
  EXPECT_NE(singular_conversion(ModelOutput::noise, oracle.schedule()), "");
  EXPECT_NE(singular_conversion(ModelOutput::score, oracle.schedule()), "");
  EXPECT_EQ(singular_conversion(ModelOutput::denoiser, oracle.schedule()), "");
  EXPECT_EQ(singular_conversion(ModelOutput::velocity, oracle.schedule()), "");
  const std::string source = test::forward(test::linear_coefficients() + test::posterior_mean() +
                                           "    return (x - a * m) / s\n");
  const ModelField noise = load(test::module_bytes(source, data), oracle, ModelOutput::noise);
  Vec b(2);
  EXPECT_THROW(noise.velocity(1.0, Vec::Zero(2), b), ModelError);
  noise.velocity(0.5, Vec::Zero(2), b);  // regular where alpha > 0
  EXPECT_TRUE(b.allFinite());
}

void DivergenceByAutogradOfALinearError() {
  const Mat data = small_set();
  const OracleField oracle(data, make_schedule("linear"));
  // e = 0.5 x: div e = 0.5 d.
  const ModelField f = load(test::module_bytes(test::linear_oracle_velocity(" + 0.5 * x"), data), oracle);
  EXPECT_NEAR(f.error_divergence(0.4, Vec::Constant(2, 0.3)), 1.0, 1e-9);
}

void Float32ModelStatesItsPrecisionFloor() {
  const Mat data = small_set();
  const OracleField oracle(data, make_schedule("linear"));
  const ModelField f = load(test::module_bytes(test::linear_oracle_velocity(), data, {}, true), oracle);
  EXPECT_EQ(f.dtype(), "float32");
  EXPECT_EQ(f.unit_roundoff(), std::ldexp(1.0, -24));
  EXPECT_NEAR(f.precision_floor(), 10 * std::ldexp(1.0, -24) * data.rowwise().norm().maxCoeff(), 1e-20);
  // Float32 rounding of x is a singular-type error of size ~u |x| sigma'/sigma: endpoints land
  // within a small multiple of the floor, not at double precision.
  Rng rng(13);
  const Start start = draw_start(oracle, rng);
  const ErrorPath p = integrate_error_path(f, start.z, kErrorPathEnd, kErrorPathTolerance,
                                           false, /*sigma_weighted=*/true);
  ASSERT_EQ(p.ending, Ending::reached_end);
  EXPECT_LT(p.steps, 5000);
  EXPECT_LT(p.dist, 100 * f.precision_floor());
}

// Each broken module gives one ModelError whose message says what came back.
void expect_broken(const std::string& source, const std::string& message, bool float32 = false) {
  const Mat data = small_set();
  const OracleField oracle(data, make_schedule("linear"));
  try {
    load(test::module_bytes(source, data, {}, float32), oracle);
    ADD_FAILURE() << "accepted: " << source;
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("model 'test.pt': "), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
  }
}

void BrokenModels() {
  expect_broken(test::forward("    return x[:, :1]\n"), "returned shape [3, 1]; expected [3, 2]");
  expect_broken(test::forward("    return x.double()\n"), "returned float64; expected float32", true);
  expect_broken(test::forward("    return (x - x) / (x - x)\n"), "non-finite");
  expect_broken(test::forward("    assert bool(t[0] < 0.0), 'broken on purpose'\n"
                              "    return x\n"),
                "threw at model time t = 0.25: ");
  expect_broken(test::forward("    return x, t\n"), "returned a Tuple");
  expect_broken(test::forward("    return x.reshape(3, 2)\n"), "threw");  // hard-coded batch
}

void UnreadableFilesAreRejected() {
  const Mat data = small_set();
  const OracleField oracle(data, make_schedule("linear"));
  EXPECT_THROW(ModelField(ModelSpec{"/nonexistent/net.pt"}, oracle), ModelError);
  try {
    ModelField(ModelSpec{"garbage.pt", ModelOutput::velocity, ModelTime::data0, "not a zip"}, oracle);
    ADD_FAILURE();
  } catch (const ModelError& e) {
    EXPECT_NE(std::string(e.what()).find("not a TorchScript module"), std::string::npos) << e.what();
  }
  EXPECT_THROW(script_module("def forward(self, x, t):\n    return undefined_name\n", {}, false),
               ModelError);
}

void ParsesNames() {
  EXPECT_EQ(parse_model_output("denoiser"), ModelOutput::denoiser);
  EXPECT_EQ(parse_model_time("data1"), ModelTime::data1);
  EXPECT_THROW(parse_model_output("eps"), std::invalid_argument);
  EXPECT_THROW(parse_model_time("t1"), std::invalid_argument);
}

// The batched calls (one forward for a group of columns) agree with column-by-column calls, for
// a velocity model and for a noise model whose b^ and implied score go through the conversions.
void BatchedCallsMatchColumnByColumn() {
  const Mat data = small_set();
  const OracleField oracle(data, make_schedule("vp:0.1:20"));
  const std::string mean = test::vp_coefficients() + test::posterior_mean();
  // A noise model with an error c (x - a m): b^ != b*, so the implied score's correction matters.
  const ModelField f = load(
      test::module_bytes(test::forward(mean + "    return 1.1 * (x - a * m) / s\n"), data), oracle,
      ModelOutput::noise);
  Rng rng(5);
  const int columns = 7;
  for (const double t : {0.05, 0.5, 0.95}) {
    Mat x(oracle.dim(), columns);
    for (int j = 0; j < columns; ++j)
      x.col(j) = oracle.schedule().alpha(t) * data.row(j % data.rows()).transpose() +
                 oracle.schedule().sigma(t) * rng.normal_vector(oracle.dim());
    Mat b(oracle.dim(), columns), bb(oracle.dim(), columns), sb(oracle.dim(), columns);
    f.velocity_batch(t, x, b);
    f.velocity_score_batch(t, x, bb, sb);
    Vec bj(oracle.dim()), sj(oracle.dim());
    for (int j = 0; j < columns; ++j) {
      f.velocity(t, x.col(j), bj);
      f.score(t, x.col(j), sj);
      // One float64 forward of 7 rows against 7 of one row: equal to a few roundings.
      EXPECT_LE((b.col(j) - bj).norm(), 1e-12 * (1 + bj.norm())) << "t " << t << " column " << j;
      EXPECT_LE((bb.col(j) - bj).norm(), 1e-12 * (1 + bj.norm())) << "t " << t << " column " << j;
      EXPECT_LE((sb.col(j) - sj).norm(), 1e-10 * (1 + sj.norm())) << "t " << t << " column " << j;
    }
  }
}

// One test per process each loads libtorch (seconds): few tests, several parts each.
TEST(ModelField, ExactAndSingularModels) {
  ExactOracleModuleHasNoErrorAndMemorizes();
  SingularErrorMovesEndpointsByMinusCV();
  Float32ModelStatesItsPrecisionFloor();
}

TEST(ModelField, ConversionsOfEveryOutputAndTimeConvention) {
  DenoiserInDataAtOneConvention();
  VelocityInDataAtOneConventionFlipsSign();
  NoiseAndScoreModelsWhereAlphaStaysPositive();
  SingularConversionsAreRefusedNotDivided();
  DivergenceByAutogradOfALinearError();
  ParsesNames();
  BatchedCallsMatchColumnByColumn();
}

TEST(ModelField, BrokenModelsAreRejectedWithOneMessage) {
  BrokenModels();
  UnreadableFilesAreRejected();
}

}  // namespace
}  // namespace siv
