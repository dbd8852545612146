#!/usr/bin/env python3
"""Minimal, independent Parquet writer (no pyarrow): the reference that @cftkit/datasets' parquet
loader (hyparquet) is tested against.

Written from the Apache Parquet format spec (parquet.thrift + Encodings.md), NOT from cftkit code:
thrift compact protocol by hand, data page v1, PLAIN encoding, UNCOMPRESSED, one page per column
chunk, several row groups. Column types: strings (BYTE_ARRAY + UTF8) and integers (INT64). A column
holding any null becomes OPTIONAL with RLE/bit-packed definition levels.

usage: write_parquet.py ROWS.json OUT.parquet [--row-group-size N] [--columns a,b,c]
ROWS.json is a JSON array of flat objects; column order is --columns or first-seen key order.
"""
import json
import struct
import sys

# thrift compact type ids
T_I32, T_I64, T_BINARY, T_LIST, T_STRUCT = 5, 6, 8, 9, 12


def varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag(n):
    return (n << 1) ^ (n >> 63)


class Struct:
    """A thrift struct being written in compact protocol."""

    def __init__(self):
        self.buf = bytearray()
        self.last = 0

    def _header(self, fid, ttype):
        delta = fid - self.last
        if 0 < delta <= 15:
            self.buf.append((delta << 4) | ttype)
        else:
            self.buf.append(ttype)
            self.buf += varint(zigzag(fid))
        self.last = fid

    def i32(self, fid, v):
        self._header(fid, T_I32)
        self.buf += varint(zigzag(v))
        return self

    def i64(self, fid, v):
        self._header(fid, T_I64)
        self.buf += varint(zigzag(v))
        return self

    def string(self, fid, s):
        data = s.encode("utf-8")
        self._header(fid, T_BINARY)
        self.buf += varint(len(data)) + data
        return self

    def struct(self, fid, st):
        self._header(fid, T_STRUCT)
        self.buf += st.end()
        return self

    def list(self, fid, etype, items):
        self._header(fid, T_LIST)
        n = len(items)
        self.buf.append((n << 4) | etype if n < 15 else 0xF0 | etype)
        if n >= 15:
            self.buf += varint(n)
        for it in items:
            if etype == T_I32:
                self.buf += varint(zigzag(it))
            elif etype == T_BINARY:
                d = it.encode("utf-8")
                self.buf += varint(len(d)) + d
            elif etype == T_STRUCT:
                self.buf += it.end()
        return self

    def end(self):
        return bytes(self.buf) + b"\x00"


def def_levels(values):
    """RLE/bit-packed hybrid, bit width 1, all bit-packed: 1 = present, 0 = null; 4-byte length prefix."""
    groups = (len(values) + 7) // 8
    body = bytearray(varint((groups << 1) | 1))
    for g in range(groups):
        byte = 0
        for i, v in enumerate(values[g * 8 : g * 8 + 8]):
            if v is not None:
                byte |= 1 << i
        body.append(byte)
    return struct.pack("<I", len(body)) + bytes(body)


def plain(values, kind):
    out = bytearray()
    for v in values:
        if v is None:
            continue
        if kind == "int":
            out += struct.pack("<q", v)
        else:
            d = v.encode("utf-8")
            out += struct.pack("<I", len(d)) + d
    return bytes(out)


def main(argv):
    args = argv[1:]
    rgs = 1 << 30
    columns = None
    if "--row-group-size" in args:
        i = args.index("--row-group-size")
        rgs = int(args[i + 1])
        del args[i : i + 2]
    if "--columns" in args:
        i = args.index("--columns")
        columns = args[i + 1].split(",")
        del args[i : i + 2]
    src, dst = args
    rows = json.load(open(src, encoding="utf-8"))
    if columns is None:
        columns = []
        for r in rows:
            for k in r:
                if k not in columns:
                    columns.append(k)
    kinds, optional = {}, {}
    for c in columns:
        vals = [r.get(c) for r in rows]
        present = [v for v in vals if v is not None]
        kinds[c] = "int" if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present) else "str"
        optional[c] = any(v is None for v in vals)
        if kinds[c] == "str" and any(not isinstance(v, str) for v in present):
            raise SystemExit(f"column {c}: only strings or integers are supported")

    out = bytearray(b"PAR1")
    row_groups = []
    for start in range(0, len(rows), rgs):
        chunk = rows[start : start + rgs]
        col_chunks, total = [], 0
        for c in columns:
            vals = [r.get(c) for r in chunk]
            data = (def_levels(vals) if optional[c] else b"") + plain(vals, kinds[c])
            dph = Struct().i32(1, len(vals)).i32(2, 0).i32(3, 3).i32(4, 3)  # PLAIN, RLE levels
            header = Struct().i32(1, 0).i32(2, len(data)).i32(3, len(data)).struct(5, dph).end()
            offset = len(out)
            out += header + data
            size = len(header) + len(data)
            total += size
            meta = (
                Struct()
                .i32(1, 2 if kinds[c] == "int" else 6)  # INT64 | BYTE_ARRAY
                .list(2, T_I32, [0, 3])  # PLAIN, RLE
                .list(3, T_BINARY, [c])
                .i32(4, 0)  # UNCOMPRESSED
                .i64(5, len(vals))
                .i64(6, size)
                .i64(7, size)
                .i64(9, offset)
            )
            col_chunks.append(Struct().i64(2, offset).struct(3, meta))
        row_groups.append(Struct().list(1, T_STRUCT, col_chunks).i64(2, total).i64(3, len(chunk)))

    schema = [Struct().string(4, "schema").i32(5, len(columns))]
    for c in columns:
        el = Struct().i32(1, 2 if kinds[c] == "int" else 6).i32(3, 1 if optional[c] else 0).string(4, c)
        if kinds[c] == "str":
            el.i32(6, 0)  # converted_type UTF8
        schema.append(el)
    footer = (
        Struct()
        .i32(1, 1)
        .list(2, T_STRUCT, schema)
        .i64(3, len(rows))
        .list(4, T_STRUCT, row_groups)
        .string(6, "cftkit tools/reference/write_parquet.py")
        .end()
    )
    out += footer + struct.pack("<I", len(footer)) + b"PAR1"
    with open(dst, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main(sys.argv)
