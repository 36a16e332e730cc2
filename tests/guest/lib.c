/* Tessera guest runtime: polled console on ESCC #2 channel A, PASS/FAIL
 * reporting, trap dispatch and power-off.  Everything a guest program needs
 * besides crt0.S. */
#include "guest.h"

volatile uint32_t trap_count, last_tt, last_pc, last_psr;
volatile uint32_t win_overflows, win_underflows;
volatile uint32_t fail_count;
volatile uint32_t reset_fsr;
trap_fn trap_handlers[256];
static volatile int pending_tt = -1;

static inline uint8_t ldub_bypass(uint32_t pa)
{
	uint32_t v;
	__asm__ volatile("lduba [%1] 0x20, %0" : "=r"(v) : "r"(pa) : "memory");
	return v;
}
static inline void stb_bypass(uint32_t pa, uint8_t v)
{
	__asm__ volatile("stba %0, [%1] 0x20" : : "r"(v), "r"(pa) : "memory");
}

void console_init(void)
{
	/* Z85C30 WR5: bit 3 TX enable, bits 6:5 = 3 (8 bits/char). */
	stb_bypass(ESCC_A_CTRL, 5);
	stb_bypass(ESCC_A_CTRL, 0x68);
}

void putch(int c)
{
	if (c == '\n')
		putch('\r');
	while (!(ldub_bypass(ESCC_A_CTRL) & 0x04))	/* RR0 bit 2: TX empty */
		;
	stb_bypass(ESCC_A_DATA, c);
}

void puts_(const char *s)
{
	while (*s)
		putch(*s++);
}

void puthex(uint32_t v)
{
	puts_("0x");
	for (int i = 28; i >= 0; i -= 4)
		putch("0123456789abcdef"[(v >> i) & 0xf]);
}

void putdec(uint32_t v)
{
	char buf[12];
	int n = 0;
	do {
		buf[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		putch(buf[--n]);
}

void pass(const char *name)
{
	puts_("PASS ");
	puts_(name);
	putch('\n');
}

void fail(const char *name, uint32_t got, uint32_t want)
{
	fail_count++;
	puts_("FAIL ");
	puts_(name);
	puts_(" got=");
	puthex(got);
	puts_(" want=");
	puthex(want);
	putch('\n');
}

int check_eq(const char *name, uint32_t got, uint32_t want)
{
	if (got == want) {
		pass(name);
		return 1;
	}
	fail(name, got, want);
	return 0;
}

__attribute__((noreturn)) void power_off(void)
{
	stb_bypass(AUX2, 1);
	for (;;)
		;
}

__attribute__((noreturn)) void guest_exit(void)
{
	puts_("DONE\n");
	power_off();
}

void trap_skip(struct trapframe *tf)
{
	tf->pc = tf->npc;
	tf->npc += 4;
}

void trap_retry(struct trapframe *tf)
{
	(void)tf;
}

void trap_set(int tt, trap_fn fn)
{
	trap_handlers[tt] = fn;
}

int trap_take(void)
{
	int tt = pending_tt;
	pending_tt = -1;
	return tt;
}

void check_trap(const char *name, int want_tt)
{
	int tt = trap_take();
	check_eq(name, (uint32_t)tt, (uint32_t)want_tt);
}

void trap_dispatch(struct trapframe *tf);
void trap_dispatch(struct trapframe *tf)
{
	trap_count++;
	last_tt = tf->tt;
	last_pc = tf->pc;
	last_psr = tf->psr;
	pending_tt = tf->tt;
	trap_fn fn = trap_handlers[tf->tt];
	if (fn) {
		fn(tf);
		return;
	}
	puts_("FAIL unexpected trap tt=");
	puthex(tf->tt);
	puts_(" pc=");
	puthex(tf->pc);
	puts_(" npc=");
	puthex(tf->npc);
	puts_(" psr=");
	puthex(tf->psr);
	putch('\n');
	guest_exit();
}
