# shellcheck shell=sh
# Sourced by the tests/linux and tests/determinism scripts: PASS/FAIL lines and
# the final verdict (exit status 0 when nothing failed).
npass=0
nfail=0
pass() { echo "PASS $*"; npass=$((npass + 1)); }
fail() { echo "FAIL $*"; nfail=$((nfail + 1)); }
verdict() {
    echo "$npass passed, $nfail failed"
    [ "$nfail" -eq 0 ]
}
