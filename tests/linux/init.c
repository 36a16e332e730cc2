/* /init for the Linux boot tests (tests/linux): checks what Linux 6.1 shows a user
 * program on the SS-5, prints "PASS name" or `FAIL name got "X" want "Y"` per check, then
 * DONE, and powers the machine off.  Only facts any correct SS-5 shows the same way,
 * Tessera and QEMU alike: no BogoMIPS, no FPU version (QEMU 7.2 reports FSR.ver 0,
 * Tessera 4), no free-memory counts, no upper bounds on time beyond "not absurd".
 *
 * No C library: raw system calls, `ta 0x10` with g1 = number, o0..o4 = arguments;
 * the carry flag set means o0 holds an errno, returned here negated.
 * EXPECT-PASS: 27 (boot.sh counts the PASS lines) */
#include <asm/fcntl.h>
#include <asm/unistd.h>
#include <linux/reboot.h>
#include <linux/time.h>
#include <linux/utsname.h>

#include "sys.h"

static int starts(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

static void check_str(const char *name, const char *got, const char *want)
{
    long i = 0;
    while (got[i] && got[i] == want[i]) i++;
    check(got[i] == want[i], name, got, want);
}
static char buf[8192];

/* The value after "key<tabs/spaces>:" or "key:" in a /proc file, up to the line's end. */
static const char *proc_field(const char *path, const char *key)
{
    long fd = sys(__NR_open, path, O_RDONLY, 0), n = 0, r;
    if (fd < 0)
        return "(cannot-open)";
    while (n < (long)sizeof(buf) - 1 && (r = sys(__NR_read, fd, buf + n, sizeof(buf) - 1 - n)) > 0)
        n += r;
    sys(__NR_close, fd, 0, 0);
    buf[n < 0 ? 0 : n] = 0;
    for (char *line = buf; *line; ) {
        char *end = line;
        while (*end && *end != '\n') end++;
        if (*end) *end++ = 0;
        if (starts(line, key)) {
            char *v = line + len(key);
            while (*v == ' ' || *v == '\t') v++;
            if (*v == ':') {
                for (v++; *v == ' ' || *v == '\t'; v++) {}
                return v;
            }
        }
        line = end;
    }
    return "(missing)";
}

static long elapsed_us(const struct ts32 *a, const struct ts32 *b)
{
    return (b->sec - a->sec) * 1000000 + (b->nsec - a->nsec) / 1000;
}

static volatile int cow_probe = 1;     /* the forked child changes only its own copy */
static volatile double fp_a = 10.0, fp_b = 4.0;

void _start(void)
{
    put("linux-init: start\n");
    check_num("getpid", sys(__NR_getpid, 0, 0, 0), 1);

    static struct new_utsname u;
    check_num("uname", sys(__NR_uname, &u, 0, 0), 0);
    check_str("uname-sysname", u.sysname, "Linux");
    check(starts(u.release, "6.1."), "uname-release", u.release, "6.1.*");
    check_str("uname-machine", u.machine, "sparc");

    check_num("mount-proc", sys5(__NR_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0), 0);
    check_str("cpuinfo-cpu", proc_field("/proc/cpuinfo", "cpu"), "Fujitsu  MB86904");
    check_str("cpuinfo-type", proc_field("/proc/cpuinfo", "type"), "sun4m");
    check_str("cpuinfo-mmu", proc_field("/proc/cpuinfo", "MMU type"), "Fujitsu Swift");
    check_str("cpuinfo-ncpus", proc_field("/proc/cpuinfo", "ncpus probed"), "1");
    const char *total = proc_field("/proc/meminfo", "MemTotal");
    long kb = 0;
    for (const char *p = total; *p >= '0' && *p <= '9'; p++) kb = kb * 10 + (*p - '0');
    /* -m 128 less the kernel image, the PROM's share and reserved pages */
    check(kb >= 96 * 1024 && kb <= 128 * 1024, "meminfo-total", total, "96..128MiB");

    /* A 20 ms sleep needs the timer interrupt; monotonic time must cover it. */
    struct ts32 t0, t1, d = { 0, 20 * 1000 * 1000 };
    sys(__NR_clock_gettime, CLOCK_MONOTONIC, &t0, 0);
    check_num("nanosleep", sys(__NR_nanosleep, &d, 0, 0), 0);
    sys(__NR_clock_gettime, CLOCK_MONOTONIC, &t1, 0);
    long us = elapsed_us(&t0, &t1);
    check(us >= 20000 && us < 5000000, "sleep-20ms", num(us), "20000..5000000us");

    int fds[2];
    check_num("pipe2", sys(__NR_pipe2, fds, 0, 0), 0);
    check_num("pipe-write", sys(__NR_write, fds[1], "tessera\n", 8), 8);
    buf[0] = 0;
    check_num("pipe-read", sys(__NR_read, fds[0], buf, sizeof(buf)), 8);
    buf[7] = 0;
    check_str("pipe-data", buf, "tessera");

    long fd = sys(__NR_open, "/scratch", O_CREAT | O_RDWR | O_TRUNC, 0644);
    check(fd >= 0, "file-open", num(fd), ">=0");
    for (int i = 0; i < 4096; i++) buf[i] = (char)(i * 7 + 3);
    check_num("file-write", sys(__NR_write, fd, buf, 4096), 4096);
    check_num("file-seek", sys(__NR_lseek, fd, 0, 0), 0);
    for (int i = 0; i < 4096; i++) buf[i] = 0;
    check_num("file-read", sys(__NR_read, fd, buf, sizeof(buf)), 4096);
    int bad = 0;
    for (int i = 0; i < 4096; i++) bad += buf[i] != (char)(i * 7 + 3);
    check_num("file-data-mismatches", bad, 0);
    sys(__NR_close, fd, 0, 0);
    check_num("file-unlink", sys(__NR_unlink, "/scratch", 0, 0), 0);

    long in_child;
    long pid = sys5(__NR_fork, 0, 0, 0, 0, 0, &in_child);
    if (pid >= 0 && in_child) {
        cow_probe = 2;
        sys(__NR_exit, cow_probe == 2 ? 7 : 8, 0, 0);
    }
    int status = -1;
    check_num("fork-wait", sys5(__NR_wait4, pid, (long)&status, 0, 0, 0, 0), pid);
    check_num("fork-exit-status", status, 7 << 8);
    check_num("fork-cow", cow_probe, 1);

    check(fp_a / fp_b == 2.5 && fp_a * fp_b == 40.0, "fpu-arith", "wrong", "2.5,40");

    put(failures ? "linux-init: failures\n" : "linux-init: all passed\n");
    put("DONE\n");
    sys5(__NR_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF, 0, 0, 0);
    put("FAIL reboot returned\n");
    for (;;)
        sys(__NR_pause, 0, 0, 0);
}
