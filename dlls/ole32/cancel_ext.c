/*
 * olecancel: reading and writing the cancel ORPC extension
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 *
 * The bytes come from another process: every field is checked, nothing
 * is read past "size", and the data is never trusted to be aligned.
 */

#include <string.h>
#include "cancel_ext.h"

static unsigned int get_u32(const unsigned char *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((unsigned int)p[3] << 24);
}

static unsigned int get_u16(const unsigned char *p)
{
    return p[0] | (p[1] << 8);
}

static void put_u32(unsigned char *p, unsigned int v)
{
    p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

size_t cancel_ext_write(unsigned char *buf, size_t len, const unsigned char *id16)
{
    size_t size = id16 ? CANCEL_EXT_CANCEL_SIZE : CANCEL_EXT_PLAIN_SIZE;

    if (len < size) return 0;
    put_u32(buf, CANCEL_EXT_MAGIC);
    buf[4] = CANCEL_EXT_VERSION; buf[5] = 0;
    buf[6] = id16 ? CANCEL_EXT_CANCELLABLE : 0; buf[7] = 0;
    if (id16) memcpy(buf + 8, id16, 16);
    return size;
}

enum cancel_ext_kind cancel_ext_parse(const void *data, unsigned long size,
                                      unsigned long data_rep, unsigned char id16[16])
{
    const unsigned char *p = data;
    unsigned int flags;

    if (!p || !size) return CANCEL_EXT_NONE;
    /* we only ever write little endian integers */
    if ((data_rep & 0xf0) != CANCEL_EXT_LITTLE_ENDIAN_REP) return CANCEL_EXT_INVALID;
    if (size < CANCEL_EXT_PLAIN_SIZE) return CANCEL_EXT_INVALID;
    if (get_u32(p) != CANCEL_EXT_MAGIC) return CANCEL_EXT_INVALID;
    if (get_u16(p + 4) != CANCEL_EXT_VERSION) return CANCEL_EXT_INVALID;
    flags = get_u16(p + 6);
    if (flags & ~CANCEL_EXT_CANCELLABLE) return CANCEL_EXT_INVALID;
    if (!(flags & CANCEL_EXT_CANCELLABLE))
        return size == CANCEL_EXT_PLAIN_SIZE ? CANCEL_EXT_PLAIN : CANCEL_EXT_INVALID;
    if (size != CANCEL_EXT_CANCEL_SIZE) return CANCEL_EXT_INVALID;
    memcpy(id16, p + 8, 16);
    return CANCEL_EXT_CANCEL;
}

/* offsets in Wine's request layout */
#define ORPCTHIS_EXT_PTR      28
#define EXT_ARRAY_SIZE        32
#define EXT_ARRAY_CONFORMANCE 44
#define EXT_ARRAY_FIRST       48
#define EXTENT_HEADER         24   /* conformance, GUID, size */
#define MAX_EXTENTS           256

enum cancel_ext_kind cancel_ext_find_in_request(const void *request, unsigned long len,
                                                const unsigned char ext_id16[16], unsigned char id16[16])
{
    const unsigned char *p = request;
    unsigned long pos, count, i;

    if (!p || len < EXT_ARRAY_FIRST) return CANCEL_EXT_NONE;
    if (get_u16(p) != 5) return CANCEL_EXT_NONE;            /* COM version 5.x */
    if (!get_u32(p + ORPCTHIS_EXT_PTR)) return CANCEL_EXT_NONE;
    count = get_u32(p + EXT_ARRAY_SIZE);
    if (count > MAX_EXTENTS || get_u32(p + EXT_ARRAY_CONFORMANCE) != ((count + 1) & ~1ul))
        return CANCEL_EXT_INVALID;

    for (i = 0, pos = EXT_ARRAY_FIRST; i < count; i++)
    {
        unsigned long conformance, size;

        if (len - pos < EXTENT_HEADER) return CANCEL_EXT_INVALID;
        conformance = get_u32(p + pos);
        size = get_u32(p + pos + 20);
        if (size > len || conformance != ((size + 7) & ~7ul) || len - pos - EXTENT_HEADER < conformance)
            return CANCEL_EXT_INVALID;
        if (!memcmp(p + pos + 4, ext_id16, 16))
            return cancel_ext_parse(p + pos + EXTENT_HEADER, size, CANCEL_EXT_LITTLE_ENDIAN_REP, id16);
        pos += EXTENT_HEADER + conformance;
    }
    return CANCEL_EXT_NONE;
}
