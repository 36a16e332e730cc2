/* The timers' raw readings over time, for the snapshot tests: the system and
 * CPU 0 counters running periodic limits with their interrupts, then CPU 0's
 * counter as a 64-bit user timer that is stopped and started again.  Every
 * reading is printed, so the trace shows any difference in the timer state a
 * snapshot carried (period start, limit, reached bit, IRQ level, user count,
 * run bit).  The values depend on exact instruction timing: the program is
 * checked on Tessera (suite guest) but not compared with QEMU.
 * EXPECT-PASS: 4
 */
#include "guest.h"

#define T_LIMIT		0x0
#define T_COUNTER	0x4
#define T_RUN		0xc
#define T_USER_MODE	0x10
#define ICM_ENABLE	0x8
#define MASTER_DISABLE	0x80000000u
#define SYSTIMER_BIT	(1u << 19)
#define USEC(n)		((uint32_t)(n) << 10)
#define ROUNDS		48

static volatile uint32_t sys_irqs, cpu_irqs;

static void sys_timer_handler(struct trapframe *tf)
{
	(void)tf;
	sys_irqs++;
	(void)lda_bypass(TIMER_SYS + T_LIMIT);	/* clears reached and the IRQ */
}

static void cpu_timer_handler(struct trapframe *tf)
{
	(void)tf;
	cpu_irqs++;
	(void)lda_bypass(TIMER_CPU0 + T_LIMIT);
}

static void field(const char *name, uint32_t v)
{
	puts_(name);
	putch('=');
	puthex(v);
	putch(' ');
}

static void spin(uint32_t n)
{
	for (volatile uint32_t i = 0; i < n; i++)
		;
}

int main(void)
{
	trap_set(TT_IRQ(10), sys_timer_handler);
	trap_set(TT_IRQ(14), cpu_timer_handler);
	set_pil(15);
	sta_bypass(INTCTL_MASTER + ICM_ENABLE, MASTER_DISABLE | SYSTIMER_BIT);
	sta_bypass(TIMER_SYS + T_LIMIT, USEC(370));
	sta_bypass(TIMER_CPU0 + T_LIMIT, USEC(530));
	set_pil(0);

	uint32_t user_hi = 0, user_lo = 0, user_seen = 0;
	for (uint32_t round = 0; round < ROUNDS; round++) {
		spin(1500 + 397 * (round % 7));
		if (round == 24) {		/* CPU 0's counter becomes a user timer */
			sta_bypass(TIMER_SYS + T_USER_MODE, 1);
			sta_bypass(TIMER_CPU0 + T_RUN, 1);
		}
		if (round == 32)
			sta_bypass(TIMER_CPU0 + T_RUN, 0);	/* stopped: frozen */
		if (round == 38)
			sta_bypass(TIMER_CPU0 + T_RUN, 1);
		putdec(round);
		putch(' ');
		set_pil(15);	/* one consistent reading of everything */
		field("sys", lda_bypass(TIMER_SYS + T_COUNTER));
		field("cpu", lda_bypass(TIMER_CPU0 + T_COUNTER));
		if (round >= 24) {
			user_hi = lda_bypass(TIMER_CPU0 + T_LIMIT);
			user_lo = lda_bypass(TIMER_CPU0 + T_COUNTER);
			user_seen |= user_lo;
			field("user", user_hi);
			field("run", lda_bypass(TIMER_CPU0 + T_RUN));
		}
		field("mode", lda_bypass(TIMER_SYS + T_USER_MODE));
		field("irq10", sys_irqs);
		field("irq14", cpu_irqs);
		set_pil(0);
		putch('\n');
	}
	set_pil(15);
	check_eq("trace.system_timer_interrupted", sys_irqs > 2, 1);
	check_eq("trace.cpu_timer_interrupted", cpu_irqs > 2, 1);
	check_eq("trace.user_timer_counted", user_seen != 0, 1);
	check_eq("trace.user_mode_set", lda_bypass(TIMER_SYS + T_USER_MODE), 1);
	(void)user_hi;
	return 0;
}
