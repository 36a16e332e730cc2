/* SPDX-License-Identifier: MIT */
/*
 * Semantic versions and version constraints.
 *
 * Every comparator is turned into a half-open range [lo, hi) of versions; a
 * constraint is a comma-joined list of comparators that must all hold. Partial
 * versions mean what Cargo and npm make them mean: "=2.0" is every 2.0.x, "<=1.2"
 * includes 1.2.9, ">1.2" starts at 1.3.0.
 */
#include "semver.h"

#include <ctype.h>
#include <limits.h>
#include <string.h>

#define SEMVER_ERROR (g_quark_from_static_string("tessera-semver-error"))

/* A component must leave room for the +1 the range bounds need. */
#define SEMVER_COMPONENT_MAX (UINT_MAX - 1)

/* Parses "1", "1.2" or "1.2.3" at *p, advancing p; returns the number of components
 * given (1..3), or 0 when the text is not a version. */
static int semver_parse_partial(const char **p, SemVer *out)
{
    unsigned parts[3] = { 0, 0, 0 };
    int n = 0;
    const char *s = *p;

    for (;;) {
        if (!isdigit((unsigned char)*s))
            return 0;
        unsigned long long value = 0;
        while (isdigit((unsigned char)*s)) {
            value = value * 10 + (unsigned)(*s - '0');
            if (value > SEMVER_COMPONENT_MAX)
                return 0;
            s++;
        }
        parts[n++] = (unsigned)value;
        if (*s != '.' || n == 3)
            break;
        s++;
    }
    out->major = parts[0];
    out->minor = parts[1];
    out->patch = parts[2];
    *p = s;
    return n;
}

bool semver_parse(const char *text, SemVer *out)
{
    SemVer v;
    const char *p = text;

    if (!text || !semver_parse_partial(&p, &v) || *p != '\0')
        return false;
    *out = v;
    return true;
}

int semver_compare(const SemVer *a, const SemVer *b)
{
    if (a->major != b->major)
        return a->major < b->major ? -1 : 1;
    if (a->minor != b->minor)
        return a->minor < b->minor ? -1 : 1;
    if (a->patch != b->patch)
        return a->patch < b->patch ? -1 : 1;
    return 0;
}

/* The first version after every version that starts with the n given components. */
static SemVer semver_next(SemVer v, int n)
{
    SemVer next = { 0, 0, 0 };

    if (n == 1) {
        next.major = v.major + 1;
    } else if (n == 2) {
        next.major = v.major;
        next.minor = v.minor + 1;
    } else {
        next = v;
        next.patch++;
    }
    return next;
}

typedef struct SemVerRange {
    SemVer lo; /* inclusive */
    SemVer hi; /* exclusive, when has_hi */
    bool has_hi;
} SemVerRange;

/* One comparator ("^1.2", ">=2", "1.0.3", "*"), surrounding blanks allowed. */
static bool semver_parse_comparator(const char *text, SemVerRange *r)
{
    const char *p = text;
    SemVer v;
    int n;
    char op[3] = "";

    while (isspace((unsigned char)*p))
        p++;
    memset(r, 0, sizeof(*r));
    if (*p == '*') {
        p++;
        while (isspace((unsigned char)*p))
            p++;
        return *p == '\0';
    }
    if (strncmp(p, ">=", 2) == 0 || strncmp(p, "<=", 2) == 0) {
        memcpy(op, p, 2);
        p += 2;
    } else if (*p && strchr("=<>^~", *p)) {
        op[0] = *p++;
    }
    while (isspace((unsigned char)*p))
        p++;
    n = semver_parse_partial(&p, &v);
    if (n == 0)
        return false;
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '\0')
        return false;

    if (op[0] == '\0' || strcmp(op, "=") == 0) {
        r->lo = v;
        r->hi = semver_next(v, n);
        r->has_hi = true;
    } else if (strcmp(op, ">=") == 0) {
        r->lo = v;
    } else if (strcmp(op, ">") == 0) {
        r->lo = semver_next(v, n);
    } else if (strcmp(op, "<") == 0) {
        r->hi = v;
        r->has_hi = true;
    } else if (strcmp(op, "<=") == 0) {
        r->hi = semver_next(v, n);
        r->has_hi = true;
    } else if (strcmp(op, "~") == 0) {
        /* Patch-level changes only, or minor-level when only a major is given. */
        r->lo = v;
        r->hi = semver_next(v, n == 1 ? 1 : 2);
        r->has_hi = true;
    } else { /* "^": changes that keep the leftmost non-zero component given */
        int keep;
        if (v.major > 0 || n == 1)
            keep = 1;
        else if (v.minor > 0 || n == 2)
            keep = 2;
        else
            keep = 3;
        r->lo = v;
        r->hi = semver_next(v, keep);
        r->has_hi = true;
    }
    return true;
}

bool semver_match(const SemVer *v, const char *constraint, bool *matches, GError **error)
{
    bool all = true;

    if (!constraint)
        constraint = "";
    /* An empty constraint is "any"; an empty item between commas is a mistake. */
    const char *c = constraint;
    while (isspace((unsigned char)*c))
        c++;
    if (*c == '\0') {
        *matches = true;
        return true;
    }

    char **items = g_strsplit(constraint, ",", -1);
    for (char **item = items; *item; item++) {
        SemVerRange r;
        if (!semver_parse_comparator(*item, &r)) {
            g_set_error(error, SEMVER_ERROR, 1,
                        "version constraint \"%s\": cannot parse \"%s\" (expected e.g. "
                        "\">=1.2\", \"^1\", \"~1.2\", \"=2.0\", \"1.2.3\", \"*\")",
                        constraint, g_strstrip(*item));
            g_strfreev(items);
            return false;
        }
        if (semver_compare(v, &r.lo) < 0 || (r.has_hi && semver_compare(v, &r.hi) >= 0))
            all = false;
    }
    g_strfreev(items);
    *matches = all;
    return true;
}
