#include "app/run.hpp"

int main(int argc, char** argv) { return wscope::app::run(argc, argv); }
