/* SPDX-License-Identifier: MIT */
/* tessera: the command line, in QEMU's style. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic.h"
#include "config.h"
#include "escape_stream.h"
#include "exit_status.h"
#include "file_read.h"
#include "gdbstub.h"
#include "machine.h"
#include "machine_file.h"
#include "migrate.h"
#include "monitor.h"
#include "net.h"
#include "plugin.h"
#include "qmp.h"
#include "resolve.h"
#include "session.h"
#include "snapshot.h"

/* Exit statuses: core/exit_status.h, shared with tessera-snap and tessera-abi. */
enum {
    EXIT_OK = TESSERA_EXIT_OK,
    EXIT_ERROR = TESSERA_EXIT_FAILED,
    EXIT_USAGE = TESSERA_EXIT_USAGE,
    EXIT_GUEST_ERROR = TESSERA_EXIT_GUEST_ERROR,
    EXIT_ICOUNT = TESSERA_EXIT_ICOUNT,
    EXIT_HUNG = TESSERA_EXIT_HUNG,
};

typedef struct Cli {
    const char *machine;
    MachineOptions mopts;
    GPtrArray *plugin_paths;
    GPtrArray *plugin_pins; /* -plugin-version NAME=CONSTRAINT */
    GPtrArray *net_args;    /* -netdev/-nic/-net and its argument, in pairs */
    bool list_plugins, list_machines, report_icount, dump_manifest;
    const char *check_machine; /* --check-machine M */
    const char *monitor, *qmp;
    const char *loadvm;
    uint64_t savevm_at;
    const char *savevm_file, *savevm_compat;
    const char *incoming; /* -incoming URI|defer */
    const char *gdb;  /* -gdb DEV, -s */
    bool start_paused; /* -S */
} Cli;

static const char usage_text[] =
    "Usage: tessera -M MACHINE [options]\n"
    "       tessera --list-plugins | --list-machines | --check-machine MACHINE\n"
    "       tessera --help | --version\n"
    "\n"
    "Machine:\n"
    "  -M, -machine NAME     machine to build (a name from --list-machines, or a file)\n"
    "  -m SIZE               RAM in MiB (suffixes M and G accepted)\n"
    "  -bios FILE            PROM image: a SPARC ELF or a raw image (default: the\n"
    "                        machine's firmware)\n"
    "  -kernel FILE          kernel for the firmware to boot\n"
    "  -initrd FILE          initial RAM disk\n"
    "  -append STRING        kernel command line\n"
    "  -nographic            no display; the serial port and the monitor share the\n"
    "                        terminal (-serial mon:stdio) unless -serial or -monitor\n"
    "                        says otherwise\n"
    "  -serial SPEC          serial port backend: stdio (default), mon:stdio (shared\n"
    "                        with the monitor), file:PATH, unix:PATH[,server], null\n"
    "  -drive file=IMG,if=scsi,index=N[,media=cdrom][,snapshot=on]\n"
    "                        a raw disk (or read-only CD-ROM) image as SCSI target N;\n"
    "                        snapshot=on: the image stays unchanged, writes go to an overlay\n"
    "  -snapshot             snapshot=on for every drive (monitor `commit` writes back)\n"
    "  -cdrom IMG            a CD-ROM image as SCSI target 2\n"
    "  -nvram FILE           keep the NVRAM contents in FILE across runs\n"
    "  -rtc base=DATE        fixed clock start (YYYY-MM-DDTHH:MM:SS) instead of host time\n"
    "\n"
    "Network (docs/networking.md):\n"
    "  -nic user[,hostfwd=tcp:[HOSTADDR]:PORT-[GUESTADDR]:PORT...][,model=lance]\n"
    "                        the LANCE on user-mode networking: the guest reaches the\n"
    "                        host's loopback as 10.0.2.2 and nothing else\n"
    "  -netdev user|socket|tap,id=ID[,...]\n"
    "                        a network backend; socket takes listen=[HOST]:PORT,\n"
    "                        connect=HOST:PORT or mcast=GROUP:PORT[,localaddr=ADDR];\n"
    "                        tap takes ifname=NAME\n"
    "  -net nic,netdev=ID[,model=lance]\n"
    "                        the LANCE on backend ID (or the machine file's\n"
    "                        prop.netdev = ID)\n"
    "\n"
    "Plugins:\n"
    "  -plugin-path DIR      search DIR first for plugins (repeatable)\n"
    "  -plugin-version NAME=CONSTRAINT\n"
    "                        use only versions of plugin NAME that satisfy CONSTRAINT,\n"
    "                        e.g. slavio-timer=^1 (repeatable; also applies to\n"
    "                        --list-plugins and --dump-manifest)\n"
    "  --list-plugins        list plugins found, their state versions, and refusals\n"
    "  --list-machines       list machines and whether their plugins are all present\n"
    "  --check-machine NAME  which plugin file and version serves each device of\n"
    "                        machine NAME, or why none does; runs nothing (exit 0: it\n"
    "                        can start, 1: a required device is missing)\n"
    "  --dump-manifest       this installation's plugins and state versions as JSON\n"
    "\n"
    "Snapshots and control:\n"
    "  -loadvm FILE          start from a snapshot (the machine comes from its manifest)\n"
    "  -loadvm-force-disk    load (or take a migration) even if a disk image changed since\n"
    "                        the snapshot was taken\n"
    "  -savevm-at N,FILE     save a snapshot after exactly N guest instructions, go on\n"
    "  -savevm-compat FILE   save for the installation whose --dump-manifest is FILE\n"
    "                        (highest state version it can load, converting down)\n"
    "  -incoming URI         wait for a live migration on tcp:HOST:PORT or unix:PATH\n"
    "                        (or 'defer': then migrate-incoming); start with the same\n"
    "                        -M and -m as the source (docs/migration.md)\n"
    "  -monitor SPEC         human monitor on stdio, unix:PATH[,server], or none\n"
    "  -qmp unix:PATH        QMP (JSON) control socket\n"
    "\n"
    "Accelerator:\n"
    "  -accel jit[,OPTS]     the x86-64 JIT (the default where built); OPTS:\n"
    "                        cache=MiB (code cache, default 32), check=on (run every\n"
    "                        block under the interpreter too; stop at a difference)\n"
    "  -accel interp         the interpreter\n"
    "  -d in_asm,out_asm,exec  JIT log: guest code, host code, blocks run\n"
    "  -D FILE               the -d log goes to FILE instead of stderr\n"
    "\n"
    "Debugging and tests:\n"
    "  -gdb DEV              gdb stub on DEV: tcp::PORT, tcp:HOST:PORT (HOST defaults\n"
    "                        to 127.0.0.1) or unix:PATH (docs/debugging.md)\n"
    "  -s                    -gdb tcp::1234\n"
    "  -S                    do not start the CPU: wait for gdb's continue or the\n"
    "                        monitor's (or QMP's) cont\n"
    "  -icount-limit N       stop after N guest instructions with a register dump\n"
    "  -report-icount        print the number of guest instructions at exit\n"
    "\n"
    "  -h, --help            this text\n"
    "  -version, --version   version\n"
    "\n"
    "On the terminal, Ctrl-A x quits, Ctrl-A c switches between the serial port and\n"
    "the monitor, Ctrl-A h lists the keys and Ctrl-A Ctrl-A sends Ctrl-A.\n"
    "Exit status: 0 guest power-off or quit, 1 error, 2 bad command line,\n"
    "3 guest CPU error mode, 4 -icount-limit reached, 5 guest halted for ever.\n"
    "Environment: TESSERA_PLUGIN_PATH, TESSERA_MACHINE_PATH (colon-separated),\n"
    "TESSERA_LOG=info|debug.\n";

__attribute__((format(printf, 1, 2), noreturn)) static void usage_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("tessera: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (try --help)\n", stderr);
    va_end(ap);
    exit(EXIT_USAGE);
}

static uint64_t parse_count(const char *opt, const char *v)
{
    char *end = NULL;
    errno = 0;
    guint64 n = g_ascii_strtoull(v, &end, 0);
    if (errno || !*v || *end || v[0] == '-')
        usage_error("%s: '%s' is not a number", opt, v);
    return n;
}

/* "64", "64M", "1G" -> bytes. */
static uint64_t parse_ram(const char *v)
{
    char *end = NULL;
    errno = 0;
    guint64 n = g_ascii_strtoull(v, &end, 10);
    uint64_t shift = 20;
    if (*end == 'G' || *end == 'g')
        shift = 30, end++;
    else if (*end == 'M' || *end == 'm')
        end++;
    if (errno || !*v || *end || n == 0 || n > (UINT64_C(1) << (44 - shift)))
        usage_error("-m: '%s' is not a RAM size in MiB", v);
    return n << shift;
}

/* One image per SCSI target: -drive index=N and -cdrom (target 2) share them. */
static void add_scsi(Cli *cli, const char *opt, unsigned index, bool cdrom, char *file)
{
    char *disk = g_strdup_printf("drive.scsi.%u", index);
    char *cd = g_strdup_printf("cdrom.scsi.%u", index);
    const char *had = g_hash_table_lookup(cli->mopts.extra, disk);
    if (!had)
        had = g_hash_table_lookup(cli->mopts.extra, cd);
    if (had)
        usage_error("%s %s: SCSI target %u already has %s", opt, file, index, had);
    g_hash_table_insert(cli->mopts.extra, cdrom ? cd : disk, file);
    g_free(cdrom ? disk : cd);
}

/* -drive file=IMG,if=scsi,index=N[,media=disk|cdrom] -> machine option
 * "drive.scsi.N" or "cdrom.scsi.N" for the SCSI controller. */
static void parse_drive(Cli *cli, const char *spec)
{
    char *file = NULL, *media = NULL;
    const char *snapshot = NULL;
    unsigned index = 0;
    char **parts = g_strsplit(spec, ",", -1);
    for (char **p = parts; *p; p++) {
        if (g_str_has_prefix(*p, "file=") && (*p)[5]) {
            g_free(file);
            file = g_strdup(*p + 5);
        } else if (!strcmp(*p, "if=scsi")) {
            continue;
        } else if (g_str_has_prefix(*p, "index=")) {
            index = (unsigned)parse_count("-drive index", *p + 6);
            if (index > 6)
                usage_error("-drive: index %u is not a SCSI target 0-6", index);
        } else if (!strcmp(*p, "media=disk") || !strcmp(*p, "media=cdrom")) {
            g_free(media);
            media = g_strdup(*p + 6);
        } else if (!strcmp(*p, "format=raw")) {
            continue;
        } else if (!strcmp(*p, "snapshot=on") || !strcmp(*p, "snapshot=off")) {
            snapshot = !strcmp(*p, "snapshot=on") ? "on" : "off";
        } else {
            usage_error("-drive: unsupported '%s' (file=IMG,if=scsi,index=N,media=disk|cdrom,"
                        "format=raw,snapshot=on|off)", *p);
        }
    }
    g_strfreev(parts);
    if (!file)
        usage_error("-drive: missing file=IMAGE");
    add_scsi(cli, "-drive", index, media && !strcmp(media, "cdrom"), file);
    if (snapshot)
        g_hash_table_insert(cli->mopts.extra, g_strdup_printf("drive.scsi.%u.snapshot", index),
                            g_strdup(snapshot));
    g_free(media);
}

static void parse_args(int argc, char **argv, Cli *cli)
{
    cli->plugin_paths = g_ptr_array_new();
    cli->plugin_pins = g_ptr_array_new();
    cli->net_args = g_ptr_array_new();
    cli->mopts.extra = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        /* Accept both -opt and --opt, as QEMU does. */
        const char *o = (a[0] == '-' && a[1] == '-') ? a + 1 : a;
#define ARG() (i + 1 < argc ? argv[++i] : (usage_error("%s needs an argument", a), NULL))
        if (!strcmp(o, "-h") || !strcmp(o, "-help")) {
            fputs(usage_text, stdout);
            exit(EXIT_OK);
        } else if (!strcmp(o, "-version")) {
            printf("tessera %s (plugin ABI %d.%d)\n", TESSERA_VERSION, TESSERA_ABI_MAJOR,
                   TESSERA_ABI_MINOR);
            exit(EXIT_OK);
        } else if (!strcmp(o, "-M") || !strcmp(o, "-machine")) {
            cli->machine = ARG();
        } else if (!strcmp(o, "-m")) {
            cli->mopts.ram_size = parse_ram(ARG());
        } else if (!strcmp(o, "-bios")) {
            cli->mopts.bios = ARG();
        } else if (!strcmp(o, "-kernel")) {
            cli->mopts.kernel = ARG();
        } else if (!strcmp(o, "-initrd")) {
            cli->mopts.initrd = ARG();
        } else if (!strcmp(o, "-append")) {
            cli->mopts.append = ARG();
        } else if (!strcmp(o, "-nographic")) {
            cli->mopts.nographic = true;
        } else if (!strcmp(o, "-serial")) {
            cli->mopts.serial = ARG();
        } else if (!strcmp(o, "-drive")) {
            parse_drive(cli, ARG());
        } else if (!strcmp(o, "-loadvm-force-disk")) {
            g_hash_table_insert(cli->mopts.extra, g_strdup("loadvm.force-disk"), g_strdup("on"));
        } else if (!strcmp(o, "-snapshot")) {
            g_hash_table_insert(cli->mopts.extra, g_strdup("snapshot"), g_strdup("on"));
        } else if (!strcmp(o, "-cdrom")) {
            add_scsi(cli, "-cdrom", 2, true, g_strdup(ARG()));
        } else if (!strcmp(o, "-nvram")) {
            g_hash_table_insert(cli->mopts.extra, g_strdup("nvram"), g_strdup(ARG()));
        } else if (!strcmp(o, "-rtc")) {
            const char *v = ARG();
            if (!g_str_has_prefix(v, "base="))
                usage_error("-rtc: expected base=YYYY-MM-DDTHH:MM:SS, got '%s'", v);
            g_hash_table_insert(cli->mopts.extra, g_strdup("rtc-base"), g_strdup(v + 5));
        } else if (!strcmp(o, "-accel")) {
            g_hash_table_insert(cli->mopts.extra, g_strdup("accel"), g_strdup(ARG()));
        } else if (!strcmp(o, "-d")) {
            g_hash_table_insert(cli->mopts.extra, g_strdup("log"), g_strdup(ARG()));
        } else if (!strcmp(o, "-D")) {
            g_hash_table_insert(cli->mopts.extra, g_strdup("logfile"), g_strdup(ARG()));
        } else if (!strcmp(o, "-netdev") || !strcmp(o, "-nic") || !strcmp(o, "-net")) {
            g_ptr_array_add(cli->net_args, (char *)o);
            g_ptr_array_add(cli->net_args, (char *)ARG());
        } else if (!strcmp(o, "-plugin-path")) {
            g_ptr_array_add(cli->plugin_paths, (char *)ARG());
        } else if (!strcmp(o, "-plugin-version")) {
            g_ptr_array_add(cli->plugin_pins, (char *)ARG());
        } else if (!strcmp(o, "-icount-limit")) {
            cli->mopts.icount_limit = parse_count(a, ARG());
        } else if (!strcmp(o, "-report-icount")) {
            cli->report_icount = true;
        } else if (!strcmp(o, "-loadvm")) {
            cli->loadvm = ARG();
        } else if (!strcmp(o, "-savevm-at")) {
            const char *v = ARG();
            const char *comma = strchr(v, ',');
            if (!comma || !comma[1])
                usage_error("-savevm-at: expected COUNT,FILE, got '%s'", v);
            char *count = g_strndup(v, comma - v);
            cli->savevm_at = parse_count(a, count);
            g_free(count);
            cli->savevm_file = comma + 1;
            if (cli->savevm_at == 0)
                usage_error("-savevm-at: COUNT must be at least 1");
        } else if (!strcmp(o, "-savevm-compat")) {
            cli->savevm_compat = ARG();
        } else if (!strcmp(o, "-incoming")) {
            cli->incoming = ARG();
        } else if (!strcmp(o, "-gdb") || !strcmp(o, "-s")) { /* the gdb stub */
            cli->gdb = o[1] == 's' ? "tcp::1234" : ARG();
        } else if (!strcmp(o, "-S")) {
            cli->start_paused = true;
        } else if (!strcmp(o, "-monitor")) {
            cli->monitor = ARG();
        } else if (!strcmp(o, "-qmp")) {
            cli->qmp = ARG();
        } else if (!strcmp(o, "-dump-manifest")) {
            cli->dump_manifest = true;
        } else if (!strcmp(o, "-list-plugins")) {
            cli->list_plugins = true;
        } else if (!strcmp(o, "-list-machines")) {
            cli->list_machines = true;
        } else if (!strcmp(o, "-check-machine")) {
            cli->check_machine = ARG();
        } else {
            usage_error("unknown option '%s'", a);
        }
#undef ARG
    }
    g_ptr_array_add(cli->plugin_paths, NULL);
    if (cli->mopts.initrd && !cli->mopts.kernel)
        usage_error("-initrd %s needs -kernel (the firmware loads the RAM disk for the kernel)",
                    cli->mopts.initrd);
}

static void list_machines(const PluginRegistry *reg)
{
    GPtrArray *paths = machine_file_all();
    for (guint i = 0; i < paths->len; i++) {
        GError *error = NULL;
        MachineSpec *spec = machine_file_load(paths->pdata[i], &error);
        if (!spec) {
            printf("%-10s unreadable: %s\n", "?", error->message);
            g_error_free(error);
            continue;
        }
        MachineResolution *res = machine_resolve(spec, reg);
        printf("%-10s %s\n", spec->name, spec->description ? spec->description : "");
        GString *lacks[2] = { g_string_new(NULL), g_string_new(NULL) };
        for (guint j = 0; j <= res->devices->len; j++) {
            const DeviceResolution *dr =
                j == 0 ? &res->cpu : &g_array_index(res->devices, DeviceResolution, j - 1);
            GString *l = lacks[j > 0 && dr->spec->optional];
            if (!dr->plugin)
                g_string_append_printf(l, "%s%s (%s %s)", l->len ? ", " : "",
                                       j == 0 ? "cpu" : dr->spec->name, dr->spec->plugin,
                                       *dr->spec->constraint ? dr->spec->constraint : "*");
        }
        if (res->missing_required)
            printf("%-10s cannot start, lacks: %s\n", "", lacks[0]->str);
        else if (res->missing_optional)
            printf("%-10s starts without optional: %s\n", "", lacks[1]->str);
        else
            printf("%-10s complete\n", "");
        g_string_free(lacks[0], TRUE);
        g_string_free(lacks[1], TRUE);
        machine_resolution_free(res);
        machine_spec_free(spec);
    }
    if (paths->len == 0)
        printf("no machine files found\n");
    g_ptr_array_free(paths, TRUE);
}

/* --check-machine M: the resolution, nothing run. */
static int check_machine(const PluginRegistry *reg, const char *name)
{
    GError *error = NULL;
    char *path = machine_file_find(name, &error);
    MachineSpec *spec = path ? machine_file_load(path, &error) : NULL;
    g_free(path);
    if (!spec) {
        fprintf(stderr, "tessera: %s\n", error->message);
        g_error_free(error);
        return EXIT_ERROR;
    }
    MachineResolution *res = machine_resolve(spec, reg);
    machine_resolution_print(res, stdout);
    int status = res->missing_required ? EXIT_ERROR : EXIT_OK;
    machine_resolution_free(res);
    machine_spec_free(spec);
    return status;
}

static int fail(GError *error)
{
    fprintf(stderr, "tessera: %s\n", error->message);
    g_error_free(error);
    return EXIT_ERROR;
}

/* Where the monitor goes. As in QEMU, -nographic with neither -serial nor -monitor
 * shares the terminal between the serial port and the monitor (mon:stdio), and
 * -monitor none means no monitor. Unlike QEMU, which refuses it, -monitor stdio with
 * the serial port on its default stdio shares the terminal the same way. */
static void place_monitor(Cli *cli)
{
    const char *mon = cli->monitor;
    if (!cli->mopts.serial &&
        ((!mon && cli->mopts.nographic) || (mon && !strcmp(mon, "stdio")))) {
        cli->mopts.serial = "mon:stdio";
        cli->monitor = NULL;
    } else if (mon && !strcmp(mon, "none")) {
        cli->monitor = NULL;
    }
}

/* The files given on the command line, checked before anything is built or run:
 * -bios, -kernel and -initrd must be regular files of at most FILE_READ_LIMIT bytes
 * (a FIFO or /dev/zero would block or read for ever), and the -savevm-at target must
 * be a regular file or absent (never a device node, FIFO or directory). */
static int check_files(const Cli *cli)
{
    const struct {
        const char *opt, *path;
    } in[] = {
        {"-bios", cli->mopts.bios},
        {"-kernel", cli->mopts.kernel},
        {"-initrd", cli->mopts.initrd},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(in); i++) {
        GError *error = NULL;
        if (in[i].path && !file_check_regular(in[i].opt, in[i].path, FILE_READ_LIMIT, &error))
            return fail(error);
    }
    char err[512];
    if (cli->savevm_file && atomic_check_target(cli->savevm_file, err, sizeof(err)) < 0) {
        fprintf(stderr, "tessera: -savevm-at: %s\n", err);
        return EXIT_ERROR;
    }
    return EXIT_OK;
}

/* run() could not write the -savevm-at snapshot. */
#define RUN_SAVE_FAILED ((MachineExit)-1)

/* Run until the guest or the user ends it; a monitor (the one on the terminal, the
 * -monitor one) or QMP may pause in between. */
static MachineExit run(Session *s, const Cli *cli, Monitor *mons[2], Qmp *qmp)
{
    for (;;) {
        if (s->quit)
            return MACHINE_EXIT_QUIT;
        if (s->paused) {
            int listeners = (mons[0] != NULL) + (mons[1] != NULL) + (qmp != NULL) +
                            (s->gdb != NULL);
            int wait_ms = listeners > 1 ? 10 : 100;
            /* An incoming migration to wait for, or an outgoing one to go on with. */
            bool migrating = migrate_poll(s, listeners ? 0 : 100);
            if (listeners == 0 && !migrating)
                return MACHINE_EXIT_STOPPED;
            for (int i = 0; i < 2; i++)
                if (mons[i])
                    monitor_poll(mons[i], wait_ms);
            if (qmp)
                qmp_poll(qmp, wait_ms);
            gdb_poll(s->gdb, wait_ms);
            continue;
        }
        MachineExit why = machine_run(s->machine);
        gdb_machine_exit(s->gdb, why);
        if (why == MACHINE_EXIT_STOPPED || why == MACHINE_EXIT_DEBUG)
            continue;
        if (why == MACHINE_EXIT_BREAK) {
            GError *error = NULL;
            if (!snapshot_save(s->machine, s->reg, cli->savevm_file, cli->savevm_compat, &error)) {
                fprintf(stderr, "tessera: -savevm-at: %s\n", error->message);
                g_error_free(error);
                return RUN_SAVE_FAILED;
            }
            continue;
        }
        return why;
    }
}

int main(int argc, char **argv)
{
    /* A reader that goes away (a socket client, the far end of a pipe) is an EPIPE
     * error for the code writing to it to handle, not a reason to die. */
    signal(SIGPIPE, SIG_IGN);
    /* Error lines quote names from snapshots and files: no escape sequence in one
     * reaches the terminal (stdout is the guest's console and is left alone). */
    escape_stdio(false);
    Cli cli = { 0 };
    parse_args(argc, argv, &cli);
    if (!cli.machine && !cli.loadvm && !cli.list_plugins && !cli.list_machines &&
        !cli.dump_manifest && !cli.check_machine)
        usage_error("no machine given: use -M MACHINE (see --list-machines)");
    if (cli.savevm_compat && !cli.savevm_file)
        usage_error("-savevm-compat needs -savevm-at (or use the monitor's savevm)");
    place_monitor(&cli);
    int file_status = check_files(&cli);
    if (file_status != EXIT_OK)
        return file_status;

    /* Everything main() takes is given back on every way out (LeakSanitizer). */
    int status = EXIT_OK;
    GError *error = NULL;
    char *snap_machine = NULL, *snap_machine_file = NULL, *path = NULL;
    MachineSpec *spec = NULL;
    MachineResolution *res = NULL;
    Machine *m = NULL;
    Session session = { 0 }; /* filled once the machine is built */
    Monitor *mons[2] = { NULL, NULL }; /* on the shared terminal, on -monitor */
    Qmp *qmp = NULL;
    PluginRegistry *reg = registry_new();
    registry_add_default_dirs(reg, (char **)cli.plugin_paths->pdata);
    registry_scan(reg);
    for (guint i = 0; i < cli.plugin_pins->len; i++) {
        if (!registry_pin(reg, cli.plugin_pins->pdata[i], &error))
            goto failed;
    }
    if (cli.check_machine) {
        status = check_machine(reg, cli.check_machine);
        goto done;
    }
    if (cli.list_plugins || cli.list_machines || cli.dump_manifest) {
        if (cli.list_plugins)
            registry_print(reg, stdout);
        if (cli.list_machines)
            list_machines(reg);
        if (cli.dump_manifest) {
            char *json = snapshot_dump_installation(reg);
            printf("%s\n", json);
            g_free(json);
        }
        goto done;
    }

    if (cli.loadvm) {
        uint64_t ram = 0;
        if (!snapshot_machine(reg, cli.loadvm, &snap_machine, &ram, &snap_machine_file, &error))
            goto failed;
        if (ram)
            cli.mopts.ram_size = ram;
    }
    /* The snapshot's machine name is untrusted: without -M it is only ever a name
     * looked up in the machine directories, never a path. -M (a name or a file the
     * user gave) wins, and its machine must then be the snapshot's. */
    if (cli.loadvm && !cli.machine) {
        path = machine_file_find_name(snap_machine, &error);
        if (!path && g_error_matches(error, G_FILE_ERROR, G_FILE_ERROR_INVAL))
            g_prefix_error(&error, "snapshot %s: ", cli.loadvm);
    } else {
        path = machine_file_find(cli.machine, &error);
    }
    spec = path ? machine_file_load(path, &error) : NULL;
    if (!spec)
        goto failed;
    if (snap_machine && strcmp(spec->name, snap_machine)) {
        char *q = machine_name_valid(snap_machine) ? g_strdup(snap_machine)
                                                   : machine_name_quote(snap_machine);
        fprintf(stderr, "tessera: -loadvm %s: the snapshot is of machine %s, not %s\n",
                cli.loadvm, q, spec->name);
        g_free(q);
        status = EXIT_ERROR;
        goto done;
    }
    /* Every device is resolved before anything is built: a required device that no
     * plugin serves stops here, one line each; an optional one is a warning. */
    res = machine_resolve(spec, reg);
    machine_resolution_report(res, stderr);
    if (res->missing_required) {
        if (cli.loadvm) {
            /* From the snapshot, so untrusted: control bytes escaped. */
            char *q = snap_machine_file ? g_strescape(snap_machine_file, NULL) : NULL;
            fprintf(stderr, "tessera: -loadvm %s: cannot load: machine %s cannot start here (the "
                    "snapshot was taken with machine file %s)\n", cli.loadvm, spec->name,
                    q ? q : "(not recorded)");
            g_free(q);
        }
        status = EXIT_ERROR;
        goto done;
    }

    cli.mopts.net = net_hub_new();
    for (guint i = 0; i + 1 < cli.net_args->len; i += 2)
        if (!net_hub_option(cli.mopts.net, cli.net_args->pdata[i], cli.net_args->pdata[i + 1],
                            &error)) {
            bool usage = error->code == NET_ERROR_SPEC;
            status = fail(error);
            if (usage)
                status = EXIT_USAGE;
            goto done;
        }
    m = machine_new(res, reg, &cli.mopts, &error);
    if (!m)
        goto failed;
    session = (Session){ .machine = m, .reg = reg, .paused = cli.start_paused };
    if (cli.loadvm && !snapshot_load(m, reg, cli.loadvm, &error))
        goto failed;
    if (cli.savevm_at)
        machine_break_at(m, cli.savevm_at);
    if (cli.mopts.serial && g_str_has_prefix(cli.mopts.serial, "mon:") &&
        !(mons[0] = monitor_new_mux(&session, machine_serial(m), &error)))
        goto failed;
    if (cli.monitor && !(mons[1] = monitor_new(&session, cli.monitor, &error)))
        goto failed;
    if (cli.qmp && !(qmp = qmp_new(&session, cli.qmp, &error)))
        goto failed;
    if (cli.incoming && !migrate_incoming(&session, cli.incoming, false, &error))
        goto failed;
    if (cli.gdb && !gdb_serve(&session, cli.gdb, &error))
        goto failed;

    MachineExit why = run(&session, &cli, mons, qmp);
    switch ((int)why) {
    case MACHINE_EXIT_POWEROFF:
    case MACHINE_EXIT_QUIT:
    case MACHINE_EXIT_STOPPED:
        break;
    case MACHINE_EXIT_ERROR_MODE:
        fprintf(stderr, "tessera: the CPU entered error mode (a trap while traps were disabled)\n");
        machine_dump_cpu(m, stderr);
        status = EXIT_GUEST_ERROR;
        break;
    case MACHINE_EXIT_ICOUNT_LIMIT:
        fprintf(stderr, "tessera: -icount-limit reached after %" G_GUINT64_FORMAT
                        " instructions\n", machine_icount(m));
        machine_dump_cpu(m, stderr);
        status = EXIT_ICOUNT;
        break;
    case MACHINE_EXIT_HUNG:
        fprintf(stderr, "tessera: the guest halted with no timer armed and no input: it would "
                        "sleep for ever\n");
        machine_dump_cpu(m, stderr);
        status = EXIT_HUNG;
        break;
    default:
        status = EXIT_ERROR;
        break;
    }
    if (session.failed)
        status = EXIT_ERROR;
    if (cli.report_icount)
        fprintf(stderr, "icount: %" G_GUINT64_FORMAT "\n", machine_icount(m));
    goto done;
failed:
    status = fail(error);
done:
    migrate_free(&session);
    gdb_free(session.gdb);
    machine_free(m);
    net_hub_free(cli.mopts.net);
    monitor_free(mons[0]);
    monitor_free(mons[1]);
    qmp_free(qmp);
    machine_resolution_free(res);
    machine_spec_free(spec);
    registry_free(reg);
    g_free(path);
    g_free(snap_machine);
    g_free(snap_machine_file);
    g_hash_table_destroy(cli.mopts.extra);
    g_ptr_array_free(cli.plugin_paths, TRUE);
    g_ptr_array_free(cli.plugin_pins, TRUE);
    g_ptr_array_free(cli.net_args, TRUE);
    return status;
}
