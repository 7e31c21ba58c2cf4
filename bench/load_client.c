/*
 * load_client.c - the lean load generator for bench/run's server rows.
 *
 * Opens C WebSocket connections (RFC 6455, ws:// only) from one epoll loop,
 * waits until every handshake is done, then keeps W identical messages of S
 * bytes in flight on each connection until each has had N echoes back, and
 * closes (Close 1000, then waits for the server's Close).  Only the middle
 * phase is timed.  Every outgoing frame is the same masked template, written
 * with writev straight from it; incoming frames are parsed as a stream and
 * counted, never stored.  So the client costs the same whatever the server.
 *
 *   load_client [-c CONNS] [-n ECHOES] [-s SIZE] [-w WINDOW] [-b] [-z]
 *               [-i] [-p PID] [-t SECONDS] ws://HOST:PORT/PATH
 *
 *   -b  binary messages (default text)
 *   -z  offer permessage-deflate and send the payload compressed (RSV1),
 *       deflated once up front (the payload is then a repetitive text)
 *   -i  idle mode: after the echoes, print "ready" and hold every connection
 *       open until stdin reaches EOF
 *   -p  a server process: its CPU time (all threads, from schedstat) over the
 *       timed phase is reported
 *
 * Prints one JSON object on stdout: conns, echoes, seconds (timed phase),
 * setup_seconds, server_cpu (seconds, or -1 without -p), client_cpu (this
 * process, all phases).  Exit 1 on any
 * failure (refused handshake, a connection lost, timeout).
 *
 * Build: cc -O2 -o load_client load_client.c -lz
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

enum { CONNECTING, HANDSHAKE, OPEN, CLOSING, DONE };

struct conn {
    int fd, state;
    long sent, recvd;
    size_t frames_out;  /* whole template frames still to write */
    size_t off;         /* bytes of the first of them already written */
    int close_out;      /* our Close frame is queued */
    size_t close_off;
    char *head;         /* handshake response so far */
    size_t headlen;
    unsigned char hdr[14];
    size_t hlen;
    uint64_t skip;      /* payload bytes of the current frame still to come */
    unsigned op, fin;
    int want_out;       /* EPOLLOUT registered */
};

static long conns = 1, echoes = 1000, window = 1;
static size_t size = 32;
static int binary = 0, use_deflate = 0, idle = 0, pid = 0;
static double limit = 120;
static const unsigned char mask_key[4] = {0x5a, 0x3c, 0xa5, 0xc3};
static unsigned char *frame;  /* the masked message frame */
static size_t frame_len;
static unsigned char close_frame[8];
static const char *host, *port, *path, *hostport;
static struct conn *cs;
static int ep;
static long opened, finished, connecting, next_conn, ready_count;
static struct addrinfo *addr;

static void fail(const char *what) {
    fprintf(stderr, "load_client: %s%s%s\n", what, errno ? ": " : "", errno ? strerror(errno) : "");
    exit(1);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU time of every thread of pid, seconds (schedstat is in ns). */
static double server_cpu(void) {
    if (!pid) return -1;
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/task", pid);
    DIR *d = opendir(dir);
    if (!d) return -1;
    double total = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p[400];
        snprintf(p, sizeof p, "%s/%s/schedstat", dir, e->d_name);
        FILE *f = fopen(p, "r");
        unsigned long long ns = 0;
        if (f) {
            if (fscanf(f, "%llu", &ns) != 1) ns = 0;
            fclose(f);
        }
        total += (double)ns / 1e9;
    }
    closedir(d);
    return total;
}

static size_t put_header(unsigned char *h, unsigned first, size_t n) {
    size_t i;
    h[0] = (unsigned char)first;
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
    return i + 4;
}

static void build_frames(void) {
    unsigned char *payload = malloc(size ? size : 1);
    if (!payload) fail("malloc");
    /* text that compresses (and is valid UTF-8), or bytes that do not */
    uint32_t x = 12345;
    for (size_t i = 0; i < size; i++) {
        x = x * 1103515245u + 12345u;
        if (use_deflate) /* repetitive text: cheap to deflate and inflate */
            payload[i] = (unsigned char)"abcdefghijklmnopqrstuvwxyz"[(i + i / 4096) % 26];
        else
            payload[i] = binary ? (unsigned char)(x >> 24) : (unsigned char)('a' + (x >> 24) % 26);
    }
    size_t n = size;
    unsigned first = 0x80 | (binary ? 0x2 : 0x1);
    if (use_deflate) { /* one raw-deflate block, its 00 00 ff ff tail removed (RFC 7692 §7.2.1) */
        z_stream z = {0};
        if (deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) fail("deflateInit2");
        size_t cap = deflateBound(&z, size) + 16;
        unsigned char *out = malloc(cap);
        z.next_in = payload;
        z.avail_in = (uInt)size;
        z.next_out = out;
        z.avail_out = (uInt)cap;
        if (deflate(&z, Z_SYNC_FLUSH) != Z_OK) fail("deflate");
        n = cap - z.avail_out - 4;
        deflateEnd(&z);
        free(payload);
        payload = out;
        first |= 0x40;
    }
    frame = malloc(n + 14);
    if (!frame) fail("malloc");
    size_t h = put_header(frame, first, n);
    for (size_t i = 0; i < n; i++) frame[h + i] = payload[i] ^ mask_key[i & 3];
    frame_len = h + n;
    free(payload);
    put_header(close_frame, 0x88, 2);
    close_frame[6] = 0x03 ^ mask_key[0];
    close_frame[7] = 0xe8 ^ mask_key[1];
}

static void set_out(struct conn *c) {
    int want = c->frames_out || c->close_out;
    if (want == c->want_out) return;
    struct epoll_event ev = {.events = EPOLLIN | (want ? EPOLLOUT : 0), .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = want;
}

static void finish(struct conn *c) {
    close(c->fd);
    c->state = DONE;
    finished++;
}

static void flush(struct conn *c) {
    while (c->frames_out) {
        struct iovec iov[64];
        size_t k = 0;
        for (; k < c->frames_out && k < 64; k++) {
            iov[k].iov_base = frame + (k ? 0 : c->off);
            iov[k].iov_len = frame_len - (k ? 0 : c->off);
        }
        ssize_t w = writev(c->fd, iov, (int)k);
        if (w < 0) {
            if (errno == EAGAIN || errno == EINTR) break;
            fail("write");
        }
        size_t left = (size_t)w;
        while (left) {
            size_t first = frame_len - c->off;
            if (left >= first) {
                left -= first;
                c->off = 0;
                c->frames_out--;
            } else {
                c->off += left;
                left = 0;
            }
        }
        if ((size_t)w < iov[0].iov_len + (k > 1 ? (k - 1) * frame_len : 0)) break;
    }
    if (!c->frames_out && c->close_out) {
        ssize_t w = write(c->fd, close_frame + c->close_off, sizeof close_frame - c->close_off);
        if (w > 0) c->close_off += (size_t)w;
        else if (w < 0 && errno != EAGAIN && errno != EINTR) fail("write");
        if (c->close_off == sizeof close_frame) c->close_out = 0;
    }
    set_out(c);
}

static void start_close(struct conn *c) {
    c->state = CLOSING;
    c->close_out = 1;
}

static void on_message(struct conn *c) {
    c->recvd++;
    if (c->sent < echoes) {
        c->sent++;
        c->frames_out++;
    } else if (c->recvd == echoes) {
        ready_count++;
        if (!idle) start_close(c);
    }
}

static void on_frame_end(struct conn *c) {
    if (c->op == 0x8) {
        if (c->state != CLOSING || c->recvd != echoes) {
            errno = 0;
            fail("the server closed the connection before all echoes");
        }
        finish(c);
    } else if (c->op <= 0x2 && c->fin) {
        on_message(c);
    }
}

/* Feed received bytes to the frame parser. */
static void parse(struct conn *c, const unsigned char *p, size_t n) {
    const unsigned char *end = p + n;
    while (p < end && c->state != DONE) {
        if (c->skip) {
            uint64_t k = (uint64_t)(end - p) < c->skip ? (uint64_t)(end - p) : c->skip;
            p += k;
            c->skip -= k;
            if (!c->skip) on_frame_end(c);
            continue;
        }
        c->hdr[c->hlen++] = *p++;
        if (c->hlen < 2) continue;
        unsigned b1 = c->hdr[1] & 0x7f;
        size_t need = 2 + (b1 == 126 ? 2 : b1 == 127 ? 8 : 0) + ((c->hdr[1] & 0x80) ? 4 : 0);
        if (c->hlen < need) continue;
        uint64_t len = b1;
        if (b1 == 126) len = ((uint64_t)c->hdr[2] << 8) | c->hdr[3];
        if (b1 == 127) {
            len = 0;
            for (int b = 0; b < 8; b++) len = (len << 8) | c->hdr[2 + b];
        }
        unsigned op = c->hdr[0] & 0x0f;
        if (op) c->op = op;
        else if (c->op >= 0x8) c->op = 0;
        c->fin = c->hdr[0] & 0x80;
        if (op >= 0x8) c->op = op;
        c->hlen = 0;
        c->skip = len;
        if (!len) on_frame_end(c);
    }
}

static void start_connect(struct conn *c) {
    c->fd = socket(addr->ai_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) fail("socket (raise ulimit -n?)");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, addr->ai_addr, addr->ai_addrlen) != 0 && errno != EINPROGRESS) fail("connect");
    c->state = CONNECTING;
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
    c->want_out = 1;
    connecting++;
}

static void send_request(struct conn *c) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) {
        errno = err;
        fail("connect");
    }
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n%s\r\n",
                     path, hostport, use_deflate ? "Sec-WebSocket-Extensions: permessage-deflate\r\n" : "");
    if (write(c->fd, req, (size_t)n) != n) fail("write request");
    c->state = HANDSHAKE;
    c->head = malloc(4096);
    c->headlen = 0;
    set_out(c);
}

static void on_open_all(double *t0, double *cpu0) {
    *t0 = now();
    *cpu0 = server_cpu();
    for (long i = 0; i < conns; i++) {
        struct conn *c = &cs[i];
        long k = window < echoes ? window : echoes;
        c->sent = k;
        c->frames_out = (size_t)k;
        flush(c);
    }
}

static unsigned char rbuf[256 << 10];

int main(int argc, char **argv) {
    const char *url = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : "0";
        if (!strcmp(a, "-c")) conns = atol(v), i++;
        else if (!strcmp(a, "-n")) echoes = atol(v), i++;
        else if (!strcmp(a, "-s")) size = strtoull(v, NULL, 10), i++;
        else if (!strcmp(a, "-w")) window = atol(v), i++;
        else if (!strcmp(a, "-p")) pid = atoi(v), i++;
        else if (!strcmp(a, "-t")) limit = atof(v), i++;
        else if (!strcmp(a, "-b")) binary = 1;
        else if (!strcmp(a, "-z")) use_deflate = 1;
        else if (!strcmp(a, "-i")) idle = 1;
        else url = a;
    }
    if (!url || strncmp(url, "ws://", 5) || conns < 1 || echoes < 1 || window < 1) {
        fprintf(stderr, "usage: load_client [-c CONNS] [-n ECHOES] [-s SIZE] [-w WINDOW] [-b] [-z] [-i] "
                        "[-p PID] [-t SECONDS] ws://HOST:PORT/PATH\n");
        return 2;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    static char hp[256], h[256];
    const char *slash = strchr(url + 5, '/');
    size_t hpl = slash ? (size_t)(slash - (url + 5)) : strlen(url + 5);
    if (hpl >= sizeof hp) return 2;
    memcpy(hp, url + 5, hpl);
    hostport = hp;
    path = slash ? slash : "/";
    strcpy(h, hp);
    char *colon = strrchr(h, ':');
    port = "80";
    if (colon) *colon = 0, port = colon + 1;
    host = h;
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    if (getaddrinfo(host, port, &hints, &addr) != 0) fail("resolve");
    build_frames();
    cs = calloc((size_t)conns, sizeof *cs);
    ep = epoll_create1(0);
    if (!cs || ep < 0) fail("setup");

    double t_start = now(), t0 = 0, cpu0 = 0, t1 = 0, cpu1 = 0;
    int timed = 0, reported_ready = 0;
    if (idle) {
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
        epoll_ctl(ep, EPOLL_CTL_ADD, 0, &ev);
    }
    struct epoll_event evs[256];
    while (finished < conns) {
        while (next_conn < conns && connecting < 128) start_connect(&cs[next_conn++]);
        if (now() - t_start > limit) {
            errno = 0;
            fail("timed out");
        }
        int n = epoll_wait(ep, evs, 256, 1000);
        if (n < 0 && errno != EINTR) fail("epoll_wait");
        for (int i = 0; i < n; i++) {
            struct conn *c = evs[i].data.ptr;
            if (!c) { /* stdin, idle mode */
                ssize_t r = read(0, rbuf, sizeof rbuf);
                if (r <= 0) {
                    epoll_ctl(ep, EPOLL_CTL_DEL, 0, NULL);
                    for (long k = 0; k < conns; k++)
                        if (cs[k].state == OPEN) {
                            start_close(&cs[k]);
                            flush(&cs[k]);
                        }
                }
                continue;
            }
            if (c->state == DONE) continue;
            if (c->state == CONNECTING) {
                if (evs[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) send_request(c);
                continue;
            }
            if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t r = read(c->fd, rbuf, sizeof rbuf);
                if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
                if (r <= 0) {
                    errno = r < 0 ? errno : 0;
                    fail("connection lost");
                }
                const unsigned char *p = rbuf;
                size_t len = (size_t)r;
                if (c->state == HANDSHAKE) {
                    size_t take = len < 4095 - c->headlen ? len : 4095 - c->headlen;
                    memcpy(c->head + c->headlen, p, take);
                    c->headlen += take;
                    c->head[c->headlen] = 0;
                    char *e = strstr(c->head, "\r\n\r\n");
                    if (!e) {
                        if (c->headlen == 4095) fail("handshake response too long");
                        continue;
                    }
                    if (strncmp(c->head, "HTTP/1.1 101", 12)) {
                        errno = 0;
                        fprintf(stderr, "%s\n", c->head);
                        fail("handshake refused");
                    }
                    size_t used = (size_t)(e + 4 - c->head) - (c->headlen - take);
                    free(c->head);
                    c->head = NULL;
                    p += used;
                    len -= used;
                    c->state = OPEN;
                    connecting--;
                    if (++opened == conns) on_open_all(&t0, &cpu0), timed = 1;
                }
                parse(c, p, len);
            }
            if (c->state != DONE && (c->frames_out || c->close_out)) flush(c);
        }
        if (timed && !t1 && ready_count == conns) {
            t1 = now();
            cpu1 = server_cpu();
        }
        if (idle && ready_count == conns && !reported_ready) {
            printf("ready\n");
            fflush(stdout);
            reported_ready = 1;
        }
    }
    if (!t1) {
        t1 = now();
        cpu1 = server_cpu();
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double own = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                 (double)ru.ru_stime.tv_usec / 1e6;
    printf("{\"conns\": %ld, \"echoes\": %ld, \"seconds\": %.6f, \"setup_seconds\": %.6f, "
           "\"server_cpu\": %.6f, \"client_cpu\": %.6f}\n",
           conns, conns * echoes, t1 - t0, t0 - t_start, pid ? cpu1 - cpu0 : -1.0, own);
    return 0;
}
