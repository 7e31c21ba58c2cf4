// Certificates as TLS error messages show them (tls.cpp): names, validity times, and the
// detail of a failed verification. Internal to the TLS code.
#pragma once

#include <openssl/bio.h>
#include <openssl/x509.h>

#include <string>

namespace wscope::net::tls_detail {

// What a memory BIO holds, as text.
[[nodiscard]] std::string bio_text(BIO* mem);
// "CN=localhost, O=Example": the name in certificate order, UTF-8 kept as is.
[[nodiscard]] std::string name_text(const X509_NAME* name);
// The parenthesised detail after a verification failure: which certificate, what about it.
[[nodiscard]] std::string verify_detail(long code, X509* cert, const std::string& expected);
// "prefix" + OpenSSL's reason + " (detail)".
[[nodiscard]] std::string verify_message(long code, const std::string& detail, const char* prefix);

}  // namespace wscope::net::tls_detail
