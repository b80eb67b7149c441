/*
 * olecancel conformance tests: an STA that cancels a call waits the way
 * COM waits, serving calls into its apartment
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include <windows.h>
#include <objbase.h>
#include "wine_test.h"
#include "test_util.h"
#include "mta_host.h"

#define BOUND 10000        /* ms, for what must happen */

/* interfaces with a standard proxy that no object here answers: each
 * QueryInterface for them is a remote call */
#define IID_probe_server IID_IPersist
#define IID_probe_callback IID_IPersistStream

/* what the MTA object's QueryInterface does for IID_probe_server */
static IUnknown *server_callback;     /* a proxy to callback_object, in the MTA */
static HANDLE server_entered;         /* set when the probe QI starts */
static HRESULT server_saw_cancel;     /* CoTestCancel once the cancel came */
static HRESULT server_callback_hr;    /* the callback's answer */

static HRESULT server_query(REFIID riid)
{
    DWORD start;
    void *unused;

    if (IsEqualIID(riid, &IID_probe_server) && server_callback)
    {
        /* wait for the client's cancel, then call back into the STA that
         * cancels: that STA answers only if its cancel wait pumps */
        SetEvent(server_entered);
        start = GetTickCount();
        while ((server_saw_cancel = CoTestCancel()) != RPC_E_CALL_CANCELED && GetTickCount() - start < BOUND)
            Sleep(10);
        server_callback_hr = IUnknown_QueryInterface(server_callback, &IID_probe_callback, &unused);
    }
    return E_NOINTERFACE;
}

/* the object the server calls back into: lives in the cancelling STA */
static LONG callback_calls;

static HRESULT WINAPI callback_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    *ppv = NULL;
    if (IsEqualIID(riid, &IID_IUnknown))
    {
        *ppv = iface;
        IUnknown_AddRef(iface);
        return S_OK;
    }
    if (IsEqualIID(riid, &IID_probe_callback)) InterlockedIncrement(&callback_calls);
    return E_NOINTERFACE;
}

static ULONG WINAPI callback_AddRef(IUnknown *iface) { return 2; }
static ULONG WINAPI callback_Release(IUnknown *iface) { return 1; }
static const IUnknownVtbl callback_vtbl = { callback_QueryInterface, callback_AddRef, callback_Release };
static IUnknown callback_object = { &callback_vtbl };

struct caller
{
    IStream *callback_stream;
    HRESULT hr;
};

/* an STA making a cancellable call to the MTA object, which cancels it */
static DWORD WINAPI caller_thread(void *arg)
{
    struct caller *caller = arg;
    IUnknown *proxy;
    void *unused;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if ((proxy = mta_proxy()))
    {
        CoEnableCallCancellation(NULL);
        caller->hr = IUnknown_QueryInterface(proxy, &IID_probe_server, &unused);
        CoDisableCallCancellation(NULL);
        IUnknown_Release(proxy);
    }
    CoUninitialize();
    return 0;
}

static DWORD WINAPI unmarshal_callback(void *arg)
{
    struct caller *caller = arg;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    caller->hr = CoGetInterfaceAndReleaseStream(caller->callback_stream, &IID_IUnknown, (void **)&server_callback);
    CoUninitialize();   /* the MTA lives on in mta_thread */
    return 0;
}

static void test_cancel_wait_pumps(void)
{
    struct caller caller = { NULL, E_FAIL };
    HANDLE thread;
    DWORD tid;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    hr = CoMarshalInterThreadInterfaceInStream(&IID_IUnknown, &callback_object, &caller.callback_stream);
    ok(hr == S_OK, "marshaling the callback: %#lx\n", hr);
    thread = CreateThread(NULL, 0, unmarshal_callback, &caller, 0, NULL);
    wait_bounded(thread, BOUND, "unmarshaling thread");
    CloseHandle(thread);
    ok(caller.hr == S_OK && server_callback, "callback for the MTA: %#lx\n", caller.hr);
    if (!server_callback) goto done;

    server_entered = CreateEventW(NULL, TRUE, FALSE, NULL);
    caller.hr = E_FAIL;
    thread = CreateThread(NULL, 0, caller_thread, &caller, 0, &tid);
    ok(WaitForSingleObject(server_entered, BOUND) == WAIT_OBJECT_0, "the server never got the call\n");

    /* the server, told at once, calls back into this STA before it
     * returns: with a wait that serves that callback the call completes
     * within the grace time */
    hr = CoCancelCall(tid, 5);
    ok(hr == RPC_E_CALL_COMPLETE, "CoCancelCall(5) from an STA the server calls back into: %#lx\n", hr);
    ok(callback_calls == 1, "callback served %ld times during the cancel wait\n", callback_calls);

    pump_messages_until(thread, BOUND);
    ok(WaitForSingleObject(thread, 0) == WAIT_OBJECT_0, "caller thread did not finish\n");
    CloseHandle(thread);
    ok(server_saw_cancel == RPC_E_CALL_CANCELED, "server's CoTestCancel: %#lx\n", server_saw_cancel);
    ok(server_callback_hr == E_NOINTERFACE, "server's callback: %#lx\n", server_callback_hr);
    ok(caller.hr == E_NOINTERFACE, "caller's call: %#lx\n", caller.hr);
    CloseHandle(server_entered);
    IUnknown_Release(server_callback);
    server_callback = NULL;
done:
    CoUninitialize();
}

START_TEST(sta_wait)
{
    mta_query_hook = server_query;
    if (!mta_host_start())
    {
        skip("no MTA object\n");
        return;
    }
    run_subtest(test_cancel_wait_pumps);
    mta_host_stop();
}
