// The scenario language (scenario.hpp): a line parser that reports line and column, and the
// interpreter that turns a trigger into the steps to run.
#include "app/scenario.hpp"

#include <algorithm>
#include <cctype>

#include "app/value_checks.hpp"
#include "present/quoted_text.hpp"
#include "proto/close_code.hpp"
#include "proto/utf8.hpp"

namespace wscope::app {
namespace {

struct LineError {
    std::size_t column = 0;  // 0-based
    std::string message;
};

// A cursor over one line.
class Cursor {
public:
    explicit Cursor(std::string_view line) : line_(line) {}
    void skip_space() {
        while (pos_ < line_.size() && (line_[pos_] == ' ' || line_[pos_] == '\t')) ++pos_;
    }
    [[nodiscard]] bool done() const { return pos_ >= line_.size(); }
    [[nodiscard]] char peek() const { return done() ? '\0' : line_[pos_]; }
    [[nodiscard]] std::size_t pos() const { return pos_; }
    std::string_view word() {
        skip_space();
        const std::size_t start = pos_;
        while (pos_ < line_.size() && line_[pos_] != ' ' && line_[pos_] != '\t' && line_[pos_] != ';') ++pos_;
        return line_.substr(start, pos_ - start);
    }
    // A "…" or /…/ literal starting here; a backslash escapes the closing character (and
    // itself). nullopt: not closed on this line.
    std::optional<std::string> delimited(char close, bool keep_escapes) {
        ++pos_;
        std::string out;
        while (pos_ < line_.size()) {
            const char c = line_[pos_++];
            if (c == close) return out;
            if (c == '\\' && pos_ < line_.size()) {
                const char next = line_[pos_++];
                if (keep_escapes && next != close) out += '\\';
                out += next;
                continue;
            }
            out += c;
        }
        return std::nullopt;
    }
    // Up to the next ';' that is outside double quotes (a backslash escapes it), trimmed.
    std::string_view until_separator() {
        skip_space();
        const std::size_t start = pos_;
        bool quoted = false;
        while (pos_ < line_.size()) {
            const char c = line_[pos_];
            if (c == '\\' && pos_ + 1 < line_.size()) {
                pos_ += 2;
                continue;
            }
            if (c == '"') quoted = !quoted;
            if (c == ';' && !quoted) break;
            ++pos_;
        }
        std::size_t end = pos_;
        while (end > start && (line_[end - 1] == ' ' || line_[end - 1] == '\t')) --end;
        return line_.substr(start, end - start);
    }
    void advance() { ++pos_; }

private:
    std::string_view line_;
    std::size_t pos_ = 0;
};

// "50", "50ms", "2s", "0.5s".
std::optional<std::chrono::milliseconds> parse_time(std::string_view s) {
    double scale = 1;
    if (s.ends_with("ms")) {
        s.remove_suffix(2);
    } else if (s.ends_with("s")) {
        s.remove_suffix(1);
        scale = 1000;
    }
    const auto v = checks::parse_seconds(s);
    if (!v || *v * scale > 86'400'000.0) return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(*v * scale + 0.5));
}

std::optional<proto::Bytes> parse_hex(std::string_view s) {
    proto::Bytes out;
    int half = -1;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == ':') continue;
        const auto u = static_cast<unsigned char>(c);
        if (std::isxdigit(u) == 0) return std::nullopt;
        const int v = std::isdigit(u) != 0 ? c - '0' : std::tolower(u) - 'a' + 10;
        if (half < 0) {
            half = v;
        } else {
            out.push_back(static_cast<std::uint8_t>(half * 16 + v));
            half = -1;
        }
    }
    if (half >= 0 || out.empty()) return std::nullopt;
    return out;
}

// "\;" in a TEXT is a ';' that does not end the action.
std::string unescape_separators(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == ';') continue;
        out += s[i];
    }
    return out;
}

// text "…", text /…/, text *, binary, * — at the cursor.
std::variant<Match, LineError> parse_match(Cursor& c, std::string_view what) {
    c.skip_space();
    const std::size_t at = c.pos();
    const std::string_view w = c.word();
    Match m;
    if (w == "*") return m;
    if (w == "binary") {
        m.kind = Match::Kind::binary;
        return m;
    }
    if (w != "text") return LineError{at, "unknown " + std::string(what) + " \"" + std::string(w) + "\" (open, text \"…\", text /…/, text *, binary, close or *)"};
    c.skip_space();
    const std::size_t lit = c.pos();
    if (c.peek() == '"') {
        auto s = c.delimited('"', false);
        if (!s) return LineError{lit, "unterminated \"…\""};
        m.kind = Match::Kind::text_exact;
        m.text = *s;
        return m;
    }
    if (c.peek() == '/') {
        auto s = c.delimited('/', true);
        if (!s) return LineError{lit, "unterminated /regex/"};
        try {
            m.regex = std::make_shared<std::regex>(*s, std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
            return LineError{lit, "bad regex /" + *s + "/: " + e.what()};
        }
        m.kind = Match::Kind::text_regex;
        m.text = *s;
        return m;
    }
    if (c.peek() == '*') {
        c.advance();
        m.kind = Match::Kind::text_any;
        return m;
    }
    return LineError{lit, "text needs \"exact\", /regex/ or *"};
}

std::variant<Action, LineError> parse_action(std::string_view text, std::size_t offset) {
    Cursor c(text);
    const std::string_view verb = c.word();
    const auto err = [&](std::size_t at, std::string message) { return LineError{offset + at, std::move(message)}; };
    Action a;
    c.skip_space();
    const std::size_t arg_at = c.pos();
    const std::string_view rest = text.substr(std::min(arg_at, text.size()));
    if (verb == "send") {
        if (rest.empty()) return err(0, "send needs TEXT");
        a.kind = Action::Kind::send;
        a.text = unescape_separators(rest);
        return a;
    }
    if (verb == "send-binary") {
        auto bytes = parse_hex(rest);
        if (!bytes) return err(arg_at, "send-binary needs HEX (pairs of hex digits)");
        a.kind = Action::Kind::send_binary;
        a.bytes = std::move(*bytes);
        return a;
    }
    if (verb == "sleep") {
        const auto ms = parse_time(c.word());
        if (!ms || !c.word().empty()) return err(arg_at, "sleep needs MS (a number of milliseconds, 50ms or 2s)");
        a.kind = Action::Kind::sleep;
        a.ms = *ms;
        return a;
    }
    if (verb == "every") {
        const auto ms = parse_time(c.word());
        if (!ms || ms->count() == 0) return err(arg_at, "every needs MS (a positive time: 50, 50ms or 2s)");
        c.skip_space();
        const std::size_t times_at = c.pos();
        const std::string_view times = c.word();
        const auto n = times.starts_with("x") ? checks::parse_unsigned(times.substr(1)) : std::nullopt;
        if (!n || *n == 0 || *n > 1'000'000) return err(times_at, "every needs xN (a repeat count: x3)");
        c.skip_space();
        const std::size_t send_at = c.pos();
        if (c.word() != "send") return err(send_at, "every repeats a send: every MS xN send TEXT");
        c.skip_space();
        const std::string_view body = text.substr(std::min(c.pos(), text.size()));
        if (body.empty()) return err(send_at, "send needs TEXT");
        a.kind = Action::Kind::every;
        a.ms = *ms;
        a.count = *n;
        a.text = unescape_separators(body);
        return a;
    }
    if (verb == "close") {
        const auto code = checks::parse_unsigned(c.word());
        if (!code || *code > 0xFFFF || !proto::is_valid_on_wire(static_cast<std::uint16_t>(*code)))
            return err(arg_at, "close needs a CODE that may be sent (1000-1003, 1007-1014, 3000-4999)");
        c.skip_space();
        a.kind = Action::Kind::close;
        a.code = static_cast<std::uint16_t>(*code);
        a.text = unescape_separators(text.substr(std::min(c.pos(), text.size())));
        if (a.text.size() > 123) return err(c.pos(), "a close reason holds at most 123 bytes");
        return a;
    }
    if (verb == "drop") {
        if (!rest.empty()) return err(arg_at, "drop takes nothing after it");
        a.kind = Action::Kind::drop;
        return a;
    }
    if (verb == "fault") {
        FaultParse f = parse_fault(rest);  // a close reason may hold spaces
        if (auto* e = std::get_if<std::string>(&f)) return err(arg_at, *e);
        a.fault = std::get<Fault>(std::move(f));
        const FaultKind k = a.fault.kind;
        if (is_handshake_fault(k) || k == FaultKind::chop || k == FaultKind::slow_read)
            return err(arg_at, a.fault.spec + " acts before the session: use --fault");
        a.kind = Action::Kind::fault;
        return a;
    }
    if (verb == "expect") {
        auto m = parse_match(c, "expectation");
        if (auto* e = std::get_if<LineError>(&m)) return err(e->column, e->message);
        a.kind = Action::Kind::expect;
        a.expect = std::get<Match>(std::move(m));
        c.skip_space();
        if (!c.done()) return err(c.pos(), "unexpected text after the expectation");
        return a;
    }
    if (verb.empty()) return err(0, "empty action (two ';' in a row?)");
    return err(0, "unknown action \"" + std::string(verb) +
                      "\" (send, send-binary, sleep, every, close, drop, fault or expect)");
}

std::variant<Rule, LineError> parse_rule(std::string_view line) {
    Cursor c(line);
    c.skip_space();
    const std::size_t at = c.pos();
    Rule r;
    Cursor probe = c;
    const std::string_view first = probe.word();
    if (first == "open" || first == "close") {
        r.on = first == "open" ? Rule::On::open : Rule::On::close;
        c = probe;
    } else {
        auto m = parse_match(c, "trigger");
        if (auto* e = std::get_if<LineError>(&m)) return *e;
        r.match = std::get<Match>(std::move(m));
    }
    (void)at;
    c.skip_space();
    if (c.done()) return LineError{c.pos(), "the rule has no action"};
    while (!c.done()) {
        c.skip_space();
        const std::size_t start = c.pos();
        const std::string_view text = c.until_separator();
        auto a = parse_action(text, start);
        if (auto* e = std::get_if<LineError>(&a)) return *e;
        r.actions.push_back(std::get<Action>(std::move(a)));
        if (!c.done()) c.advance();  // the ';'
        c.skip_space();
        if (c.done() && line.back() == ';') return LineError{line.size() - 1, "empty action after ';'"};
    }
    return r;
}

// The comment's '#' (outside quotes and /regex/), or npos.
std::size_t comment_start(std::string_view line) {
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '\\') {
            ++i;
            continue;
        }
        if (c == '"') quoted = !quoted;
        if (c == '#' && !quoted && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) return i;
    }
    return std::string_view::npos;
}

std::string expand(std::string_view tmpl, std::string_view msg, std::uint64_t n) {
    std::string out;
    for (std::size_t i = 0; i < tmpl.size(); ++i) {
        if (tmpl.substr(i).starts_with("$msg")) {
            out += msg;
            i += 3;
        } else if (tmpl.substr(i).starts_with("$n")) {
            out += std::to_string(n);
            i += 1;
        } else {
            out += tmpl[i];
        }
    }
    return out;
}

}  // namespace

bool Match::matches(proto::MessageType type, std::string_view data) const {
    switch (kind) {
        case Kind::any: return true;
        case Kind::binary: return type == proto::MessageType::binary;
        case Kind::text_any: return type == proto::MessageType::text;
        case Kind::text_exact: return type == proto::MessageType::text && data == text;
        case Kind::text_regex:
            return type == proto::MessageType::text && std::regex_search(data.begin(), data.end(), *regex);
    }
    return false;
}

std::string Match::describe() const {
    switch (kind) {
        case Kind::any: return "any message";
        case Kind::binary: return "binary";
        case Kind::text_any: return "text *";
        case Kind::text_exact: return "text " + present::quoted(text);
        case Kind::text_regex: return "text /" + text + "/";
    }
    return {};
}

ScriptParse parse_script(std::string_view text, std::string_view file) {
    Script script;
    int number = 0;
    while (!text.empty() || number == 0) {
        ++number;
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!proto::is_valid_utf8(proto::as_bytes(line)))
            return std::string(file) + ":" + std::to_string(number) + ":1: the line is not valid UTF-8";
        line = line.substr(0, comment_start(line));
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) {
            if (text.empty()) break;
            continue;
        }
        auto rule = parse_rule(line);
        if (auto* e = std::get_if<LineError>(&rule))
            return std::string(file) + ":" + std::to_string(number) + ":" + std::to_string(e->column + 1) + ": " + e->message;
        Rule r = std::get<Rule>(std::move(rule));
        r.line = number;
        for (auto& a : r.actions) a.line = number;
        script.rules.push_back(std::move(r));
        if (text.empty()) break;
    }
    if (script.rules.empty()) return std::string(file) + ":1:1: the script has no rule";
    return script;
}

std::vector<Step> Scenario::run(std::size_t index, std::string_view msg) {
    if (runs_.size() < script_->rules.size()) runs_.resize(script_->rules.size(), 0);
    const Rule& rule = script_->rules[index];
    const std::uint64_t n = ++runs_[index];
    std::vector<Step> steps;
    for (const Action& a : rule.actions) {
        Step s;
        s.line = a.line;
        switch (a.kind) {
            case Action::Kind::send:
                s.kind = Step::Kind::send_text;
                s.text = expand(a.text, msg, n);
                break;
            case Action::Kind::send_binary:
                s.kind = Step::Kind::send_binary;
                s.bytes = a.bytes;
                break;
            case Action::Kind::sleep:
                s.kind = Step::Kind::wait;
                s.ms = a.ms;
                break;
            case Action::Kind::every:
                for (std::uint64_t i = 1; i <= a.count; ++i) {
                    Step wait;
                    wait.kind = Step::Kind::wait;
                    wait.ms = a.ms;
                    wait.line = a.line;
                    steps.push_back(wait);
                    Step send;
                    send.kind = Step::Kind::send_text;
                    send.text = expand(a.text, msg, i);
                    send.line = a.line;
                    steps.push_back(std::move(send));
                }
                continue;
            case Action::Kind::close:
                s.kind = Step::Kind::close;
                s.code = a.code;
                s.text = expand(a.text, msg, n);
                break;
            case Action::Kind::drop: s.kind = Step::Kind::drop; break;
            case Action::Kind::fault:
                s.kind = Step::Kind::fault;
                s.fault = a.fault;
                break;
            case Action::Kind::expect:
                s.kind = Step::Kind::expect;
                s.expect = a.expect;
                break;
        }
        steps.push_back(std::move(s));
    }
    return steps;
}

std::vector<Step> Scenario::on_open() {
    for (std::size_t i = 0; i < script_->rules.size(); ++i)
        if (script_->rules[i].on == Rule::On::open) return run(i, {});
    return {};
}

std::vector<Step> Scenario::on_close() {
    for (std::size_t i = 0; i < script_->rules.size(); ++i)
        if (script_->rules[i].on == Rule::On::close) return run(i, {});
    return {};
}

std::vector<Step> Scenario::on_message(proto::MessageType type, proto::ByteView data) {
    const std::string_view text = proto::as_chars(data);
    std::string shown;
    if (type == proto::MessageType::binary) {
        constexpr std::string_view digits = "0123456789abcdef";
        for (std::uint8_t b : data) {
            shown += digits[b >> 4];
            shown += digits[b & 0xF];
        }
    }
    for (std::size_t i = 0; i < script_->rules.size(); ++i) {
        const Rule& r = script_->rules[i];
        if (r.on == Rule::On::message && r.match.matches(type, text))
            return run(i, type == proto::MessageType::binary ? std::string_view(shown) : text);
    }
    return {};
}

void Scenario::arm(const Step& expect) { armed_.push_back(expect); }

std::optional<std::string> Scenario::check(proto::MessageType type, proto::ByteView data) {
    if (armed_.empty()) return std::nullopt;
    const Step e = armed_.front();
    armed_.erase(armed_.begin());
    if (e.expect.matches(type, proto::as_chars(data))) return std::nullopt;
    const std::string got = type == proto::MessageType::text ? "text " + present::quoted(proto::as_chars(data))
                                                             : "a binary message of " + std::to_string(data.size()) + " bytes";
    return "line " + std::to_string(e.line) + ": expected " + e.expect.describe() + ", got " + got;
}

std::vector<std::string> Scenario::unmet_at_end() {
    std::vector<std::string> out;
    for (const Step& e : armed_)
        out.push_back("line " + std::to_string(e.line) + ": expected " + e.expect.describe() +
                      ", but the client left first");
    armed_.clear();
    return out;
}

}  // namespace wscope::app
