#include "cli/run.hpp"

int main(int argc, char** argv) { return ecp::cli::run(argc, argv); }
