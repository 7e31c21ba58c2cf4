// The listen features the options ask for (listen_feature.hpp): one line each.
#include "app/listen_feature.hpp"

#include "app/exec_feature.hpp"
#include "app/options.hpp"

namespace wscope::app {

std::vector<std::unique_ptr<ListenFeature>> make_listen_features(const ListenOptions& options,
                                                                 Console& console) {
    std::vector<std::unique_ptr<ListenFeature>> features;
    if (!options.exec.empty()) features.push_back(make_exec_feature(options, console));
    return features;
}

}  // namespace wscope::app
