/*
 * olecancel: the Wine debug channel "olecancel"
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Wine's ntdll exports __wine_dbg_get_channel_flags, __wine_dbg_header
 * and __wine_dbg_output; using them makes our messages obey WINEDEBUG
 * exactly like a builtin DLL's.  They are looked up at run time so that
 * the DLL still loads where they are absent (it is then silent).
 */

#include <stdio.h>
#include "olecancel_private.h"

struct wine_debug_channel
{
    unsigned char flags;
    char name[15];
};

typedef unsigned char (__cdecl *get_flags_func)(struct wine_debug_channel *);
typedef int (__cdecl *header_func)(int, struct wine_debug_channel *, const char *);
typedef int (__cdecl *output_func)(const char *);

static struct wine_debug_channel channel = { 0xff, "olecancel" };
static get_flags_func p_get_flags;
static header_func p_header;
static output_func p_output;
static INIT_ONCE dbg_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK dbg_init(INIT_ONCE *once, void *param, void **context)
{
    HMODULE ntdll = GetModuleHandleA("ntdll.dll");
    p_get_flags = (get_flags_func)(void *)GetProcAddress(ntdll, "__wine_dbg_get_channel_flags");
    p_header = (header_func)(void *)GetProcAddress(ntdll, "__wine_dbg_header");
    p_output = (output_func)(void *)GetProcAddress(ntdll, "__wine_dbg_output");
    if (!p_get_flags || !p_header || !p_output) p_get_flags = NULL;
    return TRUE;
}

BOOL olecancel_dbg_on(enum olecancel_dbcl cls)
{
    InitOnceExecuteOnce(&dbg_once, dbg_init, NULL, NULL);
    return p_get_flags && (p_get_flags(&channel) & (1 << cls));
}

void olecancel_dbg_log(enum olecancel_dbcl cls, const char *func, const char *fmt, ...)
{
    char buffer[1024];
    va_list args;
    DWORD err = GetLastError();

    if (p_header(cls, &channel, func) == -1) return;
    va_start(args, fmt);
    vsnprintf(buffer, sizeof(buffer), fmt, args);
    va_end(args);
    p_output(buffer);
    SetLastError(err);
}

static char *dbg_ring_buffer(void)
{
    static char ring[16][160];
    static LONG next;
    return ring[InterlockedIncrement(&next) & 15];
}

const char *debugstr_guid(const GUID *guid)
{
    char *buf;
    if (!guid) return "(null)";
    if (!HIWORD((ULONG_PTR)guid))
    {
        buf = dbg_ring_buffer();
        snprintf(buf, 160, "<guid-0x%04x>", (unsigned int)(ULONG_PTR)guid);
        return buf;
    }
    buf = dbg_ring_buffer();
    snprintf(buf, 160, "{%08lx-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}",
             guid->Data1, guid->Data2, guid->Data3, guid->Data4[0], guid->Data4[1],
             guid->Data4[2], guid->Data4[3], guid->Data4[4], guid->Data4[5],
             guid->Data4[6], guid->Data4[7]);
    return buf;
}

const char *debugstr_w(const WCHAR *str)
{
    char *buf;
    int i;
    if (!str) return "(null)";
    if (!HIWORD((ULONG_PTR)str)) return "(id)";
    buf = dbg_ring_buffer();
    buf[0] = 'L';
    buf[1] = '"';
    for (i = 2; *str && i < 150; str++)
        buf[i++] = (*str >= 0x20 && *str < 0x7f) ? (char)*str : '?';
    buf[i++] = '"';
    buf[i] = 0;
    return buf;
}
