// --record FILE (SPEC §2.8): one session's transcript in a file, never on the console. It is
// the --jsonl schema (present/jsonl.hpp): an "open" record first, with what a replay needs
// besides (the schema version, the recording side, the request headers), then a "message"
// record for every message in both directions, ping, pong and close records, all with "ts".
// The man page documents it (RECORD AND REPLAY); app/transcript.hpp reads it back.
#pragma once

#include <cstdio>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "proto/bytes.hpp"
#include "proto/http1.hpp"
#include "session/observer.hpp"

namespace wscope::app {

struct RecordOpen {
    std::string_view url;
    std::span<const proto::HeaderField> request_headers;
    const proto::HttpHead* response = nullptr;  // the 101 (its status and headers)
    std::string_view subprotocol;
    std::string_view extensions;
    bool server = false;  // recorded by listen mode: "in" is what the client said
};

class Recorder final : public session::Observer {
public:
    // Creates (or truncates) the file; error() says why not.
    explicit Recorder(const std::string& path);
    ~Recorder() override;
    Recorder(const Recorder&) = delete;
    Recorder& operator=(const Recorder&) = delete;

    [[nodiscard]] const std::string& error() const { return error_; }
    void open(const RecordOpen& open);
    void on_event(const session::SessionEvent& event) override;
    // Writes out what is buffered; false (and error()) when the file could not take it.
    bool flush();

private:
    void put(std::string_view line);

    std::string path_;
    std::FILE* file_ = nullptr;
    std::string error_;
    proto::Bytes in_, out_;  // messages being gathered, one each way
};

// The request head a client sends, as header fields (make_request's text, parsed back).
[[nodiscard]] std::vector<proto::HeaderField> request_fields(std::string_view request_text);

}  // namespace wscope::app
