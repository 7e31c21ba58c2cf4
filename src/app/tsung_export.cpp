// The Tsung writer (tsung_export.hpp).
#include "app/tsung_export.hpp"

#include <cstdio>

#include "net/url.hpp"
#include "proto/utf8.hpp"

namespace wscope::app {
namespace {

// XML 1.0 §2.2: tabs, newlines and carriage returns are the only control characters allowed.
bool xml_safe(proto::ByteView data) {
    if (!proto::is_valid_utf8(data)) return false;
    for (std::uint8_t b : data)
        if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') return false;
    return true;
}

std::string xml_escaped(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\r': out += "&#13;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string seconds(std::chrono::microseconds d) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", static_cast<double>(d.count()) / 1e6);
    return buf;
}

std::string_view text_of(const proto::Bytes& b) { return {reinterpret_cast<const char*>(b.data()), b.size()}; }

}  // namespace

TsungExport export_tsung(const Transcript& t, const std::string& url_text) {
    TsungExport r;
    if (url_text.empty()) {
        r.error = "the transcript records no URL: give one (wscope replay FILE URL --export tsung)";
        return r;
    }
    auto url = net::parse_url(url_text);
    if (!url) {
        r.error = url.error().message;
        return r;
    }
    std::string origin;
    for (const auto& h : t.request_headers)
        if (proto::iequals(h.name, "origin")) origin = h.value;
    std::string x;
    x += "<?xml version=\"1.0\"?>\n";
    x += "<!DOCTYPE tsung SYSTEM \"/usr/share/tsung/tsung-1.0.dtd\">\n";
    x += "<!-- Made by wscope replay (export to tsung) from a recorded session: one user; edit <load> for more. -->\n";
    x += "<tsung loglevel=\"notice\" version=\"1.0\">\n";
    x += "  <clients>\n    <client host=\"localhost\" use_controller_vm=\"true\" maxusers=\"1000\"/>\n  </clients>\n";
    x += "  <servers>\n    <server host=\"" + xml_escaped(url->host) + "\" port=\"" + std::to_string(url->port) +
         "\" type=\"" + (url->tls ? "ssl" : "tcp") + "\"/>\n  </servers>\n";
    x += "  <load>\n    <arrivalphase phase=\"1\" duration=\"1\" unit=\"second\">\n"
         "      <users maxnumber=\"1\" arrivalrate=\"1\" unit=\"second\"/>\n    </arrivalphase>\n  </load>\n";
    x += "  <sessions>\n    <session name=\"wscope-replay\" probability=\"100\" type=\"ts_websocket\">\n";
    x += "      <request><websocket type=\"connect\" path=\"" + xml_escaped(url->target) + "\"";
    if (!t.subprotocol.empty()) x += " subprotocols=\"" + xml_escaped(t.subprotocol) + "\"";
    if (!origin.empty()) x += " origin=\"" + xml_escaped(origin) + "\"";
    x += "></websocket></request>\n";
    std::chrono::microseconds last{0};
    for (std::size_t i = 0; i < t.steps.size(); ++i) {
        const TranscriptStep& s = t.steps[i];
        if (s.from != Sender::client || s.kind == StepKind::close) continue;
        const std::string label = "message " + std::to_string(i + 1);
        if (!xml_safe(s.data)) {
            x += "      <!-- " + label + ": " + std::to_string(s.data.size()) +
                 " bytes that XML cannot hold: left out -->\n";
            continue;
        }
        if (s.at - last >= std::chrono::milliseconds(1))
            x += "      <thinktime value=\"" + seconds(s.at - last) + "\" random=\"false\"/>\n";
        // Answered when the next step in the recording is the server's.
        const bool answered = i + 1 < t.steps.size() && t.steps[i + 1].from == Sender::server &&
                              t.steps[i + 1].kind != StepKind::close;
        x += "      <request><websocket type=\"message\" frame=\"";
        x += s.kind == StepKind::text ? "text\"" : "binary\"";
        if (!answered) x += " ack=\"no_ack\"";
        x += ">" + xml_escaped(text_of(s.data)) + "</websocket></request>\n";
        last = s.at;
        // The answer's time counts as waited for.
        for (std::size_t j = i + 1; answered && j < t.steps.size() && t.steps[j].from == Sender::server; ++j)
            last = t.steps[j].at;
    }
    x += "      <request><websocket type=\"close\"></websocket></request>\n";
    x += "    </session>\n  </sessions>\n</tsung>\n";
    r.text = std::move(x);
    return r;
}

}  // namespace wscope::app
