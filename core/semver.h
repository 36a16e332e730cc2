/* SPDX-License-Identifier: MIT */
/* Semantic versions and the constraints machine files use: "=2.0", ">=1.2", "^1",
 * "~1.2", "<2", "1.2.3" (exact), "*" or empty (any); several joined by commas. */
#ifndef CORE_SEMVER_H
#define CORE_SEMVER_H

#include <glib.h>
#include <stdbool.h>

typedef struct SemVer {
    unsigned major, minor, patch;
} SemVer;

/* "1", "1.2" and "1.2.3" parse (missing parts are 0); anything else fails. */
bool semver_parse(const char *text, SemVer *out);
int semver_compare(const SemVer *a, const SemVer *b);
/* Whether v satisfies the constraint; a malformed constraint is an error. */
bool semver_match(const SemVer *v, const char *constraint, bool *matches, GError **error);

#endif /* CORE_SEMVER_H */
