#include "theory/schedule.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <numbers>
#include <sstream>
#include <stdexcept>

namespace siv {
namespace {

constexpr double kHalfPi = std::numbers::pi / 2;

// Shortest text that parses back to the same double.
std::string format_parameter(double v) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  (void)ec;
  return std::string(buffer, end);
}

std::vector<std::string> split(std::string_view spec) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t colon = spec.find(':', start);
    parts.emplace_back(spec.substr(start, colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  return parts;
}

double parse_parameter(std::string_view spec, const std::string& text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    throw std::invalid_argument("schedule '" + std::string(spec) + "': '" + text +
                                "' is not a finite number");
  return value;
}

}  // namespace

// sin(pi (1 - t) / 2) rather than cos(pi t / 2): exactly 0 at t = 1 in floating point.
double TrigSchedule::alpha(double t) const { return std::sin(kHalfPi * (1.0 - t)); }
// 1 - cos(2 u) = 2 sin^2(u), u = pi t / 4.
double TrigSchedule::complement(double t) const {
  const double half = std::sin(0.5 * kHalfPi * t);
  return 2 * half * half;
}
double TrigSchedule::dalpha(double t) const { return -kHalfPi * std::sin(kHalfPi * t); }
double TrigSchedule::sigma(double t) const { return std::sin(kHalfPi * t); }
double TrigSchedule::dsigma(double t) const { return kHalfPi * std::cos(kHalfPi * t); }
double TrigSchedule::sigma_dsigma(double t) const { return sigma(t) * dsigma(t); }

BridgeSchedule::BridgeSchedule(double a) : a_(a) {
  if (!(a >= 0) || !std::isfinite(a))
    throw std::invalid_argument("schedule 'bridge': A must be finite and >= 0, got " +
                                format_parameter(a));
}
std::string BridgeSchedule::name() const { return "bridge:" + format_parameter(a_); }
// sqrt(t) sqrt(t + A (1 - t)): t^2 would underflow for t < 1e-154 (sigma = 0 for A = 0).
double BridgeSchedule::sigma(double t) const { return std::sqrt(t) * std::sqrt(t + a_ * (1.0 - t)); }
double BridgeSchedule::sigma_dsigma(double t) const { return t + 0.5 * a_ * (1.0 - 2.0 * t); }
double BridgeSchedule::dsigma(double t) const { return sigma_dsigma(t) / sigma(t); }

VpSchedule::VpSchedule(double bmin, double bmax) : bmin_(bmin), bmax_(bmax) {
  if (!(bmin > 0) || !(bmax >= bmin) || !std::isfinite(bmax))
    throw std::invalid_argument("schedule 'vp': need 0 < bmin <= bmax < inf, got " +
                                format_parameter(bmin) + ":" + format_parameter(bmax));
}
std::string VpSchedule::name() const {
  return "vp:" + format_parameter(bmin_) + ":" + format_parameter(bmax_);
}
double VpSchedule::alpha(double t) const { return std::exp(-0.5 * integrated(t)); }
double VpSchedule::complement(double t) const { return -std::expm1(-0.5 * integrated(t)); }
double VpSchedule::dalpha(double t) const { return -0.5 * rate(t) * alpha(t); }
double VpSchedule::sigma(double t) const { return std::sqrt(-std::expm1(-integrated(t))); }
double VpSchedule::sigma_dsigma(double t) const {
  return 0.5 * rate(t) * std::exp(-integrated(t));
}
double VpSchedule::dsigma(double t) const { return sigma_dsigma(t) / sigma(t); }

PowerSchedule::PowerSchedule(double p) : p_(p) {
  if (!(p > 0 && p <= 1))
    throw std::invalid_argument("schedule 'power': P must lie in (0, 1], got " +
                                format_parameter(p));
}
std::string PowerSchedule::name() const { return "power:" + format_parameter(p_); }
double PowerSchedule::sigma(double t) const { return std::pow(t, p_); }
// p sigma / t rather than pow(t, p - 1): the exponent p - 1 is rounded, which costs |ln t| ulps.
double PowerSchedule::dsigma(double t) const { return p_ * sigma(t) / t; }
double PowerSchedule::sigma_dsigma(double t) const { return p_ * sigma(t) * sigma(t) / t; }

std::map<std::string, ScheduleFactory, std::less<>>& registered_schedules() {
  static std::map<std::string, ScheduleFactory, std::less<>> kinds;
  return kinds;
}

void register_schedule(const std::string& kind, ScheduleFactory factory) {
  for (const char* built_in : {"linear", "trig", "bridge", "vp", "power"})
    if (kind == built_in) throw std::invalid_argument("schedule kind '" + kind + "' is built in");
  if (kind.empty() || kind.find(':') != std::string::npos || !factory)
    throw std::invalid_argument("schedule kind '" + kind + "': needs a name without ':' and a factory");
  if (!registered_schedules().emplace(kind, std::move(factory)).second)
    throw std::invalid_argument("schedule kind '" + kind + "' registered twice");
}

SchedulePtr make_schedule(std::string_view spec) {
  const auto parts = split(spec);
  const std::string& kind = parts[0];
  auto arity = [&](std::size_t lo, std::size_t hi) {
    if (parts.size() - 1 < lo || parts.size() - 1 > hi) {
      std::ostringstream msg;
      msg << "schedule '" << spec << "': '" << kind << "' takes ";
      if (lo == hi) msg << lo; else msg << lo << " to " << hi;
      msg << " parameter(s)";
      throw std::invalid_argument(msg.str());
    }
  };
  auto param = [&](std::size_t i) { return parse_parameter(spec, parts[i]); };
  if (kind == "linear") { arity(0, 0); return std::make_shared<LinearSchedule>(); }
  if (kind == "trig") { arity(0, 0); return std::make_shared<TrigSchedule>(); }
  if (kind == "bridge") {
    arity(0, 1);
    return std::make_shared<BridgeSchedule>(parts.size() > 1 ? param(1) : 2.0);
  }
  if (kind == "vp") {
    if (parts.size() != 1) arity(2, 2);
    return parts.size() == 1 ? std::make_shared<VpSchedule>()
                             : std::make_shared<VpSchedule>(param(1), param(2));
  }
  if (kind == "power") { arity(1, 1); return std::make_shared<PowerSchedule>(param(1)); }
  const auto& registered = registered_schedules();
  if (const auto it = registered.find(kind); it != registered.end()) return it->second(spec);
  std::string known = "linear, trig, bridge[:A], vp[:bmin:bmax], power:P";
  for (const auto& entry : registered) known.append(", ").append(entry.first);
  throw std::invalid_argument("unknown schedule '" + std::string(spec) + "' (known: " + known + ")");
}

std::vector<std::string> schedule_catalogue() {
  return {"linear", "trig", "bridge:2", "vp:0.1:20", "power:0.25", "power:0.5", "power:0.75"};
}

}  // namespace siv
