#include "check/report.hpp"

#include <cstdio>

#include "present/frame_line.hpp"
#include "present/hexdump.hpp"
#include "present/json_writer.hpp"

namespace wscope::check {

namespace {

// The id column fits "1.2.10"; the verdict column fits "NON-STRICT".
constexpr int id_width = 7;
constexpr int grade_width = 10;

std::string pad(std::string s, int width) {
    if (s.size() < static_cast<std::size_t>(width)) s.append(static_cast<std::size_t>(width) - s.size(), ' ');
    return s;
}

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f s", s);
    return buf;
}

double seconds_of(Duration d) { return std::chrono::duration<double>(d).count(); }

present::Tone tone_of(Grade g) {
    return g == Grade::pass ? present::Tone::outgoing
           : g == Grade::fail ? present::Tone::error
                              : present::Tone::incoming;
}

}  // namespace

std::string case_line(const CaseResult& r, const present::Style& style) {
    std::string out = pad(r.c->id, id_width) + " ";
    present::append_painted(out, style, tone_of(r.verdict.grade), pad(grade_name(r.verdict.grade), grade_width));
    out += " " + r.verdict.reason;
    if (r.c->timed && r.verdict.grade != Grade::fail) out += " in " + seconds_text(seconds_of(r.obs.elapsed));
    out += " (" + r.c->rule + ")";
    return out;
}

std::string skipped_line(const Case& c) {
    return pad(c.id, id_width) + " " + pad("SKIP", grade_width) + " " + c.title +
           " (needs an echo server; " + c.rule + ")";
}

std::string case_json(const CaseResult& r) {
    present::JsonObject o;
    o.string("type", "case")
        .string("id", r.c->id)
        .string("group", r.c->group)
        .string("title", r.c->title)
        .string("verdict", grade_name(r.verdict.grade))
        .string("rule", r.c->rule)
        .string("reason", r.verdict.reason)
        .boolean("echo", r.c->needs_echo)
        .number("ms", static_cast<long long>(
                          std::chrono::duration_cast<std::chrono::milliseconds>(r.obs.elapsed).count()));
    return o.str();
}

std::string skipped_json(const Case& c) {
    present::JsonObject o;
    o.string("type", "case")
        .string("id", c.id)
        .string("group", c.group)
        .string("title", c.title)
        .string("verdict", "SKIP")
        .string("rule", c.rule)
        .string("reason", "needs an echo server")
        .boolean("echo", c.needs_echo);
    return o.str();
}

std::vector<std::string> wire_lines(const std::vector<WireItem>& wire, bool hexdump,
                                    const present::Style& style) {
    std::vector<std::string> out;
    // Per direction: the open message's type and how many continuations it has had.
    struct Open {
        proto::MessageType type = proto::MessageType::binary;
        std::uint64_t continuations = 0;
    } open[2];
    for (const WireItem& w : wire) {
        const char* mark = w.out ? "> " : "< ";
        if (!w.head.empty()) {
            std::size_t at = 0;
            while (at < w.head.size()) {
                std::size_t end = w.head.find("\r\n", at);
                if (end == std::string::npos) end = w.head.size();
                if (end > at) out.push_back(mark + w.head.substr(at, end - at));
                at = end + 2;
            }
            continue;
        }
        Open& o = open[w.out ? 1 : 0];
        present::FrameInfo info;
        info.dir = w.out ? present::Direction::out : present::Direction::in;
        info.header = w.header;
        info.payload = w.payload;
        if (w.header.opcode == proto::Opcode::continuation) {
            info.continuation_index = ++o.continuations;
            info.message_type = o.type;
        } else if (w.header.opcode == proto::Opcode::text || w.header.opcode == proto::Opcode::binary) {
            o.type = w.header.opcode == proto::Opcode::text ? proto::MessageType::text : proto::MessageType::binary;
            o.continuations = 0;
        }
        out.push_back(present::frame_line(info, style));
        if (hexdump) {
            present::HexdumpOptions h;
            h.indent = "   ";
            std::string dump = present::hexdump(w.raw, h);
            const std::uint64_t whole = w.raw.size() < wire_keep ? w.raw.size()
                                                                 : proto::header_size(w.header.payload_len, w.header.mask.has_value()) + w.header.payload_len;
            if (whole > w.raw.size())
                dump += "   … " + std::to_string(whole - w.raw.size()) + " more bytes\n";
            std::size_t at = 0;
            while (at < dump.size()) {
                const std::size_t end = dump.find('\n', at);
                out.push_back(dump.substr(at, end - at));
                at = end + 1;
            }
        }
    }
    return out;
}

void Tally::add(Grade g) {
    switch (g) {
        case Grade::pass: ++pass; break;
        case Grade::non_strict: ++non_strict; break;
        case Grade::fail: ++fail; break;
    }
}

Tally& Summary::group(const std::string& name) {
    auto [it, fresh] = groups_.try_emplace(name);
    if (fresh) order_.push_back(name);
    return it->second;
}

void Summary::add(const CaseResult& r) {
    group(r.c->group).add(r.verdict.grade);
    total_.add(r.verdict.grade);
}

void Summary::skip(const Case& c) {
    ++group(c.group).skipped;
    ++total_.skipped;
}

namespace {

std::string tally_text(const Tally& t) {
    std::string s = std::to_string(t.run()) + (t.run() == 1 ? " case: " : " cases: ") +
                    std::to_string(t.pass) + " PASS, " + std::to_string(t.non_strict) +
                    " NON-STRICT, " + std::to_string(t.fail) + " FAIL";
    if (t.skipped) s += ", " + std::to_string(t.skipped) + " skipped";
    return s;
}

present::JsonObject tally_json(const Tally& t) {
    present::JsonObject o;
    o.number("cases", t.run()).number("pass", t.pass).number("non_strict", t.non_strict)
        .number("fail", t.fail).number("skipped", t.skipped);
    return o;
}

}  // namespace

std::vector<std::string> Summary::lines(double seconds) const {
    std::vector<std::string> out;
    for (const auto& name : order_) out.push_back(pad(name + ":", 15) + " " + tally_text(groups_.at(name)));
    out.push_back(pad("total:", 15) + " " + tally_text(total_) + ", in " + seconds_text(seconds));
    return out;
}

std::string Summary::json(double seconds) const {
    present::JsonObject groups;
    for (const auto& name : order_) groups.object(name, tally_json(groups_.at(name)));
    present::JsonObject o = tally_json(total_);
    present::JsonObject s;
    s.string("type", "summary").object("total", o).object("groups", groups).decimal("seconds", seconds, 3);
    return s.str();
}

}  // namespace wscope::check
