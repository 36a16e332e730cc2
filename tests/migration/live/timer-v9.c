/* A stand-in "slavio-timer" 9.0.0 whose state is v9 only (loads and saves v9, no
 * converters), so no real timer's state fits it: live.py's destination pins it
 * to be refused at the handshake. It maps no registers and never runs a guest. */
#include <stddef.h>
#include <tessera/tessera.h>

typedef struct TimerV9 {
    uint32_t counter;
} TimerV9;

static const TesseraField timer_v9_fields[] = {
    TESSERA_U32(TimerV9, counter),
};

static const TesseraStateLayout timer_v9_layout = {
    .struct_name = "TimerV9",
    .size = sizeof(TimerV9),
    .fields = timer_v9_fields,
    .n_fields = TESSERA_N_ELEMS(timer_v9_fields),
};

static const TesseraStateSchema timer_v9_schema = {
    .size = sizeof(TesseraStateSchema),
    .name = "slavio-timer",
    .version = 9,
    .load_min = 9,
    .save_min = 9,
    .layout = &timer_v9_layout,
};

/* The machine file wires these outputs; they are declared and never raised. */
static int timer_v9_init(void *dev, const TesseraHost *host, char *err, size_t errlen)
{
    tessera_irq_out(host, "system", 0);
    tessera_irq_out(host, "cpu0", 0);
    return 0;
}

static void timer_v9_reset(void *dev)
{
    ((TimerV9 *)dev)->counter = 0;
}

static const TesseraDeviceClass timer_v9_class = {
    .size = sizeof(TesseraDeviceClass),
    .instance_size = sizeof(TimerV9),
    .state = &timer_v9_schema,
    .init = timer_v9_init,
    .reset = timer_v9_reset,
};

TESSERA_PLUGIN(.name = "slavio-timer", .version = "9.0.0", .kind = TESSERA_PLUGIN_DEVICE,
               .license = "MIT", .description = "Test stand-in: slavio-timer state v9 only",
               .iface = &timer_v9_class);
