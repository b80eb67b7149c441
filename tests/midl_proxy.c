/*
 * olecancel through a proxy/stub DLL in MIDL's /Oicf layout rather than
 * widl's: midl_ps.dll (tests/midl/, written by hand as MIDL emits it,
 * each difference from widl commented there), registered with its
 * DllRegisterServer.  Synchronous calls, client call objects (Begin_/
 * Finish_, Wait, Cancel), CoCancelCall of a synchronous call, and (x64)
 * a server object with ICallFactory served through its call objects; an
 * object in the MTA called from an STA, and a local server (this exe,
 * "server <tag>", MTA) called from an STA.
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

#ifndef CONST_VTABLE
#define CONST_VTABLE
#endif
#include <stdio.h>
#include <windows.h>
#include <objbase.h>
#include "midl/midl_work.h"
#include "midl/midl_work_i.c"
#include "wine_test.h"
#include "test_util.h"
#include "async_util.h"

#define BOUND 20000             /* ms: the longest any single wait may take */
#define MIDL_PS "midl_ps.dll"

#ifdef _WIN64
/* dlls/ole32/stubhook.c: server-side asynchronous calls are off in 32-bit processes */
#define SERVER_ASYNC TRUE
#else
#define SERVER_ASYNC FALSE
#endif

static char exe_path[MAX_PATH];

/* the local server's class: per run, Data2 from the client's process id */
static CLSID server_clsid(DWORD pid)
{
    CLSID id = {0x6f1c0a10, 0, 0x4c61, {0x9a, 0x57, 0x0c, 0x7e, 0x0a, 0x5f, 0x00, 0x43}};
    id.Data2 = (USHORT)(pid ^ (pid >> 16));
    return id;
}

/* ---------------------------------------------------------------------------
 * The server object (both cases): IOcMidlWork, ICallFactory
 * ------------------------------------------------------------------------- */

static LONG mw_objects;         /* server objects and call objects alive */
static LONG mw_busy, mw_begins, mw_finishes;
static HRESULT mw_last_cancel = S_OK;

/* Work's body: polls for the caller's cancel (test() is CoTestCancel or
 * the call object's TestCancel) for up to ms */
static HRESULT mw_work(DWORD ms, LONG *value, HRESULT (*test)(void *), void *ctx)
{
    DWORD start = GetTickCount();
    HRESULT hr = S_OK;

    InterlockedIncrement(&mw_busy);
    mw_last_cancel = E_PENDING;
    while (GetTickCount() - start < ms)
    {
        if ((hr = test(ctx)) == RPC_E_CALL_CANCELED) break;
        Sleep(10);
    }
    mw_last_cancel = hr;
    if (hr != RPC_E_CALL_CANCELED) *value = *value * 2 + 1;
    InterlockedDecrement(&mw_busy);
    return hr == RPC_E_CALL_CANCELED ? hr : S_OK;
}

static HRESULT co_test_cancel(void *ctx) { return CoTestCancel(); }

static BOOL mw_query(LONG a, LONG *sum, LONG *served)
{
    if (a == -1) { *sum = mw_busy; *served = mw_begins; return TRUE; }
    if (a == -2) { *sum = mw_last_cancel; *served = mw_finishes; return TRUE; }
    return FALSE;
}

/* ---- the server's call object (aggregated by COM's controlling unknown) -- */

struct mw_call
{
    IUnknown IUnknown_inner;
    AsyncIOcMidlWork AsyncIOcMidlWork_iface;
    LONG refcount;
    IUnknown *outer;
    LONG a, b, sum, served, value;
    DWORD ms;
    HRESULT result;
};

static struct mw_call *call_from_inner(IUnknown *iface) { return CONTAINING_RECORD(iface, struct mw_call, IUnknown_inner); }
static struct mw_call *call_from_async(AsyncIOcMidlWork *iface)
{
    return CONTAINING_RECORD(iface, struct mw_call, AsyncIOcMidlWork_iface);
}

static HRESULT WINAPI inner_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    struct mw_call *call = call_from_inner(iface);

    if (IsEqualIID(riid, &IID_IUnknown)) *ppv = &call->IUnknown_inner;
    else if (IsEqualIID(riid, &IID_AsyncIOcMidlWork)) *ppv = &call->AsyncIOcMidlWork_iface;
    else { *ppv = NULL; return E_NOINTERFACE; }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI inner_AddRef(IUnknown *iface) { return InterlockedIncrement(&call_from_inner(iface)->refcount); }

static ULONG WINAPI inner_Release(IUnknown *iface)
{
    struct mw_call *call = call_from_inner(iface);
    ULONG ref = InterlockedDecrement(&call->refcount);

    if (!ref)
    {
        free(call);
        InterlockedDecrement(&mw_objects);
    }
    return ref;
}

static const IUnknownVtbl inner_vtbl = { inner_QueryInterface, inner_AddRef, inner_Release };

static HRESULT WINAPI call_QueryInterface(AsyncIOcMidlWork *iface, REFIID riid, void **ppv)
{
    return IUnknown_QueryInterface(call_from_async(iface)->outer, riid, ppv);
}
static ULONG WINAPI call_AddRef(AsyncIOcMidlWork *iface) { return IUnknown_AddRef(call_from_async(iface)->outer); }
static ULONG WINAPI call_Release(AsyncIOcMidlWork *iface) { return IUnknown_Release(call_from_async(iface)->outer); }

static void signal_outer(IUnknown *outer)
{
    ISynchronize *sync;

    if (SUCCEEDED(IUnknown_QueryInterface(outer, &IID_ISynchronize, (void **)&sync)))
    {
        ISynchronize_Signal(sync);
        ISynchronize_Release(sync);
    }
}

static HRESULT WINAPI call_Begin_Add(AsyncIOcMidlWork *iface, LONG a, LONG b)
{
    struct mw_call *call = call_from_async(iface);

    InterlockedIncrement(&mw_begins);
    call->a = a;
    call->b = b;
    signal_outer(call->outer);
    return S_OK;
}

static HRESULT WINAPI call_Finish_Add(AsyncIOcMidlWork *iface, LONG *sum, LONG *served)
{
    struct mw_call *call = call_from_async(iface);

    InterlockedIncrement(&mw_finishes);
    if (!mw_query(call->a, sum, served))
    {
        *sum = call->a + call->b;
        *served = 2;
    }
    return S_OK;
}

static HRESULT call_test_cancel(void *ctx)
{
    ICancelMethodCalls *cancel;
    HRESULT hr = RPC_S_CALLPENDING;

    if (SUCCEEDED(IUnknown_QueryInterface((IUnknown *)ctx, &IID_ICancelMethodCalls, (void **)&cancel)))
    {
        hr = ICancelMethodCalls_TestCancel(cancel);
        ICancelMethodCalls_Release(cancel);
    }
    return hr;
}

/* Work on the call object's own thread, which holds the controlling unknown until it signalled */
static DWORD WINAPI call_work_thread(void *arg)
{
    struct mw_call *call = arg;
    IUnknown *outer = call->outer;

    call->result = mw_work(call->ms, &call->value, call_test_cancel, outer);
    signal_outer(outer);
    IUnknown_Release(outer);
    return 0;
}

static HRESULT WINAPI call_Begin_Work(AsyncIOcMidlWork *iface, DWORD ms, LONG *value)
{
    struct mw_call *call = call_from_async(iface);
    HANDLE thread;

    InterlockedIncrement(&mw_begins);
    call->ms = ms;
    call->value = *value;
    IUnknown_AddRef(call->outer);
    if (!(thread = CreateThread(NULL, 0, call_work_thread, call, 0, NULL)))
    {
        IUnknown_Release(call->outer);
        return E_OUTOFMEMORY;
    }
    CloseHandle(thread);
    return S_OK;
}

static HRESULT WINAPI call_Finish_Work(AsyncIOcMidlWork *iface, LONG *value)
{
    struct mw_call *call = call_from_async(iface);

    InterlockedIncrement(&mw_finishes);
    *value = call->value;
    return call->result;
}

static const AsyncIOcMidlWorkVtbl call_vtbl =
{
    call_QueryInterface, call_AddRef, call_Release,
    call_Begin_Add, call_Finish_Add, call_Begin_Work, call_Finish_Work
};

/* ---- the server object ------------------------------------------------- */

struct mw_object
{
    IOcMidlWork IOcMidlWork_iface;
    ICallFactory ICallFactory_iface;
    LONG refcount;
};

static struct mw_object *obj_from_work(IOcMidlWork *iface) { return CONTAINING_RECORD(iface, struct mw_object, IOcMidlWork_iface); }
static struct mw_object *obj_from_factory(ICallFactory *iface)
{
    return CONTAINING_RECORD(iface, struct mw_object, ICallFactory_iface);
}

static HRESULT WINAPI obj_QueryInterface(IOcMidlWork *iface, REFIID riid, void **ppv)
{
    struct mw_object *obj = obj_from_work(iface);

    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IOcMidlWork)) *ppv = &obj->IOcMidlWork_iface;
    else if (IsEqualIID(riid, &IID_ICallFactory)) *ppv = &obj->ICallFactory_iface;
    else { *ppv = NULL; return E_NOINTERFACE; }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI obj_AddRef(IOcMidlWork *iface) { return InterlockedIncrement(&obj_from_work(iface)->refcount); }

static ULONG WINAPI obj_Release(IOcMidlWork *iface)
{
    struct mw_object *obj = obj_from_work(iface);
    ULONG ref = InterlockedDecrement(&obj->refcount);

    if (!ref)
    {
        free(obj);
        InterlockedDecrement(&mw_objects);
    }
    return ref;
}

static HRESULT WINAPI obj_Add(IOcMidlWork *iface, LONG a, LONG b, LONG *sum, LONG *served)
{
    if (mw_query(a, sum, served)) return S_OK;
    *sum = a + b;
    *served = 1;
    return S_OK;
}

static HRESULT WINAPI obj_Work(IOcMidlWork *iface, DWORD ms, LONG *value)
{
    return mw_work(ms, value, co_test_cancel, NULL);
}

static const IOcMidlWorkVtbl obj_vtbl = { obj_QueryInterface, obj_AddRef, obj_Release, obj_Add, obj_Work };

static HRESULT WINAPI factory_QueryInterface(ICallFactory *iface, REFIID riid, void **ppv)
{
    return obj_QueryInterface(&obj_from_factory(iface)->IOcMidlWork_iface, riid, ppv);
}
static ULONG WINAPI factory_AddRef(ICallFactory *iface) { return obj_AddRef(&obj_from_factory(iface)->IOcMidlWork_iface); }
static ULONG WINAPI factory_Release(ICallFactory *iface) { return obj_Release(&obj_from_factory(iface)->IOcMidlWork_iface); }

static HRESULT WINAPI factory_CreateCall(ICallFactory *iface, REFIID riid, IUnknown *outer, REFIID riid2, IUnknown **ppv)
{
    struct mw_call *call;

    *ppv = NULL;
    if (!IsEqualIID(riid, &IID_AsyncIOcMidlWork)) return E_NOINTERFACE;
    if (!outer || !IsEqualIID(riid2, &IID_IUnknown)) return CLASS_E_NOAGGREGATION;
    if (!(call = calloc(1, sizeof(*call)))) return E_OUTOFMEMORY;
    call->IUnknown_inner.lpVtbl = &inner_vtbl;
    call->AsyncIOcMidlWork_iface.lpVtbl = &call_vtbl;
    call->refcount = 1;
    call->outer = outer;
    InterlockedIncrement(&mw_objects);
    *ppv = &call->IUnknown_inner;
    return S_OK;
}

static const ICallFactoryVtbl factory_vtbl = { factory_QueryInterface, factory_AddRef, factory_Release, factory_CreateCall };

static IOcMidlWork *mw_object_create(void)
{
    struct mw_object *obj = calloc(1, sizeof(*obj));

    if (!obj) return NULL;
    obj->IOcMidlWork_iface.lpVtbl = &obj_vtbl;
    obj->ICallFactory_iface.lpVtbl = &factory_vtbl;
    obj->refcount = 1;
    InterlockedIncrement(&mw_objects);
    return &obj->IOcMidlWork_iface;
}

/* ---------------------------------------------------------------------------
 * The local server (child): "server <client pid>"; exit code: objects alive
 * ------------------------------------------------------------------------- */

static HRESULT WINAPI cf_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    IOcMidlWork *work;
    HRESULT hr;

    *ppv = NULL;
    if (outer) return CLASS_E_NOAGGREGATION;
    if (!(work = mw_object_create())) return E_OUTOFMEMORY;
    hr = IOcMidlWork_QueryInterface(work, riid, ppv);
    IOcMidlWork_Release(work);
    return hr;
}

static const IClassFactoryVtbl cf_vtbl =
{
    static_cf_QueryInterface, static_cf_AddRef, static_cf_Release, cf_CreateInstance, static_cf_LockServer
};
static IClassFactory server_cf = { &cf_vtbl };

static int run_server(const char *tag)
{
    CLSID clsid = server_clsid(strtoul(tag, NULL, 16));
    HANDLE ready, quit;
    DWORD cookie;
    HRESULT hr;
    int i;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoRegisterClassObject(&clsid, (IUnknown *)&server_cf, CLSCTX_LOCAL_SERVER, REGCLS_MULTIPLEUSE, &cookie);
    if (FAILED(hr)) { printf("server: CoRegisterClassObject %#lx\n", hr); return 100; }
    local_server_events("olecancel_midl", tag, &ready, &quit);
    SetEvent(ready);
    if (WaitForSingleObject(quit, 300000)) printf("server: no quit signal\n");
    CoRevokeClassObject(cookie);
    /* a call object's thread lets go of it just after its last Signal */
    for (i = 0; i < 100 && mw_objects; i++) Sleep(20);
    CoUninitialize();
    return mw_objects;
}

/* ---------------------------------------------------------------------------
 * Client side
 * ------------------------------------------------------------------------- */

static void query(IOcMidlWork *work, LONG what, LONG *x, LONG *y)
{
    HRESULT hr = IOcMidlWork_Add(work, what, 0, x, y);
    if (FAILED(hr)) ok(0, "Add(%ld) query: %#lx\n", what, hr);
}

/* polls (bounded) until the server has `busy` Work calls in progress */
static LONG wait_busy(IOcMidlWork *work, LONG busy)
{
    DWORD start = GetTickCount();
    LONG n = -1, begins;

    while (GetTickCount() - start < BOUND)
    {
        query(work, -1, &n, &begins);
        if (n == busy) break;
        pump_sleep(10);
    }
    return n;
}

static void test_sync(IOcMidlWork *work)
{
    LONG sum = 0, served = 0, value = 5, begins0, begins1, dummy;
    HRESULT hr;

    query(work, -1, &dummy, &begins0);
    hr = IOcMidlWork_Add(work, 2, 3, &sum, &served);
    ok(hr == S_OK && sum == 5, "Add: %#lx, sum %ld\n", hr, sum);
    hr = IOcMidlWork_Work(work, 0, &value);
    ok(hr == S_OK && value == 11, "Work: %#lx, value %ld\n", hr, value);
    query(work, -1, &dummy, &begins1);
    if (SERVER_ASYNC)
    {
        ok(served == 2, "Add was served %s (served %ld), expected through the server's call object\n",
           served == 1 ? "synchronously" : "nowhere", served);
        /* Add, Work and the second query's own Begin_Add */
        ok(begins1 - begins0 == 3, "Begin_ calls on the server's call objects: %ld, expected 3\n", begins1 - begins0);
    }
    else
    {
        ok(served == 1, "Add served %ld, expected synchronously (server side off in 32-bit)\n", served);
        skip("server-side asynchronous calls are off in 32-bit programs\n");
    }
}

static void test_async_add(IOcMidlWork *work)
{
    AsyncIOcMidlWork *call;
    ICallFactory *factory;
    LONG sum = 0, served = 0;
    HRESULT hr;

    hr = IOcMidlWork_QueryInterface(work, &IID_ICallFactory, (void **)&factory);
    ok(hr == S_OK, "QI(ICallFactory) on the proxy: %#lx\n", hr);
    if (FAILED(hr)) return;
    ICallFactory_Release(factory);
    hr = create_call((IUnknown *)work, &IID_AsyncIOcMidlWork, (void **)&call);
    ok(hr == S_OK && call, "CreateCall(IID_AsyncIOcMidlWork): %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = AsyncIOcMidlWork_Begin_Add(call, 20, 22);
    ok(hr == S_OK, "Begin_Add: %#lx\n", hr);
    hr = call_wait(call, BOUND);
    ok(hr == S_OK, "ISynchronize::Wait: %#lx\n", hr);
    hr = AsyncIOcMidlWork_Finish_Add(call, &sum, &served);
    ok(hr == S_OK && sum == 42, "Finish_Add: %#lx, sum %ld\n", hr, sum);
    ok(served == (SERVER_ASYNC ? 2 : 1), "Finish_Add: served %ld\n", served);
    AsyncIOcMidlWork_Release(call);
}

static void check_server_cancel(IOcMidlWork *work)
{
    LONG busy, seen = 0, finishes;

    busy = wait_busy(work, 0);
    ok(busy == 0, "Work calls still in progress on the server: %ld\n", busy);
    query(work, -2, &seen, &finishes);
    ok(seen == RPC_E_CALL_CANCELED, "the server's %s: got %#lx\n", SERVER_ASYNC ? "TestCancel" : "CoTestCancel", seen);
}

static void test_async_cancel(IOcMidlWork *work)
{
    AsyncIOcMidlWork *call;
    LONG value = 1, busy;
    HRESULT hr;

    hr = create_call((IUnknown *)work, &IID_AsyncIOcMidlWork, (void **)&call);
    ok(hr == S_OK, "CreateCall: %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = AsyncIOcMidlWork_Begin_Work(call, 10000, &value);
    ok(hr == S_OK, "Begin_Work: %#lx\n", hr);
    busy = wait_busy(work, 1);
    ok(busy == 1, "Work in progress on the server: %ld\n", busy);
    hr = call_cancel(call, 0);
    ok(hr == S_OK, "ICancelMethodCalls::Cancel: %#lx\n", hr);
    hr = call_wait(call, BOUND);
    ok(hr == S_OK, "Wait after Cancel: %#lx\n", hr);
    hr = AsyncIOcMidlWork_Finish_Work(call, &value);
    ok(hr == RPC_E_CALL_CANCELED, "Finish_Work: got %#lx, expected RPC_E_CALL_CANCELED\n", hr);
    AsyncIOcMidlWork_Release(call);
    check_server_cancel(work);
}

struct work_thread { IStream *stream; HANDLE started; LONG value; HRESULT hr; };

static DWORD WINAPI work_thread_proc(void *arg)
{
    struct work_thread *w = arg;
    IOcMidlWork *work;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    w->hr = CoGetInterfaceAndReleaseStream(w->stream, &IID_IOcMidlWork, (void **)&work);
    if (SUCCEEDED(w->hr))
    {
        CoEnableCallCancellation(NULL);
        SetEvent(w->started);
        w->hr = IOcMidlWork_Work(work, 10000, &w->value);
        CoDisableCallCancellation(NULL);
        IOcMidlWork_Release(work);
    }
    else SetEvent(w->started);
    CoUninitialize();
    return 0;
}

static void test_sync_cancel(IOcMidlWork *work)
{
    struct work_thread w = { NULL, CreateEventW(NULL, TRUE, FALSE, NULL), 1, E_FAIL };
    HANDLE thread;
    DWORD tid, index;
    LONG busy;
    HRESULT hr;

    hr = CoMarshalInterThreadInterfaceInStream(&IID_IOcMidlWork, (IUnknown *)work, &w.stream);
    ok(hr == S_OK, "CoMarshalInterThreadInterfaceInStream: %#lx\n", hr);
    thread = CreateThread(NULL, 0, work_thread_proc, &w, 0, &tid);
    wait_bounded(w.started, BOUND, "client thread start");
    busy = wait_busy(work, 1);
    ok(busy == 1, "Work in progress on the server: %ld\n", busy);
    hr = CoCancelCall(tid, 0);
    ok(hr == S_OK, "CoCancelCall: %#lx\n", hr);
    if (CoWaitForMultipleHandles(0, BOUND, 1, &thread, &index) != S_OK)
    {
        ok(0, "the cancelled thread did not return within %u ms\n", BOUND);
        TerminateThread(thread, 1);
    }
    ok(w.hr == RPC_E_CALL_CANCELED, "cancelled Work: got %#lx, expected RPC_E_CALL_CANCELED\n", w.hr);
    CloseHandle(thread);
    CloseHandle(w.started);
    check_server_cancel(work);
}

struct client_args { IStream *stream; DWORD pid; };

/* the client: an STA thread */
static DWORD WINAPI client_thread(void *arg)
{
    struct client_args *args = arg;
    IOcMidlWork *work = NULL;
    CLSID clsid = server_clsid(args->pid);
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (args->stream) hr = CoGetInterfaceAndReleaseStream(args->stream, &IID_IOcMidlWork, (void **)&work);
    else hr = CoCreateInstance(&clsid, NULL, CLSCTX_LOCAL_SERVER, &IID_IOcMidlWork, (void **)&work);
    ok(hr == S_OK, "getting the server object: %#lx\n", hr);
    if (work)
    {
        test_sync(work);
        test_async_add(work);
        test_async_cancel(work);
        test_sync_cancel(work);
        IOcMidlWork_Release(work);
    }
    CoUninitialize();
    return 0;
}

static void run_client(struct client_args *args)
{
    HANDLE thread = CreateThread(NULL, 0, client_thread, args, 0, NULL);
    DWORD index;

    if (CoWaitForMultipleHandles(0, 240000, 1, &thread, &index) != S_OK)
    {
        ok(0, "client thread did not end\n");
        TerminateThread(thread, 1);
    }
    CloseHandle(thread);
}

static void test_local_server(void)
{
    struct client_args args = { NULL, GetCurrentProcessId() };
    DWORD handles = handle_count(), code;
    HANDLE process, quit;
    char tag[16];

    snprintf(tag, sizeof(tag), "%lx", args.pid);
    if (!(process = local_server_start(exe_path, "olecancel_midl", tag, &quit))) return;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    run_client(&args);
    CoUninitialize();
    code = local_server_stop(process, quit);
    ok(code == 0, "local server exit code %lu (objects alive)\n", code);
    trace("handles %lu before, %lu after\n", handles, handle_count());
}

/* the object in the MTA (this thread), called from an STA thread */
static void test_mta_object(void)
{
    struct client_args args = { NULL, 0 };
    IOcMidlWork *work;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    work = mw_object_create();
    hr = CoMarshalInterThreadInterfaceInStream(&IID_IOcMidlWork, (IUnknown *)work, &args.stream);
    ok(hr == S_OK, "CoMarshalInterThreadInterfaceInStream: %#lx\n", hr);
    run_client(&args);
    IOcMidlWork_Release(work);
    CoUninitialize();
    ok(mw_objects == 0, "server objects alive: %ld\n", mw_objects);
}

START_TEST(midl_proxy)
{
    HRESULT (WINAPI *func)(void);
    char path[MAX_PATH], *p;
    HMODULE ps;
    char **argv;
    int argc = winetest_get_mainargs(&argv);

    GetModuleFileNameA(NULL, exe_path, sizeof(exe_path));
    if (argc >= 3 && !strcmp(argv[1], "server")) exit(run_server(argv[2]));

    strcpy(path, exe_path);
    if ((p = strrchr(path, '\\'))) strcpy(p + 1, MIDL_PS);
    if (!(ps = LoadLibraryA(path)))
    {
        skip("%s not found\n", path);
        return;
    }
    func = (void *)GetProcAddress(ps, "DllRegisterServer");
    ok(func && func() == S_OK, "%s: DllRegisterServer failed\n", MIDL_PS);
    run_subtest(test_mta_object);
    run_subtest(test_local_server);
    func = (void *)GetProcAddress(ps, "DllUnregisterServer");
    ok(func && func() == S_OK, "%s: DllUnregisterServer failed\n", MIDL_PS);
    FreeLibrary(ps);
}
