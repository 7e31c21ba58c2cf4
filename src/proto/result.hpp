// Result<T>: a value or a proto::Error. Peer misbehaviour is an ordinary outcome in the core,
// never an exception.
#pragma once

#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "proto/errc.hpp"

namespace wscope::proto {

// A value or an error. The error type defaults to the protocol's Error; other layers use
// their own (net::NetError).
template <typename T, typename E = Error>
class [[nodiscard]] Result {
public:
    Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(E error) : v_(std::in_place_index<1>, std::move(error)) {}
    template <typename C>
        requires std::is_enum_v<C>
    Result(C code, std::string detail = {})
        : v_(std::in_place_index<1>, E{code, std::move(detail)}) {}

    [[nodiscard]] bool ok() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    [[nodiscard]] T& value() & { return std::get<0>(v_); }
    [[nodiscard]] const T& value() const& { return std::get<0>(v_); }
    [[nodiscard]] T&& value() && { return std::get<0>(std::move(v_)); }
    [[nodiscard]] T* operator->() { return &std::get<0>(v_); }
    [[nodiscard]] const T* operator->() const { return &std::get<0>(v_); }
    [[nodiscard]] T& operator*() & { return std::get<0>(v_); }
    [[nodiscard]] const T& operator*() const& { return std::get<0>(v_); }

    [[nodiscard]] const E& error() const { return std::get<1>(v_); }

private:
    std::variant<T, E> v_;
};

template <typename E>
class [[nodiscard]] Result<void, E> {
public:
    Result() = default;
    Result(E error) : error_(std::move(error)), ok_(false) {}
    template <typename C>
        requires std::is_enum_v<C>
    Result(C code, std::string detail = {}) : error_{code, std::move(detail)}, ok_(false) {}

    [[nodiscard]] bool ok() const noexcept { return ok_; }
    explicit operator bool() const noexcept { return ok_; }
    [[nodiscard]] const E& error() const { return error_; }

private:
    E error_{};
    bool ok_ = true;
};

}  // namespace wscope::proto
