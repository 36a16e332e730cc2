/* SPDX-License-Identifier: MIT */
/*
 * m48t08: the ST M48T08 timekeeper, 8 KiB of battery-backed NVRAM whose last eight
 * bytes are a BCD clock. Facts: shared/reference/ss5.md, "NVRAM (M48T08, 8 KiB)
 * contents OpenBIOS expects"; the ST M48T08 datasheet for the clock registers;
 * QEMU's hw/sparc/sun4m.c (nvram_init), hw/nvram/chrp_nvram.c and sun_nvram.h for
 * the image OpenBIOS expects.
 *
 * Region "nvram" (0x2000 bytes): bytes at 0x0000-0x1ff7, clock at 0x1ff8-0x1fff.
 * Wider accesses are split into bytes, big-endian, as QEMU does.
 *
 * The clock is the source time (the host's, or with machine option rtc-base a fixed
 * base plus the virtual clock, for deterministic runs) plus an offset the guest
 * sets. Control bit W (0x80) or R (0x40) freezes the registers' readout (the
 * datasheet's latch); writes while W is set are collected there and set the clock
 * when W clears. Without W a write to one register changes that field at once (what
 * QEMU does). Seconds bit 7 (ST) stops the clock. Years count from 1968 (Linux on
 * sparc adds 68). The M48T08 has no alarm: output "alarm" stays low.
 *
 * The image is generated at init() (or read from machine option "nvram", a file of
 * 8192 bytes created when missing); every byte the guest writes is written through
 * to that file.
 */
#define _GNU_SOURCE /* timegm */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <tessera/tessera.h>

#define NVRAM_SIZE 0x2000
#define NVRAM_USER_END 0x1ff8 /* first clock register */

/* Clock registers. */
#define REG_CONTROL 0x1ff8
#define REG_SECONDS 0x1ff9
#define REG_MINUTES 0x1ffa
#define REG_HOURS 0x1ffb
#define REG_DAY 0x1ffc /* day of week, 0-6 as Linux writes it */
#define REG_DATE 0x1ffd
#define REG_MONTH 0x1ffe
#define REG_YEAR 0x1fff
#define CONTROL_W 0x80
#define CONTROL_R 0x40
#define SECONDS_ST 0x80
#define BASE_YEAR 1968

/* The image OpenBIOS expects (QEMU nvram_init). */
#define CHRP_SYSTEM 0x70
#define CHRP_FREE 0x7f
#define CHRP_HDR_SIZE 16
#define SYSTEM_PART_SIZE 0x20 /* header, an empty variable list, rounded to 16 */
#define PARTS_END 0x1fd0
#define IDPROM 0x1fd8
#define IDPROM_FORMAT 0x01
#define IDPROM_MACHINE_SS5 0x80
#define IDPROM_CHECKSUM 15 /* XOR of bytes 0..14 */

static const uint8_t default_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

typedef struct M48t08 {
    uint8_t mem[NVRAM_SIZE]; /* 0x1ff9-0x1fff: the latched clock registers */
    uint8_t control;
    bool stopped;
    int64_t offset_s;   /* guest clock minus source clock, seconds */
    int64_t stopped_at; /* guest clock while ST holds it */

    /* Host side. */
    const TesseraHost *host;
    TesseraIrq *alarm;
    int fd; /* the nvram file, when persist */
    bool persist;
    bool fixed_base; /* rtc-base given: source = base_s + virtual time */
    int64_t base_s;
} M48t08;

static uint8_t to_bcd(int v)
{
    return (uint8_t)((v / 10) << 4 | (v % 10));
}

static int from_bcd(uint8_t v)
{
    return (v >> 4) * 10 + (v & 0x0f);
}

/* ---- the clock ---- */

static int64_t source_now(const M48t08 *s)
{
    if (s->fixed_base)
        return s->base_s + (int64_t)(tessera_clock_ns(s->host) / 1000000000u);
    return (int64_t)time(NULL);
}

static int64_t guest_now(const M48t08 *s)
{
    return s->stopped ? s->stopped_at : source_now(s) + s->offset_s;
}

static void set_guest_time(M48t08 *s, int64_t t)
{
    if (s->stopped)
        s->stopped_at = t;
    else
        s->offset_s = t - source_now(s);
}

/* The seven clock registers (seconds .. year) for time t. */
static void clock_regs(const M48t08 *s, int64_t t, uint8_t r[7])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    r[0] = to_bcd(tm.tm_sec) | (s->stopped ? SECONDS_ST : 0);
    r[1] = to_bcd(tm.tm_min);
    r[2] = to_bcd(tm.tm_hour);
    r[3] = (uint8_t)tm.tm_wday;
    r[4] = to_bcd(tm.tm_mday);
    r[5] = to_bcd(tm.tm_mon + 1);
    r[6] = to_bcd(((tm.tm_year + 1900 - BASE_YEAR) % 100 + 100) % 100);
}

static void latch(M48t08 *s)
{
    clock_regs(s, guest_now(s), &s->mem[REG_SECONDS]);
}

/* Set the clock from the latched registers; fields out of range keep their value. */
static void commit(M48t08 *s)
{
    time_t now = (time_t)guest_now(s);
    struct tm tm;
    gmtime_r(&now, &tm);
    const uint8_t *r = &s->mem[REG_SECONDS];
    int sec = from_bcd(r[0] & 0x7f), min = from_bcd(r[1] & 0x7f), hour = from_bcd(r[2] & 0x3f);
    int date = from_bcd(r[4] & 0x3f), month = from_bcd(r[5] & 0x1f), year = from_bcd(r[6]);
    bool bad = false;
    if (sec <= 59)
        tm.tm_sec = sec;
    else
        bad = true;
    if (min <= 59)
        tm.tm_min = min;
    else
        bad = true;
    if (hour <= 23)
        tm.tm_hour = hour;
    else
        bad = true;
    if (date >= 1 && date <= 31)
        tm.tm_mday = date;
    else
        bad = true;
    if (month >= 1 && month <= 12)
        tm.tm_mon = month - 1;
    else
        bad = true;
    if (year <= 99)
        tm.tm_year = BASE_YEAR + year - 1900;
    else
        bad = true;
    if (bad)
        tessera_log(s->host, TESSERA_LOG_DEBUG,
                    "clock set with out-of-range BCD fields (%02x:%02x:%02x %02x/%02x/%02x)",
                    r[2], r[1], r[0], r[4], r[5], r[6]);
    set_guest_time(s, (int64_t)timegm(&tm));
}

static void set_stop(M48t08 *s, bool stop)
{
    if (stop && !s->stopped) {
        s->stopped_at = guest_now(s);
        s->stopped = true;
    } else if (!stop && s->stopped) {
        s->stopped = false;
        s->offset_s = s->stopped_at - source_now(s);
    }
}

/* ---- registers ---- */

static uint8_t nvram_readb(M48t08 *s, unsigned addr)
{
    if (addr < REG_CONTROL)
        return s->mem[addr];
    if (addr == REG_CONTROL)
        return s->control;
    if (s->control & (CONTROL_W | CONTROL_R))
        return s->mem[addr];
    uint8_t r[7];
    clock_regs(s, guest_now(s), r);
    return r[addr - REG_SECONDS];
}

static void persist_byte(M48t08 *s, unsigned addr)
{
    if (s->persist && pwrite(s->fd, &s->mem[addr], 1, addr) != 1)
        tessera_log(s->host, TESSERA_LOG_WARNING, "nvram file: write at 0x%04x: %s", addr,
                    strerror(errno));
}

static void control_write(M48t08 *s, uint8_t v)
{
    uint8_t old = s->control;
    if (!(old & (CONTROL_W | CONTROL_R)) && (v & (CONTROL_W | CONTROL_R)))
        latch(s);
    s->control = v;
    if ((old & CONTROL_W) && !(v & CONTROL_W))
        commit(s);
}

static void nvram_writeb(M48t08 *s, unsigned addr, uint8_t v)
{
    if (addr < REG_CONTROL) {
        s->mem[addr] = v;
        persist_byte(s, addr);
        return;
    }
    if (addr == REG_CONTROL) {
        control_write(s, v);
        return;
    }
    bool held = s->control & CONTROL_W;
    if (!held)
        latch(s);
    s->mem[addr] = v;
    if (!held)
        commit(s);
    if (addr == REG_SECONDS)
        set_stop(s, v & SECONDS_ST);
}

static uint64_t nvram_read(void *opaque, uint64_t offset, unsigned size)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++)
        v = v << 8 | nvram_readb(opaque, (unsigned)offset + i);
    return v;
}

static void nvram_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    for (unsigned i = 0; i < size; i++)
        nvram_writeb(opaque, (unsigned)offset + i, (uint8_t)(value >> (8 * (size - 1 - i))));
}

static const TesseraMmioRegion nvram_region = {
    .size_of = sizeof(TesseraMmioRegion),
    .name = "nvram",
    .size = NVRAM_SIZE,
    .widths = TESSERA_WIDTH_1 | TESSERA_WIDTH_2 | TESSERA_WIDTH_4,
    .read = nvram_read,
    .write = nvram_write,
};

/* ---- the image ---- */

/* CHRP partition header: signature, checksum, length / 16 (big-endian), name. */
static void chrp_header(uint8_t *h, uint8_t signature, const char *name, unsigned len)
{
    h[0] = signature;
    h[2] = (uint8_t)((len / 16) >> 8);
    h[3] = (uint8_t)(len / 16);
    strncpy((char *)h + 4, name, 12);
    /* Sum of the other 15 bytes with end-around carry. */
    unsigned sum = h[0];
    for (unsigned i = 2; i < CHRP_HDR_SIZE; i++) {
        sum += h[i];
        sum = (sum + (sum >> 8)) & 0xff;
    }
    h[1] = (uint8_t)sum;
}

static void nvram_format(uint8_t *mem)
{
    memset(mem, 0, NVRAM_SIZE);
    chrp_header(mem, CHRP_SYSTEM, "system", SYSTEM_PART_SIZE);
    chrp_header(mem + SYSTEM_PART_SIZE, CHRP_FREE, "free", PARTS_END - SYSTEM_PART_SIZE);

    /* Sun IDPROM: format, machine type, MAC, date 0, serial = MAC bytes 3-5. */
    uint8_t *id = mem + IDPROM;
    id[0] = IDPROM_FORMAT;
    id[1] = IDPROM_MACHINE_SS5;
    memcpy(id + 2, default_mac, 6);
    memcpy(id + 12, default_mac + 3, 3);
    uint8_t x = 0;
    for (unsigned i = 0; i < IDPROM_CHECKSUM; i++)
        x ^= id[i];
    id[IDPROM_CHECKSUM] = x;
}

/* Load the file if it exists, else create it from the generated image. */
static int nvram_open(M48t08 *s, const char *path, char *err, size_t errlen)
{
    /* As every file from outside: O_NONBLOCK and O_NOCTTY, so a FIFO or a terminal
     * named here can neither block the open nor become our controlling terminal;
     * anything but a regular file is then refused. */
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0 && errno == ENOENT) {
        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd >= 0 && pwrite(fd, s->mem, NVRAM_SIZE, 0) != NVRAM_SIZE) {
            snprintf(err, errlen, "nvram file %s: cannot write: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
    } else if (fd >= 0) {
        struct stat st = { 0 };
        int fl = fcntl(fd, F_GETFL);
        if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
            snprintf(err, errlen, "nvram file %s: not a regular file", path);
            close(fd);
            return -1;
        }
        if (fl >= 0)
            fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
        if (fstat(fd, &st) || st.st_size != NVRAM_SIZE) {
            snprintf(err, errlen, "nvram file %s: %lld bytes, expected %d", path,
                     (long long)st.st_size, NVRAM_SIZE);
            close(fd);
            return -1;
        }
        if (pread(fd, s->mem, NVRAM_SIZE, 0) != NVRAM_SIZE) {
            snprintf(err, errlen, "nvram file %s: cannot read: %s", path, strerror(errno));
            close(fd);
            return -1;
        }
    }
    if (fd < 0) {
        snprintf(err, errlen, "nvram file %s: %s", path, strerror(errno));
        return -1;
    }
    s->fd = fd;
    s->persist = true;
    return 0;
}

static int parse_rtc_base(const char *text, int64_t *out)
{
    struct tm tm = { 0 };
    char tail;
    if (sscanf(text, "%d-%d-%dT%d:%d:%d%c", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &tail) != 6)
        return -1;
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
        tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59 || tm.tm_hour < 0 ||
        tm.tm_min < 0 || tm.tm_sec < 0)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

static int m48t08_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    M48t08 *s = dev;
    s->host = host;
    s->fd = -1;
    const char *base = tessera_machine_opt(host, "rtc-base");
    if (base) {
        if (parse_rtc_base(base, &s->base_s)) {
            snprintf(err, errlen, "machine option rtc-base %s is not YYYY-MM-DDTHH:MM:SS", base);
            return -1;
        }
        s->fixed_base = true;
    }
    nvram_format(s->mem);
    const char *path = tessera_machine_opt(host, "nvram");
    if (path && nvram_open(s, path, err, errlen))
        return -1;
    if (tessera_mmio_add(host, &nvram_region, s, err, errlen))
        return -1;
    s->alarm = tessera_irq_out(host, "alarm", 0);
    return 0;
}

/* The NVRAM and the clock are battery-backed: reset only drops the latch. */
static void m48t08_reset(void *dev)
{
    M48t08 *s = dev;
    s->control = 0;
    tessera_irq_set(s->host, s->alarm, 0);
}

static void m48t08_finalize(void *dev)
{
    M48t08 *s = dev;
    if (s->persist)
        close(s->fd);
    s->persist = false;
    s->fd = -1;
}

/* ---- state ---- */

/* The file follows the restored contents. */
static int m48t08_post_load(void *dev, char *err, size_t errlen)
{
    M48t08 *s = dev;
    if (s->persist && pwrite(s->fd, s->mem, NVRAM_USER_END, 0) != NVRAM_USER_END) {
        snprintf(err, errlen, "nvram file: cannot write: %s", strerror(errno));
        return -1;
    }
    tessera_irq_set(s->host, s->alarm, 0);
    return 0;
}

static const TesseraField m48t08_fields[] = {
    TESSERA_BYTES(M48t08, mem),
    TESSERA_U8(M48t08, control),
    TESSERA_BOOL(M48t08, stopped),
    TESSERA_I64(M48t08, offset_s),
    TESSERA_I64(M48t08, stopped_at),
};

static const char *const m48t08_unmigrated[] = { "host",       "alarm",  "fd", "persist",
                                                 "fixed_base", "base_s", NULL };

static const TesseraStateLayout m48t08_layout = {
    .struct_name = "M48t08",
    .size = sizeof(M48t08),
    .fields = m48t08_fields,
    .n_fields = TESSERA_N_ELEMS(m48t08_fields),
    .unmigrated = m48t08_unmigrated,
};

static const TesseraStateSchema m48t08_schema = {
    .size = sizeof(TesseraStateSchema),
    .name = "m48t08",
    .version = 1,
    .load_min = 1,
    .save_min = 1,
    .layout = &m48t08_layout,
    .post_load = m48t08_post_load,
};

static const TesseraDeviceClass m48t08_class = {
    .size = sizeof(TesseraDeviceClass),
    .instance_size = sizeof(M48t08),
    .state = &m48t08_schema,
    .init = m48t08_init,
    .reset = m48t08_reset,
    .finalize = m48t08_finalize,
};

TESSERA_PLUGIN(.name = "m48t08", .version = "1.0.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT",
               .description = "ST M48T08 timekeeper: 8 KiB NVRAM with the OpenBIOS image, BCD clock",
               .iface = &m48t08_class);
