/* The raw-system-call helpers the Linux tests' /init programs share (init.c,
 * netinit.c): no C library, `ta 0x10` with g1 = number, o0..o4 = arguments; the
 * carry flag set means o0 holds an errno, returned here negated. "PASS name" or
 * `FAIL name got "X" want "Y"` per check on the console. */
#ifndef TESTS_LINUX_SYS_H
#define TESTS_LINUX_SYS_H

struct ts32 { long sec, nsec; };   /* clock_gettime/nanosleep's time on sparc32 */

/* Returns o0; *o1 gets the second result (fork: 1 in the child, 0 in the parent). */
static long sys5(long n, long a, long b, long c, long d, long e, long *o1_out)
{
    register long g1 __asm__("g1") = n;
    register long o0 __asm__("o0") = a;
    register long o1 __asm__("o1") = b;
    register long o2 __asm__("o2") = c;
    register long o3 __asm__("o3") = d;
    register long o4 __asm__("o4") = e;
    __asm__ volatile("ta 0x10\n\tbcs,a 1f\n\tsub %%g0, %%o0, %%o0\n1:"
                     : "+r"(o0), "+r"(o1) : "r"(g1), "r"(o2), "r"(o3), "r"(o4) : "memory", "cc");
    if (o1_out)
        *o1_out = o1;
    return o0;
}
#define sys(n, a, b, c) sys5((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

static long len(const char *s) { long n = 0; while (s[n]) n++; return n; }
static void put(const char *s) { sys(__NR_write, 1, s, len(s)); }

static const char *num(long v)
{
    static char b[24];
    int i = 23;
    unsigned long u = v < 0 ? -(unsigned long)v : (unsigned long)v;
    b[i] = 0;
    do b[--i] = '0' + u % 10; while (u /= 10);
    if (v < 0) b[--i] = '-';
    return b + i;
}

static int failures;
static void check(int ok, const char *name, const char *got, const char *want)
{
    put(ok ? "PASS " : "FAIL ");
    put(name);
    if (!ok) {
        put(" got \""); put(got); put("\" want \""); put(want); put("\"");
        failures++;
    }
    put("\n");
}
static void check_num(const char *name, long got, long want)
{
    char g[24];
    const char *s = num(got);
    long i = 0;
    while ((g[i] = s[i])) i++;
    check(got == want, name, g, num(want));
}

#endif /* TESTS_LINUX_SYS_H */
