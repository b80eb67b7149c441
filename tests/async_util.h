/*
 * olecancel tests: call objects, the test proxy/stub DLL and local servers
 * started from the test's own exe (shared by the asynchronous-call tests)
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
 *
 * Include after wine_test.h and test_util.h.
 */

#ifndef OLECANCEL_ASYNC_UTIL_H
#define OLECANCEL_ASYNC_UTIL_H

#define PS_DLL "olecancel_ps.dll"

/* CoWaitForMultipleHandles: an STA dispatches incoming calls meanwhile */
static WINETEST_UNUSED HRESULT wait_pumping(HANDLE event, DWORD ms)
{
    DWORD index;
    return CoWaitForMultipleHandles(0, ms, 1, &event, &index);
}

/* sleeps while dispatching incoming calls when in an STA (a thread
 * without COM just sleeps) */
static WINETEST_UNUSED void pump_sleep(DWORD ms)
{
    HANDLE event = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (wait_pumping(event, ms) == CO_E_NOTINITIALIZED) Sleep(ms);
    CloseHandle(event);
}

static WINETEST_UNUSED ULONG get_refcount(IUnknown *unk)
{
    IUnknown_AddRef(unk);
    return IUnknown_Release(unk);
}

/* ICallFactory::CreateCall(iid) on a proxy, not aggregated; *call is iid */
static WINETEST_UNUSED HRESULT create_call(IUnknown *proxy, REFIID iid, void **call)
{
    ICallFactory *factory;
    HRESULT hr;

    *call = NULL;
    if (FAILED(hr = IUnknown_QueryInterface(proxy, &IID_ICallFactory, (void **)&factory))) return hr;
    hr = ICallFactory_CreateCall(factory, iid, NULL, &IID_IUnknown, (IUnknown **)call);
    ICallFactory_Release(factory);
    if (SUCCEEDED(hr) && !IsEqualIID(iid, &IID_IUnknown))
    {
        IUnknown *unk = *call;
        hr = IUnknown_QueryInterface(unk, iid, call);
        IUnknown_Release(unk);
    }
    return hr;
}

static WINETEST_UNUSED HRESULT call_wait(void *call, DWORD ms)
{
    ISynchronize *sync;
    HRESULT hr;
    if (FAILED(hr = IUnknown_QueryInterface((IUnknown *)call, &IID_ISynchronize, (void **)&sync))) return hr;
    hr = ISynchronize_Wait(sync, 0, ms);
    ISynchronize_Release(sync);
    return hr;
}

static WINETEST_UNUSED HRESULT call_cancel(void *call, ULONG seconds)
{
    ICancelMethodCalls *cancel;
    HRESULT hr;
    if (FAILED(hr = IUnknown_QueryInterface((IUnknown *)call, &IID_ICancelMethodCalls, (void **)&cancel))) return hr;
    hr = ICancelMethodCalls_Cancel(cancel, seconds);
    ICancelMethodCalls_Release(cancel);
    return hr;
}

/* the test interfaces' proxy/stub DLL beside the exe, registered as an
 * installer would (DllRegisterServer); NULL (skipped) when it is missing */
static WINETEST_UNUSED HMODULE ps_dll_register(const char *exe)
{
    HRESULT (WINAPI *func)(void);
    char path[MAX_PATH], *p;
    HMODULE module;

    strcpy(path, exe);
    if ((p = strrchr(path, '\\'))) strcpy(p + 1, PS_DLL);
    if (!(module = LoadLibraryA(path)))
    {
        skip("%s not found\n", path);
        return NULL;
    }
    func = (void *)GetProcAddress(module, "DllRegisterServer");
    ok(func && func() == S_OK, "DllRegisterServer failed\n");
    return module;
}

static WINETEST_UNUSED void ps_dll_unregister(HMODULE module)
{
    HRESULT (WINAPI *func)(void) = (void *)GetProcAddress(module, "DllUnregisterServer");
    ok(func && func() == S_OK, "DllUnregisterServer failed\n");
    FreeLibrary(module);
}

/* the named events a local server started by local_server_start uses:
 * "<prefix>_ready_<tag>" (set once its class is registered) and
 * "<prefix>_quit_<tag>" (set by the test when it is to exit) */
static WINETEST_UNUSED void local_server_events(const char *prefix, const char *tag, HANDLE *ready, HANDLE *quit)
{
    char name[96];

    snprintf(name, sizeof(name), "%s_ready_%s", prefix, tag);
    *ready = CreateEventA(NULL, TRUE, FALSE, name);
    snprintf(name, sizeof(name), "%s_quit_%s", prefix, tag);
    *quit = CreateEventA(NULL, TRUE, FALSE, name);
}

/* runs `"exe" server tag` and waits (bounded) for its class to be registered */
static WINETEST_UNUSED HANDLE local_server_start(const char *exe, const char *prefix, const char *tag, HANDLE *quit)
{
    char cmd[MAX_PATH * 2];
    STARTUPINFOA si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    HANDLE ready;

    local_server_events(prefix, tag, &ready, quit);
    snprintf(cmd, sizeof(cmd), "\"%s\" server %s", exe, tag);
    if (!CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
    {
        ok(0, "CreateProcess: %lu\n", GetLastError());
        CloseHandle(ready);
        return NULL;
    }
    CloseHandle(pi.hThread);
    if (!wait_bounded(ready, 20000, "local server registration"))
    {
        TerminateProcess(pi.hProcess, 1);
        CloseHandle(pi.hProcess);
        pi.hProcess = NULL;
    }
    CloseHandle(ready);
    return pi.hProcess;
}

/* tells the server to exit; its exit code (255: killed after the bound) */
static WINETEST_UNUSED DWORD local_server_stop(HANDLE process, HANDLE quit)
{
    DWORD code = 255;

    SetEvent(quit);
    if (wait_bounded(process, 20000, "local server exit")) GetExitCodeProcess(process, &code);
    else TerminateProcess(process, 255);
    CloseHandle(process);
    CloseHandle(quit);
    return code;
}

#endif /* OLECANCEL_ASYNC_UTIL_H */
