/*
 * ref_client.c - the "speed of light" reference client for bench/run.
 *
 * A deliberately minimal WebSocket client (RFC 6455) over plain POSIX
 * sockets: blocking I/O, no TLS, no extensions, no UTF-8 validation, one fixed
 * masking key (clients must mask; a fixed key is enough for a benchmark).
 * It does the same job as `wscope URL` in pipe mode, with as little work as
 * possible, so that the other clients can be compared with what the machine
 * can do:
 *
 *   ref_client ws://HOST:PORT/PATH            stdin lines -> text messages
 *   ref_client -b CHUNK ws://HOST:PORT/PATH   stdin CHUNK-byte pieces -> binary
 *
 * Received text messages are printed followed by "\n", binary ones raw.
 * At stdin EOF it sends Close (1000) and keeps printing until the server's
 * Close arrives, then exits 0.  The main thread writes, a second thread reads.
 *
 * Build: cc -O2 -pthread -o ref_client ref_client.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

static int sock = -1;
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;
static const unsigned char mask_key[4] = {0x5a, 0x3c, 0xa5, 0xc3};

/* Bytes that followed the handshake response in the same read. */
static unsigned char *early = NULL;
static size_t early_len = 0;

static void die(const char *what) {
    fprintf(stderr, "ref_client: %s: %s\n", what, errno ? strerror(errno) : "failed");
    exit(1);
}

static void write_all(const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(sock, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            die("write");
        }
        p += (size_t)w;
        n -= (size_t)w;
    }
}

static void locked_write(const unsigned char *p, size_t n) {
    pthread_mutex_lock(&write_lock);
    write_all(p, n);
    pthread_mutex_unlock(&write_lock);
}

/* XOR the payload with the key; the payload always starts at key offset 0. */
static void apply_mask(unsigned char *p, size_t n) {
    uint64_t k8;
    unsigned char kb[8];
    for (int i = 0; i < 8; i++) kb[i] = mask_key[i & 3];
    memcpy(&k8, kb, 8);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t v;
        memcpy(&v, p + i, 8);
        v ^= k8;
        memcpy(p + i, &v, 8);
    }
    for (; i < n; i++) p[i] ^= mask_key[i & 3];
}

/* Header size of a masked client frame with an n-byte payload. */
static size_t header_len(size_t n) {
    return (n < 126 ? 2 : n <= 0xffff ? 4 : 10) + 4;
}

/* Write a masked frame header for an n-byte payload at h (header_len(n) bytes). */
static void put_header(unsigned char *h, unsigned opcode, size_t n) {
    h[0] = (unsigned char)(0x80 | opcode);
    size_t i;
    if (n < 126) {
        h[1] = (unsigned char)(0x80 | n);
        i = 2;
    } else if (n <= 0xffff) {
        h[1] = 0x80 | 126;
        h[2] = (unsigned char)(n >> 8);
        h[3] = (unsigned char)n;
        i = 4;
    } else {
        h[1] = 0x80 | 127;
        for (int b = 0; b < 8; b++) h[2 + b] = (unsigned char)((uint64_t)n >> (56 - 8 * b));
        i = 10;
    }
    memcpy(h + i, mask_key, 4);
}

static void send_control(unsigned opcode, const unsigned char *payload, size_t n) {
    unsigned char f[14 + 125];
    size_t h = header_len(n);
    put_header(f, opcode, n);
    memcpy(f + h, payload, n);
    apply_mask(f + h, n);
    locked_write(f, h + n);
}

static void connect_and_handshake(const char *url) {
    if (strncmp(url, "ws://", 5) != 0) {
        fprintf(stderr, "ref_client: only ws://HOST:PORT/PATH URLs\n");
        exit(2);
    }
    const char *hp = url + 5;
    const char *slash = strchr(hp, '/');
    const char *path = slash ? slash : "/";
    size_t hplen = slash ? (size_t)(slash - hp) : strlen(hp);
    char hostport[256];
    if (hplen >= sizeof hostport) die("URL host too long");
    memcpy(hostport, hp, hplen);
    hostport[hplen] = 0;
    char host[256];
    const char *port = "80";
    strcpy(host, hostport);
    char *colon = strrchr(host, ':');
    if (colon) {
        *colon = 0;
        port = colon + 1;
    }

    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "ref_client: resolve %s: %s\n", host, gai_strerror(rc));
        exit(1);
    }
    sock = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (sock < 0) die("socket");
    if (connect(sock, res->ai_addr, res->ai_addrlen) != 0) die("connect");
    freeaddrinfo(res);
    int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

    /* The RFC 6455 sample key: fixed, and its Accept value is well known. */
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\n"
                     "Host: %s\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n",
                     path, hostport);
    write_all((const unsigned char *)req, (size_t)n);

    char resp[8192];
    size_t got = 0;
    char *end = NULL;
    while (!end) {
        if (got == sizeof resp - 1) die("handshake response too long");
        ssize_t r = read(sock, resp + got, sizeof resp - 1 - got);
        if (r <= 0) die("handshake read");
        got += (size_t)r;
        resp[got] = 0;
        end = strstr(resp, "\r\n\r\n");
    }
    if (strncmp(resp, "HTTP/1.1 101", 12) != 0 ||
        !strstr(resp, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")) {
        errno = 0;
        fprintf(stderr, "ref_client: handshake refused:\n%.*s\n", (int)(end - resp), resp);
        exit(1);
    }
    size_t hdr = (size_t)(end + 4 - resp);
    early_len = got - hdr;
    if (early_len) {
        early = malloc(early_len);
        memcpy(early, resp + hdr, early_len);
    }
}

/* Reader thread: parse frames, print payloads, stop at the server's Close. */
static void *reader(void *arg) {
    (void)arg;
    size_t cap = 4u << 20, len = 0;
    unsigned char *buf = malloc(cap);
    if (!buf) die("malloc");
    if (early_len) {
        memcpy(buf, early, early_len);
        len = early_len;
    }
    int text = 0; /* opcode of the message in progress is text */
    for (;;) {
        size_t off = 0;
        for (;;) {
            size_t avail = len - off;
            if (avail < 2) break;
            const unsigned char *f = buf + off;
            unsigned op = f[0] & 0x0f, fin = f[0] & 0x80;
            uint64_t plen = f[1] & 0x7f;
            size_t h = 2;
            if (plen == 126) {
                if (avail < 4) break;
                plen = ((uint64_t)f[2] << 8) | f[3];
                h = 4;
            } else if (plen == 127) {
                if (avail < 10) break;
                plen = 0;
                for (int b = 0; b < 8; b++) plen = (plen << 8) | f[2 + b];
                h = 10;
            }
            if (f[1] & 0x80) h += 4; /* servers must not mask; tolerate it */
            if (avail < h + plen) {
                if (h + plen > cap) { /* grow for a frame bigger than the buffer */
                    memmove(buf, buf + off, avail);
                    len = avail;
                    off = 0;
                    cap = h + plen + (1u << 20);
                    buf = realloc(buf, cap);
                    if (!buf) die("realloc");
                }
                break;
            }
            unsigned char *payload = buf + off + h;
            if (f[1] & 0x80) { /* unmask with the server's key */
                const unsigned char *k = f + h - 4;
                for (uint64_t i = 0; i < plen; i++) payload[i] ^= k[i & 3];
            }
            if (op == 0x1 || op == 0x2 || op == 0x0) {
                if (op != 0x0) text = (op == 0x1);
                fwrite(payload, 1, plen, stdout);
                if (fin && text) putchar('\n');
            } else if (op == 0x8) {
                fflush(stdout);
                _exit(0);
            } else if (op == 0x9) {
                send_control(0xA, payload, plen);
            }
            off += h + plen;
        }
        if (off) {
            memmove(buf, buf + off, len - off);
            len -= off;
        }
        ssize_t r = read(sock, buf + len, cap - len);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) {
            fflush(stdout);
            fprintf(stderr, "ref_client: connection closed without a Close frame\n");
            _exit(1);
        }
        len += (size_t)r;
    }
    return NULL;
}

static void send_binary_chunks(size_t chunk) {
    size_t room = 14;
    unsigned char *buf = malloc(room + chunk);
    if (!buf) die("malloc");
    for (;;) {
        size_t n = 0;
        while (n < chunk) {
            size_t r = fread(buf + room + n, 1, chunk - n, stdin);
            if (r == 0) break;
            n += r;
        }
        if (n == 0) break;
        size_t h = header_len(n);
        put_header(buf + room - h, 0x2, n);
        apply_mask(buf + room, n);
        locked_write(buf + room - h, h + n);
        if (n < chunk) break;
    }
    free(buf);
}

static void send_lines(void) {
    size_t cap = 1u << 20, len = 0;
    unsigned char *out = malloc(cap);
    char *line = NULL;
    size_t lcap = 0;
    ssize_t n;
    if (!out) die("malloc");
    while ((n = getline(&line, &lcap, stdin)) >= 0) {
        size_t m = (size_t)n;
        if (m && line[m - 1] == '\n') m--;
        if (m && line[m - 1] == '\r') m--;
        size_t h = header_len(m);
        if (len + h + m > cap) {
            if (len) locked_write(out, len);
            len = 0;
            if (h + m > cap) {
                cap = h + m;
                out = realloc(out, cap);
                if (!out) die("realloc");
            }
        }
        put_header(out + len, 0x1, m);
        memcpy(out + len + h, line, m);
        apply_mask(out + len + h, m);
        len += h + m;
        if (len >= (256u << 10)) { /* batch small frames into big writes */
            locked_write(out, len);
            len = 0;
        }
    }
    if (len) locked_write(out, len);
    free(out);
    free(line);
}

int main(int argc, char **argv) {
    size_t chunk = 0;
    const char *url = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-b") == 0 && i + 1 < argc) {
            chunk = strtoull(argv[++i], NULL, 10);
        } else {
            url = argv[i];
        }
    }
    if (!url || (chunk == 0 && argc > 2)) {
        fprintf(stderr, "usage: ref_client [-b CHUNK] ws://HOST:PORT/PATH\n");
        return 2;
    }
    static char outbuf[1u << 20];
    setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

    connect_and_handshake(url);
    pthread_t rt;
    if (pthread_create(&rt, NULL, reader, NULL) != 0) die("pthread_create");

    if (chunk)
        send_binary_chunks(chunk);
    else
        send_lines();

    static const unsigned char normal_closure[2] = {0x03, 0xe8};
    send_control(0x8, normal_closure, 2);
    pthread_join(rt, NULL); /* the reader exits the process at the server's Close */
    return 0;
}
