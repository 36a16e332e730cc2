/* SPDX-License-Identifier: MIT */
/*
 * A fake machine for the migration tests: two instances of a fake timer device whose
 * schema exists in three versions, a RAM and a ROM region, and a run state.
 *   v1: limit, ctrl, running, skew, nvram[16], ch[2].{count, mode}
 *   v2: v1 + ticks (since 2, dflt 77); loads v1 directly
 *   v3: ctrl renamed control; load_min 3, converters 1->2 (ticks = 5), 2->3, 3->2
 */
#ifndef TESTS_MIGRATION_FAKE_MACHINE_H
#define TESTS_MIGRATION_FAKE_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <tessera/tessera.h>

typedef struct FakeChannel {
    uint32_t count;
    uint8_t mode;
} FakeChannel;

typedef struct FakeTimer {
    void *host_ptr; /* unmigrated: must survive a load */
    uint32_t limit;
    uint16_t ctrl;
    bool running;
    int32_t skew;
    uint8_t nvram[16];
    FakeChannel ch[2];
    uint64_t ticks;
    int post_loads; /* unmigrated: counts post_load calls */
} FakeTimer;

extern const TesseraStateSchema fake_schema_v1;
extern const TesseraStateSchema fake_schema_v2;
extern const TesseraStateSchema fake_schema_v3;
/* v2 with converters inside its direct range: 1->2 (ticks = 5) and 2->1 (drops
 * ticks, sets skew to -1), which must win over dflt and over dropping. */
extern const TesseraStateSchema fake_schema_v2_converting;
/* v2 whose post_load fails when `limit` is 0xdead. */
extern const TesseraStateSchema fake_schema_v2_failing_post_load;

#define FAKE_N_INSTANCES 2

typedef struct FakeMachine {
    TesseraMachineView view;
    TesseraInstanceInfo inst[FAKE_N_INSTANCES];
    TesseraMemoryInfo mem[2];
    TesseraRunState run;
    FakeTimer timer[FAKE_N_INSTANCES];
    uint8_t *ram;
    uint8_t *rom;
    char dir[256]; /* a fresh temporary directory */
} FakeMachine;

/* Instances "timer0" and "timer1" of plugin "fake-timer" 1.0.0 with `schema`,
 * `ram_size` bytes of RAM (zero) and 8 KiB of ROM (a pattern). */
FakeMachine *fake_machine_new(const TesseraStateSchema *schema, uint64_t ram_size);
void fake_machine_free(FakeMachine *fm);
/* Deterministic, non-trivial device state derived from `seed`, and RAM content. */
void fake_machine_fill(FakeMachine *fm, unsigned seed);
/* A path inside fm->dir (static buffer, one at a time per name). */
char *fake_path(FakeMachine *fm, const char *name);
/* The migrated bytes of the two machines' devices are equal. */
bool fake_devices_equal(const FakeMachine *a, const FakeMachine *b);
/* The file's contents, g_free'd by the caller. */
uint8_t *fake_read_file(const char *path, size_t *len);
void fake_write_file(const char *path, const void *data, size_t len);

#endif /* TESTS_MIGRATION_FAKE_MACHINE_H */
