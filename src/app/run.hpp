// The whole program behind main(): parse, resolve, dispatch, map the outcome to an exit code.
#pragma once

namespace wscope::app {

[[nodiscard]] int run(int argc, char** argv);

}  // namespace wscope::app
