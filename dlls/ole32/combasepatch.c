/*
 * olecancel: the cancel API reached through combase
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * A program may take the cancel API from combase.dll rather than ole32:
 * by GetProcAddress, or by importing it from api-ms-win-core-com-l1-1-0,
 * which Wine's API-set schema resolves to combase.  Where Wine's combase
 * lists a function as "@ stub", such a caller reaches winebuild's stub,
 * which raises "unimplemented function".  The loader binds a program's
 * imports to those stub addresses before any DllMain runs, so the export
 * table cannot be changed in time; the stubs' code is replaced instead.
 *
 * At process attach each of the six functions combase exports is looked
 * at.  One that wineimpl.c recognises as a winebuild stub naming that
 * very function gets, at its entry, a jump to olecancel's function of
 * the same name and signature (x86_64: "jmp *0(%rip)" and the absolute
 * address, 14 bytes; i386: "jmp rel32", 5 bytes), provided the jump fits
 * inside the stub's own instructions.  A real implementation is never
 * touched: olecancel defers to it (cancelapi.c, cancelstate.c).  If any
 * stub fails the check, or its page cannot be made writable, nothing is
 * left written and one fixme line says so.
 *
 * Why at process attach and not at olecancel's first use: a program that
 * reaches the API through combase never calls olecancel first, so no
 * later moment exists.  Only code that calls one of these stubs sees the
 * difference, and on stock Wine that call ends the process.  When ole32
 * is unloaded while the process goes on, the original bytes are put back.
 */

#include "olecancel_private.h"

#ifdef _WIN64
# define JUMP_SIZE 14
#else
# define JUMP_SIZE 5
#endif

struct combase_stub
{
    const char *name;
    void *target;                        /* olecancel's function */
    unsigned char *entry;                /* the stub in combase, once patched */
    unsigned char saved[JUMP_SIZE];      /* the bytes the jump replaced */
};

static struct combase_stub stubs[] =
{
    { "CoCancelCall", CoCancelCall },
    { "CoTestCancel", CoTestCancel },
    { "CoSetCancelObject", CoSetCancelObject },
    { "CoGetCancelObject", CoGetCancelObject },
    { "CoEnableCallCancellation", CoEnableCallCancellation },
    { "CoDisableCallCancellation", CoDisableCallCancellation },
};

#define STUB_COUNT (sizeof(stubs) / sizeof(stubs[0]))

static void make_jump(unsigned char *code, const unsigned char *from, const void *to)
{
#ifdef _WIN64
    static const unsigned char jmp_rip[6] = { 0xff, 0x25, 0, 0, 0, 0 };
    ULONG_PTR address = (ULONG_PTR)to;

    (void)from;
    memcpy(code, jmp_rip, sizeof(jmp_rip));
    memcpy(code + sizeof(jmp_rip), &address, sizeof(address));
#else
    INT32 rel = (INT32)((const unsigned char *)to - (from + JUMP_SIZE));

    code[0] = 0xe9;
    memcpy(code + 1, &rel, sizeof(rel));
#endif
}

/* writes len bytes of code at entry: FALSE, with nothing written, when the
 * page cannot be made writable */
static BOOL write_code(unsigned char *entry, const unsigned char *code, SIZE_T len)
{
    DWORD old, ignored;

    if (!VirtualProtect(entry, len, PAGE_EXECUTE_READWRITE, &old)) return FALSE;
    memcpy(entry, code, len);
    VirtualProtect(entry, len, old, &ignored);
    FlushInstructionCache(GetCurrentProcess(), entry, len);
    return TRUE;
}

static void unpatch(unsigned int count)
{
    unsigned int i;

    for (i = 0; i < count; i++)
    {
        if (!stubs[i].entry) continue;
        if (!write_code(stubs[i].entry, stubs[i].saved, JUMP_SIZE))
            ERR("combase's %s cannot be restored\n", stubs[i].name);
        stubs[i].entry = NULL;
    }
}

void combase_patch_stubs(void)
{
    HMODULE combase = image_combase();
    unsigned char *entries[STUB_COUNT], jump[JUMP_SIZE];
    LARGE_INTEGER start, end, freq;
    unsigned int i, count = 0;
    SIZE_T len;

    QueryPerformanceCounter(&start);
    if (!combase)
    {
        olecancel_feature_off(OLECANCEL_FEATURE_COMBASE, "combase.dll is not loaded");
        return;
    }
    for (i = 0; i < STUB_COUNT; i++)
    {
        entries[i] = (unsigned char *)GetProcAddress(combase, stubs[i].name);
        if (!entries[i]) continue;
        if (!(len = wine_stub_length(combase, entries[i], stubs[i].name)))
        {
            entries[i] = NULL;   /* Wine's own: left alone */
            continue;
        }
        if (len < JUMP_SIZE)
        {
            olecancel_feature_off(OLECANCEL_FEATURE_COMBASE, "combase's stub of %s is %lu bytes, a jump needs %u",
                                  stubs[i].name, (unsigned long)len, JUMP_SIZE);
            return;
        }
        count++;
    }
    for (i = 0; i < STUB_COUNT; i++)
    {
        if (!entries[i]) continue;
        memcpy(stubs[i].saved, entries[i], JUMP_SIZE);
        make_jump(jump, entries[i], stubs[i].target);
        if (!write_code(entries[i], jump, JUMP_SIZE))
        {
            olecancel_feature_off(OLECANCEL_FEATURE_COMBASE, "combase's code of %s cannot be made writable (error %lu)",
                                  stubs[i].name, GetLastError());
            unpatch(i);
            return;
        }
        stubs[i].entry = entries[i];
    }
    QueryPerformanceCounter(&end);
    QueryPerformanceFrequency(&freq);
    TRACE("%u of combase's stubs now reach olecancel (%.1f us)\n", count,
          (double)(end.QuadPart - start.QuadPart) * 1e6 / (double)freq.QuadPart);
    for (i = 0; i < STUB_COUNT; i++)
        if (!stubs[i].entry) TRACE("combase's %s is left as it is (Wine's own, or not exported)\n", stubs[i].name);
}

void combase_unpatch_stubs(void)
{
    unpatch(STUB_COUNT);
}
