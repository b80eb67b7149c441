/*
 * olecancel tests: async_race's local server, whose WaitCancel runs until
 * CoTestCancel reports the cancel or the test releases it, counting which
 * of the two ended it
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
 * Include after wine_test.h, test_util.h and async_util.h.
 */

#ifndef OLECANCEL_ASYNC_RACE_SERVER_H
#define OLECANCEL_ASYNC_RACE_SERVER_H

#include "kept_stubs.h"

/* {6f1c0a10-5b1e-4c61-9a57-0c7e0a5f0030}: this test's local server */
DEFINE_GUID(CLSID_RaceServer, 0x6f1c0a10,0x5b1e,0x4c61,0x9a,0x57,0x0c,0x7e,0x0a,0x5f,0x00,0x30);

/* ---------------------------------------------------------------------------
 * The server: WaitCancel runs until CoTestCancel reports the cancel or the
 * test releases it (Unblock), and counts which of the two ended it.
 * ------------------------------------------------------------------------- */

static LONG server_objects;
static LONG calls_entered;      /* WaitCancel calls that reached the method */
static LONG calls_running;      /* ... still in it */
static LONG calls_missed;       /* ... that ended without seeing a cancel */
static LONG releases;           /* Unblock ends the WaitCancel calls running then */

static HRESULT WINAPI server_QueryInterface(IOcTest2 *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IOcTest) || IsEqualIID(riid, &IID_IOcTest2))
    {
        *ppv = iface;
        IOcTest2_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static LONG server_refs;

static ULONG WINAPI server_AddRef(IOcTest2 *iface)
{
    return InterlockedIncrement(&server_refs);
}

static ULONG WINAPI server_Release(IOcTest2 *iface)
{
    ULONG ref = InterlockedDecrement(&server_refs);
    if (!ref) InterlockedDecrement(&server_objects);
    return ref;
}

static HRESULT WINAPI server_Add(IOcTest2 *iface, LONG a, LONG b, LONG *sum) { return E_NOTIMPL; }
static HRESULT WINAPI server_Twice(IOcTest2 *iface, LONG *value) { return E_NOTIMPL; }
static HRESULT WINAPI server_Echo(IOcTest2 *iface, BSTR in, BSTR *out) { return E_NOTIMPL; }
static HRESULT WINAPI server_Sum(IOcTest2 *iface, LONG count, const LONG *values, LONG *total) { return E_NOTIMPL; }
static HRESULT WINAPI server_Sleep(IOcTest2 *iface, DWORD ms, HRESULT hr) { return E_NOTIMPL; }
static HRESULT WINAPI server_Block(IOcTest2 *iface, DWORD timeout) { return E_NOTIMPL; }
static HRESULT WINAPI server_CallBack(IOcTest2 *iface, IOcCallback *cb, LONG value, LONG *result) { return E_NOTIMPL; }
static HRESULT WINAPI server_GetCallback(IOcTest2 *iface, IOcCallback **cb) { return E_NOTIMPL; }
static HRESULT WINAPI server_Fail(IOcTest2 *iface, HRESULT hr) { return hr; }
static HRESULT WINAPI server_Mul(IOcTest2 *iface, LONG a, LONG b, LONG *product) { return E_NOTIMPL; }

/* ends every WaitCancel running now */
static HRESULT WINAPI server_Unblock(IOcTest2 *iface)
{
    InterlockedIncrement(&releases);
    return S_OK;
}

/* the number of WaitCancel calls that reached the method */
static HRESULT WINAPI server_GetCount(IOcTest2 *iface, LONG *count)
{
    *count = calls_entered;
    return S_OK;
}

static HRESULT WINAPI server_WaitCancel(IOcTest2 *iface, DWORD timeout)
{
    DWORD start = GetTickCount();
    LONG release = releases;
    HRESULT hr = S_FALSE;

    InterlockedIncrement(&calls_entered);
    InterlockedIncrement(&calls_running);
    while (GetTickCount() - start < timeout)
    {
        if (CoTestCancel() == RPC_E_CALL_CANCELED)
        {
            hr = RPC_E_CALL_CANCELED;
            break;
        }
        if (releases != release) break;
        Sleep(2);
    }
    if (hr != RPC_E_CALL_CANCELED) InterlockedIncrement(&calls_missed);
    InterlockedDecrement(&calls_running);
    return hr;
}

/* here: *running = WaitCancel calls running now, *missed = those that ended
 * without seeing a cancel */
static HRESULT WINAPI server_LastWaitCancel(IOcTest2 *iface, LONG *running, LONG *missed)
{
    *running = calls_running;
    *missed = calls_missed;
    return S_OK;
}

static const IOcTest2Vtbl server_vtbl =
{
    server_QueryInterface, server_AddRef, server_Release,
    server_Add, server_Twice, server_Echo, server_Sum, server_Sleep, server_Block, server_Unblock,
    server_CallBack, server_GetCallback, server_GetCount, server_Fail, server_WaitCancel,
    server_LastWaitCancel, server_Mul
};

static IOcTest2 server_object = { (IOcTest2Vtbl *)&server_vtbl };

static void server_reset(void)
{
    calls_entered = calls_running = calls_missed = 0;
}

static HRESULT WINAPI cf_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    if (outer) return CLASS_E_NOAGGREGATION;
    if (InterlockedIncrement(&server_refs) == 1) InterlockedIncrement(&server_objects);
    HRESULT hr = IOcTest2_QueryInterface(&server_object, riid, ppv);
    IOcTest2_Release(&server_object);
    return hr;
}

static const IClassFactoryVtbl cf_vtbl =
{
    static_cf_QueryInterface, static_cf_AddRef, static_cf_Release, cf_CreateInstance, static_cf_LockServer
};
static IClassFactory server_cf = { &cf_vtbl };

/* child: "server <tag>"; exit code = server objects still alive */
static int run_server(const char *tag)
{
    struct kept_stubs kept = { 0 };
    char name[64];
    HANDLE ready, quit;
    DWORD cookie;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoRegisterClassObject(&CLSID_RaceServer, (IUnknown *)&server_cf, CLSCTX_LOCAL_SERVER,
                               REGCLS_MULTIPLEUSE, &cookie);
    if (FAILED(hr)) { printf("server: CoRegisterClassObject %#lx\n", hr); return 100; }
    kept_stubs_add(&kept, &IID_IOcTest);
    kept_stubs_add(&kept, &IID_IOcTest2);
    snprintf(name, sizeof(name), "olecancel_race_ready_%s", tag);
    ready = CreateEventA(NULL, TRUE, FALSE, name);
    snprintf(name, sizeof(name), "olecancel_race_quit_%s", tag);
    quit = CreateEventA(NULL, TRUE, FALSE, name);
    SetEvent(ready);
    if (WaitForSingleObject(quit, 300000)) printf("server: no quit signal\n");
    /* methods the client gave up on end now */
    InterlockedIncrement(&releases);
    CoRevokeClassObject(cookie);
    Sleep(100);
    kept_stubs_release(&kept);
    CoUninitialize();
    return server_objects;
}

#endif /* OLECANCEL_ASYNC_RACE_SERVER_H */
