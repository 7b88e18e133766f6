// Shared pieces of the solver tests: fields wrapping the oracle (instrumented or deliberately
// wrong, for mutants) and a property runner with a case budget.
#pragma once

#include <limits>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdint>
#include <memory>
#include <sstream>
#include <string>

#include "properties/generators.hpp"
#include "theory/field.hpp"

namespace siv::test {

// Runs a RapidCheck property with at most `cases` successful cases, so that each fast test file
// stays within its time budget; RC_PARAMS still sets the seed.
template <class Testable>
void check_cases(int cases, Testable&& testable) {
  auto params = rc::detail::configuration().testParams;
  params.maxSuccess = cases;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = info->name();
  const auto result = rc::detail::checkTestable(std::forward<Testable>(testable), metadata, params);
  if (!result.template is<rc::detail::SuccessResult>()) {
    std::ostringstream msg;
    rc::detail::printResultMessage(result, msg);
    FAIL() << msg.str();
  }
}

// An oracle set with its schedule, kept alive together (OracleVelocity holds a reference).
struct Problem {
  std::shared_ptr<const OracleField> oracle;
  std::shared_ptr<const OracleVelocity> field;
  Problem(const Mat& data, const std::string& schedule)
      : oracle(std::make_shared<OracleField>(data, make_schedule(schedule))),
        field(std::make_shared<OracleVelocity>(*oracle)) {}
};

// Delegates everything to the oracle field; subclasses override what they change.
class WrappedField : public Field {
 public:
  explicit WrappedField(const OracleVelocity& inner) : inner_(inner) {}
  int dim() const override { return inner_.dim(); }
  const Schedule& schedule() const override { return inner_.schedule(); }
  const Mat& points() const override { return inner_.points(); }
  void velocity(double t, const ConstVecRef& x, VecRef b) const override { inner_.velocity(t, x, b); }
  void score(double t, const ConstVecRef& x, VecRef s) const override { inner_.score(t, x, s); }
  int settled(double t, const ConstVecRef& x) const override { return inner_.settled(t, x); }

 protected:
  const OracleVelocity& inner_;
};

// Velocity NaN below t = 1/2 and never settled: a field that breaks mid-path.
class NanBelowHalf final : public WrappedField {
 public:
  using WrappedField::WrappedField;
  void velocity(double t, const ConstVecRef& x, VecRef b) const override {
    inner_.velocity(t, x, b);
    if (t < 0.5) b[0] = std::numeric_limits<double>::quiet_NaN();
  }
  int settled(double, const ConstVecRef&) const override { return -1; }
};

// Counts velocity and score calls.
class CountingField final : public WrappedField {
 public:
  using WrappedField::WrappedField;
  void velocity(double t, const ConstVecRef& x, VecRef b) const override {
    ++calls;
    inner_.velocity(t, x, b);
  }
  void score(double t, const ConstVecRef& x, VecRef s) const override {
    ++calls;
    inner_.score(t, x, s);
  }
  mutable long calls = 0;
};

// Mutant: velocity with the wrong sign (an Euler step Z + h b).
class NegatedField final : public WrappedField {
 public:
  using WrappedField::WrappedField;
  void velocity(double t, const ConstVecRef& x, VecRef b) const override {
    inner_.velocity(t, x, b);
    b = -b;
  }
};

// Mutant: the singular estimation error e = c v sigma'/sigma of THEORY.md C4, which moves the
// endpoint by exactly -c v. It cannot prove settling, so settled() is -1 unless told to delegate.
class ShiftedField final : public WrappedField {
 public:
  ShiftedField(const OracleVelocity& inner, Vec shift, bool delegate_settled)
      : WrappedField(inner), shift_(std::move(shift)), delegate_(delegate_settled) {}
  void velocity(double t, const ConstVecRef& x, VecRef b) const override {
    inner_.velocity(t, x, b);
    b += schedule().log_sigma_rate(t) * shift_;
  }
  int settled(double t, const ConstVecRef& x) const override {
    return delegate_ ? inner_.settled(t, x) : -1;
  }

 private:
  Vec shift_;
  bool delegate_;
};

// Mutant: posterior weights at the wrong temperature, softmax(-|x - alpha y|^2 / (2 T^2 sigma^2)).
// Different dynamics (not a reparametrization), so landing indices change near basin borders.
class TemperedField final : public WrappedField {
 public:
  TemperedField(const OracleVelocity& inner, double temperature)
      : WrappedField(inner), temperature_(temperature) {}
  void velocity(double t, const ConstVecRef& x, VecRef b) const override {
    const Schedule& s = schedule();
    thread_local Posterior p;
    inner_.oracle().posterior(s.alpha(t), temperature_ * s.sigma(t), x, p);
    b = s.dalpha(t) * p.m + s.log_sigma_rate(t) * (x - s.alpha(t) * p.m);
  }
  int settled(double, const ConstVecRef&) const override { return -1; }

 private:
  double temperature_;
};

}  // namespace siv::test
