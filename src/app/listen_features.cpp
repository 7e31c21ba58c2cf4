// The listen features the options ask for (listen_feature.hpp): one line each.
#include "app/listen_feature.hpp"

#include "app/exec_feature.hpp"
#include "app/faults.hpp"
#include "app/options.hpp"
#include "app/scenario.hpp"
#include "app/record_replay_features.hpp"

namespace wscope::app {

std::vector<std::unique_ptr<ListenFeature>> make_listen_features(const ListenOptions& options,
                                                                 Console& console) {
    std::vector<std::unique_ptr<ListenFeature>> features;
    if (!options.exec.empty()) features.push_back(make_exec_feature(options, console));
    // Always there (the listen console's /fault applies faults to any client); a script's
    // feature carries the faults itself, so that they act on what the script sends too.
    if (options.script.empty()) features.push_back(make_fault_feature(options, console));
    if (auto script = make_scenario_feature(options, console)) features.push_back(std::move(script));
    const auto add = [&](std::unique_ptr<ListenFeature> f) {
        if (f) features.push_back(std::move(f));
    };
    add(make_record_feature(options, console));
    add(make_replay_feature(options, console));
    return features;
}

}  // namespace wscope::app
