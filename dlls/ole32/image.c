/*
 * olecancel: which loaded image an address lies in
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
 * You should have received a copy of the GNU Lesser General Public
 * License along with this library; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA
 */

/*
 * olecancel tells Wine's objects and code from a program's by where their
 * vtables and functions lie.  The test reads the image's own headers
 * instead of asking the loader (GetModuleHandleEx takes the loader lock),
 * so it costs nothing on a call's path and cannot wait for another thread.
 */

#include "olecancel_private.h"

BOOL image_contains(HMODULE module, const void *ptr, SIZE_T len)
{
    const IMAGE_DOS_HEADER *dos = (const IMAGE_DOS_HEADER *)module;
    const IMAGE_NT_HEADERS *nt;
    const char *start = (const char *)module, *p = ptr;

    if (!module || dos->e_magic != IMAGE_DOS_SIGNATURE) return FALSE;
    nt = (const IMAGE_NT_HEADERS *)(start + dos->e_lfanew);
    if (nt->Signature != IMAGE_NT_SIGNATURE) return FALSE;
    return p >= start && p + len >= p && p + len <= start + nt->OptionalHeader.SizeOfImage;
}

HMODULE image_self(void)
{
    extern IMAGE_DOS_HEADER __ImageBase;
    return (HMODULE)&__ImageBase;
}

/* combase and rpcrt4 are imports of this DLL: loaded before it and not
 * unloaded while it is, so their handles are looked up once (threads that
 * race here store the same value) */
HMODULE image_combase(void)
{
    static HMODULE volatile combase;
    if (!combase) combase = GetModuleHandleW(L"combase.dll");
    return combase;
}

HMODULE image_rpcrt4(void)
{
    static HMODULE volatile rpcrt4;
    if (!rpcrt4) rpcrt4 = GetModuleHandleW(L"rpcrt4.dll");
    return rpcrt4;
}
