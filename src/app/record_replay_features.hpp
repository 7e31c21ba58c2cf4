// Listen-mode features of SPEC §2.8 (listen_feature.hpp): --record FILE writes each client's
// transcript to FILE.ID; --replay FILE serves a recorded session as a mock server.
#pragma once

#include <memory>
#include <string>

#include "app/listen_feature.hpp"
#include "app/transcript.hpp"

namespace wscope::app {

// nullptr when the options do not ask for it.
[[nodiscard]] std::unique_ptr<ListenFeature> make_record_feature(const ListenOptions& options, Console& console);
[[nodiscard]] std::unique_ptr<ListenFeature> make_replay_feature(const ListenOptions& options, Console& console);

// --replay FILE [--entry E] can be read: "" or why not (checked before listening).
[[nodiscard]] std::string check_replay_source(const ListenOptions& options);

}  // namespace wscope::app
