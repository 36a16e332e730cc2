# SPDX-License-Identifier: MIT
"""Editing .tsnap files in tests (docs/snapshot-format.md): rewrite the machine
name, a device's plugin or kind, a memory region's address or read-only flag, and
fix up every length and CRC that depends on it."""
import struct

_POLY = 0x82F63B78
_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ _POLY if _c & 1 else _c >> 1
    _TABLE.append(_c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283

MANI = 0x494E414D
DEVS = 0x53564544
MEMR = 0x524D454D


def set_machine_name(snap, name):
    """snap: bytes of a valid snapshot; name: bytes. The same snapshot with its
    manifest's machine name replaced, every CRC recomputed."""
    off, typ, payload = next(sections(snap))
    assert typ == MANI, "the first section is not MANI"
    return replace_payload(snap, off, _with_first_string(payload, name))


def _str_end(payload, off):
    (n,) = struct.unpack_from("<I", payload, off)
    return off + 4 + n


def sections(snap):
    """(offset of the section header, type, payload) for each section."""
    off, end = 32, len(snap) - 32
    while off < end:
        typ, _flags, plen, _pcrc, _hcrc = struct.unpack_from("<IIQII", snap, off)
        yield off, typ, snap[off + 24:off + 24 + plen]
        off += 24 + plen
    assert off == end, "sections do not end at the footer"


def replace_payload(snap, off, payload):
    """The snapshot with the payload of the section at off replaced (by one of any
    length), its CRCs and the footer's file size recomputed."""
    typ, flags, plen, _pcrc, _hcrc = struct.unpack_from("<IIQII", snap, off)
    sh = struct.pack("<IIQI", typ, flags, len(payload), crc32c(payload))
    sh += struct.pack("<I", crc32c(sh))
    body = snap[:off] + sh + payload + snap[off + 24 + plen:-32]
    foot = snap[-32:]
    magic, _size, nsec = struct.unpack_from("<8sQI", foot, 0)
    assert magic == b"TSNAPEND"
    f = struct.pack("<8sQI", magic, len(body) + 32, nsec) + foot[20:28]
    return body + f + struct.pack("<I", crc32c(f))


def _with_first_string(payload, new):
    (n,) = struct.unpack_from("<I", payload, 0)
    return struct.pack("<I", len(new)) + new + payload[4 + n:]


def first_string(payload):
    (n,) = struct.unpack_from("<I", payload, 0)
    return payload[4:4 + n]


def set_memory(snap, name, pa=None, readonly=None):
    """Rewrite memory region `name`'s physical address and/or read-only flag."""
    for off, typ, payload in sections(snap):
        if typ == MEMR and first_string(payload) == name:
            p = bytearray(payload)
            at = _str_end(payload, 0)
            if pa is not None:
                struct.pack_into("<Q", p, at, pa)
            if readonly is not None:
                struct.pack_into("<I", p, at + 16, readonly)
            return replace_payload(snap, off, bytes(p))
    raise KeyError(name)


def set_device_kind(snap, name, kind):
    """Rewrite device `name`'s plugin kind (TesseraPluginKind)."""
    for off, typ, payload in sections(snap):
        if typ == DEVS and first_string(payload) == name:
            at = _str_end(payload, _str_end(payload, _str_end(payload, 0)))
            p = bytearray(payload)
            struct.pack_into("<I", p, at, kind)
            return replace_payload(snap, off, bytes(p))
    raise KeyError(name)


def set_device_plugin(snap, name, plugin):
    """Device `name`'s plugin name replaced by `plugin` (bytes of any length)."""
    for off, typ, payload in sections(snap):
        if typ == DEVS and first_string(payload) == name:
            at = _str_end(payload, 0)
            rest = _with_first_string(payload[at:], plugin)
            return replace_payload(snap, off, payload[:at] + rest)
    raise KeyError(name)
