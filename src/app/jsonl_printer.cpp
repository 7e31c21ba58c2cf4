// JSON Lines events, built by present/jsonl and written to the data stream.
#include "app/jsonl_printer.hpp"

#include <chrono>

#include "present/jsonl.hpp"

namespace wscope::app {
namespace {

present::Direction to_present(session::Direction d) {
    return d == session::Direction::in ? present::Direction::in : present::Direction::out;
}

present::TimePoint now() { return std::chrono::system_clock::now(); }

}  // namespace

template <typename Obj>
void JsonlPrinter::write(Obj&& obj) {
    if (client_ != 0) obj.number("client", client_);
    out_.append(obj.line());
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

void JsonlPrinter::on_frame_header(session::Direction dir, const proto::FrameHeader& h, proto::ByteView) {
    write(present::frame_event(now(), to_present(dir), h));
}

void JsonlPrinter::on_message(proto::MessageType type, proto::ByteView data, bool first, bool last) {
    if (first && last) {
        write(present::message_event(now(), present::Direction::in, type, data));
        return;
    }
    if (first) message_.clear();
    message_.insert(message_.end(), data.begin(), data.end());
    if (!last) return;
    write(present::message_event(now(), present::Direction::in, type, message_));
    message_.clear();
    message_.shrink_to_fit();
}

void JsonlPrinter::on_ping(session::Direction dir, proto::ByteView payload) {
    write(present::ping_event(now(), to_present(dir), payload));
}

void JsonlPrinter::on_pong(session::Direction dir, proto::ByteView payload,
                           std::optional<std::chrono::microseconds> rtt) {
    std::optional<double> ms;
    if (rtt) ms = static_cast<double>(rtt->count()) / 1000.0;
    write(present::pong_event(now(), to_present(dir), payload, ms));
}

void JsonlPrinter::on_close(session::Direction dir, std::optional<std::uint16_t> code, std::string_view reason) {
    write(present::close_event(now(), to_present(dir), code, reason));
}

}  // namespace wscope::app
