/* /init for the Linux network tests (tests/linux/net.py): brings eth0 (the LANCE)
 * up with a static address and moves data over TCP, printing "PASS name" or
 * `FAIL name got "X" want "Y"` per check, then DONE, and powers off.
 *
 * The kernel command line says what to do (read from /proc/cmdline):
 *   tnet.role=user   10.0.2.15 on -nic user: listen on 7777 for an echo client
 *                    (the host's hostfwd), send tnet.size bytes of pattern 1 to
 *                    10.0.2.2:tnet.port, expect "GOOD" and tnet.size bytes of
 *                    pattern 2 back, then serve two echo connections.
 *   tnet.role=a      10.0.9.1 on -netdev socket: serve one echo connection on 7000.
 *   tnet.role=b      10.0.9.2, MAC ...:57: connect to 10.0.9.1:7000 and send
 *                    tnet.size bytes of pattern 3 in 1 KiB pieces, each echoed.
 *   tnet.role=dhcp   with ip=dhcp: the kernel configured eth0 from -nic user's DHCP
 *                    server; check it is 10.0.2.15 and send "DHCP" to
 *                    10.0.2.2:tnet.port without configuring anything.
 *   tnet.role=bench  10.0.2.15 (bench/net.py): send tnet.size bytes to
 *                    10.0.2.2:tnet.port, then take one connection on 7777, read
 *                    it to its end and answer "D".
 * The pattern: byte i is the (i mod 65521)-th byte of an LCG stream seeded with
 * the pattern number; net.py makes the same bytes. Every loop is bounded.
 * System calls and checks: sys.h. */
#include <asm/unistd.h>
#include <linux/reboot.h>

#include "sys.h"

/* The few kernel ABI facts used, spelt out (the uapi socket headers want a libc). */
#define AF_INET 2
#define SOCK_STREAM 1
#define SOCK_DGRAM 2
#define SHUT_WR 1
#define ARPHRD_ETHER 1
#define IFF_UP 0x1
#define SIOCGIFFLAGS 0x8913
#define SIOCSIFFLAGS 0x8914
#define SIOCGIFADDR 0x8915
#define SIOCSIFADDR 0x8916
#define SIOCSIFNETMASK 0x891c
#define SIOCSIFHWADDR 0x8924
#define ECONNREFUSED 146 /* sparc numbering */
#define ETIMEDOUT 145

struct sockaddr_in4 {
    unsigned short family;
    unsigned short port; /* big-endian, as the CPU is */
    unsigned int addr;
    unsigned char zero[8];
};
struct ifreq4 {
    char name[16];
    union {
        struct sockaddr_in4 in;
        struct { unsigned short family; unsigned char data[14]; } hw;
        short flags;
    } u;
};

static const char *hex(unsigned long v)
{
    static char b[12];
    for (int i = 7; i >= 0; i--, v >>= 4)
        b[i] = "0123456789abcdef"[v & 15];
    b[8] = 0;
    return b;
}

/* ---- the pattern ---- */

#define PERIOD 65521
static unsigned char pattern[PERIOD];
static void make_pattern(unsigned seed)
{
    unsigned x = seed;
    for (int i = 0; i < PERIOD; i++) {
        x = x * 1103515245u + 12345u;
        pattern[i] = (unsigned char)(x >> 24);
    }
}
/* FNV-1a, 32 bits, over what went by. */
static unsigned fnv(unsigned h, const unsigned char *p, long n)
{
    for (long i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}
#define FNV_INIT 2166136261u

/* ---- the command line ---- */

static char cmdline[1024];
static long param(const char *key, long dflt)
{
    for (char *p = cmdline; *p; p++) {
        long i = 0;
        while (key[i] && p[i] == key[i]) i++;
        if (key[i] || p[i] != '=' || (p != cmdline && p[-1] != ' '))
            continue;
        long v = 0;
        for (p += i + 1; *p >= '0' && *p <= '9'; p++) v = v * 10 + (*p - '0');
        return v;
    }
    return dflt;
}
static int role_is(const char *r)
{
    const char *key = "tnet.role=";
    for (char *p = cmdline; *p; p++) {
        long i = 0;
        while (key[i] && p[i] == key[i]) i++;
        if (key[i])
            continue;
        long j = 0;
        while (r[j] && p[i + j] == r[j]) j++;
        return !r[j] && (p[i + j] == ' ' || p[i + j] == '\n' || !p[i + j]);
    }
    return 0;
}

/* ---- sockets ---- */

static unsigned ip4(unsigned a, unsigned b, unsigned c, unsigned d)
{
    return a << 24 | b << 16 | c << 8 | d;
}

static void sleep_ms(long ms)
{
    struct ts32 d = { ms / 1000, (ms % 1000) * 1000000 };
    sys(__NR_nanosleep, &d, 0, 0);
}

static void eth0_up(unsigned addr, const unsigned char *mac)
{
    long s = sys(__NR_socket, AF_INET, SOCK_DGRAM, 0);
    struct ifreq4 r;
    char *z = (char *)&r;
    for (unsigned i = 0; i < sizeof(r); i++) z[i] = 0;
    const char *n = "eth0";
    for (int i = 0; n[i]; i++) r.name[i] = n[i];
    if (mac) {
        r.u.hw.family = ARPHRD_ETHER;
        for (int i = 0; i < 6; i++) r.u.hw.data[i] = mac[i];
        check_num("eth0-set-mac", sys(__NR_ioctl, s, SIOCSIFHWADDR, &r), 0);
    }
    r.u.in.family = AF_INET;
    r.u.in.addr = addr;
    check_num("eth0-set-address", sys(__NR_ioctl, s, SIOCSIFADDR, &r), 0);
    r.u.in.addr = ip4(255, 255, 255, 0);
    check_num("eth0-set-netmask", sys(__NR_ioctl, s, SIOCSIFNETMASK, &r), 0);
    check_num("eth0-get-flags", sys(__NR_ioctl, s, SIOCGIFFLAGS, &r), 0);
    r.u.flags |= IFF_UP;
    check_num("eth0-up", sys(__NR_ioctl, s, SIOCSIFFLAGS, &r), 0);
    sys(__NR_close, s, 0, 0);
}

static long tcp_listen(unsigned short port)
{
    long s = sys(__NR_socket, AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in4 a = { AF_INET, port, 0, { 0 } };
    check_num("listen-bind", sys(__NR_bind, s, &a, sizeof(a)), 0);
    check_num("listen", sys(__NR_listen, s, 1, 0), 0);
    return s;
}

/* Connect, retrying (bounded) while the peer is not there yet. */
static long tcp_connect(unsigned addr, unsigned short port)
{
    long r = -1;
    for (int tries = 0; tries < 60; tries++) {
        long s = sys(__NR_socket, AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in4 a = { AF_INET, port, addr, { 0 } };
        r = sys(__NR_connect, s, &a, sizeof(a));
        if (r == 0)
            return s;
        sys(__NR_close, s, 0, 0);
        if (r != -ECONNREFUSED && r != -ETIMEDOUT)
            break;
        sleep_ms(500);
    }
    check_num("connect", r, 0);
    return -1;
}

static long send_all(long s, const unsigned char *p, long n)
{
    long done = 0;
    while (done < n) {
        long w = sys(__NR_sendto, s, p + done, n - done);
        if (w <= 0)
            return done;
        done += w;
    }
    return done;
}

static unsigned char buf[16384];

/* Serve one connection: echo until the peer closes (bounded by the byte count). */
static void echo_one(long ls, const char *name)
{
    long c = sys(__NR_accept, ls, 0, 0);
    check(c >= 0, name, num(c), ">=0");
    long total = 0;
    for (long guard = 0; c >= 0 && guard < (1L << 20); guard++) {
        long n = sys(__NR_recvfrom, c, buf, sizeof(buf));
        if (n <= 0)
            break;
        if (send_all(c, buf, n) != n)
            break;
        total += n;
    }
    put("linux-init: echoed ");
    put(num(total));
    put(" bytes\n");
    check(total > 0, "echo-served-bytes", num(total), ">0");
    sys(__NR_close, c, 0, 0);
}

/* The address came from DHCP (the kernel's ip=dhcp): nothing is set here. */
static void role_dhcp(void)
{
    unsigned short port = (unsigned short)param("tnet.port", 0);
    long s = sys(__NR_socket, AF_INET, SOCK_DGRAM, 0);
    struct ifreq4 r;
    char *z = (char *)&r;
    for (unsigned i = 0; i < sizeof(r); i++) z[i] = 0;
    const char *n = "eth0";
    for (int i = 0; n[i]; i++) r.name[i] = n[i];
    check_num("eth0-get-address", sys(__NR_ioctl, s, SIOCGIFADDR, &r), 0);
    check_num("dhcp-address-is-10.0.2.15", r.u.in.addr, ip4(10, 0, 2, 15));
    sys(__NR_close, s, 0, 0);
    long c = tcp_connect(ip4(10, 0, 2, 2), port);
    if (c >= 0) {
        check_num("dhcp-guest-reaches-host", send_all(c, (const unsigned char *)"DHCP", 4), 4);
        sys(__NR_close, c, 0, 0);
    }
}

/* To the host and back, through slirp. */
static void role_user(void)
{
    long size = param("tnet.size", 1 << 20);
    unsigned short port = (unsigned short)param("tnet.port", 0);
    eth0_up(ip4(10, 0, 2, 15), 0);
    long ls = tcp_listen(7777);
    put("linux-init: echo listening\n");

    long s = tcp_connect(ip4(10, 0, 2, 2), port);
    if (s >= 0) {
        make_pattern(1);
        unsigned h = FNV_INIT;
        long sent = 0;
        for (long off = 0; off < size && sent == off;) {
            long chunk = size - off < 8192 ? size - off : 8192;
            long at = off % PERIOD;
            if (chunk > PERIOD - at)
                chunk = PERIOD - at;
            sent += send_all(s, pattern + at, chunk);
            h = fnv(h, pattern + at, chunk);
            off += chunk;
        }
        check_num("guest-to-host-bytes", sent, size);
        put("linux-init: sent checksum ");
        put(hex(h));
        put("\n");
        sys(__NR_shutdown, s, SHUT_WR, 0);

        make_pattern(2);
        unsigned char status[4];
        long got = 0, bad = 0, n = 0;
        for (int i = 0; i < 4 && (n = sys(__NR_recvfrom, s, status + i, 4 - i)) > 0; i += n) {}
        check(status[0] == 'G' && status[1] == 'O' && status[2] == 'O' && status[3] == 'D',
              "host-verified-guest-data", "not GOOD", "GOOD");
        h = FNV_INIT;
        unsigned want = FNV_INIT;
        for (long guard = 0; guard < size + 1; guard++) {
            n = sys(__NR_recvfrom, s, buf, sizeof(buf));
            if (n <= 0)
                break;
            for (long i = 0; i < n; i++)
                bad += got + i >= size || buf[i] != pattern[(got + i) % PERIOD];
            h = fnv(h, buf, n);
            got += n;
        }
        for (long off = 0; off < size; off++)
            want = (want ^ pattern[off % PERIOD]) * 16777619u;
        check_num("host-to-guest-bytes", got, size);
        check_num("host-to-guest-mismatches", bad, 0);
        check(h == want, "host-to-guest-checksum", hex(h), "pattern 2");
        sys(__NR_close, s, 0, 0);
    }
    echo_one(ls, "echo-accept");   /* the command line's hostfwd */
    echo_one(ls, "echo-accept-2"); /* the monitor's hostfwd_add */
}

/* Throughput, timed by the host: no checks beyond the byte counts. */
static void role_bench(void)
{
    long size = param("tnet.size", 8 << 20);
    eth0_up(ip4(10, 0, 2, 15), 0);
    long ls = tcp_listen(7777);
    put("linux-init: echo listening\n");
    long s = tcp_connect(ip4(10, 0, 2, 2), (unsigned short)param("tnet.port", 0));
    if (s < 0)
        return;
    make_pattern(1);
    long sent = 0;
    while (sent < size) {
        long chunk = size - sent < 8192 ? size - sent : 8192;
        long at = sent % PERIOD;
        if (chunk > PERIOD - at)
            chunk = PERIOD - at;
        long w = send_all(s, pattern + at, chunk);
        if (w != chunk)
            break;
        sent += w;
    }
    check_num("bench-sent", sent, size);
    sys(__NR_close, s, 0, 0);
    long c = sys(__NR_accept, ls, 0, 0);
    long got = 0;
    for (long guard = 0; c >= 0 && guard < (1L << 24); guard++) {
        long n = sys(__NR_recvfrom, c, buf, sizeof(buf));
        if (n <= 0)
            break;
        got += n;
    }
    check_num("bench-received", got, size);
    send_all(c, (const unsigned char *)"D", 1);
    sys(__NR_close, c, 0, 0);
}

static const unsigned char mac_b[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x57 };

static void role_a(void)
{
    eth0_up(ip4(10, 0, 9, 1), 0);
    long ls = tcp_listen(7000);
    put("linux-init: echo listening\n");
    echo_one(ls, "peer-accept");
}

static void role_b(void)
{
    long size = param("tnet.size", 256 << 10);
    eth0_up(ip4(10, 0, 9, 2), mac_b);
    long s = tcp_connect(ip4(10, 0, 9, 1), 7000);
    if (s < 0)
        return;
    make_pattern(3);
    long off = 0, bad = 0;
    unsigned h = FNV_INIT, want = FNV_INIT;
    while (off < size) {
        long chunk = size - off < 1024 ? size - off : 1024;
        static unsigned char piece[1024];
        for (long i = 0; i < chunk; i++)
            piece[i] = pattern[(off + i) % PERIOD];
        want = fnv(want, piece, chunk);
        if (send_all(s, piece, chunk) != chunk)
            break;
        long got = 0, n = 0;
        for (int guard = 0; got < chunk && guard < 1024; guard++) {
            n = sys(__NR_recvfrom, s, buf + got, chunk - got);
            if (n <= 0)
                break;
            got += n;
        }
        if (got != chunk)
            break;
        for (long i = 0; i < chunk; i++)
            bad += buf[i] != piece[i];
        h = fnv(h, buf, chunk);
        off += chunk;
    }
    check_num("peer-echo-bytes", off, size);
    check_num("peer-echo-mismatches", bad, 0);
    check(h == want, "peer-echo-checksum", hex(h), hex(want));
    sys(__NR_close, s, 0, 0);
}

void _start(void)
{
    put("linux-init: start\n");
    check_num("mount-proc", sys5(__NR_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0), 0);
    long fd = sys(__NR_open, "/proc/cmdline", 0, 0);
    long n = fd >= 0 ? sys(__NR_read, fd, cmdline, sizeof(cmdline) - 1) : 0;
    cmdline[n > 0 ? n : 0] = 0;
    if (role_is("user"))
        role_user();
    else if (role_is("a"))
        role_a();
    else if (role_is("b"))
        role_b();
    else if (role_is("bench"))
        role_bench();
    else if (role_is("dhcp"))
        role_dhcp();
    else
        check(0, "role", cmdline, "tnet.role=user|a|b|bench|dhcp");
    put(failures ? "linux-init: failures\n" : "linux-init: all passed\n");
    put("DONE\n");
    sys5(__NR_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0, 0, 0);
    put("FAIL reboot returned\n");
    for (int i = 0; i < 1000; i++)
        sys(__NR_pause, 0, 0, 0);
}
