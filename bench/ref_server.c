/*
 * ref_server.c - the "speed of light" reference echo server for bench/run.
 *
 * A deliberately minimal WebSocket server (RFC 6455): one thread, one epoll
 * loop, non-blocking sockets, no TLS, no extensions, no UTF-8 validation.
 * Every data frame is sent back as it came (same opcode and FIN, unmasked),
 * so fragmented messages echo as fragments; a Ping gets a Pong, a Close is
 * answered with a Close and the connection ends.  Each client reads into its
 * own buffer; the echoes of one read are gathered in one output buffer and
 * written with one write(2).  A client is
 * not read while more than 4 MiB of its echoes wait to be written.
 *
 *   ref_server [PORT]      (0 or absent: any free port on 127.0.0.1)
 *
 * Prints "listening PORT" on stdout once it accepts connections.
 *
 * Build: cc -O2 -o ref_server ref_server.c -lcrypto
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define OUT_LIMIT (4u << 20)

struct conn {
    int fd, open, closing, reading;
    unsigned char *in;
    size_t inlen, incap;
    unsigned char *out;
    size_t outlen, outoff, outcap;
};

static int ep;

static void reserve(unsigned char **p, size_t *cap, size_t need) {
    if (need <= *cap) return;
    size_t c = *cap ? *cap : 4096;
    while (c < need) c *= 2;
    unsigned char *n = realloc(*p, c);
    if (!n) {
        perror("ref_server: realloc");
        exit(1);
    }
    *p = n;
    *cap = c;
}

static void drop(struct conn *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->in);
    free(c->out);
    free(c);
}

static void update(struct conn *c) {
    int reading = !c->closing && c->outlen - c->outoff < OUT_LIMIT;
    struct epoll_event ev = {.events = (reading ? EPOLLIN : 0) | (c->outlen > c->outoff ? EPOLLOUT : 0),
                             .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->reading = reading;
}

/* Write what is queued; 0 when the connection is gone. */
static int flush(struct conn *c) {
    while (c->outoff < c->outlen) {
        ssize_t w = write(c->fd, c->out + c->outoff, c->outlen - c->outoff);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            drop(c);
            return 0;
        }
        c->outoff += (size_t)w;
    }
    if (c->outoff == c->outlen) {
        c->outoff = c->outlen = 0;
        if (c->closing) {
            drop(c);
            return 0;
        }
    }
    update(c);
    return 1;
}

static void accept_key(const char *key, size_t n, char out[29]) {
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    char buf[256];
    unsigned char md[20];
    unsigned int mdlen = 0;
    if (n > sizeof buf - sizeof guid) n = sizeof buf - sizeof guid;
    memcpy(buf, key, n);
    memcpy(buf + n, guid, sizeof guid - 1);
    EVP_Digest(buf, n + sizeof guid - 1, md, &mdlen, EVP_sha1(), NULL);
    EVP_EncodeBlock((unsigned char *)out, md, 20);
}

/* The request head is complete in c->in[0..end): answer it. 0: refuse. */
static int handshake(struct conn *c, size_t end) {
    c->in[end - 1] = 0;
    const char *p = (const char *)c->in, *key = NULL;
    size_t keylen = 0;
    while ((p = strstr(p, "\r\n"))) {
        p += 2;
        if (!strncasecmp(p, "Sec-WebSocket-Key:", 18)) {
            key = p + 18;
            while (*key == ' ' || *key == '\t') key++;
            const char *e = strstr(key, "\r\n");
            keylen = e ? (size_t)(e - key) : strlen(key);
            while (keylen && (key[keylen - 1] == ' ' || key[keylen - 1] == '\t')) keylen--;
        }
    }
    if (!key) return 0;
    char acc[29];
    accept_key(key, keylen, acc);
    char resp[256];
    int n = snprintf(resp, sizeof resp,
                     "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n\r\n",
                     acc);
    reserve(&c->out, &c->outcap, c->outlen + (size_t)n);
    memcpy(c->out + c->outlen, resp, (size_t)n);
    c->outlen += (size_t)n;
    c->open = 1;
    return 1;
}

/* Echo every complete frame in c->in; returns the bytes consumed. */
static size_t echo_frames(struct conn *c) {
    size_t off = 0;
    for (;;) {
        size_t avail = c->inlen - off;
        if (avail < 2) break;
        const unsigned char *f = c->in + off;
        uint64_t len = f[1] & 0x7f;
        size_t h = 2;
        if (len == 126) {
            if (avail < 4) break;
            len = ((uint64_t)f[2] << 8) | f[3];
            h = 4;
        } else if (len == 127) {
            if (avail < 10) break;
            len = 0;
            for (int b = 0; b < 8; b++) len = (len << 8) | f[2 + b];
            h = 10;
        }
        int masked = (f[1] & 0x80) != 0;
        if (masked) h += 4;
        if (avail < h + len) {
            reserve(&c->in, &c->incap, h + len); /* the frame's room, for the next reads */
            break;
        }
        unsigned op = f[0] & 0x0f;
        unsigned char *dst;
        size_t oh = len < 126 ? 2 : len <= 0xffff ? 4 : 10;
        reserve(&c->out, &c->outcap, c->outlen + oh + len);
        f = c->in + off;
        dst = c->out + c->outlen;
        dst[0] = (unsigned char)((f[0] & 0x80) | (op == 0x9 ? 0xA : op));
        if (oh == 2) {
            dst[1] = (unsigned char)len;
        } else if (oh == 4) {
            dst[1] = 126;
            dst[2] = (unsigned char)(len >> 8);
            dst[3] = (unsigned char)len;
        } else {
            dst[1] = 127;
            for (int b = 0; b < 8; b++) dst[2 + b] = (unsigned char)(len >> (56 - 8 * b));
        }
        const unsigned char *src = f + h;
        unsigned char *d = dst + oh;
        if (masked) { /* unmask while copying, 8 bytes at a time */
            const unsigned char *k = f + h - 4;
            uint64_t k8;
            unsigned char kb[8];
            for (int i = 0; i < 8; i++) kb[i] = k[i & 3];
            memcpy(&k8, kb, 8);
            size_t i = 0;
            for (; i + 8 <= len; i += 8) {
                uint64_t v;
                memcpy(&v, src + i, 8);
                v ^= k8;
                memcpy(d + i, &v, 8);
            }
            for (; i < len; i++) d[i] = src[i] ^ k[i & 3];
        } else {
            memcpy(d, src, len);
        }
        if (op != 0xA) c->outlen += oh + len; /* a Pong from the client is not echoed */
        off += h + len;
        if (op == 0x8) {
            c->closing = 1;
            break;
        }
    }
    return off;
}

static void on_readable(struct conn *c) {
    reserve(&c->in, &c->incap, c->inlen + (64u << 10) + 1);
    ssize_t r = read(c->fd, c->in + c->inlen, c->incap - c->inlen - 1);
    if (r < 0 && (errno == EAGAIN || errno == EINTR)) return;
    if (r <= 0) {
        drop(c);
        return;
    }
    c->inlen += (size_t)r;
    if (!c->open) {
        unsigned char *e = memmem(c->in, c->inlen, "\r\n\r\n", 4);
        if (!e) {
            if (c->inlen > 16384) drop(c);
            return;
        }
        size_t end = (size_t)(e + 4 - c->in);
        if (!handshake(c, end)) {
            drop(c);
            return;
        }
        memmove(c->in, c->in + end, c->inlen - end);
        c->inlen -= end;
    }
    size_t used = echo_frames(c);
    if (used) {
        memmove(c->in, c->in + used, c->inlen - used);
        c->inlen -= used;
    }
    flush(c);
}

int main(int argc, char **argv) {
    int port = argc > 1 ? atoi(argv[1]) : 0;
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(ls, (struct sockaddr *)&sa, sizeof sa) || listen(ls, 4096)) {
        perror("ref_server: bind/listen");
        return 1;
    }
    socklen_t sl = sizeof sa;
    getsockname(ls, (struct sockaddr *)&sa, &sl);
    ep = epoll_create1(0);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &lev);
    printf("listening %d\n", ntohs(sa.sin_port));
    fflush(stdout);
    struct epoll_event evs[256];
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (!c) {
                int fd;
                while ((fd = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    c = calloc(1, sizeof *c);
                    c->fd = fd;
                    c->reading = 1;
                    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
                }
                continue;
            }
            if (evs[i].events & EPOLLOUT) {
                if (!flush(c)) continue;
            }
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                if (c->reading) on_readable(c);
                else if (evs[i].events & (EPOLLHUP | EPOLLERR)) drop(c);
            }
        }
    }
}
