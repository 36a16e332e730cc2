/* SPDX-License-Identifier: MIT */
/* Tessera plugin ABI: everything a plugin needs. */
#ifndef TESSERA_TESSERA_H
#define TESSERA_TESSERA_H

#include "bus.h"
#include "cpu.h"
#include "device.h"
#include "host.h"
#include "migration.h"
#include "net.h"
#include "plugin.h"
#include "state.h"

#endif /* TESSERA_TESSERA_H */
