// The transcript writer (recorder.hpp).
#include "app/recorder.hpp"
#include "app/direction.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "app/transcript.hpp"
#include "present/jsonl.hpp"

namespace wscope::app {
namespace {

using session::Direction;


present::TimePoint now() { return std::chrono::system_clock::now(); }

// As --jsonl shows headers: lower-case names, repeats joined with ", " in order.
present::JsonObject headers_json(std::span<const proto::HeaderField> fields) {
    std::vector<std::pair<std::string, std::string>> merged;
    for (const auto& f : fields) {
        std::string name = f.name;
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
        auto it = std::find_if(merged.begin(), merged.end(), [&](const auto& m) { return m.first == name; });
        if (it == merged.end())
            merged.emplace_back(std::move(name), f.value);
        else
            it->second += ", " + f.value;
    }
    present::JsonObject o;
    for (const auto& [name, value] : merged) o.string(name, value);
    return o;
}

}  // namespace

Recorder::Recorder(const std::string& path) : path_(path) {
    file_ = std::fopen(path.c_str(), "w");
    if (!file_) error_ = path + ": " + std::strerror(errno);
}

Recorder::~Recorder() {
    if (file_) std::fclose(file_);
}

void Recorder::put(std::string_view line) {
    if (!file_ || !error_.empty()) return;
    if (std::fwrite(line.data(), 1, line.size(), file_) != line.size()) error_ = path_ + ": " + std::strerror(errno);
}

bool Recorder::flush() {
    if (file_ && error_.empty() && std::fflush(file_) != 0) error_ = path_ + ": " + std::strerror(errno);
    return error_.empty();
}

void Recorder::open(const RecordOpen& o) {
    present::OpenInfo info;
    info.url = o.url;
    info.status = o.response && o.response->status != 0 ? o.response->status : 101;
    if (o.response) info.headers = o.response->fields;
    info.subprotocol = o.subprotocol;
    info.extensions = o.extensions;
    present::JsonObject rec = present::open_event(now(), info);
    rec.number("version", transcript_version);
    rec.string("role", o.server ? "server" : "client");
    rec.object("request_headers", headers_json(o.request_headers));
    put(rec.line());
    flush();
}

void Recorder::on_event(const session::SessionEvent& event) {
    using namespace session;
    if (const auto* m = std::get_if<MessageEvent>(&event)) {
        if (m->first && m->last) {
            put(present::message_event(now(), to_present(m->dir), m->type, m->data).line());
            return;
        }
        proto::Bytes& gathered = m->dir == Direction::in ? in_ : out_;
        if (m->first) gathered.clear();
        gathered.insert(gathered.end(), m->data.begin(), m->data.end());
        if (!m->last) return;
        put(present::message_event(now(), to_present(m->dir), m->type, gathered).line());
        proto::Bytes().swap(gathered);
    } else if (const auto* p = std::get_if<PingEvent>(&event)) {
        put(present::ping_event(now(), to_present(p->dir), p->payload).line());
    } else if (const auto* q = std::get_if<PongEvent>(&event)) {
        put(present::pong_event(now(), to_present(q->dir), q->payload).line());
    } else if (const auto* c = std::get_if<CloseEvent>(&event)) {
        put(present::close_event(now(), to_present(c->dir), c->code, c->reason).line());
        flush();
    } else if (std::holds_alternative<EndEvent>(event)) {
        flush();
    }
}

std::vector<proto::HeaderField> request_fields(std::string_view request_text) {
    auto head = proto::parse_request_head(request_text);
    if (!head) return {};
    return head->fields;
}

}  // namespace wscope::app
