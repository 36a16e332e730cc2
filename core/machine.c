/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firmware.h"
#include "machine_internal.h"
#include "net.h"

#define MACHINE_ERROR g_quark_from_static_string("tessera-machine")

/* Instructions between two looks at character input when nothing else stops the
 * CPU: 10 ms of virtual time. */
#define INPUT_SLICE (10 * 1000 * 1000 / TESSERA_NS_PER_INSN)

void machine_request(Machine *m, TesseraRequest req)
{
    /* Power-off outranks reset, which outranks halt. */
    if (m->request == 0 || (req == TESSERA_REQUEST_POWEROFF) ||
        (req == TESSERA_REQUEST_RESET && m->request == TESSERA_REQUEST_HALT))
        m->request = req;
    m->rs.exit_request = 1;
}

/* DMA or a device's bus write changed a page the CPU decoded code from. */
static void cpu_code_written(void *opaque, uint64_t pa, uint64_t len)
{
    Machine *m = opaque;
    m->cpu_class->invalidate(m->cpu->mem, pa, len);
}

static void cpu_irl_changed(void *opaque, unsigned line, int level)
{
    Machine *m = opaque;
    unsigned irl = 0;
    for (unsigned n = 15; n > 0; n--) {
        if (irq_input_level(m->cpu_irl, n)) {
            irl = n;
            break;
        }
    }
    if (irl == m->irl)
        return;
    m->irl = irl;
    m->cpu_class->set_irl(m->cpu->mem, irl);
    /* The CPU re-evaluates interrupts at its next instruction boundary. */
    m->rs.exit_request = 1;
}

static TesseraInstance *instance_new(Machine *m, const char *name, const Plugin *plugin,
                                     const DeviceSpec *spec, uint32_t instance_size)
{
    TesseraInstance *inst = g_new0(TesseraInstance, 1);
    inst->machine = m;
    inst->name = g_strdup(name);
    inst->plugin = plugin;
    inst->spec = spec;
    if (posix_memalign(&inst->mem, 64, instance_size))
        g_error("out of memory allocating %s", name);
    memset(inst->mem, 0, instance_size);
    inst->host.ops = &host_ops;
    inst->host.self = inst;
    inst->outputs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify)irq_output_free);
    inst->inputs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)irq_input_free);
    inst->provided = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    inst->timers = g_ptr_array_new();
    g_ptr_array_add(m->instances, inst);
    return inst;
}

static void instance_free(TesseraInstance *inst)
{
    const TesseraPluginDescriptor *d = inst->plugin->desc;
    if (d->kind == TESSERA_PLUGIN_DEVICE) {
        const TesseraDeviceClass *cls = d->iface;
        if (cls->finalize)
            cls->finalize(inst->mem);
    } else if (d->kind == TESSERA_PLUGIN_CPU) {
        const TesseraCpuClass *cls = d->iface;
        if (cls->finalize)
            cls->finalize(inst->mem);
    }
    for (guint i = 0; i < inst->timers->len; i++)
        clock_timer_free(inst->timers->pdata[i]);
    g_ptr_array_free(inst->timers, TRUE);
    g_hash_table_destroy(inst->outputs);
    g_hash_table_destroy(inst->inputs);
    g_hash_table_destroy(inst->provided);
    free(inst->mem);
    g_free(inst->name);
    g_free(inst);
}

TesseraInstance *machine_instance_find(Machine *m, const char *name)
{
    for (guint i = 0; i < m->instances->len; i++) {
        TesseraInstance *inst = m->instances->pdata[i];
        if (!strcmp(inst->name, name))
            return inst;
    }
    return NULL;
}

static void add_memory_info(Machine *m, const char *name, uint64_t pa, uint64_t len,
                            uint8_t *host, bool readonly)
{
    TesseraMemoryInfo mi = {
        .size = sizeof(mi),
        .name = g_strdup(name),
        .pa = pa,
        .length = len,
        .host = host,
        .readonly = readonly,
    };
    g_array_append_val(m->memory, mi);
}

/* The largest [memory] region of kind ram or rom (they are allocated). */
#define MACHINE_REGION_MAX (UINT64_C(256) << 20)

static bool build_memory(Machine *m, const MachineOptions *opts, GError **error)
{
    const MachineSpec *s = m->spec;
    m->ram_size = opts->ram_size ? opts->ram_size : s->ram_default;
    if (m->ram_size < s->ram_min || m->ram_size > s->ram_max) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                    "machine %s: -m %" G_GUINT64_FORMAT " is out of range (%" G_GUINT64_FORMAT
                    "-%" G_GUINT64_FORMAT " MiB)",
                    s->name, m->ram_size >> 20, s->ram_min >> 20, s->ram_max >> 20);
        return false;
    }
    m->ram = g_malloc0(m->ram_size);
    if (!bus_add_memory(m->bus, "ram", s->ram_base, m->ram_size, m->ram, false, error))
        return false;
    add_memory_info(m, "ram", s->ram_base, m->ram_size, m->ram, false);
    if (m->ram_size < s->ram_max &&
        !bus_add_zero(m->bus, "ram-empty", s->ram_base + m->ram_size, s->ram_max - m->ram_size,
                      error))
        return false;
    if (!firmware_prom_size_ok(s->name, s->prom_size, error))
        return false;
    if (s->prom_size) {
        m->prom = g_malloc0(s->prom_size);
        if (!bus_add_memory(m->bus, "prom", s->prom_base, s->prom_size, m->prom, true, error))
            return false;
        add_memory_info(m, "prom", s->prom_base, s->prom_size, m->prom, true);
    }
    for (guint i = 0; i < s->memory->len; i++) {
        const MemorySpec *ms = s->memory->pdata[i];
        bool ok;
        if (ms->kind == REGION_ZERO) {
            ok = bus_add_zero(m->bus, ms->name, ms->base, ms->size, error);
        } else if (ms->size > MACHINE_REGION_MAX) {
            /* Allocated below: a size from the machine file is bounded first. */
            g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                        "machine %s: memory %s: size 0x%" G_GINT64_MODIFIER "x is out of range "
                        "(1 to 0x%" G_GINT64_MODIFIER "x, %u MiB, for kind ram or rom)",
                        s->name, ms->name, ms->size, (uint64_t)MACHINE_REGION_MAX,
                        (unsigned)(MACHINE_REGION_MAX >> 20));
            return false;
        } else {
            uint8_t *host = g_malloc0(ms->size);
            if (ms->contents)
                memcpy(host, g_bytes_get_data(ms->contents, NULL), g_bytes_get_size(ms->contents));
            ok = bus_add_memory(m->bus, ms->name, ms->base, ms->size, host,
                                ms->kind == REGION_ROM, error);
            add_memory_info(m, ms->name, ms->base, ms->size, host, ms->kind == REGION_ROM);
        }
        if (!ok)
            return false;
    }
    return true;
}

static bool load_firmware(Machine *m, const MachineOptions *opts, GError **error)
{
    const MachineSpec *s = m->spec;
    const char *bios = opts->bios ? opts->bios : s->firmware;
    if (!bios || !s->prom_size)
        return true;
    if (!opts->bios && !g_file_test(bios, G_FILE_TEST_EXISTS)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                    "machine %s: firmware %s not found: install the Debian package %s, or give "
                    "-bios FILE",
                    s->name, bios, s->firmware_package ? s->firmware_package : "that ships it");
        return false;
    }
    return firmware_load(bios, m->prom, s->prom_base, s->prom_size, s->prom_vaddr, error);
}

static bool build_cpu(Machine *m, GError **error)
{
    const DeviceSpec *cs = m->spec->cpu;
    const Plugin *p = m->res->cpu.plugin;
    m->cpu_class = p->desc->iface;
    m->cpu = instance_new(m, "cpu", p, cs, m->cpu_class->instance_size);
    m->cpu_irl = irq_input_new("cpu", "irl", 16, cpu_irl_changed, m);
    g_hash_table_insert(m->cpu->inputs, g_strdup("irl"), m->cpu_irl);
    char err[256] = "";
    const char *model = m->spec->cpu_model;
    if (m->cpu_class->init(m->cpu->mem, &m->cpu->host, model, err, sizeof(err))) {
        g_set_error(error, MACHINE_ERROR, 0, "cpu (%s %s): %s", cs->plugin,
                    p->desc->version, err);
        return false;
    }
    if (TESSERA_HAS_MEMBER(m->cpu_class, TesseraCpuClass, invalidate) &&
        m->cpu_class->invalidate)
        bus_set_code_hook(m->bus, cpu_code_written, m);
    return true;
}

static bool build_devices(Machine *m, GError **error)
{
    const MachineSpec *s = m->spec;
    for (guint i = 0; i < s->devices->len; i++) {
        const DeviceResolution *dr = &g_array_index(m->res->devices, DeviceResolution, i);
        const DeviceSpec *ds = dr->spec;
        const Plugin *p = dr->plugin;
        if (!p)
            continue; /* an optional device left out: reported by the caller */
        const TesseraDeviceClass *cls = p->desc->iface;
        TesseraInstance *inst = instance_new(m, ds->name, p, ds, cls->instance_size);
        char err[256] = "";
        if (cls->init(inst->mem, &inst->host, err, sizeof(err))) {
            g_set_error(error, MACHINE_ERROR, 0, "%s:%d: device %s (%s %s): %s",
                        s->path, ds->line, ds->name, ds->plugin, p->desc->version, err);
            return false;
        }
    }
    return true;
}

static bool wire_one(Machine *m, TesseraInstance *src, const IrqWire *w, GError **error)
{
    TesseraInstance *dst = machine_instance_find(m, w->target);
    if (!dst)
        return true; /* the target's plugin is missing: nothing to wire */
    IrqInput *in = g_hash_table_lookup(dst->inputs, w->input);
    if (!in) {
        g_set_error(error, MACHINE_ERROR, 0,
                    "%s:%d: device %s: '%s' has no IRQ input '%s'", m->spec->path, w->line,
                    src->name, w->target, w->input);
        return false;
    }
    unsigned first_out = w->out_index < 0 ? 0 : (unsigned)w->out_index;
    unsigned first_in = w->in_index < 0 ? 0 : (unsigned)w->in_index;
    /* name = target.input wires the whole arrays, element by element. */
    unsigned n = (w->out_index < 0 && w->in_index < 0) ? irq_input_count(in) : 1;
    for (unsigned k = 0; k < n; k++) {
        char *key = g_strdup_printf("%s[%u]", w->output, first_out + k);
        TesseraIrq *out = g_hash_table_lookup(src->outputs, key);
        g_free(key);
        if (!out) {
            if (k > 0)
                break; /* a shorter output array */
            g_set_error(error, MACHINE_ERROR, 0,
                        "%s:%d: device %s has no IRQ output '%s[%u]'", m->spec->path, w->line,
                        src->name, w->output, first_out);
            return false;
        }
        if (!irq_connect(out, in, first_in + k, error))
            return false;
    }
    return true;
}

static bool wire_irqs(Machine *m, GError **error)
{
    for (guint i = 0; i < m->instances->len; i++) {
        TesseraInstance *inst = m->instances->pdata[i];
        for (guint j = 0; inst->spec && j < inst->spec->irqs->len; j++)
            if (!wire_one(m, inst, inst->spec->irqs->pdata[j], error))
                return false;
    }
    return true;
}

static bool realize_devices(Machine *m, GError **error)
{
    for (guint i = 0; i < m->instances->len; i++) {
        TesseraInstance *inst = m->instances->pdata[i];
        if (inst->plugin->desc->kind != TESSERA_PLUGIN_DEVICE)
            continue;
        const TesseraDeviceClass *cls = inst->plugin->desc->iface;
        char err[256] = "";
        if (cls->realize && cls->realize(inst->mem, err, sizeof(err))) {
            g_set_error(error, MACHINE_ERROR, 0, "device %s (%s): %s", inst->name,
                        inst->plugin->desc->name, err);
            return false;
        }
    }
    return true;
}

bool machine_commit(Machine *m, const char *drive, GError **error)
{
    int matched = 0;
    for (guint i = 0; i < m->instances->len; i++) {
        TesseraInstance *inst = m->instances->pdata[i];
        if (inst->plugin->desc->kind != TESSERA_PLUGIN_DEVICE)
            continue;
        const TesseraDeviceClass *cls = inst->plugin->desc->iface;
        if (!TESSERA_HAS_MEMBER(cls, TesseraDeviceClass, commit) || !cls->commit)
            continue;
        char err[256] = "";
        int n = cls->commit(inst->mem, drive, err, sizeof(err));
        if (n < 0) {
            g_set_error(error, MACHINE_ERROR, 0, "device %s: %s", inst->name, err);
            return false;
        }
        matched += n;
    }
    if (!matched && strcmp(drive, "all")) {
        g_set_error(error, MACHINE_ERROR, 0, "no drive '%s' (scsi0-hdN, or all)", drive);
        return false;
    }
    return true;
}

static void set_opt(Machine *m, const char *name, const char *value)
{
    if (value)
        g_hash_table_insert(m->opts, g_strdup(name), g_strdup(value));
}

Machine *machine_new(const MachineResolution *res, const PluginRegistry *reg,
                     const MachineOptions *opts, GError **error)
{
    const MachineSpec *spec = res->spec;
    if (res->missing_required) {
        g_set_error(error, MACHINE_ERROR, 0, "machine %s: %u required device%s missing "
                    "(`tessera --check-machine %s` says why)", spec->name, res->missing_required,
                    res->missing_required == 1 ? " is" : "s are", spec->name);
        return NULL;
    }
    Machine *m = g_new0(Machine, 1);
    m->spec = spec;
    m->res = res;
    m->reg = reg;
    m->icount_limit = opts->icount_limit;
    m->opts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    m->bus = bus_new();
    m->clock = clock_new(&m->rs);
    m->instances = g_ptr_array_new();
    m->memory = g_array_new(FALSE, TRUE, sizeof(TesseraMemoryInfo));
    m->view_instances = g_array_new(FALSE, TRUE, sizeof(TesseraInstanceInfo));
    m->polls = g_array_new(FALSE, TRUE, sizeof(PollHook));
    m->net = opts->net;

    bool ok = build_memory(m, opts, error);
    if (ok) {
        char *ram = g_strdup_printf("%" G_GUINT64_FORMAT, m->ram_size);
        set_opt(m, "ram-size", ram);
        g_free(ram);
        set_opt(m, "machine", spec->name);
        set_opt(m, "kernel", opts->kernel);
        set_opt(m, "initrd", opts->initrd);
        set_opt(m, "append", opts->append);
        set_opt(m, "nographic", opts->nographic ? "1" : "0");
        if (opts->extra) {
            GHashTableIter it;
            gpointer k, v;
            g_hash_table_iter_init(&it, opts->extra);
            while (g_hash_table_iter_next(&it, &k, &v))
                set_opt(m, k, v);
        }
        m->serial[0] = chardev_open(opts->serial ? opts->serial : "stdio", error);
        ok = m->serial[0] != NULL;
    }
    ok = ok && load_firmware(m, opts, error) && build_cpu(m, error) && build_devices(m, error) &&
         wire_irqs(m, error) && realize_devices(m, error) && net_hub_check(m->net, error);
    if (!ok) {
        machine_free(m);
        return NULL;
    }
    machine_reset(m);
    return m;
}

void machine_free(Machine *m)
{
    if (!m)
        return;
    for (guint i = m->instances->len; i-- > 0;)
        instance_free(m->instances->pdata[i]);
    g_ptr_array_free(m->instances, TRUE);
    for (guint i = 0; i < m->memory->len; i++) {
        TesseraMemoryInfo *mi = &g_array_index(m->memory, TesseraMemoryInfo, i);
        if (mi->host != m->ram && mi->host != m->prom)
            g_free(mi->host);
        g_free((char *)mi->name);
    }
    g_array_free(m->memory, TRUE);
    g_array_free(m->view_instances, TRUE);
    g_array_free(m->polls, TRUE);
    for (int i = 0; i < 2; i++)
        if (m->serial[i])
            chardev_close(m->serial[i]);
    clock_free(m->clock);
    bus_free(m->bus);
    g_free(m->ram);
    g_free(m->prom);
    g_hash_table_destroy(m->opts);
    g_free(m);
}

void machine_reset(Machine *m)
{
    for (guint i = 0; i < m->instances->len; i++) {
        TesseraInstance *inst = m->instances->pdata[i];
        const TesseraPluginDescriptor *d = inst->plugin->desc;
        if (d->kind == TESSERA_PLUGIN_CPU)
            ((const TesseraCpuClass *)d->iface)->reset(inst->mem);
        else
            ((const TesseraDeviceClass *)d->iface)->reset(inst->mem);
    }
    /* Devices re-drive their IRQ lines on reset; pass the level on to the new CPU. */
    m->cpu_class->set_irl(m->cpu->mem, m->irl);
    m->halted = false;
}

void machine_stop(Machine *m)
{
    m->stop = true;
    m->rs.exit_request = 1;
}

/* Handle a device's request; returns true when the run must end. */
static bool handle_request(Machine *m, MachineExit *exit)
{
    int req = m->request;
    m->request = 0;
    switch (req) {
    case TESSERA_REQUEST_POWEROFF:
        *exit = MACHINE_EXIT_POWEROFF;
        return true;
    case TESSERA_REQUEST_RESET:
        machine_reset(m);
        return false;
    case TESSERA_REQUEST_HALT:
        m->halted = m->irl == 0;
        return false;
    default:
        return false;
    }
}

/* Frames from the network reach the NICs here too: between CPU slices, never
 * in the middle of an instruction (docs/networking.md). */
static void poll_input(Machine *m, int timeout_ms)
{
    for (int i = 0; i < 2; i++)
        if (m->serial[i])
            chardev_poll(m->serial[i], timeout_ms);
    net_hub_poll(m->net, 0);
    for (guint i = 0; i < m->polls->len; i++) {
        PollHook *h = &g_array_index(m->polls, PollHook, i);
        h->poll(h->opaque);
    }
}

static bool quit_requested(Machine *m)
{
    for (int i = 0; i < 2; i++)
        if (m->serial[i] && chardev_quit_requested(m->serial[i]))
            return true;
    return false;
}

MachineExit machine_run(Machine *m)
{
    MachineExit exit;
    bool interactive = isatty(STDIN_FILENO);
    m->stop = false;
    for (;;) {
        if (m->request && handle_request(m, &exit))
            return exit;
        if (m->stop)
            return MACHINE_EXIT_STOPPED;
        if (m->debug_dma_hit) {
            m->debug_dma_hit = false;
            return MACHINE_EXIT_DEBUG;
        }
        if (quit_requested(m))
            return MACHINE_EXIT_QUIT;
        /* A break (-savevm-at) at the same count as the limit happens first. */
        if (m->break_at && m->rs.icount >= m->break_at) {
            m->break_at = 0;
            return MACHINE_EXIT_BREAK;
        }
        if (m->icount_limit && m->rs.icount >= m->icount_limit)
            return MACHINE_EXIT_ICOUNT_LIMIT;
        if (m->halted) {
            if (m->irl) {
                m->halted = false;
                continue;
            }
            /* Idle: jump the virtual clock to the next event. An interactive user
             * gets real time to type; a scripted run does not wait. */
            uint64_t next = clock_next_event(m->clock);
            if (next == UINT64_MAX && !interactive)
                return MACHINE_EXIT_HUNG;
            if (interactive)
                poll_input(m, next == UINT64_MAX ? 100 : 10);
            else
                poll_input(m, 0);
            /* A poll hook stopped the machine (a snapshot, a migration): stop at
             * the state it saw, before the clock jumps and timers fire. */
            if (m->stop)
                continue;
            /* An idle guest talking to the network waits a little for it, so its
             * clock does not race ahead of the peer's replies. */
            if (net_hub_busy(m->net))
                net_hub_poll(m->net, 1);
            if (next != UINT64_MAX) {
                if (m->icount_limit && next > m->icount_limit)
                    next = m->icount_limit;
                if (m->break_at && next > m->break_at)
                    next = m->break_at;
                m->rs.icount = next > m->rs.icount ? next : m->rs.icount;
                clock_run_expired(m->clock);
            }
            continue;
        }
        /* With the network busy, look at it ten times as often: its round trips
         * (a TCP ACK) wait for the end of a slice. */
        uint64_t stop_at = m->rs.icount + (net_hub_busy(m->net) ? INPUT_SLICE / 100 : INPUT_SLICE);
        uint64_t next = clock_next_event(m->clock);
        if (next < stop_at)
            stop_at = next;
        if (m->icount_limit && m->icount_limit < stop_at)
            stop_at = m->icount_limit;
        if (m->break_at && m->break_at < stop_at)
            stop_at = m->break_at;
        m->rs.stop_at = stop_at;
        m->rs.exit_request = 0;
        TesseraCpuExit why = m->cpu_class->run(m->cpu->mem, &m->rs);
        if (why == TESSERA_CPU_ERROR_MODE)
            return MACHINE_EXIT_ERROR_MODE;
        if (why == TESSERA_CPU_DEBUG)
            return MACHINE_EXIT_DEBUG;
        if (why == TESSERA_CPU_HALTED)
            m->halted = m->irl == 0;
        clock_run_expired(m->clock);
        poll_input(m, 0);
    }
}

void machine_loaded(Machine *m)
{
    /* A restore rewrote guest RAM behind everybody's back: every page is dirty. */
    bus_dirty_mark(m->bus, 0, UINT64_MAX);
    m->request = 0;
    m->halted = false;
    m->debug_dma_hit = false;
    m->rs.exit_request = 1;
}

void machine_add_poll(Machine *m, void (*poll)(void *opaque), void *opaque)
{
    PollHook h = { poll, opaque };
    g_array_append_val(m->polls, h);
}

void machine_break_at(Machine *m, uint64_t icount)
{
    m->break_at = icount;
}

uint64_t machine_icount(const Machine *m)
{
    return m->rs.icount;
}

bool machine_describe_cpu(const Machine *m, char *buf, size_t len)
{
    if (!TESSERA_HAS_MEMBER(m->cpu_class, TesseraCpuClass, describe) || !m->cpu_class->describe)
        return false;
    buf[0] = 0;
    m->cpu_class->describe(m->cpu->mem, buf, len);
    return true;
}

const MachineSpec *machine_spec(const Machine *m)
{
    return m->spec;
}

void machine_dump_cpu(Machine *m, FILE *out)
{
    char buf[4096] = "";
    m->cpu_class->dump(m->cpu->mem, buf, sizeof(buf));
    fprintf(out, "%sicount=%" G_GUINT64_FORMAT "\n", buf, m->rs.icount);
}

const TesseraMachineView *machine_view(Machine *m)
{
    g_array_set_size(m->view_instances, 0);
    for (guint i = 0; i < m->instances->len; i++) {
        TesseraInstance *inst = m->instances->pdata[i];
        TesseraInstanceInfo info = {
            .size = sizeof(info),
            .name = inst->name,
            .plugin = inst->plugin->desc->name,
            .plugin_version = inst->plugin->desc->version,
            .kind = inst->plugin->desc->kind,
            .schema = inst->plugin->schema,
            .migration_blocker = inst->plugin->blocker,
            .state = inst->mem,
        };
        g_array_append_val(m->view_instances, info);
    }
    m->view = (TesseraMachineView){
        .size = sizeof(TesseraMachineView),
        .machine = m->spec->name,
        .machine_file = m->spec->path,
        .run = &m->rs,
        .n_instances = m->view_instances->len,
        .instances = (const TesseraInstanceInfo *)m->view_instances->data,
        .n_memory = m->memory->len,
        .memory = (const TesseraMemoryInfo *)m->memory->data,
        .host = &m->cpu->host,
    };
    return &m->view;
}

struct NetHub *machine_net(Machine *m)
{
    return m->net;
}

Chardev *machine_serial(Machine *m)
{
    return m->serial[0];
}
