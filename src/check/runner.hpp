// Runs cases against a server: each on its own connection, a few at a time, on the program's
// event loop (net::Loop), each bounded by its timeout. Results are handed over in the order
// of the cases, as soon as every earlier one is done.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "check/case.hpp"
#include "check/wire.hpp"
#include "net/connect.hpp"

namespace wscope::check {

struct RunOptions {
    net::ConnectPlan plan;  // how to reach the server (TCP/TLS, proxy)
    unsigned parallel = 4;  // connections at once
    std::chrono::milliseconds timeout{3000};  // per case, unless the case sets its own
    bool record_wire = false;                 // keep the wire for -F/-X
};

struct CaseResult {
    const Case* c = nullptr;
    Verdict verdict;
    Observation obs;
    std::vector<WireItem> wire;
};

using ResultFn = std::function<void(const CaseResult&)>;

// Runs every case; on_result is called once per case, in order. Returns when all are done.
void run_cases(const std::vector<const Case*>& cases, const RunOptions& options,
               const ResultFn& on_result);

}  // namespace wscope::check
