/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: tessera's command line parser (core/main.c's parse_args and
 * place_monitor, included here with main() renamed). The input is the argument
 * list, NUL-separated. usage_error() and --help/--version end in exit(); here exit
 * jumps back to the target instead, so each input is one parse. (run-fuzz.sh gives
 * libFuzzer -close_fd_mask=3: the usage messages are not shown.)
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

static jmp_buf fuzz_exit_jump;

__attribute__((noreturn)) static void fuzz_exit(int status)
{
    longjmp(fuzz_exit_jump, status + 1);
}

#include <stdlib.h> /* declared before the macro renames exit */
#define exit(status) fuzz_exit(status)
#define main tessera_main
#include "../../core/main.c"
#undef main
#undef exit

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static Cli cli;

static void cli_free(void)
{
    if (cli.plugin_paths)
        g_ptr_array_free(cli.plugin_paths, TRUE);
    if (cli.plugin_pins)
        g_ptr_array_free(cli.plugin_pins, TRUE);
    if (cli.mopts.extra)
        g_hash_table_destroy(cli.mopts.extra);
    memset(&cli, 0, sizeof(cli));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* argv: "tessera" then the NUL-separated pieces (at most 64). */
    char *buf = g_malloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    char *argv[66] = { "tessera" };
    int argc = 1;
    for (size_t off = 0; off < size && argc < 65;) {
        argv[argc++] = buf + off;
        off += strlen(buf + off) + 1;
    }
    argv[argc] = NULL;
    if (setjmp(fuzz_exit_jump) == 0) {
        parse_args(argc, argv, &cli);
        place_monitor(&cli);
    }
    cli_free();
    g_free(buf);
    return 0;
}
