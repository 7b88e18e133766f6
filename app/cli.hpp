// The siverify command line as a library call, for the siverify executable and for external
// projects that register their own checks (properties/claims.hpp: register_check) first.
#pragma once

namespace siv {

// Parses and runs one command line (argv[0] is the program name) with every sub-command of
// siverify, including verify over the built-in and registered checks. Returns the exit code:
// 0 as expected, 1 a verdict differs, 2 bad input or usage, 3 internal error, 4 incomplete
// (stopped). Messages go to stderr.
int run_cli(int argc, char** argv);

}  // namespace siv
