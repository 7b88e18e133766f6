// The siverify executable: the command line of app/cli.hpp over the built-in checks.
#include "app/cli.hpp"

int main(int argc, char** argv) { return siv::run_cli(argc, argv); }
