// listen --exec: a program per client (exec_feature.hpp).
#include "app/exec_feature.hpp"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/console.hpp"
#include "app/exec_environment.hpp"
#include "app/exec_program.hpp"
#include "app/options.hpp"
#include "proto/utf8.hpp"

namespace wscope::app {
namespace {

using namespace std::chrono_literals;

// While the client has too much unsent, its program's stdout is looked at again this often.
constexpr auto output_recheck = 20ms;
// When the server exits, programs still running get SIGTERM and this long before SIGKILL.
constexpr auto shutdown_grace = 1s;

// Our end of the connection, as "127.0.0.1:8080" / "[::1]:8080" ("" when it has no address).
std::string local_address(int fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return {};
    if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) return {};
    char host[NI_MAXHOST];
    char port[NI_MAXSERV];
    if (::getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, port, sizeof port,
                      NI_NUMERICHOST | NI_NUMERICSERV) != 0)
        return {};
    if (ss.ss_family == AF_INET6) return "[" + std::string(host) + "]:" + port;
    return std::string(host) + ":" + port;
}

// The subprotocol a 101 response agrees on ("" for none, or for no 101).
std::string agreed_subprotocol(const std::string& response) {
    const auto end = response.find("\r\n\r\n");
    if (end == std::string::npos) return {};
    auto head = proto::parse_response_head(std::string_view(response).substr(0, end + 4));
    if (!head) return {};
    return head->get("Sec-WebSocket-Protocol").value_or("");
}

class ExecClient;

class ExecFeature final : public ListenFeature {
public:
    ExecFeature(const ListenOptions& options, Console& console) : o_(options), console_(console) {
        // Children are reaped by waitpid on their pidfd: an inherited "ignore SIGCHLD" would
        // have the kernel reap them first and lose their exit status.
        std::signal(SIGCHLD, SIG_DFL);
    }
    [[nodiscard]] std::unique_ptr<ClientFeature> for_client(unsigned id) override;
    // Programs still running get SIGTERM, and SIGKILL after shutdown_grace; the server's loop
    // runs until every one has exited. (Any left when it stops are killed and reaped.)
    [[nodiscard]] bool ready_to_stop() override;

    [[nodiscard]] const ListenOptions& options() const { return o_; }
    [[nodiscard]] Console& console() { return console_; }
    // Programs alive or winding down.
    [[nodiscard]] std::size_t programs() const { return programs_.size(); }
    // Starts the client's program; nullptr (and error) when it could not be started.
    Program* start(ClientControl& client, const std::string& local, const std::string& subprotocol,
                   std::string& error);

private:
    const ListenOptions& o_;
    Console& console_;
    std::map<unsigned, std::unique_ptr<Program>> programs_;
};

// One client's side: its session and its program, joined.
class ExecClient final : public ClientFeature, public ProgramListener {
public:
    ExecClient(ExecFeature& feature, unsigned id) : feature_(feature), id_(id) {}
    ~ExecClient() override { leave(); }

    void on_accept(std::unique_ptr<net::Stream>& stream, net::Loop& /*loop*/) override {
        local_ = local_address(stream->fd());
    }
    void on_handshake(const proto::HttpHead& request, HandshakeReply& reply) override;
    void on_open(ClientControl& client) override;
    void on_event(const session::SessionEvent& event) override;
    void on_close(ClientControl& /*client*/) override { leave(); }

    void on_output(proto::ByteView record) override;
    void on_output_done() override;
    void on_input_drained() override;
    void on_exit(const ExitStatus& status) override;

private:
    [[nodiscard]] std::string tag() const { return "[" + std::to_string(id_) + "] "; }
    void give_input(proto::ByteView data, bool last);
    void recheck_output();
    void leave();

    ExecFeature& feature_;
    unsigned id_;
    std::string local_, subprotocol_;
    ClientControl* control_ = nullptr;  // from on_open until on_close
    net::Loop* loop_ = nullptr;
    Program* program_ = nullptr;
    proto::Bytes early_;  // input that came before the program was started
    bool early_end_ = false;
    bool started_ = false;
    bool reading_paused_ = false;
    bool bad_text_said_ = false;
    std::optional<net::Loop::TimerId> recheck_;
};

void ExecClient::on_handshake(const proto::HttpHead& /*request*/, HandshakeReply& reply) {
    if (!reply.accepted) return;
    const std::size_t limit = feature_.options().max_clients;
    if (limit != 0 && feature_.programs() >= limit) {
        // The server counts clients; programs of clients that left may still be winding down.
        feature_.console().note(tag() + "refused: --max-clients programs are still running");
        reply.response =
            "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n"
            "Content-Length: 34\r\n\r\ntoo many clients (--max-clients)\r\n";
        reply.accepted = false;
        return;
    }
    subprotocol_ = agreed_subprotocol(reply.response);
}

void ExecClient::on_open(ClientControl& client) {
    control_ = &client;
    loop_ = &client.loop();
    started_ = true;
    std::string error;
    program_ = feature_.start(client, local_, subprotocol_, error);
    if (!program_) {
        feature_.console().error(tag() + "cannot start the program: " + error);
        client.session().close(proto::CloseCode::internal_error, "cannot start the program");
        client.update();
        return;
    }
    program_->attach(this);
    if (!early_.empty()) program_->write_input(early_);
    proto::Bytes().swap(early_);
    if (early_end_) program_->end_input();
    if (program_->input_backlogged()) {
        reading_paused_ = true;
        client.pause_reading(true);
    }
}

void ExecClient::on_event(const session::SessionEvent& event) {
    using namespace session;
    if (const auto* m = std::get_if<MessageEvent>(&event)) {
        if (m->dir == Direction::in) give_input(m->data, m->last);
    } else if (const auto* c = std::get_if<CloseEvent>(&event)) {
        if (c->dir != Direction::in) return;
        if (program_) program_->end_input();
        else early_end_ = true;
    }
}

// A received message (or a piece of it) for the program: text ends with a newline.
void ExecClient::give_input(proto::ByteView data, bool last) {
    static constexpr std::uint8_t newline[] = {'\n'};
    const bool lines = !feature_.options().binary;
    if (!program_) {
        if (started_) return;  // it could not be started
        early_.insert(early_.end(), data.begin(), data.end());
        if (last && lines) early_.push_back('\n');
        return;
    }
    program_->write_input(data);
    if (last && lines) program_->write_input(newline);
    if (!reading_paused_ && program_->input_backlogged() && control_) {
        reading_paused_ = true;
        control_->pause_reading(true);
    }
}

void ExecClient::on_input_drained() {
    if (!reading_paused_ || !control_) return;
    reading_paused_ = false;
    control_->pause_reading(false);
}

void ExecClient::on_output(proto::ByteView record) {
    if (!control_) return;
    session::Session& s = control_->session();
    if (s.closing() || s.finished()) return;
    const bool binary = feature_.options().binary;
    if (!binary && !proto::is_valid_utf8(record)) {
        if (!bad_text_said_)
            feature_.console().warning(tag() + "the program wrote a line that is not UTF-8: not sent "
                                       "(--binary sends its output as binary messages)");
        bad_text_said_ = true;
        return;
    }
    s.send_message(binary ? proto::MessageType::binary : proto::MessageType::text, record);
}

// After a read's worth of records: send them, and stop reading the program while the client
// has more unsent than the session's input budget.
void ExecClient::on_output_done() {
    if (!control_) return;
    session::Session& s = control_->session();
    s.pump();
    control_->update();
    if (s.finished() || s.accepting_input() || recheck_) return;
    program_->pause_output(true);
    recheck_ = control_->loop().at(session::Clock::now() + output_recheck, [this] { recheck_output(); });
}

void ExecClient::recheck_output() {
    recheck_.reset();
    if (!control_ || !program_) return;
    const session::Session& s = control_->session();
    if (s.finished() || s.accepting_input()) {
        program_->pause_output(false);
        return;
    }
    recheck_ = control_->loop().at(session::Clock::now() + output_recheck, [this] { recheck_output(); });
}

void ExecClient::on_exit(const ExitStatus& status) {
    if (!control_) return;
    session::Session& s = control_->session();
    if (status.success()) s.close(proto::CloseCode::normal, "");
    else s.close(proto::CloseCode::internal_error, exit_status_text(status));
    control_->update();
}

void ExecClient::leave() {
    // Without control_: the server may destroy a client without on_close when it exits.
    if (recheck_ && loop_) loop_->cancel(*recheck_);
    recheck_.reset();
    if (program_) {
        program_->end_input();
        program_->attach(nullptr);
    }
    program_ = nullptr;
    control_ = nullptr;
}

// ---------------------------------------------------------------------------- the feature

std::unique_ptr<ClientFeature> ExecFeature::for_client(unsigned id) { return std::make_unique<ExecClient>(*this, id); }

Program* ExecFeature::start(ClientControl& client, const std::string& local, const std::string& subprotocol,
                            std::string& error) {
    ExecContext context;
    context.request = &client.request();
    context.peer = client.peer();
    context.local = local;
    context.subprotocol = subprotocol;
    context.tls = !o_.tls_cert.empty();
    context.client_id = client.id();
    context.version = WSCOPE_VERSION;
    SpawnRequest request;
    request.argv = {"/bin/sh", "-c", o_.exec};
    request.env = exec_environment(context, environ);
    request.signal_mask = client.loop().saved_signal_mask();
    auto child = ChildProcess::spawn(request, error);
    if (!child) return nullptr;
    const unsigned id = client.id();
    ProgramSetup setup;
    setup.id = id;
    setup.binary = o_.binary;
    setup.max_line = static_cast<std::size_t>(o_.max_message);
    setup.close_timeout = session::seconds(o_.close_timeout);
    console_.trace("* " + std::string("[") + std::to_string(id) + "] started the program, pid " +
                   std::to_string(child->pid()));
    auto program = std::make_unique<Program>(client.loop(), console_, std::move(child), setup,
                                             [this, id] { programs_.erase(id); });
    Program* p = program.get();
    programs_[id] = std::move(program);
    return p;
}

bool ExecFeature::ready_to_stop() {
    for (auto& [id, p] : programs_) p->terminate(shutdown_grace);
    return programs_.empty();
}

}  // namespace

std::unique_ptr<ListenFeature> make_exec_feature(const ListenOptions& options, Console& console) {
    return std::make_unique<ExecFeature>(options, console);
}

}  // namespace wscope::app
