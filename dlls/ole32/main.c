/*
 * olecancel: DllMain and COM initialisation entry points
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * DllMain does no COM work.  olecancel's machinery (channel hooks, the
 * hooks into combase) is installed once per process, the first time the
 * process initialises COM through ole32.
 */

#include "olecancel_private.h"
#include <winternl.h>

HINSTANCE olecancel_instance;

static INIT_ONCE init_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK process_init(INIT_ONCE *once, void *param, void **context)
{
    TRACE("installing olecancel in process %lu\n", GetCurrentProcessId());
    olecancel_features_init();
    return TRUE;
}

/* Installing starts helper threads and waits for them, which cannot work
 * while this thread holds the loader lock (a DLL calling CoInitialize from
 * its DllMain).  Then it waits for the next initialisation outside it.
 * The PEB's LoaderLock field sits at a documented, fixed offset. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"   /* mingw's NtCurrentTeb() */
static BOOL loader_lock_held(void)
{
#ifdef _WIN64
    RTL_CRITICAL_SECTION *lock = *(RTL_CRITICAL_SECTION **)((char *)NtCurrentTeb()->ProcessEnvironmentBlock + 0x110);
#else
    RTL_CRITICAL_SECTION *lock = *(RTL_CRITICAL_SECTION **)((char *)NtCurrentTeb()->ProcessEnvironmentBlock + 0xa0);
#endif
    return lock && lock->OwningThread == ULongToHandle(GetCurrentThreadId());
}
#pragma GCC diagnostic pop

void olecancel_ensure_init(void)
{
    if (loader_lock_held())
    {
        TRACE("COM initialised under the loader lock; olecancel starts at the next initialisation\n");
        return;
    }
    InitOnceExecuteOnce(&init_once, process_init, NULL, NULL);
}

HRESULT WINAPI CoInitializeEx(void *reserved, DWORD model)
{
    static HRESULT (WINAPI *builtin_func)(void *, DWORD);
    HRESULT hr;

    TRACE("(%p, %#lx)\n", reserved, model);
    if (!builtin_func) builtin_func = olecancel_builtin_proc("CoInitializeEx");
    if (!builtin_func) return E_UNEXPECTED;
    hr = builtin_func(reserved, model);
    if (SUCCEEDED(hr)) olecancel_ensure_init();
    return hr;
}

HRESULT WINAPI CoInitialize(void *reserved)
{
    TRACE("(%p)\n", reserved);
    return CoInitializeEx(reserved, COINIT_APARTMENTTHREADED);
}

HRESULT WINAPI OleInitialize(void *reserved)
{
    static HRESULT (WINAPI *builtin_func)(void *);
    HRESULT hr;

    TRACE("(%p)\n", reserved);
    if (!builtin_func) builtin_func = olecancel_builtin_proc("OleInitialize");
    if (!builtin_func) return E_UNEXPECTED;
    hr = builtin_func(reserved);
    if (SUCCEEDED(hr)) olecancel_ensure_init();
    return hr;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    switch (reason)
    {
    case DLL_PROCESS_ATTACH:
        olecancel_instance = instance;
        break;
    case DLL_THREAD_DETACH:
        olecancel_thread_detach();
        break;
    case DLL_PROCESS_DETACH:
        if (!reserved) olecancel_thread_detach();
        break;
    }
    return TRUE;
}
