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

/* the image mapping ptr lies in, as the memory manager sees it (no
 * loader lock either) */
HMODULE image_of(const void *ptr)
{
    MEMORY_BASIC_INFORMATION info;

    if (!VirtualQuery(ptr, &info, sizeof(info)) || info.State != MEM_COMMIT || info.Type != MEM_IMAGE)
        return NULL;
    return info.AllocationBase;
}

/* Where an import thunk ("jmp *[slot]", as linkers emit for a function a
 * DLL takes from its import table) leads; the code itself otherwise.  Only
 * bytes inside the thunk's own image are read. */
const void *image_follow_import_thunk(const void *code)
{
    const unsigned char *p = code;
    HMODULE module = image_of(code);
    void * const *slot;

    if (!module || !image_contains(module, p, 6) || p[0] != 0xff || p[1] != 0x25) return code;
#ifdef _WIN64
    slot = (void * const *)(p + 6 + *(const INT32 *)(p + 2));   /* rip-relative */
#else
    slot = (void * const *)(ULONG_PTR)*(const UINT32 *)(p + 2);  /* absolute */
#endif
    if (!image_contains(module, slot, sizeof(*slot))) return code;
    return *slot;
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
