#!/usr/bin/env python3
"""QMP answers malformed input with an error and stays in sync.

Usage: qmp-stream.py TESSERA TIMER_BIN

Tessera runs the timer guest paused (-serial mon:stdio with `Ctrl-A c` then
`stop` in the pipe before it starts) with QMP on a unix socket. After
qmp_capabilities, each malformed input below is sent in the same write as a
well-formed `query-status` with an id: the reply must be exactly one
{"error": {"class": "GenericError", "desc": ...}} (the desc saying what was
wrong) and then the query-status answer with its id, nothing lost, nothing glued
together. The cases: a stray `}`, a non-object top-level value ([1], 42, a
string), invalid JSON, a command over the 64 KiB limit whose limit falls inside a
string full of braces, nesting deeper than the limit, `execute` that is not a
string, `arguments` that are not an object. Then a command sent a byte at a
time, and several in one write, are answered in order.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

from clitest import TIMEOUT, Qmp, check, summary, wait_for_path

def status_cmd(n):
    return json.dumps({"execute": "query-status", "id": n}).encode()


def status_reply(r, n):
    return (isinstance(r, dict) and r.get("id") == n and
            r.get("return", {}).get("status") == "paused")


def is_error(r, want):
    if not isinstance(r, dict) or set(r) != {"error"}:
        return False
    e = r["error"]
    return e.get("class") == "GenericError" and want in e.get("desc", "")


def main():
    tessera, prog = sys.argv[1:3]
    tmp = tempfile.mkdtemp(prefix="tessera-qmp-stream-")
    qmp_path = os.path.join(tmp, "qmp.sock")
    rfd, wfd = os.pipe()
    os.write(wfd, b"\x01cstop\n")
    out = open(os.path.join(tmp, "stdout"), "wb")
    p = subprocess.Popen([tessera, "-M", "ss5", "-nographic", "-bios", prog,
                          "-serial", "mon:stdio", "-qmp", "unix:%s,server,nowait" % qmp_path],
                         stdin=rfd, stdout=out, stderr=subprocess.PIPE)
    os.close(rfd)
    try:
        wait_for_path(qmp_path, p)
        q = Qmp(qmp_path)
        check("greeting", "QMP" in (q.line() or {}))
        q.send(b'{"execute": "qmp_capabilities"}\n')
        check("qmp_capabilities", q.line() == {"return": {}})

        long_string = "}{[" * 22000  # over 64 KiB, and braces all through
        cases = [
            ("stray }", b"}", "unexpected '}'"),
            ("stray } after a command", b'{"execute": "query-status"}}', None),
            ("array", b"[1]", "must be a JSON object"),
            ("number", b"42", "must be a JSON object"),
            ("string", b'"query-status"', "must be a JSON object"),
            ("invalid JSON", b'{"execute" "stop"}', "not valid JSON"),
            ("too long inside a string",
             b'{"execute": "' + long_string.encode() + b'"}', "longer than 65536 bytes"),
            ("too deep", b"[" * 100 + b"]" * 100, "nested deeper than 64"),
            ("execute not a string", b'{"execute": 42}', "'execute' must be a string"),
            ("arguments not an object",
             b'{"execute": "human-monitor-command", "arguments": [1]}',
             "'arguments' must be an object"),
        ]
        for n, (name, bad, want) in enumerate(cases, 1):
            q.send(bad + status_cmd(n) + b"\n")
            r = q.line()
            if want is None:
                # A complete command, then the stray brace.
                ok = status_reply(r, None)
                r = q.line()
                want = "unexpected '}'"
            else:
                ok = True
            check(name + ": an error reply", ok and is_error(r, want), repr(r)[:300])
            r = q.line()
            check(name + ": the next command is answered", status_reply(r, n), repr(r)[:300])

        # Still a command still stuck in the stream would turn up here.
        q.send(status_cmd(100) + b"\n")
        r = q.line()
        check("nothing left over", status_reply(r, 100), repr(r)[:300])

        for c in status_cmd(101):
            q.send(bytes([c]))
            time.sleep(0.002)
        r = q.line()
        check("a command a byte at a time", status_reply(r, 101), repr(r)[:300])

        q.send(b"".join(status_cmd(n) for n in range(200, 210)))
        rs = [q.line() for _ in range(10)]
        check("ten commands in one write, in order",
              all(status_reply(r, n) for r, n in zip(rs, range(200, 210))), repr(rs)[:300])

        q.send(b'{"execute": "quit"}\n')
        check("quit is answered", q.line() == {"return": {}})
        try:
            rc = p.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            rc = None
        check("quit exits 0", rc == 0, "status %s" % rc)
    except (OSError, ValueError) as e:  # refused, timed out, cut short
        check("talking to tessera", False, repr(e))
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
        os.close(wfd)
        out.close()
        err = p.stderr.read().decode(errors="replace")
        if err.strip():
            print("tessera stderr:\n" + err)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
