/* SPDX-License-Identifier: MIT */
/* Exit statuses shared by tessera, tessera-snap and tessera-abi, defined once here
 * (docs/tessera.md, EXIT STATUS and MESSAGES, describes them for users). */
#ifndef CORE_EXIT_STATUS_H
#define CORE_EXIT_STATUS_H

enum {
    TESSERA_EXIT_OK = 0,      /* done; the answer is yes (agrees, compatible, can start) */
    TESSERA_EXIT_FAILED = 1,  /* refused, different, incompatible, or an error on the way
                               * (an unreadable file, a plugin or device missing) */
    TESSERA_EXIT_USAGE = 2,   /* a bad command line: unknown option, missing argument */
    /* tessera only: how the guest ended */
    TESSERA_EXIT_GUEST_ERROR = 3, /* the CPU entered error mode */
    TESSERA_EXIT_ICOUNT = 4,      /* -icount-limit reached */
    TESSERA_EXIT_HUNG = 5,        /* the guest halted with nothing to wake it */
};

#endif /* CORE_EXIT_STATUS_H */
