// 50-digit evaluation of a schedule from its spec and the exact double t: the reference for
// anything the double schedules round (alpha, 1 - alpha, sigma and their derivatives).
#pragma once

#include <string>
#include <vector>

#include <boost/math/constants/constants.hpp>
#include <boost/math/special_functions/expm1.hpp>
#include <boost/multiprecision/cpp_dec_float.hpp>

#include "theory/schedule.hpp"

namespace siv::test {

using Big = boost::multiprecision::cpp_dec_float_50;

struct BigSchedule {
  Big alpha, complement, dalpha, sigma, dsigma;
};

// spec is any make_schedule spec; its canonical name carries every parameter.
inline BigSchedule big_schedule(const std::string& spec, double t) {
  const std::string name = make_schedule(spec)->name();
  std::vector<Big> p;
  std::string kind = name.substr(0, name.find(':'));
  for (std::size_t at = name.find(':'); at != std::string::npos; at = name.find(':', at + 1))
    p.emplace_back(std::stod(name.substr(at + 1, name.find(':', at + 1) - at - 1)));
  const Big T = t, pi = boost::math::constants::pi<Big>();
  BigSchedule s;
  s.alpha = 1 - T, s.complement = T, s.dalpha = -1;
  if (kind == "linear") {
    s.sigma = T, s.dsigma = 1;
  } else if (kind == "bridge") {
    s.sigma = sqrt(T * T + p[0] * T * (1 - T));
    s.dsigma = (T + p[0] * (1 - 2 * T) / 2) / s.sigma;
  } else if (kind == "power") {
    s.sigma = pow(T, p[0]);
    s.dsigma = p[0] * s.sigma / T;
  } else if (kind == "trig") {
    const Big half = sin(pi * T / 4);
    s.alpha = cos(pi * T / 2), s.complement = 2 * half * half, s.dalpha = -pi / 2 * sin(pi * T / 2);
    s.sigma = sin(pi * T / 2), s.dsigma = pi / 2 * cos(pi * T / 2);
  } else {  // vp:bmin:bmax
    const Big integrated = p[0] * T + (p[1] - p[0]) * T * T / 2, rate = p[0] + (p[1] - p[0]) * T;
    s.alpha = exp(-integrated / 2), s.complement = -boost::math::expm1(-integrated / 2);
    s.dalpha = -rate * s.alpha / 2;
    s.sigma = sqrt(-boost::math::expm1(-integrated));
    s.dsigma = rate * exp(-integrated) / (2 * s.sigma);
  }
  return s;
}

}  // namespace siv::test
