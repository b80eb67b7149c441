# olecancel: reads the export and import tables of a PE file.
#
# Copyright 2026 the olecancel developers
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Read from the file itself, following the PE/COFF specification, so that
# no tool's text layout matters (objdump -p changed its export listing
# between binutils 2.40 and 2.44).

import struct


class PEError(Exception):
    pass


class PE:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.data = f.read()
        self.path = path
        d = self.data
        if len(d) < 0x40 or d[:2] != b"MZ":
            raise PEError("%s: not a PE file (no MZ header)" % path)
        pe = self.u32(0x3C)
        if d[pe:pe + 4] != b"PE\0\0":
            raise PEError("%s: not a PE file (no PE signature)" % path)
        nsections, = struct.unpack_from("<H", d, pe + 6)
        opt_size, = struct.unpack_from("<H", d, pe + 20)
        opt = pe + 24
        magic, = struct.unpack_from("<H", d, opt)
        if magic == 0x10B:
            self.bits, dirs = 32, opt + 96
        elif magic == 0x20B:
            self.bits, dirs = 64, opt + 112
        else:
            raise PEError("%s: unknown optional header magic %#x" % (path, magic))
        ndirs = self.u32(dirs - 4)
        self.dirs = [struct.unpack_from("<II", d, dirs + 8 * i) for i in range(min(ndirs, 16))]
        self.sections = []
        sec = opt + opt_size
        for i in range(nsections):
            vsize, va, rawsize, raw = struct.unpack_from("<IIII", d, sec + 40 * i + 8)
            self.sections.append((va, max(vsize, rawsize), raw, rawsize))

    def u32(self, off):
        return struct.unpack_from("<I", self.data, off)[0]

    def off(self, rva):
        for va, size, raw, rawsize in self.sections:
            if va <= rva < va + size:
                if rva - va >= rawsize:
                    raise PEError("%s: RVA %#x lies in uninitialised data" % (self.path, rva))
                return raw + rva - va
        raise PEError("%s: RVA %#x is in no section" % (self.path, rva))

    def cstr(self, rva):
        o = self.off(rva)
        end = self.data.index(b"\0", o)
        return self.data[o:end].decode("ascii", "replace")

    def directory(self, index):
        return self.dirs[index] if index < len(self.dirs) else (0, 0)

    def exports(self):
        """[(ordinal, name or None, forwarder target or None)], by ordinal."""
        rva, size = self.directory(0)
        if not rva:
            return []
        o = self.off(rva)
        base, nfuncs, nnames, funcs, names, ordinals = struct.unpack_from("<IIIIII", self.data, o + 16)
        by_index = {}
        for i in range(nnames):
            name = self.cstr(self.u32(self.off(names) + 4 * i))
            index, = struct.unpack_from("<H", self.data, self.off(ordinals) + 2 * i)
            by_index[index] = name
        result = []
        for i in range(nfuncs):
            target = self.u32(self.off(funcs) + 4 * i)
            if not target:
                continue
            forward = self.cstr(target) if rva <= target < rva + size else None
            result.append((base + i, by_index.get(i), forward))
        return result

    def imported_dlls(self):
        """Names of the DLLs the import directory names."""
        rva, _ = self.directory(1)
        result = []
        if not rva:
            return result
        o = self.off(rva)
        while True:
            lookup, _, _, name, thunks = struct.unpack_from("<IIIII", self.data, o)
            if not (lookup or name or thunks):
                break
            result.append(self.cstr(name))
            o += 20
        return result
