// JSON Lines events, built by present/jsonl and written to the data stream.
#include "app/jsonl_printer.hpp"
#include "app/direction.hpp"

#include <chrono>

#include "present/jsonl.hpp"

namespace wscope::app {
namespace {

using session::Direction;


present::TimePoint now() { return std::chrono::system_clock::now(); }

}  // namespace

template <typename Obj>
void JsonlPrinter::write(Obj&& obj) {
    if (client_ != 0) obj.number("client", client_);
    console_.out_line(obj.line());
}

void JsonlPrinter::open(std::string_view url, const proto::HttpHead& head, std::string_view subprotocol,
                        std::string_view extensions) {
    present::OpenInfo info;
    info.url = url;
    info.status = head.status == 0 ? 101 : head.status;
    info.headers = head.fields;
    info.subprotocol = subprotocol;
    info.extensions = extensions;
    write(present::open_event(now(), info));
}

void JsonlPrinter::error(std::string_view kind, std::string_view message, int exit_code) {
    write(present::error_event(now(), kind, message, exit_code));
}

void JsonlPrinter::reconnect(unsigned try_number, unsigned max_tries, std::int64_t delay_ms,
                             std::string_view kind, std::string_view message) {
    write(present::reconnect_event(now(), try_number, max_tries, delay_ms, kind, message));
}

void JsonlPrinter::on_message(const session::MessageEvent& m) {
    if (m.first && m.last) {
        write(present::message_event(now(), to_present(m.dir), m.type, m.data));
        return;
    }
    proto::Bytes& gathered = m.dir == Direction::in ? in_ : out_;
    if (m.first) gathered.clear();
    gathered.insert(gathered.end(), m.data.begin(), m.data.end());
    if (!m.last) return;
    write(present::message_event(now(), to_present(m.dir), m.type, gathered));
    proto::Bytes().swap(gathered);
}

void JsonlPrinter::on_event(const session::SessionEvent& event) {
    using namespace session;
    if (const auto* h = std::get_if<FrameHeaderEvent>(&event)) {
        write(present::frame_event(now(), to_present(h->dir), h->header));
    } else if (const auto* m = std::get_if<MessageEvent>(&event)) {
        on_message(*m);
    } else if (const auto* p = std::get_if<PingEvent>(&event)) {
        write(present::ping_event(now(), to_present(p->dir), p->payload));
    } else if (const auto* q = std::get_if<PongEvent>(&event)) {
        std::optional<double> ms;
        if (q->rtt) ms = static_cast<double>(q->rtt->count()) / 1000.0;
        write(present::pong_event(now(), to_present(q->dir), q->payload, ms));
    } else if (const auto* c = std::get_if<CloseEvent>(&event)) {
        write(present::close_event(now(), to_present(c->dir), c->code, c->reason));
    }
}

}  // namespace wscope::app
