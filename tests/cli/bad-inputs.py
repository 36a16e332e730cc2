#!/usr/bin/env python3
"""Bad input never makes GLib or json-glib complain: no GLib-CRITICAL,
Json-CRITICAL or other `** (process)` message, no crash, no timeout.

Usage: bad-inputs.py TESSERA TESSERA_SNAP MACHINE_FILE

Every run has G_DEBUG=fatal-criticals, so a critical also aborts the process
(seen here as death by a signal). The inputs, each systematic, not random:
  - manifests: every member of a real --dump-manifest (the top level, the first
    plugin, its schema, a converter) replaced in turn by a value of each JSON
    type (null, a boolean, negative, too large, fractional, a string, an array,
    an object) and removed; given to `tessera-snap check --manifest`,
    `tessera-snap convert --to` and `tessera -savevm-compat`;
  - machine files: every key of the SS-5 machine file given a word, a negative
    number and a number past 2^64, every group name garbled;
  - snapshots: truncated at many lengths and with bytes flipped, through
    `tessera-snap info/verify/check/dump` and `tessera -loadvm`;
  - the command line: every option with no argument, an empty one and garbage.
"""
import copy
import json
import os
import subprocess
import sys
import tempfile

import clitest
from clitest import check

tessera, snap_tool, machine_file = (os.path.abspath(a) for a in sys.argv[1:4])
ENV = dict(os.environ, G_DEBUG="fatal-criticals")
NOISE = (b"CRITICAL", b"GLib-", b"Json-", b"GLib-GObject", b"** (process")
problems = []
runs = 0


def run(args, what):
    global runs
    runs += 1
    try:
        # In a directory of its own: a bad argument may name a file to create (-nvram x).
        p = subprocess.run(["timeout", "20"] + args, stdin=subprocess.DEVNULL,
                           capture_output=True, env=ENV, cwd=scratch)
    except OSError as e:
        problems.append("%s: %s" % (what, e))
        return None
    err = p.stderr
    if p.returncode < 0 or p.returncode >= 124:
        problems.append("%s: status %d: %r" % (what, p.returncode, err[-300:]))
    elif any(n in err for n in NOISE):
        problems.append("%s: %r" % (what, err[-300:]))
    return p


def report(group):
    global runs
    check("%s: no critical, crash or hang (%d runs)" % (group, runs), not problems,
          "\n  ".join(problems[:10]))
    del problems[:]
    runs = 0


with tempfile.TemporaryDirectory() as tmp:
    scratch = os.path.join(tmp, "cwd")
    os.mkdir(scratch)
    loop = os.path.join(tmp, "loop.bin")
    with open(loop, "wb") as f:
        f.write(bytes.fromhex("10800000 01000000"))  # ba . ; nop
    snap = os.path.join(tmp, "base.tsnap")
    subprocess.run([tessera, "-M", "ss5", "-bios", loop, "-serial", "null",
                    "-savevm-at", "1000," + snap, "-icount-limit", "1000"],
                   capture_output=True, env=ENV)
    if not check("a snapshot to work on", os.path.exists(snap)):
        sys.exit(clitest.summary())
    with open(snap, "rb") as f:
        good_snap = f.read()

    # ---- manifests ----
    manifest = json.loads(subprocess.run([tessera, "--dump-manifest"], capture_output=True,
                                         env=ENV).stdout)
    with_conv = next((i for i, p in enumerate(manifest["plugins"])
                      if p.get("schema", {}).get("converters")), None)
    paths = [[k] for k in manifest]
    paths += [["plugins", 0, k] for k in manifest["plugins"][0]]
    paths += [["plugins", 0, "schema", k] for k in manifest["plugins"][0]["schema"]]
    if with_conv is not None:
        conv = manifest["plugins"][with_conv]["schema"]["converters"]
        paths.append(["plugins", with_conv, "schema", "converters", 0])
        if isinstance(conv[0], dict):
            paths += [["plugins", with_conv, "schema", "converters", 0, k] for k in conv[0]]
    values = [None, True, -1, 2 ** 70, 1.5, "x", [], {}]
    out = os.path.join(tmp, "out.tsnap")
    mpath = os.path.join(tmp, "m.json")
    for path in paths:
        for v in values + ["<removed>"]:
            m = copy.deepcopy(manifest)
            node = m
            for k in path[:-1]:
                node = node[k]
            if v == "<removed>":
                del node[path[-1]]
            else:
                node[path[-1]] = v
            with open(mpath, "w") as f:
                json.dump(m, f)
            what = "%s = %r" % ("/".join(map(str, path)), v)
            run([snap_tool, "check", "--manifest", mpath, snap], "check --manifest " + what)
            run([snap_tool, "convert", "--to", mpath, "-o", out, snap], "convert --to " + what)
    for text in ["", "[", "null", "[]", "42", '"x"', "{}", '{"plugins": 1}',
                 '{"format": "tessera-manifest", "format_version": 1, "plugins": [1, null]}',
                 '{"a": 1, "a": 2}', "\xff\xfe", '{"x": "\\ud800"}']:
        with open(mpath, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(text)
        run([snap_tool, "check", "--manifest", mpath, snap], "check --manifest %r" % text)
        run([tessera, "-M", "ss5", "-bios", loop, "-serial", "null", "-icount-limit", "100",
             "-savevm-at", "50," + out, "-savevm-compat", mpath], "-savevm-compat %r" % text)
    report("manifests")

    # ---- machine files ----
    with open(machine_file) as f:
        lines = f.read().split("\n")
    mfile = os.path.join(tmp, "bad.machine")
    for i, line in enumerate(lines):
        s = line.strip()
        variants = []
        if s.startswith("[") and s.endswith("]"):
            variants = ["[" + s[1:-1] + " extra words]", "[]", "[" + s[1:-1]]
        elif "=" in s and not s.startswith("#"):
            key = s.split("=", 1)[0].strip()
            variants = [key + " = x", key + " = -1", key + " = 0x1ffffffffffffffffff",
                        key + " ="]
        for v in variants:
            with open(mfile, "w") as f:
                f.write("\n".join(lines[:i] + [v] + lines[i + 1:]))
            run([tessera, "-M", mfile, "-bios", loop, "-serial", "null", "-icount-limit", "100"],
                "machine file line %d %r" % (i + 1, v))
    for text in ["", "\x00\x01\x02", "[machine]\n", "[machine]\nname = \xff\n", "=\n[",
                 "[machine]\nname = ss5\n[device x]\nplugin =\n"]:
        with open(mfile, "w", encoding="latin-1") as f:
            f.write(text)
        run([tessera, "-M", mfile, "-bios", loop, "-serial", "null", "-icount-limit", "100"],
            "machine file %r" % text)
    report("machine files")

    # ---- snapshots ----
    bad = os.path.join(tmp, "bad.tsnap")
    cuts = sorted(set([0, 1, 8, 31, 32, 33, 56, 100, len(good_snap) // 2,
                       len(good_snap) - 33, len(good_snap) - 32, len(good_snap) - 1]))
    variants = [good_snap[:n] for n in cuts]
    for at in range(0, len(good_snap), max(1, len(good_snap) // 40)):
        b = bytearray(good_snap)
        b[at] ^= 0xff
        variants.append(bytes(b))
    for n, data in enumerate(variants):
        with open(bad, "wb") as f:
            f.write(data)
        for cmd in ("info", "verify", "check", "dump"):
            run([snap_tool, cmd, bad], "tessera-snap %s variant %d" % (cmd, n))
        run([tessera, "-loadvm", bad, "-bios", loop, "-serial", "null", "-icount-limit", "100"],
            "-loadvm variant %d" % n)
    report("snapshots")

    # ---- the command line ----
    helptext = subprocess.run([tessera, "--help"], capture_output=True, text=True).stdout
    opts = sorted(set(w for line in helptext.splitlines() for w in line.split()[:1]
                      if w.startswith("-") and len(w) > 1))
    for opt in opts:
        for tail in ([], [""], ["x"], ["-1"], [",,,=,"], ["99999999999999999999999"]):
            run([tessera, "-M", "ss5", "-bios", loop, "-serial", "null", "-icount-limit", "100",
                 opt] + tail, "%s %r" % (opt, tail))
    for args in (["check"], ["info"], ["convert", snap], ["diff", snap], ["nope"],
                 ["check", "--plugin-version", "x", snap], ["check", "--plugin-version", "=", snap],
                 ["check", "--plugin-version", "slavio-timer=^^1", snap]):
        run([snap_tool] + args, "tessera-snap %r" % args)
    report("command lines")

sys.exit(clitest.summary())
