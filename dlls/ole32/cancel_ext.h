/*
 * olecancel: the ORPC extension that marks a call as cancellable
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Wire format (little endian, NDR data representation 0x10):
 *   0  uint32 magic   CANCEL_EXT_MAGIC
 *   4  uint16 version CANCEL_EXT_VERSION
 *   6  uint16 flags   bit 0: cancellable; other bits must be 0
 *   8  16 bytes       the call's random id (only when cancellable)
 * Size is exactly 8 (plain call) or 24 (cancellable call).
 * No Windows headers: tests/fuzz builds this file natively on Linux.
 */

#ifndef OLECANCEL_CANCEL_EXT_H
#define OLECANCEL_CANCEL_EXT_H

#include <stddef.h>

#define CANCEL_EXT_MAGIC        0x3158434fu  /* "OCX1" */
#define CANCEL_EXT_VERSION      1
#define CANCEL_EXT_CANCELLABLE  0x0001
#define CANCEL_EXT_PLAIN_SIZE   8
#define CANCEL_EXT_CANCEL_SIZE  24
#define CANCEL_EXT_LITTLE_ENDIAN_REP 0x10   /* NDR_LOCAL_DATA_REPRESENTATION on x86 */

enum cancel_ext_kind
{
    CANCEL_EXT_INVALID,      /* malformed: ignore, WARN */
    CANCEL_EXT_NONE,         /* no data for us */
    CANCEL_EXT_PLAIN,        /* a call that cannot be cancelled */
    CANCEL_EXT_CANCEL,       /* a cancellable call, id filled in */
};

/* writes the extension; returns its size */
size_t cancel_ext_write(unsigned char *buf, size_t len, const unsigned char *id16);
/* parses what the client sent; id16 receives the call id for CANCEL_EXT_CANCEL */
enum cancel_ext_kind cancel_ext_parse(const void *data, unsigned long size,
                                      unsigned long data_rep, unsigned char id16[16]);

/* Finds our extension (id ext_id16) in a whole ORPC request as Wine's
 * client channel lays it out (ORPCTHIS with cid at 12, extension array at
 * 32, extents from 48: conformance, GUID, size, data) and parses it. */
enum cancel_ext_kind cancel_ext_find_in_request(const void *request, unsigned long len,
                                                const unsigned char ext_id16[16], unsigned char id16[16]);

#endif /* OLECANCEL_CANCEL_EXT_H */
