/*
 * olecancel: reaching Wine's builtin ole32 behind the drop-in
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Every export that the builtin implements itself is a generated jump
 * stub (forward_<arch>.S) through olecancel_fwd_table.  A slot starts at a
 * lazy entry that calls olecancel_fwd_resolve() once; after that the stub
 * is a single indirect jump.  See docs/forwarding.md.
 */

#include <stdio.h>
#include "olecancel_private.h"

#define EXCEPTION_WINE_STUB 0x80000100

extern void *olecancel_fwd_table[];
extern const unsigned int olecancel_fwd_count;
extern const char * const olecancel_fwd_names[];

static HMODULE builtin;
static INIT_ONCE builtin_once = INIT_ONCE_STATIC_INIT;

/* Wine's PE builtins carry this text right after the DOS header */
static BOOL is_wine_builtin(HMODULE module)
{
    const IMAGE_DOS_HEADER *dos = (const IMAGE_DOS_HEADER *)module;
    static const char signature[] = "Wine builtin DLL";

    if (dos->e_magic != IMAGE_DOS_SIGNATURE || dos->e_lfanew < sizeof(*dos) + sizeof(signature))
        return FALSE;
    return !memcmp(dos + 1, signature, sizeof(signature));
}

static HMODULE try_load(const WCHAR *path)
{
    HMODULE module;

    if (!(module = LoadLibraryExW(path, NULL, LOAD_WITH_ALTERED_SEARCH_PATH)))
    {
        TRACE("%s: not loadable, error %lu\n", debugstr_w(path), GetLastError());
        return NULL;
    }
    if (module == olecancel_instance)
    {
        TRACE("%s is olecancel itself\n", debugstr_w(path));
        FreeLibrary(module);
        return NULL;
    }
    if (!is_wine_builtin(module))
    {
        WARN("%s is not Wine's builtin ole32, ignoring it\n", debugstr_w(path));
        FreeLibrary(module);
        return NULL;
    }
    TRACE("builtin ole32 is %s (%p)\n", debugstr_w(path), module);
    return module;
}

static BOOL CALLBACK load_builtin(INIT_ONCE *once, void *param, void **context)
{
#ifdef _WIN64
    static const WCHAR arch_dir[] = L"\\x86_64-windows\\ole32.dll";
#else
    static const WCHAR arch_dir[] = L"\\i386-windows\\ole32.dll";
#endif
    WCHAR self[MAX_PATH], path[MAX_PATH + 64], name[16], dir[MAX_PATH];
    const WCHAR *p;
    UINT len;
    int i;

    if (!GetModuleFileNameW(olecancel_instance, self, MAX_PATH)) self[0] = 0;

    /* installed beside a program: system32\ole32.dll is Wine's placeholder,
     * and loading it by path gives the builtin as a module of its own */
    len = GetSystemDirectoryW(path, MAX_PATH);
    if (len && len < MAX_PATH)
    {
        lstrcatW(path, L"\\ole32.dll");
        if (lstrcmpiW(path, self) && (builtin = try_load(path))) return TRUE;
    }

    /* installed as system32\ole32.dll: that path is ourselves, so load the
     * builtin from Wine's own DLL folders, which Wine names in WINEDLLDIRn */
    for (i = 0; i < 32; i++)
    {
        wsprintfW(name, L"WINEDLLDIR%d", i);
        len = GetEnvironmentVariableW(name, dir, MAX_PATH);
        if (!len || len >= MAX_PATH) break;
        p = dir;
        if (!wcsncmp(p, L"\\??\\", 4)) p += 4;
        lstrcpyW(path, p);
        lstrcatW(path, arch_dir);
        if ((builtin = try_load(path))) return TRUE;
    }

    ERR("cannot find Wine's builtin ole32.dll (looked in the system directory and in "
        "WINEDLLDIR0..%d); every forwarded ole32 function will fail\n", i - 1);
    if (!olecancel_dbg_on(DBCL_ERR))
        fprintf(stderr, "olecancel: cannot find Wine's builtin ole32.dll\n");
    return TRUE;
}

HMODULE olecancel_builtin_module(void)
{
    InitOnceExecuteOnce(&builtin_once, load_builtin, NULL, NULL);
    return builtin;
}

/* Combase calls ole32's DestroyRunningObjectTable from every process's last
 * CoUninitialize.  The table it destroys is the builtin's, made only by code
 * running in the builtin -- which every caller reaches through this file, so
 * a builtin not loaded yet has no table.  Forwarding regardless would load
 * the builtin as a second module in every process that merely initialises
 * COM (measured: +508 KiB working set for CoInitializeEx+CoUninitialize). */
void WINAPI DestroyRunningObjectTable(void)
{
    void (WINAPI *destroy)(void);
    BOOL pending;

    if (!InitOnceBeginInitialize(&builtin_once, INIT_ONCE_CHECK_ONLY, &pending, NULL) || pending || !builtin)
    {
        TRACE("builtin ole32 not loaded: no running object table to destroy\n");
        return;
    }
    if ((destroy = (void *)GetProcAddress(builtin, "DestroyRunningObjectTable"))) destroy();
}

void *olecancel_builtin_proc(const char *name)
{
    HMODULE module = olecancel_builtin_module();
    return module ? (void *)GetProcAddress(module, name) : NULL;
}

/* What Wine does for a missing function: say which, then raise the same
 * non-continuable exception as its own stubs. */
static void DECLSPEC_NORETURN unimplemented(const char *name)
{
    ULONG_PTR args[2];

    ERR("unimplemented function ole32.dll.%s called (not in this Wine's builtin ole32)\n", name);
    if (!olecancel_dbg_on(DBCL_ERR))
        fprintf(stderr, "olecancel: unimplemented function ole32.dll.%s called\n", name);
    args[0] = (ULONG_PTR)"ole32.dll";
    args[1] = (ULONG_PTR)name;
    for (;;) RaiseException(EXCEPTION_WINE_STUB, EXCEPTION_NONCONTINUABLE, 2, args);
}

/* called by the generated lazy entries; returns where the stub continues */
void * __cdecl olecancel_fwd_resolve(unsigned int index)
{
    void *proc;

    if (index >= olecancel_fwd_count)
    {
        ERR("bad stub index %u\n", index);
        unimplemented("(bad stub index)");
    }
    if (!(proc = olecancel_builtin_proc(olecancel_fwd_names[index])))
        unimplemented(olecancel_fwd_names[index]);
    TRACE("%s -> %p\n", olecancel_fwd_names[index], proc);
    InterlockedExchangePointer(&olecancel_fwd_table[index], proc);
    return proc;
}
