// The listen features the options ask for (listen_feature.hpp): one line each.
#include "app/listen_feature.hpp"

#include "app/exec_feature.hpp"
#include "app/faults.hpp"
#include "app/options.hpp"
#include "app/scenario.hpp"

namespace wscope::app {

std::vector<std::unique_ptr<ListenFeature>> make_listen_features(const ListenOptions& options,
                                                                 Console& console) {
    std::vector<std::unique_ptr<ListenFeature>> features;
    if (!options.exec.empty()) features.push_back(make_exec_feature(options, console));
    // Always there (the listen console's /fault applies faults to any client); a script's
    // feature carries the faults itself, so that they act on what the script sends too.
    if (options.script.empty()) features.push_back(make_fault_feature(options, console));
    if (auto script = make_scenario_feature(options, console)) features.push_back(std::move(script));
    return features;
}

}  // namespace wscope::app
