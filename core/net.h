/* SPDX-License-Identifier: MIT */
/* Network backends (docs/networking.md): the -netdev/-nic/-net options build them
 * before the machine, NICs attach to them (abi/tessera/net.h), the run loop polls
 * them, the monitor inspects and changes them. */
#ifndef CORE_NET_H
#define CORE_NET_H

#include <glib.h>
#include <stdbool.h>
#include <tessera/net.h>

typedef struct NetHub NetHub;

NetHub *net_hub_new(void);
void net_hub_free(NetHub *hub);

/* The options' error codes: NET_ERROR_SPEC for a malformed spec (a bad command
 * line: tessera exits with its usage status), NET_ERROR_FAILED for a backend that
 * would not open. */
enum { NET_ERROR_FAILED = 0, NET_ERROR_SPEC = 1 };

/* One of the options below by its name ("-netdev", "-nic" or "-net"). */
bool net_hub_option(NetHub *hub, const char *opt, const char *spec, GError **error);
/* -netdev TYPE,id=ID[,...]: a backend named ID. */
bool net_hub_add_netdev(NetHub *hub, const char *spec, GError **error);
/* -nic TYPE[,model=lance][,...]: a backend for the machine's next NIC. */
bool net_hub_add_nic(NetHub *hub, const char *spec, GError **error);
/* -net nic[,netdev=ID][,model=lance]: the machine's next NIC uses backend ID. */
bool net_hub_add_net(NetHub *hub, const char *spec, GError **error);

/* A NIC instance attaches: to `id` (its netdev property) or, with id NULL, to the
 * next backend -nic / -net nic gave; NULL when there is none for it. An unknown or
 * taken backend is remembered for net_hub_check. */
TesseraNetdev *net_hub_attach(NetHub *hub, const char *id, const char *nic,
                              const TesseraNetClient *client);
/* After every NIC attached: the first attach error, or a backend no NIC took. */
bool net_hub_check(NetHub *hub, GError **error);

/* Move frames: read what the backends have (waiting at most timeout_ms), and hand
 * the NICs what they take now. Called from the run loop only, between instructions. */
void net_hub_poll(NetHub *hub, int timeout_ms);
/* Some backend has frames queued for a NIC, or moved one in the last
 * NET_BUSY_POLLS polls: the run loop then polls more often. */
bool net_hub_busy(const NetHub *hub);

/* The monitor: `info network`, `set_link ID on|off`, `hostfwd_add [ID] RULE`,
 * `hostfwd_remove [ID] RULE`. */
void net_hub_info(const NetHub *hub, GString *out);
bool net_hub_set_link(NetHub *hub, const char *id, bool up, GError **error);
bool net_hub_hostfwd(NetHub *hub, const char *id, const char *rule, bool add, GError **error);
/* The monitor commands above as argv (info network excepted): false when argv is
 * none of them, else true with the result or "Error: ..." appended to out. */
bool net_hub_command(NetHub *hub, char **argv, GString *out);

/* TesseraNetOps.send and .link_up (host.c's table). */
int net_send(TesseraNetdev *nd, const void *frame, size_t len);
bool net_link_up(TesseraNetdev *nd);

#endif /* CORE_NET_H */
