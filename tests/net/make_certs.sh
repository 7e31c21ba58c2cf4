#!/bin/sh
# Makes the certificates the TLS tests use, into the directory given as $1, with the openssl
# CLI (OpenSSL 3): a CA, a server certificate for localhost/127.0.0.1/::1, an expired one, one
# for another host, a self-signed one, and a client certificate for mutual TLS. EC P-256 keys
# keep it fast. Nothing here is secret: the keys live and die with the test's temp directory.
set -eu

dir=${1:?usage: make_certs.sh DIR}
cd "$dir"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# Certificate extensions, one section per kind.
cat > ext.cnf <<'CNF'
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1

[other]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:other.example

[client]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
CNF

# The CA.
key ca.key
openssl req -new -x509 -key ca.key -subj "/CN=wscope test CA" -days 30 \
    -config ext.cnf -extensions ca -out ca.pem 2>/dev/null

# sign NAME SUBJECT SECTION: NAME.key and NAME.pem, signed by the CA for 30 days.
sign() {
    key "$1.key"
    openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
        -extfile ext.cnf -extensions "$3" -out "$1.pem" 2>/dev/null
}
sign server "/CN=localhost" server
sign other "/CN=other.example" other
sign client "/CN=wscope test client" client

# Expired: `openssl ca` is the OpenSSL 3.0 tool that takes explicit start and end dates.
mkdir -p ca.db
: > ca.db/index.txt
echo 1000 > ca.db/serial
cat > ca.cnf <<'CNF'
[ca]
default_ca = test_ca

[test_ca]
dir = .
database = ./ca.db/index.txt
serial = ./ca.db/serial
new_certs_dir = ./ca.db
certificate = ./ca.pem
private_key = ./ca.key
default_md = sha256
policy = anything
copy_extensions = none
unique_subject = no

[anything]
commonName = supplied

[server]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
CNF
key expired.key
openssl req -new -key expired.key -subj "/CN=localhost" -out expired.csr 2>/dev/null
openssl ca -batch -config ca.cnf -extensions server -startdate 20200101000000Z \
    -enddate 20200102000000Z -in expired.csr -out expired.pem -notext 2>/dev/null

# Self-signed, for localhost: valid, but trusted by nobody.
key self.key
openssl req -new -x509 -key self.key -subj "/CN=localhost" -days 30 \
    -config ext.cnf -extensions server -out self.pem 2>/dev/null
