// Interpolation schedules: x_t = alpha(t) x_data + sigma(t) noise, data at t = 0, noise at t = 1.
//
// A Schedule model provides, for t in [0, 1]:
//   | expression         | meaning                                               |
//   | s.alpha(t)         | data coefficient, alpha(0) = 1                        |
//   | s.complement(t)    | 1 - alpha(t) to full relative accuracy (within 4 ulp) |
//   | s.dalpha(t)        | d alpha / dt                                          |
//   | s.sigma(t)         | noise scale sqrt(beta^2 + gamma^2), sigma(0) = 0       |
//   | s.dsigma(t)        | d sigma / dt (may be +inf at t = 0)                   |
//   | s.sigma_dsigma(t)  | sigma * sigma', computed without the 0/0 at t = 0     |
//   | s.exponent()       | p such that sigma(t) ~ c t^p as t -> 0                |
//   | s.name()           | canonical spec that make_schedule parses back         |
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace siv {

class Schedule {
 public:
  virtual ~Schedule() = default;
  virtual std::string name() const = 0;
  virtual double alpha(double t) const = 0;
  // 1 - alpha(t) without the cancellation of 1 - fl(alpha): x - alpha y is formed as
  // (x - y) + (1 - alpha) y, which keeps full accuracy relative to t when alpha ~ 1 and |y| >> sigma.
  virtual double complement(double t) const = 0;
  virtual double dalpha(double t) const = 0;
  virtual double sigma(double t) const = 0;
  virtual double dsigma(double t) const = 0;
  virtual double sigma_dsigma(double t) const = 0;
  virtual double exponent() const = 0;

  // sigma'/sigma, the stiffness of the oracle ODE near t = 0.
  double log_sigma_rate(double t) const { return sigma_dsigma(t) / (sigma(t) * sigma(t)); }
  // kappa = alpha' - alpha sigma'/sigma, the coefficient of m in the velocity.
  double kappa(double t) const { return dalpha(t) - alpha(t) * log_sigma_rate(t); }
};

using SchedulePtr = std::shared_ptr<const Schedule>;

// alpha = 1 - t, sigma = t (p = 1).
class LinearSchedule final : public Schedule {
 public:
  std::string name() const override { return "linear"; }
  double alpha(double t) const override { return 1.0 - t; }
  double complement(double t) const override { return t; }
  double dalpha(double) const override { return -1.0; }
  double sigma(double t) const override { return t; }
  double dsigma(double) const override { return 1.0; }
  double sigma_dsigma(double t) const override { return t; }
  double exponent() const override { return 1.0; }
};

// alpha = cos(pi t / 2), sigma = sin(pi t / 2) (p = 1).
class TrigSchedule final : public Schedule {
 public:
  std::string name() const override { return "trig"; }
  double alpha(double t) const override;
  double complement(double t) const override;  // 2 sin^2(pi t / 4)
  double dalpha(double t) const override;
  double sigma(double t) const override;
  double dsigma(double t) const override;
  double sigma_dsigma(double t) const override;
  double exponent() const override { return 1.0; }
};

// alpha = 1 - t, beta = t, gamma = sqrt(A t (1 - t)): sigma^2 = t^2 + A t (1 - t) (p = 1/2 for A > 0).
class BridgeSchedule final : public Schedule {
 public:
  explicit BridgeSchedule(double a = 2.0);
  std::string name() const override;
  double alpha(double t) const override { return 1.0 - t; }
  double complement(double t) const override { return t; }
  double dalpha(double) const override { return -1.0; }
  double sigma(double t) const override;
  double dsigma(double t) const override;
  double sigma_dsigma(double t) const override;
  double exponent() const override { return a_ > 0 ? 0.5 : 1.0; }

 private:
  double a_;
};

// Variance preserving diffusion with linear beta(t) = bmin + (bmax - bmin) t:
// B(t) = int_0^t beta, alpha = exp(-B/2), sigma = sqrt(1 - exp(-B)) (p = 1/2 for bmin > 0).
class VpSchedule final : public Schedule {
 public:
  explicit VpSchedule(double bmin = 0.1, double bmax = 20.0);
  std::string name() const override;
  double alpha(double t) const override;
  double complement(double t) const override;  // -expm1(-B/2)
  double dalpha(double t) const override;
  double sigma(double t) const override;
  double dsigma(double t) const override;
  double sigma_dsigma(double t) const override;
  double exponent() const override { return bmin_ > 0 ? 0.5 : 1.0; }

 private:
  double integrated(double t) const { return bmin_ * t + 0.5 * (bmax_ - bmin_) * t * t; }
  double rate(double t) const { return bmin_ + (bmax_ - bmin_) * t; }
  double bmin_, bmax_;
};

// alpha = 1 - t, sigma = t^P with 0 < P <= 1: the probe of the sqrt(h) rate boundary.
class PowerSchedule final : public Schedule {
 public:
  explicit PowerSchedule(double p);
  std::string name() const override;
  double alpha(double t) const override { return 1.0 - t; }
  double complement(double t) const override { return t; }
  double dalpha(double) const override { return -1.0; }
  double sigma(double t) const override;
  double dsigma(double t) const override;
  double sigma_dsigma(double t) const override;
  double exponent() const override { return p_; }

 private:
  double p_;
};

// Parses "linear", "trig", "bridge[:A]", "vp[:bmin:bmax]", "power:P".
// Throws std::invalid_argument with a message naming the spec when it is unknown or out of range.
SchedulePtr make_schedule(std::string_view spec);

// Adds a schedule kind that make_schedule builds with factory(spec), spec the whole text
// ("kind:params"); the factory throws std::invalid_argument for bad parameters. Throws
// std::invalid_argument when the kind is built in or already registered. Not thread-safe:
// register before use.
using ScheduleFactory = std::function<SchedulePtr(std::string_view spec)>;
void register_schedule(const std::string& kind, ScheduleFactory factory);

// The catalogue with default parameters, one spec each, in a fixed order.
std::vector<std::string> schedule_catalogue();

}  // namespace siv
