// `wscope replay FILE --export tsung`: the transcript's client side as a Tsung 1.7
// configuration (tsung-1.0.dtd) with one ts_websocket session: connect, each message with its
// recorded think time before it, close. A message the recorded server answered waits for an
// answer (Tsung's default); the others are sent with ack="no_ack". The load is one user; a
// user who needs thousands edits <load> and <clients> and runs Tsung's own cluster.
#pragma once

#include <string>

#include "app/transcript.hpp"

namespace wscope::app {

struct TsungExport {
    std::string text;   // the XML document
    std::string error;  // why there is none
};

[[nodiscard]] TsungExport export_tsung(const Transcript& t, const std::string& url);

}  // namespace wscope::app
