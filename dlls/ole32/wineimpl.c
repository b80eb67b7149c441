/*
 * olecancel: does this Wine already have the feature?
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Wine lists functions it does not implement as "@ stub" in a DLL's spec
 * file; winebuild then exports, under the function's name, a few
 * instructions that load the DLL's name and the function's name and call
 * the routine that raises "unimplemented function".  Such an export is
 * recognised here by its code, without calling it: the first instructions
 * load the address of a string that is the function's own name.  A
 * function whose code does not look like that is taken as implemented,
 * and olecancel then uses Wine's instead of its own.
 */

#include "olecancel_private.h"

static BOOL is_name(HMODULE module, const char *str, const char *name)
{
    SIZE_T len = strlen(name) + 1;
    return image_contains(module, str, len) && !memcmp(str, name, len);
}

/* winebuild's stub: x86_64 "sub $0x28,%rsp; lea dll(%rip),%rcx;
 * lea name(%rip),%rdx; call" (either lea first).  i386 (seen in Wine 8.0
 * and 10.0): a few nops, then "sub $0xc,%esp; movl $name,4(%esp);
 * movl $dll,(%esp); call"; older winebuilds pushed the two addresses.
 * The answer is the length of those instructions, up to and including
 * the call (0: not a stub): code that replaces a stub must fit in it. */
SIZE_T wine_stub_length(HMODULE module, const void *entry, const char *name)
{
    const unsigned char *start = entry, *code = entry;
    BOOL named = FALSE;
    int i;

    if (!image_contains(module, code, 48)) return 0;
#ifdef _WIN64
    if (code[0] != 0x48 || code[1] != 0x83 || code[2] != 0xec) return 0;
    for (code += 4, i = 0; i < 2; i++, code += 7)
    {
        if (code[0] != 0x48 || code[1] != 0x8d || (code[2] != 0x0d && code[2] != 0x15)) return 0;
        if (is_name(module, (const char *)(code + 7 + *(const INT32 *)(code + 3)), name)) named = TRUE;
    }
#else
    for (i = 0; i < 16 && code[i] == 0x90; i++) ;
    code += i;
    if (code[0] == 0x68)
    {
        for (i = 0; i < 2; i++, code += 5)
        {
            if (code[0] != 0x68) return 0;
            if (is_name(module, (const char *)(ULONG_PTR)*(const UINT32 *)(code + 1), name)) named = TRUE;
        }
    }
    else
    {
        if (code[0] != 0x83 || code[1] != 0xec) return 0;
        code += 3;
        for (i = 0; i < 2; i++)
        {
            /* movl $imm32,4(%esp) is c7 44 24 04; movl $imm32,(%esp) is c7 04 24 */
            if (code[0] == 0xc7 && code[1] == 0x44 && code[2] == 0x24 && code[3] == 0x04)
            {
                if (is_name(module, (const char *)(ULONG_PTR)*(const UINT32 *)(code + 4), name)) named = TRUE;
                code += 8;
            }
            else if (code[0] == 0xc7 && code[1] == 0x04 && code[2] == 0x24)
            {
                if (is_name(module, (const char *)(ULONG_PTR)*(const UINT32 *)(code + 3), name)) named = TRUE;
                code += 7;
            }
            else return 0;
        }
    }
#endif
    /* call rel32 to the routine that raises "unimplemented function" */
    if (!named || code[0] != 0xe8) return 0;
    return code + 5 - start;
}

/* combasepatch.c redirects a stub with an absolute jump (x86_64: "jmp
 * *0(%rip)" and the address; i386: "jmp rel32") into this module */
static BOOL jumps_here(const unsigned char *code)
{
    const DWORD flags = GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT;
    const void *target = NULL;
    HMODULE owner, self;
#ifdef __x86_64__
    static const unsigned char jmp[] = { 0xff, 0x25, 0, 0, 0, 0 };

    if (!memcmp(code, jmp, sizeof(jmp))) memcpy(&target, code + sizeof(jmp), sizeof(target));
#else
    INT32 rel;

    if (code[0] == 0xe9)
    {
        memcpy(&rel, code + 1, sizeof(rel));
        target = code + 5 + rel;
    }
#endif
    return target && GetModuleHandleExW(flags, target, &owner) && GetModuleHandleExW(flags, (const void *)jumps_here, &self) &&
           owner == self;
}

void *wine_implementation(const WCHAR *dll, const char *name)
{
    HMODULE module = GetModuleHandleW(dll);
    void *proc;

    if (!module || !(proc = (void *)GetProcAddress(module, name))) return NULL;
    /* a forwarder or an export outside the image is not a stub of ours to judge */
    if (!image_contains(module, proc, 1)) return proc;
    /* a stub olecancel has redirected to itself is still no implementation */
    if (jumps_here(proc)) return NULL;
    return wine_stub_length(module, proc, name) ? NULL : proc;
}

static const char * const cancel_api[] = { "CoCancelCall", "CoTestCancel", "CoSetCancelObject", "CoGetCancelObject" };

static BOOL CALLBACK check_cancel_api(INIT_ONCE *once, void *param, void **context)
{
    unsigned int i, implemented = 0;

    for (i = 0; i < sizeof(cancel_api) / sizeof(cancel_api[0]); i++)
        if (wine_implementation(L"combase.dll", cancel_api[i])) implemented++;
    /* all or nothing: the four share one per-thread state */
    *(BOOL *)param = implemented == sizeof(cancel_api) / sizeof(cancel_api[0]);
    if (*(BOOL *)param) TRACE("Wine's combase implements the cancel API: using Wine's\n");
    else if (implemented) TRACE("Wine's combase implements %u of the four cancel functions: using olecancel's\n", implemented);
    else TRACE("Wine's combase has no cancel API (stubs): using olecancel's\n");
    return TRUE;
}

BOOL wine_has_cancel_api(void)
{
    static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    static BOOL has;

    InitOnceExecuteOnce(&once, check_cancel_api, &has, NULL);
    return has;
}

void *wine_cancel_api(const char *name)
{
    return wine_has_cancel_api() ? wine_implementation(L"combase.dll", name) : NULL;
}

/* What Wine's proxy manager answered to QI(ICallFactory): its own
 * ICallFactory, or not.  A standard proxy of stock Wine turns the QI into
 * a remote QueryInterface; that fails, or -- when the server object
 * implements ICallFactory for its own asynchronous processing -- yields an
 * interface proxy to the server's ICallFactory, whose methods are NDR
 * proxy code, never the proxy manager's.  So only an interface whose
 * vtable and methods lie inside Wine's own module (combase) is taken for
 * Wine's implementation. */
BOOL wine_answers_call_factory(HRESULT hr, IUnknown *factory, HMODULE wine)
{
    const void * const *vtbl;
    int i;

    if (hr != S_OK || !factory || !wine) return FALSE;
    vtbl = *(const void * const * const *)factory;
    if (!image_contains(wine, vtbl, 4 * sizeof(void *))) return FALSE;
    /* QueryInterface, AddRef, Release, CreateCall */
    for (i = 0; i < 4; i++)
        if (!image_contains(wine, vtbl[i], 1)) return FALSE;
    return TRUE;
}
