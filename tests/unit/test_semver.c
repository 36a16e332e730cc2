/* SPDX-License-Identifier: MIT */
/* Semantic versions and the constraints machine files put on plugin versions. */
#include <criterion/criterion.h>

#include "semver.h"

static SemVer v(const char *text)
{
    SemVer out;
    cr_assert(semver_parse(text, &out), "\"%s\" should parse", text);
    return out;
}

/* Whether `version` satisfies `constraint`; the constraint must be well formed. */
static bool satisfies(const char *version, const char *constraint)
{
    SemVer sv = v(version);
    bool matches = false;
    GError *error = NULL;

    cr_assert(semver_match(&sv, constraint, &matches, &error), "constraint \"%s\": %s",
              constraint, error ? error->message : "?");
    return matches;
}

Test(semver, parses_major_minor_patch)
{
    SemVer s = v("1.22.333");
    cr_assert_eq(s.major, 1);
    cr_assert_eq(s.minor, 22);
    cr_assert_eq(s.patch, 333);
}

Test(semver, missing_parts_are_zero)
{
    SemVer s = v("4");
    cr_assert(s.major == 4 && s.minor == 0 && s.patch == 0);
    s = v("4.5");
    cr_assert(s.major == 4 && s.minor == 5 && s.patch == 0);
}

Test(semver, rejects_what_is_not_a_version)
{
    const char *bad[] = { "", "x", "1.", ".1", "1..2", "1.2.3.4", "1.x", "v1.0", "-1",
                          " 1.0", "1.0 ", "1.0-rc1", "1.0+build", "99999999999" };
    SemVer out;
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        cr_expect_not(semver_parse(bad[i], &out), "\"%s\" should not parse", bad[i]);
    cr_expect_not(semver_parse(NULL, &out));
}

Test(semver, compares_component_by_component)
{
    SemVer a = v("1.2.3"), b = v("1.10.0"), c = v("2.0.0"), d = v("1.2.3");
    cr_assert_lt(semver_compare(&a, &b), 0);
    cr_assert_gt(semver_compare(&c, &b), 0);
    cr_assert_eq(semver_compare(&a, &d), 0);
}

Test(semver, empty_and_star_match_anything)
{
    cr_assert(satisfies("0.0.1", ""));
    cr_assert(satisfies("7.3.1", "*"));
    cr_assert(satisfies("7.3.1", NULL));
}

Test(semver, greater_or_equal)
{
    cr_assert(satisfies("1.2.0", ">=1.2"));
    cr_assert(satisfies("3.0.0", ">=1.2"));
    cr_assert_not(satisfies("1.1.9", ">=1.2"));
}

Test(semver, greater_than_a_partial_version_starts_after_its_series)
{
    cr_assert_not(satisfies("1.2.7", ">1.2"));
    cr_assert(satisfies("1.3.0", ">1.2"));
    cr_assert(satisfies("1.2.4", ">1.2.3"));
}

Test(semver, less_than)
{
    cr_assert(satisfies("1.99.99", "<2"));
    cr_assert_not(satisfies("2.0.0", "<2"));
}

Test(semver, less_or_equal_a_partial_version_includes_its_series)
{
    cr_assert(satisfies("1.2.9", "<=1.2"));
    cr_assert_not(satisfies("1.3.0", "<=1.2"));
}

Test(semver, equals_a_partial_version_means_that_series)
{
    cr_assert(satisfies("2.0.0", "=2.0"));
    cr_assert(satisfies("2.0.5", "=2.0"));
    cr_assert_not(satisfies("2.1.0", "=2.0"));
    cr_assert_not(satisfies("1.9.9", "=2.0"));
}

Test(semver, a_bare_full_version_is_exact)
{
    cr_assert(satisfies("1.2.3", "1.2.3"));
    cr_assert_not(satisfies("1.2.4", "1.2.3"));
    cr_assert(satisfies("1.2.3", "=1.2.3"));
}

Test(semver, caret_allows_changes_that_keep_the_major)
{
    cr_assert(satisfies("1.0.0", "^1"));
    cr_assert(satisfies("1.9.3", "^1"));
    cr_assert_not(satisfies("2.0.0", "^1"));
    cr_assert(satisfies("1.4.0", "^1.2"));
    cr_assert_not(satisfies("1.1.9", "^1.2"));
}

Test(semver, caret_on_zero_major_keeps_the_minor)
{
    cr_assert(satisfies("0.2.9", "^0.2.3"));
    cr_assert_not(satisfies("0.3.0", "^0.2.3"));
    cr_assert(satisfies("0.0.3", "^0.0.3"));
    cr_assert_not(satisfies("0.0.4", "^0.0.3"));
    cr_assert(satisfies("0.9.0", "^0"));
    cr_assert_not(satisfies("1.0.0", "^0"));
}

Test(semver, tilde_allows_patch_changes)
{
    cr_assert(satisfies("1.2.0", "~1.2"));
    cr_assert(satisfies("1.2.8", "~1.2"));
    cr_assert_not(satisfies("1.3.0", "~1.2"));
    cr_assert_not(satisfies("1.2.2", "~1.2.3"));
    cr_assert(satisfies("1.7.0", "~1"));
    cr_assert_not(satisfies("2.0.0", "~1"));
}

Test(semver, comma_joined_comparators_must_all_hold)
{
    cr_assert(satisfies("1.5.0", ">=1.2, <2"));
    cr_assert_not(satisfies("2.0.0", ">=1.2,<2"));
    cr_assert_not(satisfies("1.1.0", ">=1.2,<2"));
}

Test(semver, blanks_around_comparators_are_allowed)
{
    cr_assert(satisfies("1.5.0", " >= 1.2 ,  < 2 "));
}

Test(semver, malformed_constraint_is_an_error_naming_it)
{
    const char *bad[] = { ">=", "1.x", ">>1", "=>1", ">=1,", "^", "1 2", "abc" };
    SemVer s = v("1.0.0");

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *error = NULL;
        bool matches = true;
        cr_expect_not(semver_match(&s, bad[i], &matches, &error), "\"%s\" should fail",
                      bad[i]);
        cr_expect_not_null(error, "\"%s\" should set an error", bad[i]);
        if (error) {
            cr_expect_not_null(strstr(error->message, bad[i]), "message \"%s\" names \"%s\"",
                               error->message, bad[i]);
            g_error_free(error);
        }
    }
}
