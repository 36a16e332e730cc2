/* SPDX-License-Identifier: MIT */
/* The fake timer device's schemas and the fake machine view. */
#include "fake_machine.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

static const TesseraField channel_fields[] = {
    TESSERA_U32(FakeChannel, count),
    TESSERA_U8(FakeChannel, mode),
};
static const TesseraStateLayout channel_layout = {
    .struct_name = "FakeChannel",
    .size = sizeof(FakeChannel),
    .fields = channel_fields,
    .n_fields = TESSERA_N_ELEMS(channel_fields),
};

static const char *const unmigrated[] = {"host_ptr", "post_loads", NULL};

static const TesseraField v1_fields[] = {
    TESSERA_U32(FakeTimer, limit),
    TESSERA_U16(FakeTimer, ctrl),
    TESSERA_BOOL(FakeTimer, running),
    TESSERA_I32(FakeTimer, skew),
    TESSERA_BYTES(FakeTimer, nvram),
    TESSERA_STRUCTS(FakeTimer, ch, channel_layout),
};
static const TesseraStateLayout v1_layout = {
    .struct_name = "FakeTimer", .size = sizeof(FakeTimer), .fields = v1_fields,
    .n_fields = TESSERA_N_ELEMS(v1_fields), .unmigrated = unmigrated,
};

static const TesseraField v2_fields[] = {
    TESSERA_U32(FakeTimer, limit),
    TESSERA_U16(FakeTimer, ctrl),
    TESSERA_BOOL(FakeTimer, running),
    TESSERA_I32(FakeTimer, skew),
    TESSERA_BYTES(FakeTimer, nvram),
    TESSERA_STRUCTS(FakeTimer, ch, channel_layout),
    {.name = "ticks", .member = "ticks", .type = TESSERA_FIELD_U64,
     .offset = offsetof(FakeTimer, ticks), .count = 1, .since = 2, .dflt = 77},
};
static const TesseraStateLayout v2_layout = {
    .struct_name = "FakeTimer", .size = sizeof(FakeTimer), .fields = v2_fields,
    .n_fields = TESSERA_N_ELEMS(v2_fields), .unmigrated = unmigrated,
};

static const TesseraField v3_fields[] = {
    TESSERA_U32(FakeTimer, limit),
    {.name = "control", .member = "ctrl", .type = TESSERA_FIELD_U16,
     .offset = offsetof(FakeTimer, ctrl), .count = 1, .since = 3},
    TESSERA_BOOL(FakeTimer, running),
    TESSERA_I32(FakeTimer, skew),
    TESSERA_BYTES(FakeTimer, nvram),
    TESSERA_STRUCTS(FakeTimer, ch, channel_layout),
    {.name = "ticks", .member = "ticks", .type = TESSERA_FIELD_U64,
     .offset = offsetof(FakeTimer, ticks), .count = 1, .since = 2, .dflt = 77},
};
static const TesseraStateLayout v3_layout = {
    .struct_name = "FakeTimer", .size = sizeof(FakeTimer), .fields = v3_fields,
    .n_fields = TESSERA_N_ELEMS(v3_fields), .unmigrated = unmigrated,
};

static int add_ticks(TesseraRecord *rec, const TesseraRecordOps *ops, char *err, size_t errlen)
{
    if (ops->add(rec, "ticks", TESSERA_FIELD_U64, 1) < 0 || ops->set(rec, "ticks", 0, 5) < 0) {
        snprintf(err, errlen, "cannot add ticks");
        return -1;
    }
    return 0;
}

static int ctrl_to_control(TesseraRecord *rec, const TesseraRecordOps *ops, char *err, size_t errlen)
{
    if (ops->rename(rec, "ctrl", "control") < 0) {
        snprintf(err, errlen, "no field ctrl");
        return -1;
    }
    return 0;
}

static int control_to_ctrl(TesseraRecord *rec, const TesseraRecordOps *ops, char *err, size_t errlen)
{
    if (ops->rename(rec, "control", "ctrl") < 0) {
        snprintf(err, errlen, "no field control");
        return -1;
    }
    return 0;
}

static const TesseraConverter v3_converters[] = {
    {.from = 1, .to = 2, .convert = add_ticks},
    {.from = 2, .to = 3, .convert = ctrl_to_control},
    {.from = 3, .to = 2, .convert = control_to_ctrl},
};

static int drop_ticks(TesseraRecord *rec, const TesseraRecordOps *ops, char *err, size_t errlen)
{
    if (ops->remove(rec, "ticks") < 0 || ops->set(rec, "skew", 0, (uint64_t)-1) < 0) {
        snprintf(err, errlen, "cannot drop ticks");
        return -1;
    }
    return 0;
}

static const TesseraConverter v2_converters[] = {
    {.from = 1, .to = 2, .convert = add_ticks},
    {.from = 2, .to = 1, .convert = drop_ticks},
};

static int count_post_load(void *instance, char *err, size_t errlen)
{
    ((FakeTimer *)instance)->post_loads++;
    return 0;
}

static int failing_post_load(void *instance, char *err, size_t errlen)
{
    FakeTimer *t = instance;
    t->post_loads++;
    if (t->limit == 0xdead) {
        snprintf(err, errlen, "limit 0xdead is not allowed");
        return -1;
    }
    return 0;
}

const TesseraStateSchema fake_schema_v1 = {
    .size = sizeof(TesseraStateSchema), .name = "fake-timer", .version = 1, .load_min = 1,
    .save_min = 1, .layout = &v1_layout, .post_load = count_post_load,
};
const TesseraStateSchema fake_schema_v2 = {
    .size = sizeof(TesseraStateSchema), .name = "fake-timer", .version = 2, .load_min = 1,
    .save_min = 1, .layout = &v2_layout, .post_load = count_post_load,
};
const TesseraStateSchema fake_schema_v3 = {
    .size = sizeof(TesseraStateSchema), .name = "fake-timer", .version = 3, .load_min = 3,
    .save_min = 3, .layout = &v3_layout, .converters = v3_converters,
    .n_converters = TESSERA_N_ELEMS(v3_converters), .post_load = count_post_load,
};
const TesseraStateSchema fake_schema_v2_converting = {
    .size = sizeof(TesseraStateSchema), .name = "fake-timer", .version = 2, .load_min = 1,
    .save_min = 1, .layout = &v2_layout, .converters = v2_converters,
    .n_converters = TESSERA_N_ELEMS(v2_converters), .post_load = count_post_load,
};
const TesseraStateSchema fake_schema_v2_failing_post_load = {
    .size = sizeof(TesseraStateSchema), .name = "fake-timer", .version = 2, .load_min = 1,
    .save_min = 1, .layout = &v2_layout, .post_load = failing_post_load,
};

#define ROM_SIZE 8192

FakeMachine *fake_machine_new(const TesseraStateSchema *schema, uint64_t ram_size)
{
    FakeMachine *fm = g_new0(FakeMachine, 1);
    g_autofree char *dir = g_dir_make_tmp("tsnap-test-XXXXXX", NULL);
    g_strlcpy(fm->dir, dir, sizeof(fm->dir));
    fm->ram = g_malloc0(ram_size ? ram_size : 1);
    fm->rom = g_malloc(ROM_SIZE);
    for (unsigned i = 0; i < ROM_SIZE; i++)
        fm->rom[i] = (uint8_t)(i * 7 + 3);
    static const char *const names[FAKE_N_INSTANCES] = {"timer0", "timer1"};
    for (unsigned i = 0; i < FAKE_N_INSTANCES; i++) {
        fm->timer[i].host_ptr = &fm->timer[i];
        fm->inst[i] = (TesseraInstanceInfo){
            .size = sizeof(TesseraInstanceInfo), .name = names[i], .plugin = "fake-timer",
            .plugin_version = "1.0.0", .kind = TESSERA_PLUGIN_DEVICE, .schema = schema,
            .state = &fm->timer[i],
        };
    }
    fm->mem[0] = (TesseraMemoryInfo){.size = sizeof(TesseraMemoryInfo), .name = "ram", .pa = 0,
                                     .length = ram_size, .host = fm->ram};
    fm->mem[1] = (TesseraMemoryInfo){.size = sizeof(TesseraMemoryInfo), .name = "prom",
                                     .pa = 0xff0000000ull, .length = ROM_SIZE, .host = fm->rom,
                                     .readonly = 1};
    fm->view = (TesseraMachineView){
        .size = sizeof(TesseraMachineView), .machine = "fake", .machine_file = "fake.machine",
        .run = &fm->run, .n_instances = FAKE_N_INSTANCES, .instances = fm->inst, .n_memory = 2,
        .memory = fm->mem,
    };
    return fm;
}

static void remove_dir(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, name, NULL);
        if (g_file_test(p, G_FILE_TEST_IS_DIR))
            remove_dir(p);
        else
            g_unlink(p);
    }
    if (d)
        g_dir_close(d);
    g_rmdir(dir);
}

void fake_machine_free(FakeMachine *fm)
{
    remove_dir(fm->dir);
    g_free(fm->ram);
    g_free(fm->rom);
    g_free(fm);
}

void fake_machine_fill(FakeMachine *fm, unsigned seed)
{
    for (unsigned i = 0; i < FAKE_N_INSTANCES; i++) {
        FakeTimer *t = &fm->timer[i];
        unsigned s = seed * 31 + i;
        t->limit = 0x10000u * s + 0x1234;
        t->ctrl = (uint16_t)(0x8000 | s);
        t->running = (s & 1) != 0;
        t->skew = -(int32_t)(s * 1000 + 1);
        for (unsigned k = 0; k < sizeof(t->nvram); k++)
            t->nvram[k] = (uint8_t)(s + k * 13);
        t->ch[0] = (FakeChannel){.count = s * 3, .mode = 1};
        t->ch[1] = (FakeChannel){.count = s * 5 + 2, .mode = 2};
        t->ticks = UINT64_C(0x100000000) * s + 9;
    }
    /* A few non-zero pages scattered over RAM, the rest zero. */
    for (uint64_t off = 4096 * 3; off + 64 <= fm->mem[0].length; off += 4096 * 37)
        for (unsigned k = 0; k < 64; k++)
            fm->ram[off + k] = (uint8_t)(seed + off / 4096 + k);
    fm->run.icount = 1000003ull * (seed + 1);
}

char *fake_path(FakeMachine *fm, const char *name)
{
    static char buf[4][512];
    static unsigned next;
    char *p = buf[next++ % 4];
    snprintf(p, 512, "%s/%s", fm->dir, name);
    return p;
}

static bool timer_equal(const FakeTimer *a, const FakeTimer *b)
{
    return a->limit == b->limit && a->ctrl == b->ctrl && a->running == b->running &&
           a->skew == b->skew && memcmp(a->nvram, b->nvram, sizeof(a->nvram)) == 0 &&
           a->ch[0].count == b->ch[0].count && a->ch[0].mode == b->ch[0].mode &&
           a->ch[1].count == b->ch[1].count && a->ch[1].mode == b->ch[1].mode &&
           a->ticks == b->ticks;
}

bool fake_devices_equal(const FakeMachine *a, const FakeMachine *b)
{
    for (unsigned i = 0; i < FAKE_N_INSTANCES; i++)
        if (!timer_equal(&a->timer[i], &b->timer[i]))
            return false;
    return true;
}

uint8_t *fake_read_file(const char *path, size_t *len)
{
    gchar *data = NULL;
    gsize n = 0;
    if (!g_file_get_contents(path, &data, &n, NULL))
        return NULL;
    *len = n;
    return (uint8_t *)data;
}

void fake_write_file(const char *path, const void *data, size_t len)
{
    g_file_set_contents(path, data, (gssize)len, NULL);
}
