/*
 * olecancel tests: async_mqi's local server, an IOcProbe object whose
 * QueryInterface(IOcCallback) can be held at a gate by the test
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

#ifndef OLECANCEL_ASYNC_MQI_SERVER_H
#define OLECANCEL_ASYNC_MQI_SERVER_H

#include "kept_stubs.h"

/* ---------------------------------------------------------------------------
 * The server object (in the child): IOcProbe, and IOcCallback behind a
 * gate — while the test keeps the gate closed, QueryInterface(IOcCallback)
 * says so on the "entered" event and waits for it to open, so that a
 * QueryMultipleInterfaces asking for it stays pending on the server.
 * ------------------------------------------------------------------------- */

static LONG server_objects;
static HANDLE gate, entered;

struct mqi_server
{
    IOcProbe IOcProbe_iface;
    IOcCallback IOcCallback_iface;
    LONG refcount;
};

static inline struct mqi_server *impl_from_IOcProbe(IOcProbe *iface)
{
    return CONTAINING_RECORD(iface, struct mqi_server, IOcProbe_iface);
}

static inline struct mqi_server *impl_from_IOcCallback(IOcCallback *iface)
{
    return CONTAINING_RECORD(iface, struct mqi_server, IOcCallback_iface);
}

static HRESULT WINAPI probe_QueryInterface(IOcProbe *iface, REFIID riid, void **ppv)
{
    struct mqi_server *server = impl_from_IOcProbe(iface);

    *ppv = NULL;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IOcProbe)) *ppv = &server->IOcProbe_iface;
    else if (IsEqualIID(riid, &IID_IOcCallback))
    {
        if (WaitForSingleObject(gate, 0) != WAIT_OBJECT_0)
        {
            SetEvent(entered);
            WaitForSingleObject(gate, BOUND);
        }
        *ppv = &server->IOcCallback_iface;
    }
    else return E_NOINTERFACE;
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI probe_AddRef(IOcProbe *iface)
{
    return InterlockedIncrement(&impl_from_IOcProbe(iface)->refcount);
}

static ULONG WINAPI probe_Release(IOcProbe *iface)
{
    struct mqi_server *server = impl_from_IOcProbe(iface);
    ULONG ref = InterlockedDecrement(&server->refcount);
    if (!ref)
    {
        free(server);
        InterlockedDecrement(&server_objects);
    }
    return ref;
}

static HRESULT WINAPI probe_GetRefs(IOcProbe *iface, LONG *refs, LONG *objects)
{
    *refs = impl_from_IOcProbe(iface)->refcount;
    *objects = server_objects;
    return S_OK;
}

static const IOcProbeVtbl probe_vtbl = { probe_QueryInterface, probe_AddRef, probe_Release, probe_GetRefs };

static HRESULT WINAPI callback_QueryInterface(IOcCallback *iface, REFIID riid, void **ppv)
{
    return probe_QueryInterface(&impl_from_IOcCallback(iface)->IOcProbe_iface, riid, ppv);
}

static ULONG WINAPI callback_AddRef(IOcCallback *iface)
{
    return probe_AddRef(&impl_from_IOcCallback(iface)->IOcProbe_iface);
}

static ULONG WINAPI callback_Release(IOcCallback *iface)
{
    return probe_Release(&impl_from_IOcCallback(iface)->IOcProbe_iface);
}

static HRESULT WINAPI callback_Ping(IOcCallback *iface, LONG value, LONG *result)
{
    *result = value + 1000;
    return S_OK;
}

static const IOcCallbackVtbl callback_vtbl = { callback_QueryInterface, callback_AddRef, callback_Release, callback_Ping };

static HRESULT WINAPI cf_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    struct mqi_server *server;
    HRESULT hr;

    *ppv = NULL;
    if (outer) return CLASS_E_NOAGGREGATION;
    if (!(server = calloc(1, sizeof(*server)))) return E_OUTOFMEMORY;
    server->IOcProbe_iface.lpVtbl = &probe_vtbl;
    server->IOcCallback_iface.lpVtbl = &callback_vtbl;
    server->refcount = 1;
    InterlockedIncrement(&server_objects);
    hr = probe_QueryInterface(&server->IOcProbe_iface, riid, ppv);
    probe_Release(&server->IOcProbe_iface);
    return hr;
}

static const IClassFactoryVtbl cf_vtbl =
{
    static_cf_QueryInterface, static_cf_AddRef, static_cf_Release, cf_CreateInstance, static_cf_LockServer
};
static IClassFactory server_cf = { &cf_vtbl };

/* the gate (manual reset, open) and the "entered" event (auto reset) of a server */
static void gate_events(const char *tag, HANDLE *gate_event, HANDLE *entered_event)
{
    char name[96];

    snprintf(name, sizeof(name), "olecancel_mqi_gate_%s", tag);
    *gate_event = CreateEventA(NULL, TRUE, TRUE, name);
    snprintf(name, sizeof(name), "olecancel_mqi_entered_%s", tag);
    *entered_event = CreateEventA(NULL, FALSE, FALSE, name);
}

/* child: "server <tag>" — exit code = server objects still alive */
static int run_server(const char *tag)
{
    struct kept_stubs kept = { 0 };
    HANDLE ready, quit;
    DWORD cookie;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    gate_events(tag, &gate, &entered);
    hr = CoRegisterClassObject(&CLSID_OcMqiServer, (IUnknown *)&server_cf, CLSCTX_LOCAL_SERVER,
                               REGCLS_MULTIPLEUSE, &cookie);
    if (FAILED(hr)) { printf("server: CoRegisterClassObject %#lx\n", hr); return 100; }
    kept_stubs_add(&kept, &IID_IOcProbe);
    kept_stubs_add(&kept, &IID_IOcCallback);
    local_server_events("olecancel_mqi", tag, &ready, &quit);
    SetEvent(ready);
    if (WaitForSingleObject(quit, 300000) != WAIT_OBJECT_0) printf("server: no quit signal\n");
    CoRevokeClassObject(cookie);
    Sleep(100);
    kept_stubs_release(&kept);
    CoUninitialize();
    return server_objects;
}

#endif /* OLECANCEL_ASYNC_MQI_SERVER_H */
