/* SPDX-License-Identifier: MIT */
/*
 * The GDB remote serial protocol (gdb's manual, "Remote Protocol"): one small
 * state machine splits the byte stream into $packet#xx, each is answered from
 * the machine's debug services (machine_debug.h), and nothing ever blocks: the
 * socket is a chardev, served from the run loop's poll hook while the guest
 * runs and from gdb_poll() while it is paused.
 *
 * A malformed packet gets an error reply, a bad checksum a '-', an oversized
 * packet is dropped whole (E01); a client that goes away, even mid-packet, is
 * a detach: its debug points are removed and the guest runs on.
 */
#include "gdbstub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chardev.h"
#include "gdb_sparc.h"
#include "machine_debug.h"

#define GDB_MAX_PACKET 16384 /* PacketSize=4000, as qSupported says */
#define GDB_MAX_POINTS 64
#define GDB_SIGINT 2
#define GDB_SIGTRAP 5

typedef enum GdbRx { RX_IDLE, RX_DATA, RX_SUM1, RX_SUM2 } GdbRx;

typedef struct GdbPoint {
    unsigned type; /* Z packet type: 0 sw, 1 hw breakpoint, 2 write, 3 read, 4 access */
    uint64_t addr, len;
} GdbPoint;

struct GdbStub {
    Session *s;
    Chardev *chr;
    char *dev;
    unsigned sessions; /* chardev_sessions() when the current client was greeted */
    bool attached;     /* a client is connected and was greeted */
    GdbRx rx;
    GString *pkt;
    bool overflow; /* the packet being read is over GDB_MAX_PACKET: dropped */
    uint8_t sum;
    char sum_hex[3];
    bool noack;
    bool swbreak; /* the client takes swbreak/hwbreak stop reasons */
    bool running; /* the guest runs for the client: a stop will be reported */
    bool physical; /* `monitor phys on`: m/M/X addresses are physical */
    GString *last_reply; /* resent on '-' */
    unsigned resends;
    GdbPoint points[GDB_MAX_POINTS];
    unsigned n_points;
    const GdbReverseOps *reverse;
    void *reverse_opaque;
};

/* ---- output ---- */

static const char hexdig[] = "0123456789abcdef";

static void send_packet(GdbStub *g, const char *data, size_t len)
{
    GString *out = g_string_sized_new(len + 4);
    uint8_t sum = 0;
    g_string_append_c(out, '$');
    for (size_t i = 0; i < len; i++) {
        sum = (uint8_t)(sum + (uint8_t)data[i]);
        g_string_append_c(out, data[i]);
    }
    g_string_append_c(out, '#');
    g_string_append_c(out, hexdig[sum >> 4]);
    g_string_append_c(out, hexdig[sum & 15]);
    chardev_write(g->chr, out->str, out->len);
    g_string_assign(g->last_reply, out->str);
    g->resends = 0;
    g_string_free(out, TRUE);
}

static void reply(GdbStub *g, const char *text)
{
    send_packet(g, text, strlen(text));
}

static void reply_error(GdbStub *g, unsigned code)
{
    char buf[8];
    snprintf(buf, sizeof(buf), "E%02x", code & 0xff);
    reply(g, buf);
}

static void hex_append(GString *out, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        g_string_append_c(out, hexdig[p[i] >> 4]);
        g_string_append_c(out, hexdig[p[i] & 15]);
    }
}

/* ---- parsing helpers: every one bounded by the packet's end ---- */

static int hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A hex number of at most 16 digits at *p, which moves past it. */
static bool parse_hex(const char **p, uint64_t *v)
{
    const char *s = *p;
    uint64_t n = 0;
    int digits = 0;
    for (int d; (d = hex_val(*s)) >= 0; s++) {
        if (++digits > 16)
            return false;
        n = n << 4 | (uint64_t)d;
    }
    if (!digits)
        return false;
    *v = n;
    *p = s;
    return true;
}

/* len bytes from 2 * len hex digits; false on a bad digit. */
static bool hex_decode(const char *s, size_t len, uint8_t *out)
{
    for (size_t i = 0; i < len; i++) {
        int hi = hex_val(s[2 * i]), lo = hi < 0 ? -1 : hex_val(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

/* "ADDR,LEN" then `end` (':' or '\0'); *p moves past `end`. */
static bool parse_addr_len(const char **p, uint64_t *addr, uint64_t *len, char end)
{
    if (!parse_hex(p, addr) || **p != ',')
        return false;
    (*p)++;
    if (!parse_hex(p, len) || **p != end)
        return false;
    if (end)
        (*p)++;
    return true;
}

/* ---- registers ---- */

static unsigned n_regs(GdbStub *g)
{
    unsigned n = machine_debug_n_regs(g->s->machine);
    return n < GDB_SPARC_N_REGS ? n : GDB_SPARC_N_REGS;
}

/* Registers travel in target (big-endian) order, 32 bits each. */
static void append_reg(GdbStub *g, GString *out, unsigned regno)
{
    uint64_t v = 0;
    if (machine_debug_reg_read(g->s->machine, regno, &v) != 0) {
        g_string_append(out, "xxxxxxxx");
        return;
    }
    uint8_t be[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    hex_append(out, be, 4);
}

static bool decode_reg(const char *hex, uint64_t *v)
{
    uint8_t be[4];
    if (!hex_decode(hex, 4, be))
        return false;
    *v = (uint64_t)be[0] << 24 | (uint64_t)be[1] << 16 | (uint64_t)be[2] << 8 | be[3];
    return true;
}

static void cmd_read_regs(GdbStub *g)
{
    GString *out = g_string_new(NULL);
    for (unsigned i = 0; i < n_regs(g); i++)
        append_reg(g, out, i);
    send_packet(g, out->str, out->len);
    g_string_free(out, TRUE);
}

static void cmd_write_regs(GdbStub *g, const char *hex)
{
    size_t len = strlen(hex);
    if (len % 8 || len / 8 > n_regs(g)) {
        reply_error(g, 0x16);
        return;
    }
    for (size_t i = 0; i < len / 8; i++) {
        uint64_t v;
        if (!decode_reg(hex + 8 * i, &v)) {
            reply_error(g, 0x16);
            return;
        }
        machine_debug_reg_write(g->s->machine, (unsigned)i, v);
    }
    reply(g, "OK");
}

static void cmd_read_reg(GdbStub *g, const char *args)
{
    uint64_t n;
    if (!parse_hex(&args, &n) || *args || n >= n_regs(g)) {
        reply_error(g, 0x16);
        return;
    }
    GString *out = g_string_new(NULL);
    append_reg(g, out, (unsigned)n);
    send_packet(g, out->str, out->len);
    g_string_free(out, TRUE);
}

static void cmd_write_reg(GdbStub *g, const char *args)
{
    uint64_t n, v;
    if (!parse_hex(&args, &n) || *args != '=' || n >= n_regs(g) || strlen(args + 1) != 8 ||
        !decode_reg(args + 1, &v) ||
        machine_debug_reg_write(g->s->machine, (unsigned)n, v) != 0) {
        reply_error(g, 0x16);
        return;
    }
    reply(g, "OK");
}

/* ---- memory ---- */

static void cmd_read_mem(GdbStub *g, const char *args)
{
    uint64_t addr, len;
    if (!parse_addr_len(&args, &addr, &len, '\0') || len > (GDB_MAX_PACKET - 8) / 2) {
        reply_error(g, 0x16);
        return;
    }
    uint8_t *buf = g_malloc(len ? len : 1);
    if (machine_debug_read(g->s->machine, addr, buf, len, g->physical) != 0) {
        reply_error(g, 0x0e); /* EFAULT: unmapped, or not memory */
    } else {
        if (!g->physical)
            gdb_sparc_windows_read(g->s->machine, addr, buf, len);
        GString *out = g_string_sized_new(2 * len);
        hex_append(out, buf, len);
        send_packet(g, out->str, out->len);
        g_string_free(out, TRUE);
    }
    g_free(buf);
}

/* M (hex data) and X (binary data, '}' escapes already undone by the reader:
 * the packet holds raw bytes); `data` has `have` bytes. */
static void cmd_write_mem(GdbStub *g, const char *args, const char *end, bool binary)
{
    uint64_t addr, len;
    if (!parse_addr_len(&args, &addr, &len, ':') || len > GDB_MAX_PACKET) {
        reply_error(g, 0x16);
        return;
    }
    size_t have = (size_t)(end - args);
    uint8_t *buf = g_malloc(len ? len : 1);
    bool ok = binary ? have == len : have == 2 * len && hex_decode(args, len, buf);
    if (ok && binary)
        memcpy(buf, args, len);
    if (!ok)
        reply_error(g, 0x16);
    else if (machine_debug_write(g->s->machine, addr, buf, len, g->physical) != 0)
        reply_error(g, 0x0e);
    else {
        if (!g->physical)
            gdb_sparc_windows_write(g->s->machine, addr, buf, len);
        reply(g, "OK");
    }
    g_free(buf);
}

/* ---- debug points, resuming, stopping ---- */

static unsigned debug_kind(unsigned z_type)
{
    static const unsigned kinds[] = { TESSERA_DEBUG_BREAK, TESSERA_DEBUG_BREAK,
                                      TESSERA_DEBUG_WATCH_WRITE, TESSERA_DEBUG_WATCH_READ,
                                      TESSERA_DEBUG_WATCH_ACCESS };
    return kinds[z_type];
}

static unsigned to_debug_points(const GdbStub *g, TesseraDebugPoint *out)
{
    for (unsigned i = 0; i < g->n_points; i++)
        out[i] = (TesseraDebugPoint){ .kind = debug_kind(g->points[i].type),
                                      .len = (uint32_t)g->points[i].len,
                                      .addr = g->points[i].addr };
    return g->n_points;
}

/* Z/z TYPE,ADDR,KIND: breakpoints by PC (nothing written to guest memory),
 * watchpoints over [ADDR, ADDR + KIND). They take effect at the next resume. */
static void cmd_point(GdbStub *g, const char *args, bool insert)
{
    uint64_t type, addr, len;
    if (!parse_hex(&args, &type) || *args++ != ',' || !parse_hex(&args, &addr) ||
        *args++ != ',' || !parse_hex(&args, &len) || (*args && *args != ';') || type > 4 ||
        (type >= 2 && (len == 0 || len > 4096)) || addr > UINT32_MAX) {
        reply_error(g, 0x16);
        return;
    }
    if (!machine_debug_supported(g->s->machine)) {
        reply(g, ""); /* not supported: gdb says so */
        return;
    }
    if (type < 2)
        len = 0;
    for (unsigned i = 0; i < g->n_points; i++) {
        GdbPoint *p = &g->points[i];
        if (p->type == type && p->addr == addr && p->len == len) {
            if (!insert)
                *p = g->points[--g->n_points];
            reply(g, "OK");
            return;
        }
    }
    if (insert) {
        if (g->n_points == GDB_MAX_POINTS) {
            reply_error(g, 0x1c); /* ENOSPC */
            return;
        }
        g->points[g->n_points++] = (GdbPoint){ .type = (unsigned)type, .addr = addr, .len = len };
    }
    reply(g, "OK");
}

/* Arm the points (and the step flag) and let the guest run. */
static bool resume(GdbStub *g, bool step)
{
    TesseraDebugPoint pts[GDB_MAX_POINTS];
    unsigned n = to_debug_points(g, pts);
    char err[256];
    if ((n || step) && !machine_debug_set(g->s->machine, pts, n, step, err, sizeof(err))) {
        fprintf(stderr, "tessera: gdb: %s\n", err);
        return false;
    }
    if (!n && !step)
        machine_debug_set(g->s->machine, NULL, 0, false, err, sizeof(err));
    g->running = true;
    g->s->paused = false;
    return true;
}

static void disarm(GdbStub *g)
{
    char err[256];
    if (machine_debug_supported(g->s->machine))
        machine_debug_set(g->s->machine, NULL, 0, false, err, sizeof(err));
}

/* The reason a breakpoint or watchpoint stopped the guest, as a T packet. */
static void report_hit(GdbStub *g, const TesseraDebugHit *hit)
{
    char buf[64];
    const char *what = NULL;
    switch (hit->kind) {
    case TESSERA_DEBUG_BREAK:
        for (unsigned i = 0; i < g->n_points && g->swbreak; i++)
            if (g->points[i].type < 2 && g->points[i].addr == hit->addr)
                what = g->points[i].type == 0 ? "swbreak" : "hwbreak";
        if (what)
            snprintf(buf, sizeof(buf), "T%02xthread:01;%s:;", GDB_SIGTRAP, what);
        else
            snprintf(buf, sizeof(buf), "T%02xthread:01;", GDB_SIGTRAP);
        break;
    case TESSERA_DEBUG_WATCH_WRITE:
    case TESSERA_DEBUG_WATCH_READ:
    case TESSERA_DEBUG_WATCH_ACCESS:
        what = hit->kind == TESSERA_DEBUG_WATCH_WRITE  ? "watch"
               : hit->kind == TESSERA_DEBUG_WATCH_READ ? "rwatch"
                                                       : "awatch";
        snprintf(buf, sizeof(buf), "T%02xthread:01;%s:%" G_GINT64_MODIFIER "x;", GDB_SIGTRAP,
                 what, hit->addr);
        break;
    default:
        snprintf(buf, sizeof(buf), "T%02xthread:01;", GDB_SIGTRAP);
        break;
    }
    reply(g, buf);
}

static void report_signal(GdbStub *g, unsigned sig)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "T%02xthread:01;", sig);
    reply(g, buf);
}

/* c/s [ADDR]: resume, optionally at ADDR (npc follows it). */
static void cmd_resume(GdbStub *g, const char *args, bool step)
{
    if (*args) {
        uint64_t addr;
        if (!parse_hex(&args, &addr) || *args) {
            reply_error(g, 0x16);
            return;
        }
        machine_debug_reg_write(g->s->machine, 68, addr);     /* pc */
        machine_debug_reg_write(g->s->machine, 69, addr + 4); /* npc */
    }
    if (!resume(g, step))
        reply_error(g, 0x01);
}

/* vCont;ACTION[:TID]...: one thread, so the first action is the one. */
static void cmd_vcont(GdbStub *g, const char *args)
{
    if (!strcmp(args, "?")) {
        reply(g, "vCont;c;C;s;S");
        return;
    }
    if (*args != ';') {
        reply_error(g, 0x16);
        return;
    }
    char action = args[1];
    if (action == 'c' || action == 'C')
        cmd_resume(g, "", false);
    else if (action == 's' || action == 'S')
        cmd_resume(g, "", true);
    else
        reply_error(g, 0x16);
}

/* bs/bc: through the record/replay hooks when there are some. */
static void cmd_reverse(GdbStub *g, bool step)
{
    if (!g->reverse) {
        reply_error(g, 0x01);
        return;
    }
    TesseraDebugPoint pts[GDB_MAX_POINTS];
    TesseraDebugHit hit = { 0 };
    unsigned n = to_debug_points(g, pts);
    Machine *m = g->s->machine;
    GdbReverseStop r = step ? g->reverse->step(g->reverse_opaque, m)
                            : g->reverse->cont(g->reverse_opaque, m, pts, n, &hit);
    if (r == GDB_REVERSE_HIT)
        report_hit(g, &hit);
    else if (r == GDB_REVERSE_AT_START)
        reply(g, "T05thread:01;replaylog:begin;");
    else if (r == GDB_REVERSE_STEPPED)
        report_signal(g, GDB_SIGTRAP);
    else
        reply_error(g, 0x01);
}

/* ---- queries ---- */

static void cmd_supported(GdbStub *g, const char *features)
{
    g->swbreak = strstr(features, "swbreak+") != NULL;
    char buf[256];
    snprintf(buf, sizeof(buf),
             "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;swbreak+;hwbreak+;"
             "vContSupported+%s",
             GDB_MAX_PACKET, g->reverse ? ";ReverseStep+;ReverseContinue+" : "");
    reply(g, buf);
}

/* qXfer:features:read:ANNEX:OFFSET,LENGTH */
static void cmd_xfer_features(GdbStub *g, const char *args)
{
    static const char annex[] = "target.xml:";
    uint64_t off, len;
    if (strncmp(args, annex, sizeof(annex) - 1) != 0) {
        reply_error(g, 0x00);
        return;
    }
    args += sizeof(annex) - 1;
    if (!parse_addr_len(&args, &off, &len, '\0')) {
        reply_error(g, 0x16);
        return;
    }
    size_t total = strlen(gdb_target_xml);
    if (len > GDB_MAX_PACKET - 8)
        len = GDB_MAX_PACKET - 8;
    if (off >= total) {
        reply(g, "l");
        return;
    }
    size_t n = total - off < len ? total - (size_t)off : (size_t)len;
    GString *out = g_string_new(off + n >= total ? "l" : "m");
    g_string_append_len(out, gdb_target_xml + off, (gssize)n);
    send_packet(g, out->str, out->len);
    g_string_free(out, TRUE);
}

/* qRcmd,HEX: a monitor command. `phys on|off` is the stub's own (physical
 * addresses for m/M/X); everything else goes to the human monitor, and its
 * output comes back hex-encoded. */
static void cmd_rcmd(GdbStub *g, const char *hex)
{
    size_t len = strlen(hex) / 2;
    char *line = g_malloc0(len + 1);
    if (strlen(hex) % 2 || !hex_decode(hex, len, (uint8_t *)line) || memchr(line, 0, len)) {
        reply_error(g, 0x16);
        g_free(line);
        return;
    }
    GString *out = g_string_new(NULL);
    char *cmd = g_strstrip(g_strdup(line));
    if (!strcmp(cmd, "phys on") || !strcmp(cmd, "phys off")) {
        g->physical = cmd[6] == 'n';
        g_string_append_printf(out, "memory accesses are %s\n",
                               g->physical ? "physical" : "virtual (through the MMU)");
    } else if (!strcmp(cmd, "phys")) {
        g_string_append_printf(out, "phys %s\n", g->physical ? "on" : "off");
    } else {
        session_command(g->s, line, out);
        if (!strcmp(cmd, "help"))
            g_string_append(out, "phys on|off          (gdb only) m/M/X addresses are "
                                 "physical, or virtual\n");
    }
    g_free(cmd);
    if (out->len) {
        GString *enc = g_string_new(NULL);
        hex_append(enc, out->str, out->len);
        send_packet(g, enc->str, enc->len);
        g_string_free(enc, TRUE);
    } else {
        reply(g, "OK");
    }
    g_string_free(out, TRUE);
    g_free(line);
}

static void cmd_query(GdbStub *g, const char *q)
{
    if (g_str_has_prefix(q, "qSupported"))
        cmd_supported(g, q);
    else if (g_str_has_prefix(q, "qXfer:features:read:"))
        cmd_xfer_features(g, q + strlen("qXfer:features:read:"));
    else if (!strcmp(q, "qAttached") || g_str_has_prefix(q, "qAttached:"))
        reply(g, "1");
    else if (!strcmp(q, "qC"))
        reply(g, "QC01");
    else if (!strcmp(q, "qfThreadInfo"))
        reply(g, "m01");
    else if (!strcmp(q, "qsThreadInfo"))
        reply(g, "l");
    else if (g_str_has_prefix(q, "qRcmd,"))
        cmd_rcmd(g, q + 6);
    else
        reply(g, "");
}

/* ---- dispatch ---- */

static void detach(GdbStub *g)
{
    disarm(g);
    g->n_points = 0;
    g->physical = false;
    g->running = false;
    g->attached = false;
    g->s->paused = false; /* the guest goes on, as after QEMU's detach */
}

/* One packet; `len` bytes (X data may hold NULs, the rest is text). */
static void handle_packet(GdbStub *g, char *p, size_t len)
{
    if (memchr(p, 0, len) && p[0] != 'X') {
        reply_error(g, 0x16);
        return;
    }
    const char *end = p + len;
    switch (p[0]) {
    case '?':
        report_signal(g, GDB_SIGTRAP);
        break;
    case 'g':
        cmd_read_regs(g);
        break;
    case 'G':
        cmd_write_regs(g, p + 1);
        break;
    case 'p':
        cmd_read_reg(g, p + 1);
        break;
    case 'P':
        cmd_write_reg(g, p + 1);
        break;
    case 'm':
        cmd_read_mem(g, p + 1);
        break;
    case 'M':
        cmd_write_mem(g, p + 1, end, false);
        break;
    case 'X':
        cmd_write_mem(g, p + 1, end, true);
        break;
    case 'Z':
    case 'z':
        cmd_point(g, p + 1, p[0] == 'Z');
        break;
    case 'c':
        cmd_resume(g, p + 1, false);
        break;
    case 's':
        cmd_resume(g, p + 1, true);
        break;
    case 'C': /* signal;addr: no signals to deliver to a bare machine */
    case 'S':
        cmd_resume(g, "", p[0] == 'S');
        break;
    case 'b':
        if (len == 2 && (p[1] == 's' || p[1] == 'c'))
            cmd_reverse(g, p[1] == 's');
        else
            reply(g, "");
        break;
    case 'H':
    case 'T':
        reply(g, "OK");
        break;
    case 'D':
        reply(g, "OK");
        detach(g);
        break;
    case 'k':
        detach(g);
        session_quit(g->s);
        break;
    case 'q':
        cmd_query(g, p);
        break;
    case 'Q':
        if (!strcmp(p, "QStartNoAckMode")) {
            reply(g, "OK");
            g->noack = true;
        } else {
            reply(g, "");
        }
        break;
    case 'v':
        if (g_str_has_prefix(p, "vCont"))
            cmd_vcont(g, p + 5);
        else
            reply(g, "");
        break;
    default:
        reply(g, "");
        break;
    }
}

/* A new client: stop the guest (as QEMU does) and start afresh. */
static void greet(GdbStub *g)
{
    unsigned sessions = chardev_sessions(g->chr);
    if (sessions == g->sessions)
        return;
    g->sessions = sessions;
    disarm(g); /* whatever the previous client left */
    g->attached = chardev_connected(g->chr);
    g->rx = RX_IDLE;
    g->noack = false;
    g->swbreak = false;
    g->running = false;
    g->n_points = 0;
    g->physical = false;
    g_string_truncate(g->pkt, 0);
    if (g->attached)
        session_stop(g->s);
}

static void packet_done(GdbStub *g)
{
    uint8_t want = 0;
    bool ok = hex_decode(g->sum_hex, 1, &want) && want == g->sum;
    if (!ok) {
        if (!g->noack)
            chardev_write(g->chr, "-", 1);
        return;
    }
    if (!g->noack)
        chardev_write(g->chr, "+", 1);
    if (g->overflow) {
        reply_error(g, 0x01);
        return;
    }
    /* X's binary data: undo the '}' escapes (byte ^ 0x20). */
    GString *p = g->pkt;
    size_t out = 0;
    for (size_t i = 0; i < p->len; i++) {
        char c = p->str[i];
        if (c == '}' && i + 1 < p->len)
            c = (char)(p->str[++i] ^ 0x20);
        p->str[out++] = c;
    }
    g_string_truncate(p, out);
    handle_packet(g, p->str, p->len);
}

static void rx_byte(GdbStub *g, uint8_t c)
{
    switch (g->rx) {
    case RX_IDLE:
        if (c == '$') {
            g->rx = RX_DATA;
            g->sum = 0;
            g->overflow = false;
            g_string_truncate(g->pkt, 0);
        } else if (c == 0x03 && g->running) {
            /* Ctrl-C: stop the guest at the next instruction boundary. */
            g->running = false;
            session_stop(g->s);
            report_signal(g, GDB_SIGINT);
        } else if (c == '-' && g->last_reply->len && g->resends < 3) {
            g->resends++;
            chardev_write(g->chr, g->last_reply->str, g->last_reply->len);
        }
        break; /* '+' and noise between packets */
    case RX_DATA:
        if (c == '#') {
            g->rx = RX_SUM1;
        } else {
            g->sum = (uint8_t)(g->sum + c);
            if (g->pkt->len < GDB_MAX_PACKET)
                g_string_append_c(g->pkt, (char)c);
            else
                g->overflow = true;
        }
        break;
    case RX_SUM1:
        g->sum_hex[0] = (char)c;
        g->rx = RX_SUM2;
        break;
    case RX_SUM2:
        g->sum_hex[1] = (char)c;
        g->rx = RX_IDLE;
        packet_done(g);
        break;
    }
}

static size_t gdb_can_read(void *opaque)
{
    return 4096;
}

static void gdb_read(void *opaque, const uint8_t *buf, size_t len)
{
    GdbStub *g = opaque;
    greet(g);
    for (size_t i = 0; i < len && chardev_connected(g->chr); i++)
        rx_byte(g, buf[i]);
}

/* The client is gone (hung up, or mid-packet): a detach. */
static void check_client(GdbStub *g)
{
    if (!g->chr)
        return;
    greet(g);
    if (g->attached && !chardev_connected(g->chr))
        detach(g);
}

static void gdb_poll_hook(void *opaque)
{
    GdbStub *g = opaque;
    if (!g->chr)
        return;
    chardev_poll(g->chr, 0);
    check_client(g);
}

void gdb_poll(GdbStub *g, int timeout_ms)
{
    if (!g || !g->chr)
        return;
    chardev_poll(g->chr, timeout_ms);
    check_client(g);
}

void gdb_machine_exit(GdbStub *g, MachineExit why)
{
    if (!g || !g->chr)
        return;
    if (why == MACHINE_EXIT_DEBUG) {
        if (!g->running)
            return; /* nobody asked: the guest goes on */
        g->s->paused = true;
        g->running = false;
        report_hit(g, machine_debug_hit(g->s->machine));
        return;
    }
    if (why == MACHINE_EXIT_POWEROFF || why == MACHINE_EXIT_QUIT)
        reply(g, "W00");
    else if (why == MACHINE_EXIT_ERROR_MODE || why == MACHINE_EXIT_HUNG ||
             why == MACHINE_EXIT_ICOUNT_LIMIT)
        reply(g, "X05"); /* the guest is gone, as by SIGTRAP */
}

/* "tcp::PORT" and "tcp:HOST:PORT" become a TCP server, "unix:PATH" a unix one;
 * a bare "PORT" is tcp::PORT, as in QEMU. */
static char *chardev_spec_for(const char *dev)
{
    if (g_str_has_prefix(dev, "tcp:") || g_str_has_prefix(dev, "unix:"))
        return g_strdup_printf("%s,server,nowait", dev);
    if (*dev && strspn(dev, "0123456789") == strlen(dev))
        return g_strdup_printf("tcp::%s,server,nowait", dev);
    return NULL;
}

bool gdb_serve(Session *s, const char *dev, GError **error)
{
    GdbStub *g = s->gdb;
    Chardev *chr = NULL;
    if (strcmp(dev, "none") != 0) {
        char *spec = chardev_spec_for(dev);
        if (!spec) {
            g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "gdb device '%s': expected tcp::PORT, tcp:HOST:PORT, unix:PATH or none",
                        dev);
            return false;
        }
        chr = chardev_open(spec, error);
        g_free(spec);
        if (!chr) {
            g_prefix_error(error, "gdb device '%s': ", dev);
            return false;
        }
    }
    if (!g) {
        g = g_new0(GdbStub, 1);
        g->s = s;
        g->pkt = g_string_new(NULL);
        g->last_reply = g_string_new(NULL);
        s->gdb = g;
        machine_add_poll(s->machine, gdb_poll_hook, g);
    }
    if (g->chr) {
        if (g->attached)
            detach(g);
        chardev_close(g->chr);
    }
    g->chr = chr;
    g->sessions = 0;
    g->attached = false;
    g_free(g->dev);
    g->dev = g_strdup(dev);
    if (chr)
        chardev_set_receiver(chr, gdb_can_read, gdb_read, g);
    return true;
}

void gdb_set_reverse(GdbStub *g, const GdbReverseOps *ops, void *opaque)
{
    g->reverse = ops;
    g->reverse_opaque = opaque;
}

void gdb_free(GdbStub *g)
{
    if (!g)
        return;
    if (g->chr)
        chardev_close(g->chr);
    g_string_free(g->pkt, TRUE);
    g_string_free(g->last_reply, TRUE);
    g_free(g->dev);
    g_free(g);
}
