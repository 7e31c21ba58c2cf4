// Certificate formatting for TLS errors (tls_certs.hpp).
#include "net/tls_certs.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>

namespace wscope::net::tls_detail {
namespace {

struct BioDeleter {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
using BioPtr = std::unique_ptr<BIO, BioDeleter>;

}  // namespace

std::string bio_text(BIO* mem) {
    char* data = nullptr;
    const long len = BIO_get_mem_data(mem, &data);
    return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string();
}

// "CN=localhost, O=Example": the name in certificate order, UTF-8 kept as is.
std::string name_text(const X509_NAME* name) {
    if (name == nullptr) return {};
    const BioPtr mem(BIO_new(BIO_s_mem()));
    if (!mem) return {};
    const unsigned long flags =
        XN_FLAG_SEP_CPLUS_SPC | XN_FLAG_FN_SN | (ASN1_STRFLGS_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    X509_NAME_print_ex(mem.get(), name, 0, flags);
    return bio_text(mem.get());
}

// "2020-01-02 00:00:00 UTC"
static std::string time_text(const ASN1_TIME* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return "?";
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

// The DNS names and IP addresses a certificate is valid for (its subjectAltName), or its
// common name when it has none: "other.example, 10.0.0.1".
static std::string names_of(X509* cert) {
    std::string out;
    const auto add = [&](const std::string& name) { out += (out.empty() ? "" : ", ") + name; };
    auto* sans =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
        if (gn->type == GEN_DNS) {
            const ASN1_STRING* s = gn->d.dNSName;
            add(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                            static_cast<std::size_t>(ASN1_STRING_length(s))));
        } else if (gn->type == GEN_IPADD) {
            const ASN1_OCTET_STRING* s = gn->d.iPAddress;
            char buf[INET6_ADDRSTRLEN] = "?";
            const int len = ASN1_STRING_length(s);
            const int af = len == 4 ? AF_INET : len == 16 ? AF_INET6 : 0;
            if (af != 0) ::inet_ntop(af, ASN1_STRING_get0_data(s), buf, sizeof buf);
            add(buf);
        }
    }
    GENERAL_NAMES_free(sans);
    if (!out.empty()) return out;
    const X509_NAME* subject = X509_get_subject_name(cert);
    const int idx = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
    if (idx < 0) return "no names";
    const ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
    return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(cn)),
                       static_cast<std::size_t>(ASN1_STRING_length(cn)));
}

// The parenthesised detail after the reason: which certificate, and what about it.
std::string verify_detail(long code, X509* cert, const std::string& expected) {
    if (cert == nullptr) return {};
    const std::string subject = name_text(X509_get_subject_name(cert));
    switch (code) {
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
            return "certificate is for " + names_of(cert) + ", not " + expected;
        case X509_V_ERR_CERT_HAS_EXPIRED:
            return subject + ", expired " + time_text(X509_get0_notAfter(cert));
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return subject + ", valid from " + time_text(X509_get0_notBefore(cert));
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
            return subject + ", issued by " + name_text(X509_get_issuer_name(cert));
        default:
            return subject;
    }
}

std::string verify_message(long code, const std::string& detail, const char* prefix) {
    std::string out = std::string(prefix) + X509_verify_cert_error_string(code);
    if (!detail.empty()) out += " (" + detail + ")";
    return out;
}

}  // namespace wscope::net::tls_detail
