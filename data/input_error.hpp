// Bad user input (a file, a value or an option): the command line reports it in one line and
// exits with 2, writing nothing.
#pragma once

#include <stdexcept>

namespace siv {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace siv
