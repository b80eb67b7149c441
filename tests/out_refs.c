/*
 * olecancel: [out] interface pointers of replies that a cancel dropped
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
 * The server (an MTA object of this process, called from STAs, so every
 * call crosses apartments) hands out a new callback object from
 * GetCallback and counts the callbacks alive.  A reply whose caller never
 * sees it must give the references it carries back, or the callback lives
 * for ever (Wine has no pinging):
 *   - synchronous: a CoCancelCall that wins against a reply that has
 *     already reached the worker -- the diagnostics export has the worker
 *     hold each reply, so every round lands the cancel in that window;
 *   - asynchronous: the reply of a call cancelled while the method ran,
 *     of a call object released after Begin_ (fire and forget), and of a
 *     completed call object released without Finish_.
 * Every wait is bounded.
 */

#include <windows.h>
#include <objbase.h>
#include <stdio.h>
#include <stddef.h>
#include <initguid.h>
#include "olecancel_test.h"
#include "wine_test.h"
#include "test_util.h"

#define PS_DLL "olecancel_ps.dll"
#define BOUND 10000     /* ms: the longest any single wait may take */
#define HOLD_MS 300     /* how long the worker holds a reply in the synchronous rounds */
#define ROUNDS 5

static const struct olecancel_diag *diag;
static char exe_path[MAX_PATH];

/* ---- the server ---------------------------------------------------------------- */

static LONG callbacks_alive;
static HANDLE ev_entered, ev_returned, ev_release;   /* GetCallback entered / about to return / may return */

static HRESULT WINAPI callback_QueryInterface(IOcCallback *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IOcCallback))
    {
        *ppv = iface;
        IOcCallback_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

struct callback { IOcCallback IOcCallback_iface; LONG refcount; };

static ULONG WINAPI callback_AddRef(IOcCallback *iface)
{
    return InterlockedIncrement(&CONTAINING_RECORD(iface, struct callback, IOcCallback_iface)->refcount);
}

static ULONG WINAPI callback_Release(IOcCallback *iface)
{
    struct callback *cb = CONTAINING_RECORD(iface, struct callback, IOcCallback_iface);
    ULONG ref = InterlockedDecrement(&cb->refcount);
    if (!ref)
    {
        free(cb);
        InterlockedDecrement(&callbacks_alive);
    }
    return ref;
}

static HRESULT WINAPI callback_Ping(IOcCallback *iface, LONG value, LONG *result)
{
    *result = value;
    return S_OK;
}

static const IOcCallbackVtbl callback_vtbl = { callback_QueryInterface, callback_AddRef, callback_Release, callback_Ping };

static HRESULT WINAPI server_QueryInterface(IOcTest *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IOcTest))
    {
        *ppv = iface;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

/* one static server object: only the callbacks are counted */
static ULONG WINAPI server_AddRef(IOcTest *iface) { return 2; }
static ULONG WINAPI server_Release(IOcTest *iface) { return 1; }
static HRESULT WINAPI server_Add(IOcTest *iface, LONG a, LONG b, LONG *sum) { *sum = a + b; return S_OK; }
static HRESULT WINAPI server_Twice(IOcTest *iface, LONG *value) { return E_NOTIMPL; }
static HRESULT WINAPI server_Echo(IOcTest *iface, BSTR in, BSTR *out) { *out = NULL; return E_NOTIMPL; }
static HRESULT WINAPI server_Sum(IOcTest *iface, LONG count, const LONG *values, LONG *total) { return E_NOTIMPL; }
static HRESULT WINAPI server_Sleep(IOcTest *iface, DWORD ms, HRESULT hr) { return E_NOTIMPL; }
static HRESULT WINAPI server_Block(IOcTest *iface, DWORD ms) { return E_NOTIMPL; }
static HRESULT WINAPI server_Unblock(IOcTest *iface) { return E_NOTIMPL; }
static HRESULT WINAPI server_CallBack(IOcTest *iface, IOcCallback *cb, LONG value, LONG *result) { return E_NOTIMPL; }
static HRESULT WINAPI server_GetCount(IOcTest *iface, LONG *count) { return E_NOTIMPL; }
static HRESULT WINAPI server_Fail(IOcTest *iface, HRESULT hr) { return hr; }
static HRESULT WINAPI server_WaitCancel(IOcTest *iface, DWORD ms) { return E_NOTIMPL; }
static HRESULT WINAPI server_LastWaitCancel(IOcTest *iface, LONG *first, LONG *saw) { return E_NOTIMPL; }

/* waits (bounded) for ev_release, then hands out a new callback */
static HRESULT WINAPI server_GetCallback(IOcTest *iface, IOcCallback **out)
{
    struct callback *cb;

    SetEvent(ev_entered);
    WaitForSingleObject(ev_release, BOUND);
    if (!(cb = calloc(1, sizeof(*cb)))) return E_OUTOFMEMORY;
    cb->IOcCallback_iface.lpVtbl = &callback_vtbl;
    cb->refcount = 1;
    InterlockedIncrement(&callbacks_alive);
    *out = &cb->IOcCallback_iface;
    SetEvent(ev_returned);
    return S_OK;
}

static const IOcTestVtbl server_vtbl =
{
    server_QueryInterface, server_AddRef, server_Release,
    server_Add, server_Twice, server_Echo, server_Sum, server_Sleep, server_Block, server_Unblock,
    server_CallBack, server_GetCallback, server_GetCount, server_Fail, server_WaitCancel, server_LastWaitCancel
};

static IOcTest server = { &server_vtbl };

static HGLOBAL server_objref;   /* MSHLFLAGS_TABLESTRONG, from the MTA */
static HANDLE mta_ready, mta_quit;

/* TABLESTRONG marshal data of the server, for the apartment of this thread */
static HGLOBAL marshal_server(const char *where)
{
    HGLOBAL objref = NULL;
    IStream *stream;
    HRESULT hr;

    CreateStreamOnHGlobal(NULL, FALSE, &stream);
    hr = CoMarshalInterface(stream, &IID_IOcTest, (IUnknown *)&server, MSHCTX_INPROC, NULL, MSHLFLAGS_TABLESTRONG);
    ok(hr == S_OK, "%s: CoMarshalInterface: %#lx\n", where, hr);
    GetHGlobalFromStream(stream, &objref);
    IStream_Release(stream);
    return objref;
}

static void release_server(HGLOBAL objref)
{
    IStream *stream;

    if (CreateStreamOnHGlobal(objref, TRUE, &stream) != S_OK) return;
    CoReleaseMarshalData(stream);
    IStream_Release(stream);
}

static DWORD WINAPI mta_host(void *arg)
{
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    server_objref = marshal_server("MTA");
    SetEvent(mta_ready);
    WaitForSingleObject(mta_quit, 5 * 60000);
    release_server(server_objref);
    CoUninitialize();
    return 0;
}

static IOcTest *get_proxy_from(HGLOBAL objref)
{
    IOcTest *proxy = NULL;
    IStream *stream;
    HRESULT hr;

    CreateStreamOnHGlobal(objref, FALSE, &stream);
    hr = CoUnmarshalInterface(stream, &IID_IOcTest, (void **)&proxy);
    ok(hr == S_OK, "CoUnmarshalInterface: %#lx\n", hr);
    IStream_Release(stream);
    return proxy;
}

static IOcTest *get_proxy(void)
{
    return get_proxy_from(server_objref);
}

/* the same object served by an STA of this process: an MTA thread's
 * calls to it are posted to the STA's window */
static HGLOBAL sta_objref;
static HANDLE sta_ready, sta_quit;

static DWORD WINAPI sta_host(void *arg)
{
    MSG msg;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    sta_objref = marshal_server("STA");
    SetEvent(sta_ready);
    while (MsgWaitForMultipleObjects(1, &sta_quit, FALSE, 5 * 60000, QS_ALLINPUT) == WAIT_OBJECT_0 + 1)
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
    release_server(sta_objref);
    CoUninitialize();
    return 0;
}

/* bounded: the references come back on a thread-pool thread */
static LONG wait_callbacks_gone(void)
{
    DWORD start = GetTickCount();
    MSG msg;

    while (callbacks_alive && GetTickCount() - start < BOUND)
    {
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
        Sleep(10);
    }
    return callbacks_alive;
}

static void reset_server(void)
{
    ResetEvent(ev_entered);
    ResetEvent(ev_returned);
    ResetEvent(ev_release);
}

/* ---- synchronous: the cancel wins against a reply that has arrived ------------ */

struct sync_caller
{
    HRESULT hr;
    IOcCallback *cb;
    DWORD model;
    HGLOBAL objref;
    HANDLE returned;   /* the call returned (releasing the proxy may still be a call) */
};

static DWORD WINAPI sync_caller_thread(void *arg)
{
    struct sync_caller *c = arg;
    IOcTest *proxy;

    CoInitializeEx(NULL, c->model);
    if ((proxy = get_proxy_from(c->objref)))
    {
        CoEnableCallCancellation(NULL);
        c->hr = IOcTest_GetCallback(proxy, &c->cb);
        if (c->returned) SetEvent(c->returned);
        CoDisableCallCancellation(NULL);
        if (c->cb) IOcCallback_Release(c->cb);
        IOcTest_Release(proxy);
    }
    CoUninitialize();
    return 0;
}

static void test_sync_reply_dropped(void)
{
    LONG released0 = diag->dropped_refs_released(), alive;
    int round;

    diag->hold_replies(HOLD_MS);
    for (round = 0; round < ROUNDS; round++)
    {
        struct sync_caller c = { 0xdeadbeef, (IOcCallback *)0xdeadbeef, COINIT_APARTMENTTHREADED, server_objref, NULL };
        HANDLE thread;
        DWORD tid;
        HRESULT hr;

        winetest_push_context("round %d", round);
        reset_server();
        SetEvent(ev_release);
        thread = CreateThread(NULL, 0, sync_caller_thread, &c, 0, &tid);
        if (!wait_bounded(ev_returned, BOUND, "GetCallback"))
        {
            winetest_pop_context();
            CloseHandle(thread);
            break;
        }
        /* the reply is marshaled and sent within a few ms; the worker holds it HOLD_MS */
        Sleep(HOLD_MS / 3);
        hr = CoCancelCall(tid, 0);
        ok(hr == S_OK, "CoCancelCall: %#lx\n", hr);
        wait_bounded(thread, BOUND, "caller");
        CloseHandle(thread);
        ok(c.hr == RPC_E_CALL_CANCELED, "GetCallback: %#lx\n", c.hr);
        ok(!c.cb, "callback %p handed out\n", c.cb);
        alive = wait_callbacks_gone();
        ok(alive == 0, "%ld callbacks alive after the cancelled call (0 expected)\n", alive);
        winetest_pop_context();
        if (alive) InterlockedExchange(&callbacks_alive, 0);   /* count the next round on its own */
    }
    diag->hold_replies(0);
    trace("synchronous: %d rounds, %ld interfaces of dropped replies released\n", round,
          diag->dropped_refs_released() - released0);
}

/* ---- posted: an MTA caller gives up on an STA of this process ------------------ */

/* the STA is still in the method when the cancel ends the caller's wait;
 * the reply it makes later has nobody to go to and gives its interfaces'
 * references back */
static void test_posted_reply_dropped(void)
{
    LONG alive, orphaned = -1;
    HANDLE thread;
    DWORD tid;
    int round;

    if (diag->size < offsetof(struct olecancel_diag, posted_calls_orphaned) + sizeof(void *))
    {
        ok(0, "no posted-call diagnostics\n");
        return;
    }
    sta_ready = CreateEventW(NULL, TRUE, FALSE, NULL);
    sta_quit = CreateEventW(NULL, TRUE, FALSE, NULL);
    thread = CreateThread(NULL, 0, sta_host, NULL, 0, NULL);
    if (!wait_bounded(sta_ready, BOUND, "STA host")) goto done;

    for (round = 0; round < ROUNDS; round++)
    {
        struct sync_caller c = { 0xdeadbeef, (IOcCallback *)0xdeadbeef, COINIT_MULTITHREADED, sta_objref, NULL };
        HANDLE caller;
        HRESULT hr;

        winetest_push_context("round %d", round);
        reset_server();
        c.returned = CreateEventW(NULL, TRUE, FALSE, NULL);
        caller = CreateThread(NULL, 0, sync_caller_thread, &c, 0, &tid);
        if (!wait_bounded(ev_entered, BOUND, "GetCallback in the STA"))
        {
            SetEvent(ev_release);
            wait_bounded(caller, BOUND, "caller");
            CloseHandle(caller);
            CloseHandle(c.returned);
            winetest_pop_context();
            break;
        }
        hr = CoCancelCall(tid, 0);
        ok(hr == S_OK, "CoCancelCall: %#lx\n", hr);
        /* the method has not returned: only the cancel can end the wait
         * (the proxy's release afterwards is a call to the STA, which waits) */
        ok(wait_bounded(c.returned, 5000, "caller released by the cancel"), "caller still blocked\n");
        ok(c.hr == RPC_E_CALL_CANCELED, "GetCallback: %#lx\n", c.hr);
        ok(!c.cb, "callback %p handed out\n", c.cb);
        orphaned = diag->posted_calls_orphaned();
        ok(orphaned == 1, "posted calls left with the STA: %ld\n", orphaned);
        SetEvent(ev_release);
        wait_bounded(caller, BOUND, "caller");
        CloseHandle(caller);
        CloseHandle(c.returned);
        alive = wait_callbacks_gone();
        ok(alive == 0, "%ld callbacks alive after the cancelled call (0 expected)\n", alive);
        orphaned = wait_posted_orphans(0, BOUND);
        ok(orphaned == 0, "posted calls still left with the STA: %ld\n", orphaned);
        winetest_pop_context();
        if (alive) InterlockedExchange(&callbacks_alive, 0);
    }
    trace("posted: %d rounds, %ld calls carried\n", round, diag->posted_calls_carried());
done:
    SetEvent(sta_quit);
    wait_bounded(thread, BOUND, "STA host exit");
    CloseHandle(thread);
    CloseHandle(sta_ready);
    CloseHandle(sta_quit);
}

/* ---- asynchronous: late replies ------------------------------------------------ */

static HRESULT create_call(IOcTest *proxy, AsyncIOcTest **call)
{
    ICallFactory *factory;
    IUnknown *unk;
    HRESULT hr;

    *call = NULL;
    if (FAILED(hr = IOcTest_QueryInterface(proxy, &IID_ICallFactory, (void **)&factory))) return hr;
    hr = ICallFactory_CreateCall(factory, &IID_AsyncIOcTest, NULL, &IID_IUnknown, &unk);
    ICallFactory_Release(factory);
    if (FAILED(hr)) return hr;
    hr = IUnknown_QueryInterface(unk, &IID_AsyncIOcTest, (void **)call);
    IUnknown_Release(unk);
    return hr;
}

static void wait_pool_idle(void)
{
    DWORD start = GetTickCount();
    LONG threads, busy, queued;

    do
    {
        Sleep(20);
        diag->pool_stats(&threads, &busy, &queued);
    } while ((busy || queued) && GetTickCount() - start < BOUND);
}

/* a call object with GetCallback begun and entered in the server, which
 * returns at once when `release` is set, else when ev_release is */
static AsyncIOcTest *begin_get_callback(IOcTest *proxy, BOOL release)
{
    AsyncIOcTest *call;
    HRESULT hr;

    reset_server();
    if (release) SetEvent(ev_release);
    hr = create_call(proxy, &call);
    ok(hr == S_OK, "CreateCall: %#lx\n", hr);
    if (FAILED(hr)) return NULL;
    hr = AsyncIOcTest_Begin_GetCallback(call);
    ok(hr == S_OK, "Begin_GetCallback: %#lx\n", hr);
    wait_bounded(ev_entered, BOUND, "GetCallback entered");
    return call;
}

/* bounded: the pool has finished, and the references came back */
static void check_callbacks_gone(const char *after)
{
    LONG alive;

    wait_pool_idle();
    alive = wait_callbacks_gone();
    ok(alive == 0, "%ld callbacks alive after %s (0 expected)\n", alive, after);
    if (alive) InterlockedExchange(&callbacks_alive, 0);   /* count the next case on its own */
}

static void test_async_cancelled(IOcTest *proxy)
{
    IOcCallback *cb = (IOcCallback *)0xdeadbeef;
    ICancelMethodCalls *cancel;
    AsyncIOcTest *call;
    HRESULT hr;

    if (!(call = begin_get_callback(proxy, FALSE))) return;
    hr = AsyncIOcTest_QueryInterface(call, &IID_ICancelMethodCalls, (void **)&cancel);
    ok(hr == S_OK, "QI(ICancelMethodCalls): %#lx\n", hr);
    hr = ICancelMethodCalls_Cancel(cancel, 0);
    ok(hr == S_OK, "Cancel: %#lx\n", hr);
    ICancelMethodCalls_Release(cancel);
    hr = AsyncIOcTest_Finish_GetCallback(call, &cb);
    ok(hr == RPC_E_CALL_CANCELED, "Finish_GetCallback: %#lx\n", hr);
    ok(!cb, "callback %p handed out\n", cb);
    /* the method now returns: its reply is late */
    SetEvent(ev_release);
    wait_bounded(ev_returned, BOUND, "GetCallback returned");
    check_callbacks_gone("the cancelled call's late reply");
    AsyncIOcTest_Release(call);
}

static void test_async_released(IOcTest *proxy)
{
    AsyncIOcTest *call;

    if (!(call = begin_get_callback(proxy, FALSE))) return;
    AsyncIOcTest_Release(call);
    SetEvent(ev_release);
    wait_bounded(ev_returned, BOUND, "GetCallback returned");
    check_callbacks_gone("a released call object's reply");
}

/* completed, then released without Finish_ */
static void test_async_unfinished(IOcTest *proxy)
{
    AsyncIOcTest *call;

    if (!(call = begin_get_callback(proxy, TRUE))) return;
    wait_bounded(ev_returned, BOUND, "GetCallback returned");
    wait_pool_idle();
    AsyncIOcTest_Release(call);
    check_callbacks_gone("a completed call object released without Finish_");
}

/* the same call, finished: the caller gets the callback and releases it */
static void test_async_finished(IOcTest *proxy)
{
    IOcCallback *cb = NULL;
    AsyncIOcTest *call;
    HRESULT hr;

    if (!(call = begin_get_callback(proxy, TRUE))) return;
    hr = AsyncIOcTest_Finish_GetCallback(call, &cb);
    ok(hr == S_OK && cb, "Finish_GetCallback: %#lx, %p\n", hr, cb);
    if (cb) IOcCallback_Release(cb);
    AsyncIOcTest_Release(call);
    check_callbacks_gone("a finished call");
}

static void test_async(void)
{
    LONG released0 = diag->dropped_refs_released();
    IOcTest *proxy;

    if (!(proxy = get_proxy())) return;
    test_async_finished(proxy);
    test_async_cancelled(proxy);
    test_async_released(proxy);
    test_async_unfinished(proxy);
    IOcTest_Release(proxy);
    trace("asynchronous: %ld interfaces of dropped replies released\n", diag->dropped_refs_released() - released0);
}

/* ---- set-up -------------------------------------------------------------------- */

START_TEST(out_refs)
{
    HRESULT (WINAPI *reg)(void), (WINAPI *unreg)(void);
    char path[MAX_PATH], *p;
    HMODULE ps;
    HANDLE host;

    diag = get_olecancel_diag();
    if (!diag || diag->size < offsetof(struct olecancel_diag, dropped_refs_released) + sizeof(void *))
    {
        skip("not olecancel's ole32, or an older one\n");
        return;
    }
    GetModuleFileNameA(NULL, exe_path, sizeof(exe_path));
    strcpy(path, exe_path);
    if ((p = strrchr(path, '\\'))) strcpy(p + 1, PS_DLL);
    if (!(ps = LoadLibraryA(path)))
    {
        skip("%s not found\n", path);
        return;
    }
    reg = (void *)GetProcAddress(ps, "DllRegisterServer");
    unreg = (void *)GetProcAddress(ps, "DllUnregisterServer");
    ok(reg && reg() == S_OK, "DllRegisterServer failed\n");

    ev_entered = CreateEventW(NULL, TRUE, FALSE, NULL);
    ev_returned = CreateEventW(NULL, TRUE, FALSE, NULL);
    ev_release = CreateEventW(NULL, TRUE, FALSE, NULL);
    mta_ready = CreateEventW(NULL, TRUE, FALSE, NULL);
    mta_quit = CreateEventW(NULL, TRUE, FALSE, NULL);
    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    host = CreateThread(NULL, 0, mta_host, NULL, 0, NULL);
    if (wait_bounded(mta_ready, BOUND, "MTA host"))
    {
        run_subtest(test_sync_reply_dropped);
        run_subtest(test_posted_reply_dropped);
        run_subtest(test_async);
    }
    SetEvent(mta_quit);
    wait_bounded(host, BOUND, "MTA host exit");
    CloseHandle(host);
    CoUninitialize();
    ok(unreg && unreg() == S_OK, "DllUnregisterServer failed\n");
    FreeLibrary(ps);
}
