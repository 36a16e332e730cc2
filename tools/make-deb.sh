#!/bin/sh
# make-deb.sh OUTDIR: this tree's Debian packages (tessera, tessera-machine-ss5,
# tessera-dev) built into OUTDIR, then checked with lintian (errors and warnings
# fail; the overrides in debian/*.lintian-overrides say why each is accepted).
#
# dpkg-buildpackage writes its results beside the source, so the tracked files are
# copied to OUTDIR/src first. A stamp of their contents lets a second run (`make
# check`'s test, then `make deb`) skip the build when nothing changed.
set -eu
out=$1
src=$(cd "$(dirname "$0")/.." && pwd)
for tool in dpkg-buildpackage dh lintian git; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "make-deb: $tool not found (tools/install-deps.sh installs dpkg-dev, debhelper, lintian)" >&2
        exit 1
    fi
done
mkdir -p "$out"
out=$(cd "$out" && pwd)
stamp=$(cd "$src" && git ls-files -z --cached --others --exclude-standard | xargs -0 sha256sum 2>/dev/null | sha256sum | cut -c1-16)
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
debs="tessera_${version}_$arch.deb tessera-machine-ss5_${version}_$arch.deb tessera-dev_${version}_$arch.deb"

built=yes
for d in $debs; do [ -f "$out/$d" ] || built=no; done
if [ "$built" = yes ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "make-deb: packages in $out are up to date"
else
    rm -rf "$out/src" "$out/stamp"
    mkdir "$out/src"
    (cd "$src" && git ls-files -z --cached --others --exclude-standard | tar --null -T - -cf -) | tar -x -C "$out/src"
    echo "make-deb: building in $out/src (log: $out/build.log)"
    if ! (cd "$out/src" && dpkg-buildpackage -us -uc -b -j2) >"$out/build.log" 2>&1; then
        tail -n 30 "$out/build.log" >&2
        echo "make-deb: dpkg-buildpackage failed (log: $out/build.log)" >&2
        exit 1
    fi
    echo "$stamp" >"$out/stamp"
fi
cd "$out"
# shellcheck disable=SC2086
if ! lintian --fail-on error,warning --tag-display-limit 0 $debs; then
    echo "make-deb: lintian found problems in $out" >&2
    exit 1
fi
for d in $debs; do echo "$out/$d"; done
