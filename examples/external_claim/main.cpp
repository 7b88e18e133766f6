// The full siverify command line (verify, sample, ...) over the built-in checks and X1.
#include "siverify/app/cli.hpp"

int main(int argc, char** argv) { return siv::run_cli(argc, argv); }
