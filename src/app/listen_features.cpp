// The listen features the options ask for (listen_feature.hpp): one line each.
#include "app/listen_feature.hpp"

#include "app/options.hpp"
#include "app/record_replay_features.hpp"

namespace wscope::app {

std::vector<std::unique_ptr<ListenFeature>> make_listen_features(const ListenOptions& options,
                                                                 Console& console) {
    std::vector<std::unique_ptr<ListenFeature>> features;
    const auto add = [&](std::unique_ptr<ListenFeature> f) {
        if (f) features.push_back(std::move(f));
    };
    add(make_record_feature(options, console));
    add(make_replay_feature(options, console));
    return features;
}

}  // namespace wscope::app
