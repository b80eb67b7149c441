/*
 * Tests for asynchronous COM calls over standard marshaling
 * (behaviour.md matrix rows 16-28)
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
#include <stddef.h>
#include <windows.h>
#include <objbase.h>
#include <psapi.h>
#include <initguid.h>
#include "olecancel_test.h"
#include "wine_test.h"
#include "test_util.h"
#include "async_util.h"

#ifdef OLECANCEL_SPIKE
/* the spike links the modules statically; the DLL calls this itself */
HRESULT async_init(void);
void asyncpool_get_stats(LONG *threads, LONG *busy, LONG *queued);
#define ASYNCPOOL_MAX_THREADS 32
static LONG cancel_events_kept(void) { return 0; }
#else
#include "olecancel_diag.h"
#define ASYNCPOOL_MAX_THREADS 32
/* the pool's state, through olecancel's diagnostics export (ordinal only) */
static void asyncpool_get_stats(LONG *threads, LONG *busy, LONG *queued)
{
    static const struct olecancel_diag *diag;
    if (!diag) diag = get_olecancel_diag();
    if (diag) diag->pool_stats(threads, busy, queued);
    else *threads = *busy = *queued = 0;
}

/* handles olecancel keeps open on purpose for a while: the named events
 * that told servers about cancels (a server may look at one after the
 * client gave up on its call) */
static LONG cancel_events_kept(void)
{
    const struct olecancel_diag *diag = get_olecancel_diag();
    if (!diag || diag->size < offsetof(struct olecancel_diag, cancel_events_kept) + sizeof(diag->cancel_events_kept)
            || !diag->cancel_events_kept)
        return 0;
    return diag->cancel_events_kept();
}

static BOOL have_pool_stats(void)
{
    return get_olecancel_diag() != NULL;
}
#endif


static BOOL bench_mode;   /* "async_call bench": also measure, for make bench */
#define BOUND 20000   /* ms: the longest any single wait in these tests may take */

static char exe_path[MAX_PATH];

/* ---------------------------------------------------------------------------
 * The server object, used in-process (another apartment) and in the child
 * ------------------------------------------------------------------------- */

static LONG server_objects;       /* live server objects */
static LONG server_calls;         /* executed Add/Sleep/Block/Mul calls */
static HANDLE unblock_event;      /* auto reset: one Unblock frees one Block */

struct test_callback
{
    IOcCallback IOcCallback_iface;
    LONG refcount;
    DWORD thread;                 /* last thread Ping ran on */
    LONG pings;
};

static inline struct test_callback *impl_from_IOcCallback(IOcCallback *iface)
{
    return CONTAINING_RECORD(iface, struct test_callback, IOcCallback_iface);
}

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

static ULONG WINAPI callback_AddRef(IOcCallback *iface)
{
    return InterlockedIncrement(&impl_from_IOcCallback(iface)->refcount);
}

static ULONG WINAPI callback_Release(IOcCallback *iface)
{
    struct test_callback *cb = impl_from_IOcCallback(iface);
    ULONG ref = InterlockedDecrement(&cb->refcount);
    if (!ref) free(cb);
    return ref;
}

static HRESULT WINAPI callback_Ping(IOcCallback *iface, LONG value, LONG *result)
{
    struct test_callback *cb = impl_from_IOcCallback(iface);
    cb->thread = GetCurrentThreadId();
    InterlockedIncrement(&cb->pings);
    *result = value + 1000;
    return S_OK;
}

static const IOcCallbackVtbl callback_vtbl =
{
    callback_QueryInterface, callback_AddRef, callback_Release, callback_Ping
};

static struct test_callback *create_callback(void)
{
    struct test_callback *cb = calloc(1, sizeof(*cb));
    cb->IOcCallback_iface.lpVtbl = &callback_vtbl;
    cb->refcount = 1;
    return cb;
}

struct test_server
{
    IOcTest2 IOcTest2_iface;
    LONG refcount;
};

static inline struct test_server *impl_from_IOcTest2(IOcTest2 *iface)
{
    return CONTAINING_RECORD(iface, struct test_server, IOcTest2_iface);
}

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

static ULONG WINAPI server_AddRef(IOcTest2 *iface)
{
    return InterlockedIncrement(&impl_from_IOcTest2(iface)->refcount);
}

static ULONG WINAPI server_Release(IOcTest2 *iface)
{
    struct test_server *server = impl_from_IOcTest2(iface);
    ULONG ref = InterlockedDecrement(&server->refcount);
    if (!ref)
    {
        free(server);
        InterlockedDecrement(&server_objects);
    }
    return ref;
}

static HRESULT WINAPI server_Add(IOcTest2 *iface, LONG a, LONG b, LONG *sum)
{
    InterlockedIncrement(&server_calls);
    *sum = a + b;
    return S_OK;
}

static HRESULT WINAPI server_Twice(IOcTest2 *iface, LONG *value)
{
    *value = *value * 2 + 1;
    return S_OK;
}

static HRESULT WINAPI server_Echo(IOcTest2 *iface, BSTR in, BSTR *out)
{
    WCHAR buf[256];
    swprintf(buf, ARRAY_SIZE(buf), L"%ls!", in ? in : L"(null)");
    *out = SysAllocString(buf);
    return S_OK;
}

static HRESULT WINAPI server_Sum(IOcTest2 *iface, LONG count, const LONG *values, LONG *total)
{
    LONG i;
    *total = 0;
    for (i = 0; i < count; i++) *total += values[i];
    return S_OK;
}

static HRESULT WINAPI server_Sleep(IOcTest2 *iface, DWORD ms, HRESULT hr)
{
    InterlockedIncrement(&server_calls);
    Sleep(ms);
    return hr;
}

static HRESULT WINAPI server_Block(IOcTest2 *iface, DWORD timeout)
{
    InterlockedIncrement(&server_calls);
    /* pumping so that an STA server can take the Unblock call meanwhile */
    return wait_pumping(unblock_event, timeout) == S_OK ? S_OK : S_FALSE;
}

static HRESULT WINAPI server_Unblock(IOcTest2 *iface)
{
    SetEvent(unblock_event);
    return S_OK;
}

static HRESULT WINAPI server_CallBack(IOcTest2 *iface, IOcCallback *cb, LONG value, LONG *result)
{
    if (!cb) return E_POINTER;
    return IOcCallback_Ping(cb, value, result);
}

static HRESULT WINAPI server_GetCallback(IOcTest2 *iface, IOcCallback **cb)
{
    *cb = &create_callback()->IOcCallback_iface;
    return S_OK;
}

static HRESULT WINAPI server_GetCount(IOcTest2 *iface, LONG *count)
{
    *count = server_calls;
    return S_OK;
}

static HRESULT WINAPI server_Fail(IOcTest2 *iface, HRESULT hr)
{
    return hr;
}

static LONG wait_cancel_first, wait_cancel_saw;

static HRESULT WINAPI server_WaitCancel(IOcTest2 *iface, DWORD timeout)
{
    DWORD start = GetTickCount();
    HRESULT hr = S_FALSE;

    InterlockedExchange(&wait_cancel_saw, -1);
    wait_cancel_first = CoTestCancel();
    InterlockedIncrement(&server_calls);
    while (GetTickCount() - start < timeout)
    {
        if (CoTestCancel() == RPC_E_CALL_CANCELED)
        {
            hr = RPC_E_CALL_CANCELED;
            break;
        }
        Sleep(5);
    }
    InterlockedExchange(&wait_cancel_saw, hr == RPC_E_CALL_CANCELED);
    return hr;
}

static HRESULT WINAPI server_LastWaitCancel(IOcTest2 *iface, LONG *first, LONG *saw)
{
    *first = wait_cancel_first;
    *saw = wait_cancel_saw;
    return S_OK;
}

static HRESULT WINAPI server_Mul(IOcTest2 *iface, LONG a, LONG b, LONG *product)
{
    InterlockedIncrement(&server_calls);
    *product = a * b;
    return S_OK;
}

static const IOcTest2Vtbl server_vtbl =
{
    server_QueryInterface, server_AddRef, server_Release,
    server_Add, server_Twice, server_Echo, server_Sum, server_Sleep, server_Block, server_Unblock,
    server_CallBack, server_GetCallback, server_GetCount, server_Fail, server_WaitCancel,
    server_LastWaitCancel, server_Mul
};

static IOcTest2 *create_server(void)
{
    struct test_server *server = calloc(1, sizeof(*server));
    server->IOcTest2_iface.lpVtbl = &server_vtbl;
    server->refcount = 1;
    InterlockedIncrement(&server_objects);
    return &server->IOcTest2_iface;
}

/* class factory of the local server */
static HRESULT WINAPI cf_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    IOcTest2 *server;
    HRESULT hr;
    if (outer) return CLASS_E_NOAGGREGATION;
    server = create_server();
    hr = IOcTest2_QueryInterface(server, riid, ppv);
    IOcTest2_Release(server);
    return hr;
}
static const IClassFactoryVtbl cf_vtbl =
{
    static_cf_QueryInterface, static_cf_AddRef, static_cf_Release, cf_CreateInstance, static_cf_LockServer
};
static IClassFactory server_cf = { &cf_vtbl };

/* one class per server process: a killed server's registration may linger */
static CLSID server_clsid(const char *tag)
{
    CLSID clsid = CLSID_OcTestServer;
    const char *p;

    if ((p = strstr(tag, "kill")))
    {
        clsid.Data4[7] = (BYTE)(0x20 + atoi(p + 4));
        clsid.Data3 ^= (WORD)strtoul(tag, NULL, 16);   /* the parent's pid */
    }
    return clsid;
}

/* child: "server <tag>" — exit code = server objects still alive */
static int run_server(const char *tag)
{
    HANDLE ready, quit;
    DWORD cookie;
    HRESULT hr;

    unblock_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    CLSID clsid = server_clsid(tag);

    hr = CoRegisterClassObject(&clsid, (IUnknown *)&server_cf, CLSCTX_LOCAL_SERVER,
                               REGCLS_MULTIPLEUSE, &cookie);
    if (FAILED(hr)) { printf("server: CoRegisterClassObject %#lx\n", hr); return 100; }
    local_server_events("olecancel_async", tag, &ready, &quit);
    SetEvent(ready);
    if (WaitForSingleObject(quit, 300000) != WAIT_OBJECT_0) printf("server: no quit signal\n");
    CoRevokeClassObject(cookie);
    Sleep(100);
    CoUninitialize();
    return server_objects;
}

/* ---------------------------------------------------------------------------
 * Client helpers
 * ------------------------------------------------------------------------- */

static void wait_pool_idle(void)
{
    DWORD start = GetTickCount();
    LONG threads, busy, queued;
    do
    {
        pump_sleep(50);
        asyncpool_get_stats(&threads, &busy, &queued);
    } while ((busy || queued) && GetTickCount() - start < BOUND);
    /* replies of abandoned calls are released by now */
    pump_sleep(100);
}

static BOOL server_inproc;   /* the server object lives in this process */

static LONG server_count(IOcTest2 *proxy)
{
    LONG count = -1;
    /* an STA server blocked in Block cannot be asked */
    if (server_inproc) return server_calls;
    IOcTest2_GetCount(proxy, &count);
    return count;
}

static HRESULT server_unblock(IOcTest2 *proxy)
{
    if (server_inproc) return SetEvent(unblock_event) ? S_OK : E_FAIL;
    return IOcTest2_Unblock(proxy);
}

/* bounded poll for the server to have executed `target` calls */
static BOOL wait_server_count(IOcTest2 *proxy, LONG target)
{
    DWORD start = GetTickCount();
    while (server_count(proxy) < target)
    {
        if (GetTickCount() - start > BOUND) return FALSE;
        pump_sleep(5);
    }
    return TRUE;
}

/* outer object aggregating a call object; counts ISynchronize use */
struct outer_sync
{
    ISynchronize ISynchronize_iface;
    LONG refcount;
    IUnknown *inner;
    LONG signals, resets;
    HRESULT signal_hr, reset_hr;
};

static inline struct outer_sync *impl_from_outer_ISynchronize(ISynchronize *iface)
{
    return CONTAINING_RECORD(iface, struct outer_sync, ISynchronize_iface);
}

static HRESULT WINAPI outer_QueryInterface(ISynchronize *iface, REFIID riid, void **ppv)
{
    struct outer_sync *outer = impl_from_outer_ISynchronize(iface);
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_ISynchronize))
    {
        *ppv = iface;
        ISynchronize_AddRef(iface);
        return S_OK;
    }
    if (!outer->inner) { *ppv = NULL; return E_NOINTERFACE; }
    return IUnknown_QueryInterface(outer->inner, riid, ppv);
}
static ULONG WINAPI outer_AddRef(ISynchronize *iface)
{
    return InterlockedIncrement(&impl_from_outer_ISynchronize(iface)->refcount);
}
static ULONG WINAPI outer_Release(ISynchronize *iface)
{
    struct outer_sync *outer = impl_from_outer_ISynchronize(iface);
    ULONG ref = InterlockedDecrement(&outer->refcount);
    if (!ref)
    {
        outer->refcount = 1;   /* guard against re-entry while the inner goes */
        if (outer->inner) IUnknown_Release(outer->inner);
        free(outer);
    }
    return ref;
}
static HRESULT WINAPI outer_Wait(ISynchronize *iface, DWORD flags, DWORD ms)
{
    struct outer_sync *outer = impl_from_outer_ISynchronize(iface);
    ISynchronize *sync;
    HRESULT hr;
    /* wait on the inner's event */
    IUnknown_QueryInterface(outer->inner, &IID_ISynchronize, (void **)&sync);
    hr = sync->lpVtbl->Wait(sync, flags, ms);
    ISynchronize_Release(sync);
    return hr;
}
static HRESULT WINAPI outer_Signal(ISynchronize *iface)
{
    struct outer_sync *outer = impl_from_outer_ISynchronize(iface);
    InterlockedIncrement(&outer->signals);
    return outer->signal_hr;
}
static HRESULT WINAPI outer_Reset(ISynchronize *iface)
{
    struct outer_sync *outer = impl_from_outer_ISynchronize(iface);
    InterlockedIncrement(&outer->resets);
    return outer->reset_hr;
}
static const ISynchronizeVtbl outer_vtbl = { outer_QueryInterface, outer_AddRef, outer_Release, outer_Wait, outer_Signal, outer_Reset };

/* ---------------------------------------------------------------------------
 * The suite, run in a client apartment against a proxy
 * ------------------------------------------------------------------------- */

struct suite_params
{
    BOOL sta;
    BOOL local;                    /* server in a child process */
    BOOL sta_server;
    IStream *stream;               /* in-process: server marshaled TABLESTRONG */
    const char *desc;
    double sync_us, async_us;      /* measured */
    double par_ratio;
    double cancel_p50, cancel_p99;
    double bytes_per_call_object;
};

static void test_call_factory(IOcTest2 *proxy)
{
    ICallFactory *factory, *factory2;
    IUnknown *unk, *call;
    IMultiQI *mqi;
    MULTI_QI qis[2];
    HRESULT hr;

    /* (16) */
    hr = IOcTest2_QueryInterface(proxy, &IID_ICallFactory, (void **)&factory);
    ok(hr == S_OK, "QI(ICallFactory) from IOcTest2: %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = IOcTest2_QueryInterface(proxy, &IID_IUnknown, (void **)&unk);
    ok(hr == S_OK, "QI(IUnknown): %#lx\n", hr);
    hr = IUnknown_QueryInterface(unk, &IID_ICallFactory, (void **)&factory2);
    ok(hr == S_OK, "QI(ICallFactory) from IUnknown: %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        IUnknown *id;
        ICallFactory_QueryInterface(factory2, &IID_IUnknown, (void **)&id);
        ok(id == unk, "ICallFactory identity %p, proxy %p\n", id, unk);
        IUnknown_Release(id);
        ICallFactory_Release(factory2);
    }
    hr = IUnknown_QueryInterface(unk, &IID_IMultiQI, (void **)&mqi);
    ok(hr == S_OK, "QI(IMultiQI): %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        memset(qis, 0, sizeof(qis));
        qis[0].pIID = &IID_ICallFactory;
        qis[1].pIID = &IID_IOcTest;
        hr = IMultiQI_QueryMultipleInterfaces(mqi, 2, qis);
        ok(hr == S_OK && qis[0].hr == S_OK && qis[1].hr == S_OK,
           "QueryMultipleInterfaces: %#lx, %#lx, %#lx\n", hr, qis[0].hr, qis[1].hr);
        if (qis[0].pItf) IUnknown_Release(qis[0].pItf);
        if (qis[1].pItf) IUnknown_Release(qis[1].pItf);
        IMultiQI_Release(mqi);
    }
    IUnknown_Release(unk);

    /* (17) */
    call = (IUnknown *)0xdeadbeef;
    hr = ICallFactory_CreateCall(factory, &IID_IOcTest, NULL, &IID_IUnknown, &call);
    ok(hr == E_NOINTERFACE, "CreateCall(sync IID): %#lx\n", hr);
    ok(!call, "call %p\n", call);
    hr = ICallFactory_CreateCall(factory, &IID_IOcCallback, NULL, &IID_IUnknown, &call);
    ok(hr == E_NOINTERFACE, "CreateCall(IID without async): %#lx\n", hr);
    hr = ICallFactory_CreateCall(factory, &IID_AsyncIOcTest, NULL, &IID_IUnknown, NULL);
    ok(hr == E_INVALIDARG, "CreateCall(ppv NULL): %#lx\n", hr);
    {
        struct outer_sync outer = { { &outer_vtbl }, 1 };
        hr = ICallFactory_CreateCall(factory, &IID_AsyncIOcTest, (IUnknown *)&outer.ISynchronize_iface,
                                     &IID_ISynchronize, &call);
        /* inferred */
        ok(hr == CLASS_E_NOAGGREGATION, "CreateCall(aggregated, riid2 ISynchronize): %#lx\n", hr);
    }
    hr = ICallFactory_CreateCall(factory, &IID_AsyncIOcTest, NULL, &IID_IUnknown, &call);
    ok(hr == S_OK, "CreateCall(AsyncIOcTest): %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        /* (18) */
        static const IID *iids[] = { &IID_AsyncIOcTest, &IID_ISynchronize, &IID_ISynchronizeHandle,
                                     &IID_ICancelMethodCalls, &IID_IClientSecurity, &IID_IUnknown };
        IUnknown *itf;
        int i;
        for (i = 0; i < ARRAY_SIZE(iids); i++)
        {
            hr = IUnknown_QueryInterface(call, iids[i], (void **)&itf);
            ok(hr == S_OK, "call object QI %d: %#lx\n", i, hr);
            if (SUCCEEDED(hr)) IUnknown_Release(itf);
        }
        hr = IUnknown_QueryInterface(call, &IID_IClientSecurity, (void **)&itf);
        if (SUCCEEDED(hr))
        {
            DWORD authn = 0xdead, level = 0xdead;
            /* forwarded to the caller's proxy; Wine's is an E_NOTIMPL stub */
            hr = IClientSecurity_QueryBlanket((IClientSecurity *)itf, call, &authn, NULL, NULL, &level,
                                              NULL, NULL, NULL);
            ok(hr == S_OK || hr == E_NOTIMPL, "QueryBlanket: %#lx, authn %lu, level %lu\n", hr, authn, level);
            IUnknown_Release(itf);
        }
        hr = IUnknown_QueryInterface(call, &IID_IOcTest, (void **)&itf);
        ok(hr == E_NOINTERFACE, "call object QI(IOcTest): %#lx\n", hr);
        hr = IUnknown_QueryInterface(call, &IID_AsyncIOcTest2, (void **)&itf);
        ok(hr == E_NOINTERFACE, "call object QI(AsyncIOcTest2): %#lx\n", hr);
        ok(IUnknown_Release(call) == 0, "call object not released\n");
    }
    hr = ICallFactory_CreateCall(factory, &IID_AsyncIOcTest2, NULL, &IID_ISynchronize, &call);
    ok(hr == S_OK, "CreateCall(AsyncIOcTest2, ISynchronize): %#lx\n", hr);
    if (SUCCEEDED(hr)) IUnknown_Release(call);
    ICallFactory_Release(factory);
}

static void test_begin_finish(IOcTest2 *proxy, BOOL sta)
{
    AsyncIOcTest2 *call2;
    AsyncIOcTest *call;
    struct test_callback *cb;
    IOcCallback *server_cb;
    LONG value, values[5] = { 1, 2, 3, 4, 5 };
    BSTR in, out;
    HRESULT hr;

    hr = create_call((IUnknown *)proxy, &IID_AsyncIOcTest, (void **)&call);
    ok(hr == S_OK, "create_call: %#lx\n", hr);
    if (FAILED(hr)) return;

    /* (21) */
    value = 7;
    hr = AsyncIOcTest_Finish_Add(call, &value);
    ok(hr == RPC_E_CALL_COMPLETE, "Finish_ on idle: %#lx\n", hr);

    /* (19): numbers; completion also visible on ISynchronizeHandle's handle */
    hr = AsyncIOcTest_Begin_Add(call, 40, 2);
    ok(hr == S_OK, "Begin_Add: %#lx\n", hr);
    hr = call_wait(call, BOUND);
    ok(hr == S_OK, "Wait: %#lx\n", hr);
    {
        ISynchronizeHandle *sh;
        HANDLE handle = NULL;
        hr = AsyncIOcTest_QueryInterface(call, &IID_ISynchronizeHandle, (void **)&sh);
        ok(hr == S_OK, "QI(ISynchronizeHandle): %#lx\n", hr);
        if (SUCCEEDED(hr))
        {
            hr = ISynchronizeHandle_GetHandle(sh, &handle);
            ok(hr == S_OK && handle, "GetHandle: %#lx, %p\n", hr, handle);
            if (handle) ok(WaitForSingleObject(handle, 0) == WAIT_OBJECT_0, "handle not signalled after completion\n");
            ISynchronizeHandle_Release(sh);
        }
    }
    value = 0;
    hr = AsyncIOcTest_Finish_Add(call, &value);
    ok(hr == S_OK && value == 42, "Finish_Add: %#lx, %ld\n", hr, value);
    hr = AsyncIOcTest_Finish_Add(call, &value);
    ok(hr == RPC_E_CALL_COMPLETE, "second Finish_: %#lx\n", hr);

    /* (24) */
    hr = call_cancel(call, 0);
    ok(hr == RPC_E_CALL_COMPLETE, "Cancel after Finish_: %#lx\n", hr);

    /* reusable, [in,out] */
    value = 20;
    hr = AsyncIOcTest_Begin_Twice(call, &value);
    ok(hr == S_OK, "Begin_Twice: %#lx\n", hr);
    value = 0;
    hr = AsyncIOcTest_Finish_Twice(call, &value);   /* no Wait: Finish_ blocks */
    ok(hr == S_OK && value == 41, "Finish_Twice: %#lx, %ld\n", hr, value);

    /* strings; [in] freed right after Begin_ */
    in = SysAllocString(L"hello");
    hr = AsyncIOcTest_Begin_Echo(call, in);
    ok(hr == S_OK, "Begin_Echo: %#lx\n", hr);
    SysFreeString(in);
    out = NULL;
    hr = AsyncIOcTest_Finish_Echo(call, &out);
    ok(hr == S_OK && out && !wcscmp(out, L"hello!"), "Finish_Echo: %#lx, %ls\n", hr, out ? out : L"(null)");
    SysFreeString(out);

    /* conformant array */
    hr = AsyncIOcTest_Begin_Sum(call, 5, values);
    ok(hr == S_OK, "Begin_Sum: %#lx\n", hr);
    values[0] = 1000;   /* captured at Begin_ */
    value = 0;
    hr = AsyncIOcTest_Finish_Sum(call, &value);
    ok(hr == S_OK && value == 15, "Finish_Sum: %#lx, %ld\n", hr, value);

    /* the server's HRESULT */
    hr = AsyncIOcTest_Begin_Fail(call, E_ACCESSDENIED);
    ok(hr == S_OK, "Begin_Fail: %#lx\n", hr);
    hr = AsyncIOcTest_Finish_Fail(call);
    ok(hr == E_ACCESSDENIED, "Finish_Fail: %#lx\n", hr);

    /* [out] interface pointer */
    hr = AsyncIOcTest_Begin_GetCallback(call);
    ok(hr == S_OK, "Begin_GetCallback: %#lx\n", hr);
    server_cb = NULL;
    hr = AsyncIOcTest_Finish_GetCallback(call, &server_cb);
    ok(hr == S_OK && server_cb, "Finish_GetCallback: %#lx, %p\n", hr, server_cb);
    if (server_cb)
    {
        value = 0;
        hr = IOcCallback_Ping(server_cb, 5, &value);
        ok(hr == S_OK && value == 1005, "Ping on returned interface: %#lx, %ld\n", hr, value);
        ok(IOcCallback_Release(server_cb) == 0, "returned interface leaked\n");
    }

    /* [in] interface pointer and a callback into the caller's apartment */
    cb = create_callback();
    hr = AsyncIOcTest_Begin_CallBack(call, &cb->IOcCallback_iface, 3);
    ok(hr == S_OK, "Begin_CallBack: %#lx\n", hr);
    hr = call_wait(call, BOUND);
    ok(hr == S_OK, "Wait for the call back: %#lx\n", hr);
    value = 0;
    hr = AsyncIOcTest_Finish_CallBack(call, &value);
    ok(hr == S_OK && value == 1003, "Finish_CallBack: %#lx, %ld\n", hr, value);
    ok(cb->pings == 1, "pings %ld\n", cb->pings);
    if (sta) ok(cb->thread == GetCurrentThreadId(), "callback ran on %04lx, STA is %04lx\n", cb->thread, GetCurrentThreadId());
    /* no Wait: the call back arrives while Finish_ blocks */
    hr = AsyncIOcTest_Begin_CallBack(call, &cb->IOcCallback_iface, 4);
    ok(hr == S_OK, "Begin_CallBack: %#lx\n", hr);
    value = 0;
    hr = AsyncIOcTest_Finish_CallBack(call, &value);
    ok(hr == S_OK && value == 1004, "Finish_CallBack: %#lx, %ld\n", hr, value);
    ok(cb->pings == 2, "pings %ld\n", cb->pings);
    if (sta) ok(cb->thread == GetCurrentThreadId(), "callback ran on %04lx, STA is %04lx\n", cb->thread, GetCurrentThreadId());
    ok(IOcCallback_Release(&cb->IOcCallback_iface) == 0, "client callback object leaked: refcount %lu\n",
       get_refcount((IUnknown *)&cb->IOcCallback_iface));

    AsyncIOcTest_Release(call);

    /* inherited async interface */
    hr = create_call((IUnknown *)proxy, &IID_AsyncIOcTest2, (void **)&call2);
    ok(hr == S_OK, "create_call(AsyncIOcTest2): %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = AsyncIOcTest2_Begin_Mul(call2, 6, 7);
    ok(hr == S_OK, "Begin_Mul: %#lx\n", hr);
    value = 0;
    hr = AsyncIOcTest2_Finish_Mul(call2, &value);
    ok(hr == S_OK && value == 42, "Finish_Mul: %#lx, %ld\n", hr, value);
    hr = AsyncIOcTest2_Begin_Add(call2, 1, 2);
    ok(hr == S_OK, "Begin_Add via AsyncIOcTest2: %#lx\n", hr);
    value = 0;
    hr = AsyncIOcTest2_Finish_Add(call2, &value);
    ok(hr == S_OK && value == 3, "Finish_Add via AsyncIOcTest2: %#lx, %ld\n", hr, value);
    AsyncIOcTest2_Release(call2);
}

/* The seed's path: Cancel on the call object, and the server's CoTestCancel
 * reports it (told through the synchronous cancel path, or, when the worker
 * calls an in-process MTA object directly, through the worker's context). */
static void test_cancel_tells_server(IOcTest2 *proxy)
{
    AsyncIOcTest *call;
    ICancelMethodCalls *cancel;
    LONG count, first = 0, saw = -1;
    DWORD start;
    HRESULT hr;

    if (FAILED(create_call((IUnknown *)proxy, &IID_AsyncIOcTest, (void **)&call))) return;
    count = server_count(proxy);
    hr = AsyncIOcTest_Begin_WaitCancel(call, BOUND);
    ok(hr == S_OK, "Begin_WaitCancel: %#lx\n", hr);
    ok(wait_server_count(proxy, count + 1), "server never started WaitCancel\n");
    IUnknown_QueryInterface((IUnknown *)call, &IID_ICancelMethodCalls, (void **)&cancel);
    hr = ICancelMethodCalls_Cancel(cancel, 0);
    ok(hr == S_OK, "Cancel(0): %#lx\n", hr);
    ICancelMethodCalls_Release(cancel);
    hr = AsyncIOcTest_Finish_WaitCancel(call);
    ok(hr == RPC_E_CALL_CANCELED, "Finish_WaitCancel: %#lx\n", hr);
    start = GetTickCount();
    while (SUCCEEDED(IOcTest2_LastWaitCancel(proxy, &first, &saw)) && saw < 0 && GetTickCount() - start < BOUND)
        pump_sleep(10);
    ok(first == RPC_S_CALLPENDING, "server's CoTestCancel before the cancel: %#lx\n", first);
    ok(saw == 1, "server's CoTestCancel never reported the cancel (%ld after %lu ms)\n", saw,
       GetTickCount() - start);
    AsyncIOcTest_Release(call);
}

/* Cancel on a call whose worker is blocked in the real call: the inner
 * (synchronous) cancel abandons the real call and the worker gets
 * RPC_E_CALL_CANCELED back at once, racing the Cancel that caused it.  The
 * Cancel must still say S_OK, whoever completes the call object.  Repeated,
 * since one try loses the race only now and then; Cancel(1) lets the
 * thread pool's inner Cancel(1) abandon the real call at the same moment
 * the call object's own wait ends. */
static void test_cancel_blocked_race(IOcTest2 *proxy)
{
    ICancelMethodCalls *cancel;
    AsyncIOcTest *call;
    LONG count;
    double start, elapsed;
    HRESULT hr;
    int i, bad = 0;

    if (FAILED(create_call((IUnknown *)proxy, &IID_AsyncIOcTest, (void **)&call))) return;
    IUnknown_QueryInterface((IUnknown *)call, &IID_ICancelMethodCalls, (void **)&cancel);
    for (i = 0; i < 21; i++)
    {
        ULONG seconds = i == 20 ? 1 : 0;
        HRESULT hr_cancel, hr_test, hr_finish;

        count = server_count(proxy);
        hr = AsyncIOcTest_Begin_Block(call, BOUND);
        if (hr != S_OK) { ok(0, "%d: Begin_Block: %#lx\n", i, hr); break; }
        if (!wait_server_count(proxy, count + 1)) { ok(0, "%d: server never started Block\n", i); break; }
        start = now_ms();
        hr_cancel = ICancelMethodCalls_Cancel(cancel, seconds);
        elapsed = now_ms() - start;
        hr_test = ICancelMethodCalls_TestCancel(cancel);
        hr_finish = AsyncIOcTest_Finish_Block(call);
        if (hr_cancel != S_OK || hr_test != RPC_E_CALL_CANCELED || hr_finish != RPC_E_CALL_CANCELED)
        {
            ok(0, "%d: Cancel(%lu) of a blocked call: %#lx, then TestCancel %#lx, Finish_ %#lx\n",
               i, seconds, hr_cancel, hr_test, hr_finish);
            bad++;
        }
        if (seconds) ok(elapsed >= 900 && elapsed < 5000, "Cancel(1) took %.1f ms\n", elapsed);
        server_unblock(proxy);   /* the abandoned Block */
        if (bad > 2) break;
    }
    ICancelMethodCalls_Release(cancel);
    ok(AsyncIOcTest_Release(call) == 0, "call object leaked\n");
}

static void test_pending_and_cancel(IOcTest2 *proxy)
{
    AsyncIOcTest *call;
    ICancelMethodCalls *cancel;
    LONG value, count;
    double start, elapsed;
    HRESULT hr;

    hr = create_call((IUnknown *)proxy, &IID_AsyncIOcTest, (void **)&call);
    ok(hr == S_OK, "create_call: %#lx\n", hr);
    if (FAILED(hr)) return;

    /* (20), (22) */
    count = server_count(proxy);
    hr = AsyncIOcTest_Begin_Block(call, BOUND);
    ok(hr == S_OK, "Begin_Block: %#lx\n", hr);
    hr = AsyncIOcTest_Begin_Add(call, 1, 1);
    ok(hr == RPC_S_CALLPENDING, "Begin_ while pending: %#lx\n", hr);
    hr = call_wait(call, 0);
    ok(hr == RPC_S_CALLPENDING, "Wait(0) while pending: %#lx\n", hr);
    hr = IUnknown_QueryInterface((IUnknown *)call, &IID_ICancelMethodCalls, (void **)&cancel);
    ok(hr == S_OK, "QI(ICancelMethodCalls): %#lx\n", hr);
    hr = ICancelMethodCalls_TestCancel(cancel);
    ok(hr == RPC_S_CALLPENDING, "TestCancel while pending: %#lx\n", hr);
    ok(wait_server_count(proxy, count + 1), "server never started Block\n");
    hr = server_unblock(proxy);
    ok(hr == S_OK, "Unblock: %#lx\n", hr);
    hr = call_wait(call, BOUND);
    ok(hr == S_OK, "Wait: %#lx\n", hr);
    hr = AsyncIOcTest_Begin_Add(call, 1, 1);
    ok(hr == RPC_S_CALLPENDING, "Begin_ while completed, unfinished: %#lx\n", hr);
    hr = ICancelMethodCalls_Cancel(cancel, 0);
    ok(hr == RPC_E_CALL_COMPLETE, "Cancel while completed: %#lx\n", hr);
    hr = AsyncIOcTest_Finish_Block(call);
    ok(hr == S_OK, "Finish_Block: %#lx\n", hr);

    /* (23) */
    count = server_count(proxy);
    hr = AsyncIOcTest_Begin_Block(call, BOUND);
    ok(hr == S_OK, "Begin_Block: %#lx\n", hr);
    ok(wait_server_count(proxy, count + 1), "server never started Block\n");
    start = now_ms();
    hr = ICancelMethodCalls_Cancel(cancel, 0);
    ok(hr == S_OK, "Cancel(0) while blocked: %#lx\n", hr);
    hr = ICancelMethodCalls_Cancel(cancel, 0);
    ok(hr == RPC_E_CALL_CANCELED, "second Cancel: %#lx\n", hr);
    hr = ICancelMethodCalls_TestCancel(cancel);
    ok(hr == RPC_E_CALL_CANCELED, "TestCancel after Cancel: %#lx\n", hr);
    hr = AsyncIOcTest_Begin_Add(call, 1, 1);
    ok(hr == RPC_S_CALLPENDING, "Begin_ before Finish_ of a cancelled call: %#lx\n", hr);
    hr = AsyncIOcTest_Finish_Block(call);
    elapsed = now_ms() - start;
    ok(hr == RPC_E_CALL_CANCELED, "Finish_ of a cancelled call: %#lx\n", hr);
    ok(elapsed < 500, "cancel took %.1f ms\n", elapsed);
    hr = AsyncIOcTest_Begin_Add(call, 2, 3);
    ok(hr == S_OK, "Begin_ after cancel: %#lx\n", hr);
    value = 0;
    hr = AsyncIOcTest_Finish_Add(call, &value);
    ok(hr == S_OK && value == 5, "Finish_ after cancel: %#lx, %ld\n", hr, value);
    hr = ICancelMethodCalls_Cancel(cancel, 0);
    ok(hr == RPC_E_CALL_COMPLETE, "Cancel after Finish_: %#lx\n", hr);
    server_unblock(proxy);   /* the abandoned Block; its late reply is discarded */

    /* Cancel(n) with the server answering inside n seconds */
    count = server_count(proxy);
    hr = AsyncIOcTest_Begin_Sleep(call, 100, S_OK);
    ok(hr == S_OK, "Begin_Sleep: %#lx\n", hr);
    hr = ICancelMethodCalls_Cancel(cancel, 5);
    ok(hr == RPC_E_CALL_COMPLETE, "Cancel(5) on a 100 ms call: %#lx\n", hr);
    hr = AsyncIOcTest_Finish_Sleep(call);
    ok(hr == S_OK, "Finish_Sleep: %#lx\n", hr);

    ICancelMethodCalls_Release(cancel);
    ok(AsyncIOcTest_Release(call) == 0, "call object leaked\n");
}

/* a request cancelled before any worker took it is never executed, and the
 * interface references marshaled into it are given back */
static void test_cancel_queued(IOcTest2 *proxy, BOOL sta_server)
{
#ifndef OLECANCEL_SPIKE
    if (!have_pool_stats())
    {
        skip("no olecancel diagnostics: cannot saturate the pool\n");
        return;
    }
#endif
    {
    AsyncIOcTest *blocks[ASYNCPOOL_MAX_THREADS], *call;
    struct test_callback *cb;
    LONG threads, busy, queued, count, value;
    DWORD start;
    HRESULT hr;
    int i, n = 0;

    if (sta_server)
    {
        skip("an STA server runs one Block at a time\n");
        return;
    }
    count = server_count(proxy);
    for (i = 0; i < ARRAY_SIZE(blocks); i++)
    {
        if (FAILED(create_call((IUnknown *)proxy, &IID_AsyncIOcTest, (void **)&blocks[i]))) break;
        if (SUCCEEDED(AsyncIOcTest_Begin_Block(blocks[i], BOUND))) n++;
    }
    ok(n == ARRAY_SIZE(blocks), "%d Blocks begun\n", n);
    ok(wait_server_count(proxy, count + n), "server runs %ld of %d Blocks\n", server_count(proxy) - count, n);

    cb = create_callback();
    hr = create_call((IUnknown *)proxy, &IID_AsyncIOcTest, (void **)&call);
    ok(hr == S_OK, "create_call: %#lx\n", hr);
    hr = AsyncIOcTest_Begin_CallBack(call, &cb->IOcCallback_iface, 9);
    ok(hr == S_OK, "Begin_CallBack: %#lx\n", hr);
    asyncpool_get_stats(&threads, &busy, &queued);
    ok(queued == 1 && busy == ASYNCPOOL_MAX_THREADS, "pool: %ld threads, %ld busy, %ld queued\n", threads, busy, queued);
    ok(get_refcount((IUnknown *)&cb->IOcCallback_iface) > 1, "request holds no reference on the callback\n");
    hr = call_cancel(call, 0);
    ok(hr == S_OK, "Cancel(0) of a queued call: %#lx\n", hr);
    hr = AsyncIOcTest_Finish_CallBack(call, &value);
    ok(hr == RPC_E_CALL_CANCELED, "Finish_ of a queued cancelled call: %#lx\n", hr);
    AsyncIOcTest_Release(call);

    for (i = 0; i < n; i++) server_unblock(proxy);
    for (i = 0; i < n; i++)
    {
        hr = AsyncIOcTest_Finish_Block(blocks[i]);
        if (hr != S_OK) ok(0, "Finish_Block %d: %#lx\n", i, hr);
        AsyncIOcTest_Release(blocks[i]);
    }
    start = GetTickCount();
    do
    {
        pump_sleep(20);
        asyncpool_get_stats(&threads, &busy, &queued);
    } while ((busy || queued) && GetTickCount() - start < BOUND);
    ok(cb->pings == 0, "cancelled request executed: %ld pings\n", cb->pings);
    ok(IOcCallback_Release(&cb->IOcCallback_iface) == 0, "references of the never-executed request leaked: %lu\n",
       get_refcount((IUnknown *)&cb->IOcCallback_iface));
    }
}

static void test_fire_and_forget(IOcTest2 *proxy)
{
    AsyncIOcTest *call;
    LONG count;
    HRESULT hr;
    int i;

    /* (25) */
    count = server_count(proxy);
    for (i = 0; i < 3; i++)
    {
        hr = create_call((IUnknown *)proxy, &IID_AsyncIOcTest, (void **)&call);
        ok(hr == S_OK, "create_call: %#lx\n", hr);
        if (FAILED(hr)) return;
        hr = AsyncIOcTest_Begin_Sleep(call, 50, S_OK);
        ok(hr == S_OK, "Begin_Sleep: %#lx\n", hr);
        ok(AsyncIOcTest_Release(call) == 0, "call object not released\n");
    }
    ok(wait_server_count(proxy, count + 3), "server ran %ld of 3 released calls\n", server_count(proxy) - count);
}

static void test_aggregation(IOcTest2 *proxy)
{
    struct outer_sync *outer;
    ICallFactory *factory;
    AsyncIOcTest *call;
    LONG value;
    HRESULT hr;
    int i;

    hr = IOcTest2_QueryInterface(proxy, &IID_ICallFactory, (void **)&factory);
    ok(hr == S_OK, "QI(ICallFactory): %#lx\n", hr);
    if (FAILED(hr)) return;

    /* (26) */
    outer = calloc(1, sizeof(*outer));
    outer->ISynchronize_iface.lpVtbl = &outer_vtbl;
    outer->refcount = 1;
    hr = ICallFactory_CreateCall(factory, &IID_AsyncIOcTest, (IUnknown *)&outer->ISynchronize_iface,
                                 &IID_IUnknown, &outer->inner);
    ok(hr == S_OK, "CreateCall(aggregated): %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        ISynchronize *sync;
        hr = ISynchronize_QueryInterface(&outer->ISynchronize_iface, &IID_AsyncIOcTest, (void **)&call);
        ok(hr == S_OK, "outer QI(AsyncIOcTest): %#lx\n", hr);
        hr = AsyncIOcTest_QueryInterface(call, &IID_ISynchronize, (void **)&sync);
        ok(hr == S_OK && sync == &outer->ISynchronize_iface, "QI(ISynchronize) through the call object: %#lx, %p\n", hr, sync);
        if (SUCCEEDED(hr)) ISynchronize_Release(sync);
        for (i = 0; i < 2; i++)
        {
            hr = AsyncIOcTest_Begin_Add(call, i, 10);
            ok(hr == S_OK, "Begin_Add: %#lx\n", hr);
            hr = ISynchronize_Wait(&outer->ISynchronize_iface, 0, BOUND);
            ok(hr == S_OK, "Wait: %#lx\n", hr);
            value = 0;
            hr = AsyncIOcTest_Finish_Add(call, &value);
            ok(hr == S_OK && value == 10 + i, "Finish_Add: %#lx, %ld\n", hr, value);
            ok(outer->signals == i + 1, "outer Signal called %ld times after %d calls\n", outer->signals, i + 1);
            ok(outer->resets >= i + 1, "outer Reset called %ld times after %d calls\n", outer->resets, i + 1);
        }
        /* a failing Signal fails the call */
        outer->signal_hr = E_UNEXPECTED;
        hr = AsyncIOcTest_Begin_Add(call, 1, 1);
        ok(hr == S_OK, "Begin_Add: %#lx\n", hr);
        hr = AsyncIOcTest_Finish_Add(call, &value);
        ok(hr == E_UNEXPECTED, "Finish_ after a failing Signal: %#lx\n", hr);
        outer->signal_hr = S_OK;
        /* a failing Reset fails Begin_ */
        outer->reset_hr = E_ACCESSDENIED;
        hr = AsyncIOcTest_Begin_Add(call, 1, 1);
        ok(hr == E_ACCESSDENIED, "Begin_ with a failing Reset: %#lx\n", hr);
        outer->reset_hr = S_OK;
        hr = AsyncIOcTest_Begin_Add(call, 1, 1);
        ok(hr == S_OK, "Begin_ after that: %#lx\n", hr);
        hr = AsyncIOcTest_Finish_Add(call, &value);
        ok(hr == S_OK && value == 2, "Finish_Add: %#lx, %ld\n", hr, value);
        AsyncIOcTest_Release(call);
    }
    ok(ISynchronize_Release(&outer->ISynchronize_iface) == 0, "outer leaked\n");
    ICallFactory_Release(factory);
}

static void test_many_outstanding(IOcTest2 *proxy)
{
    AsyncIOcTest *calls[64];
    LONG value, good = 0;
    HRESULT hr;
    int i;

    /* (28) */
    for (i = 0; i < 64; i++)
    {
        hr = create_call((IUnknown *)proxy, &IID_AsyncIOcTest, (void **)&calls[i]);
        if (FAILED(hr)) { ok(0, "create_call %d: %#lx\n", i, hr); return; }
        hr = AsyncIOcTest_Begin_Sleep(calls[i], 10, MAKE_HRESULT(0, 0x77, i));
        ok(hr == S_OK, "Begin_Sleep %d: %#lx\n", i, hr);
    }
    for (i = 63; i >= 0; i--)
    {
        hr = AsyncIOcTest_Finish_Sleep(calls[i]);
        if (hr == MAKE_HRESULT(0, 0x77, i)) good++;
        else ok(0, "call %d: %#lx\n", i, hr);
        AsyncIOcTest_Release(calls[i]);
    }
    ok(good == 64, "%ld of 64 outstanding calls correct\n", good);
    (void)value;
}

/* bytes in use in every heap of the process */
static SIZE_T heap_bytes_in_use(void)
{
    HANDLE heaps[64];
    DWORD count = GetProcessHeaps(ARRAY_SIZE(heaps), heaps), i;
    PROCESS_HEAP_ENTRY entry;
    SIZE_T total = 0;

    for (i = 0; i < count && i < ARRAY_SIZE(heaps); i++)
    {
        HeapLock(heaps[i]);
        entry.lpData = NULL;
        while (HeapWalk(heaps[i], &entry))
            if (entry.wFlags & PROCESS_HEAP_ENTRY_BUSY) total += entry.cbData + entry.cbOverhead;
        HeapUnlock(heaps[i]);
    }
    return total;
}

static void test_async_unknown(IOcTest2 *proxy)
{
    AsyncIUnknown *call;
    IUnknown *obj, *id1, *id2;
    IOcTest *test;
    ULONG count, before;
    LONG value;
    HRESULT hr;

    hr = create_call((IUnknown *)proxy, &IID_AsyncIUnknown, (void **)&call);
    ok(hr == S_OK, "CreateCall(AsyncIUnknown): %#lx\n", hr);
    if (FAILED(hr)) return;

    obj = (IUnknown *)0xdeadbeef;
    hr = AsyncIUnknown_Finish_QueryInterface(call, (void **)&obj);
    ok(hr == RPC_E_CALL_COMPLETE, "Finish_QueryInterface on idle: %#lx\n", hr);

    hr = AsyncIUnknown_Begin_QueryInterface(call, &IID_IOcTest);
    ok(hr == S_OK, "Begin_QueryInterface: %#lx\n", hr);
    hr = call_wait(call, BOUND);
    ok(hr == S_OK, "Wait: %#lx\n", hr);
    test = NULL;
    hr = AsyncIUnknown_Finish_QueryInterface(call, (void **)&test);
    ok(hr == S_OK && test, "Finish_QueryInterface(IOcTest): %#lx, %p\n", hr, test);
    if (test)
    {
        IOcTest_QueryInterface(test, &IID_IUnknown, (void **)&id1);
        IOcTest2_QueryInterface(proxy, &IID_IUnknown, (void **)&id2);
        ok(id1 == id2, "identity %p, proxy %p\n", id1, id2);
        IUnknown_Release(id1);
        IUnknown_Release(id2);
        value = 0;
        hr = IOcTest_Add(test, 2, 2, &value);
        ok(hr == S_OK && value == 4, "call on the answer: %#lx, %ld\n", hr, value);
        IOcTest_Release(test);
    }

    hr = AsyncIUnknown_Begin_QueryInterface(call, &IID_IOcCallback);
    ok(hr == S_OK, "Begin_QueryInterface: %#lx\n", hr);
    obj = (IUnknown *)0xdeadbeef;
    hr = AsyncIUnknown_Finish_QueryInterface(call, (void **)&obj);
    ok(hr == E_NOINTERFACE && !obj, "Finish_QueryInterface(unsupported): %#lx, %p\n", hr, obj);

    before = get_refcount((IUnknown *)proxy);
    hr = AsyncIUnknown_Begin_AddRef(call);
    ok(hr == S_OK, "Begin_AddRef: %#lx\n", hr);
    count = AsyncIUnknown_Finish_AddRef(call);
    ok(count == before + 1, "Finish_AddRef: %lu, before %lu\n", count, before);
    hr = AsyncIUnknown_Begin_Release(call);
    ok(hr == S_OK, "Begin_Release: %#lx\n", hr);
    count = AsyncIUnknown_Finish_Release(call);
    ok(count == before, "Finish_Release: %lu, before %lu\n", count, before);

    /* fire and forget */
    hr = AsyncIUnknown_Begin_QueryInterface(call, &IID_IOcTest2);
    ok(hr == S_OK, "Begin_QueryInterface: %#lx\n", hr);
    ok(AsyncIUnknown_Release(call) == 0, "call object not released\n");
}

/* A controlling unknown that cancels its own AsyncIUnknown call from
 * inside Begin_: the call object asks the controlling unknown for
 * ISynchronize while it starts the call, the earliest moment a Cancel from
 * another thread could come.  The call must still finish. */
struct cancelling_outer
{
    IUnknown IUnknown_iface;
    IUnknown *inner;
    LONG refcount, armed;
    HRESULT cancel_hr;
};

static inline struct cancelling_outer *impl_from_cancelling_outer(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct cancelling_outer, IUnknown_iface);
}

static HRESULT WINAPI cancelling_outer_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    struct cancelling_outer *outer = impl_from_cancelling_outer(iface);

    if (IsEqualIID(riid, &IID_IUnknown))
    {
        *ppv = iface;
        IUnknown_AddRef(iface);
        return S_OK;
    }
    if (IsEqualIID(riid, &IID_ISynchronize) && InterlockedExchange(&outer->armed, 0))
    {
        ICancelMethodCalls *cancel;
        if (SUCCEEDED(IUnknown_QueryInterface(outer->inner, &IID_ICancelMethodCalls, (void **)&cancel)))
        {
            outer->cancel_hr = ICancelMethodCalls_Cancel(cancel, 0);
            ICancelMethodCalls_Release(cancel);
        }
    }
    return IUnknown_QueryInterface(outer->inner, riid, ppv);
}

static ULONG WINAPI cancelling_outer_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&impl_from_cancelling_outer(iface)->refcount);
}

static ULONG WINAPI cancelling_outer_Release(IUnknown *iface)
{
    return InterlockedDecrement(&impl_from_cancelling_outer(iface)->refcount);
}

static const IUnknownVtbl cancelling_outer_vtbl =
{
    cancelling_outer_QueryInterface, cancelling_outer_AddRef, cancelling_outer_Release,
};

static void test_async_unknown_cancel_at_begin(IOcTest2 *proxy)
{
    struct cancelling_outer outer = { { (IUnknownVtbl *)&cancelling_outer_vtbl }, NULL, 1, 0, 0xdeadbeef };
    ICallFactory *factory;
    AsyncIUnknown *call;
    ISynchronize *sync;
    IOcTest *test = NULL;
    HRESULT hr;
    int i;

    hr = IOcTest2_QueryInterface(proxy, &IID_ICallFactory, (void **)&factory);
    ok(hr == S_OK, "QI(ICallFactory): %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = ICallFactory_CreateCall(factory, &IID_AsyncIUnknown, &outer.IUnknown_iface, &IID_IUnknown, &outer.inner);
    ICallFactory_Release(factory);
    ok(hr == S_OK, "CreateCall(AsyncIUnknown, aggregated): %#lx\n", hr);
    if (FAILED(hr)) return;
    IUnknown_QueryInterface(outer.inner, &IID_AsyncIUnknown, (void **)&call);
    IUnknown_QueryInterface(outer.inner, &IID_ISynchronize, (void **)&sync);

    for (i = 0; i < 3; i++)
    {
        outer.armed = 1;
        outer.cancel_hr = 0xdeadbeef;
        hr = AsyncIUnknown_Begin_QueryInterface(call, &IID_IOcTest);
        ok(hr == S_OK, "Begin_QueryInterface: %#lx\n", hr);
        ok(outer.cancel_hr == RPC_E_CALL_COMPLETE, "Cancel(0) while the call begins: %#lx\n", outer.cancel_hr);
        hr = ISynchronize_Wait(sync, 0, 10000);
        ok(hr == S_OK, "call %d never signalled: %#lx\n", i, hr);
        if (hr != S_OK) ISynchronize_Signal(sync);   /* or Finish_ would wait for ever */
        test = NULL;
        hr = AsyncIUnknown_Finish_QueryInterface(call, (void **)&test);
        ok(hr == S_OK, "Finish_QueryInterface: %#lx\n", hr);
        if (test) IOcTest_Release(test);
    }
    ISynchronize_Release(sync);
    AsyncIUnknown_Release(call);
    ok(IUnknown_Release(outer.inner) == 0, "call object not released\n");
    ok(outer.refcount == 1, "controlling unknown: %ld references\n", outer.refcount);
}

static void measure(IOcTest2 *proxy, struct suite_params *params)
{
    AsyncIOcTest *call, *calls[16];
    double start, lat[100];
    IUnknown *objs[500];
    LONG value;
    HRESULT hr;
    int i, n = 300;

    if (FAILED(create_call((IUnknown *)proxy, &IID_AsyncIOcTest, (void **)&call))) return;
    for (i = 0; i < 20; i++) IOcTest2_Add(proxy, 1, 2, &value);
    for (i = 0; i < 20; i++) { AsyncIOcTest_Begin_Add(call, 1, 2); AsyncIOcTest_Finish_Add(call, &value); }
    /* interleaved batches: Wine's local RPC is noisy on 2 cores */
    {
        double sync_ms = 0, async_ms = 0;
        int round, j;
        for (round = 0; round < 10; round++)
        {
            start = now_ms();
            for (j = 0; j < n / 10; j++) IOcTest2_Add(proxy, j, 2, &value);
            sync_ms += now_ms() - start;
            start = now_ms();
            for (j = 0; j < n / 10; j++) { AsyncIOcTest_Begin_Add(call, j, 2); AsyncIOcTest_Finish_Add(call, &value); }
            async_ms += now_ms() - start;
        }
        params->sync_us = sync_ms * 1000.0 / n;
        params->async_us = async_ms * 1000.0 / n;
    }

    /* 16 outstanding 20 ms calls vs 16 sequential */
    start = now_ms();
    for (i = 0; i < 16; i++) IOcTest2_Sleep(proxy, 20, S_OK);
    {
        double seq = now_ms() - start, par;
        for (i = 0; i < 16; i++) create_call((IUnknown *)proxy, &IID_AsyncIOcTest, (void **)&calls[i]);
        start = now_ms();
        for (i = 0; i < 16; i++) AsyncIOcTest_Begin_Sleep(calls[i], 20, S_OK);
        for (i = 0; i < 16; i++) AsyncIOcTest_Finish_Sleep(calls[i]);
        par = now_ms() - start;
        /* second round: the pool is warm */
        start = now_ms();
        for (i = 0; i < 16; i++) AsyncIOcTest_Begin_Sleep(calls[i], 20, S_OK);
        for (i = 0; i < 16; i++) AsyncIOcTest_Finish_Sleep(calls[i]);
        par = min(par, now_ms() - start);
        for (i = 0; i < 16; i++) AsyncIOcTest_Release(calls[i]);
        params->par_ratio = seq / par;
        trace("%s: 16 sequential 20 ms calls %.1f ms, 16 outstanding %.1f ms: %.1fx\n", params->desc, seq, par, seq / par);
    }

    /* Cancel(0) -> Finish_ latency: batches below the pool size, so that
     * every cancelled call is running in the server */
    for (i = 0; i < ARRAY_SIZE(lat); i++)
    {
        AsyncIOcTest_Begin_Sleep(call, params->sta_server ? 5 : 150, S_OK);
        pump_sleep(1);
        start = now_ms();
        call_cancel(call, 0);
        hr = AsyncIOcTest_Finish_Sleep(call);
        lat[i] = now_ms() - start;
        if (hr != RPC_E_CALL_CANCELED) ok(0, "cancel %d: %#lx\n", i, hr);
        if (i % 25 == 24) wait_pool_idle();
    }
    qsort(lat, ARRAY_SIZE(lat), sizeof(lat[0]), compare_double);
    params->cancel_p50 = lat[ARRAY_SIZE(lat) / 2];
    params->cancel_p99 = lat[ARRAY_SIZE(lat) * 99 / 100 - 1];
    AsyncIOcTest_Release(call);
    wait_pool_idle();

    /* memory per idle call object */
    {
        SIZE_T before, after;
        DWORD handles0, handles1;
        int created = 0;
        handles0 = handle_count();
        before = heap_bytes_in_use();
        for (i = 0; i < ARRAY_SIZE(objs); i++)
        {
            if (FAILED(create_call((IUnknown *)proxy, &IID_AsyncIOcTest, (void **)&objs[i]))) objs[i] = NULL;
            else created++;
        }
        after = heap_bytes_in_use();
        handles1 = handle_count();
        ok(created == ARRAY_SIZE(objs), "created %d call objects\n", created);
        params->bytes_per_call_object = created ? (double)((LONG_PTR)after - (LONG_PTR)before) / created : 0;
        trace("%s: %d idle call objects: %.0f heap bytes and %.2f handles each\n", params->desc, created,
              params->bytes_per_call_object, (double)(handles1 - handles0) / max(created, 1));
        for (i = 0; i < ARRAY_SIZE(objs); i++) if (objs[i]) IUnknown_Release(objs[i]);
    }

    trace("%s: sync Add %.1f us, Begin+Finish Add %.1f us (%.2fx); Cancel(0)->Finish_ p50 %.3f ms, p99 %.3f ms; %.0f bytes per idle call object\n",
          params->desc, params->sync_us, params->async_us, params->async_us / params->sync_us,
          params->cancel_p50, params->cancel_p99, params->bytes_per_call_object);
    /* the lines make bench collects (metric, value, unit) */
    printf("async, %s: sync call\t%.4f\tus/call\n", params->desc, params->sync_us);
    printf("async, %s: Begin_+Finish_\t%.4f\tus/call\n", params->desc, params->async_us);
    printf("async, %s: Begin_+Finish_ / sync\t%.4f\tx (goal <= 1.5 cross-process)\n", params->desc,
           params->async_us / params->sync_us);
    printf("async, %s: 16 outstanding 20 ms calls vs sequential\t%.4f\tx throughput (goal >= 12)\n",
           params->desc, params->par_ratio);
    printf("async, %s: Cancel(0) -> Finish_ p50\t%.4f\tms\n", params->desc, params->cancel_p50);
    printf("async, %s: Cancel(0) -> Finish_ p99\t%.4f\tms (goal <= 2)\n", params->desc, params->cancel_p99);
    printf("async, %s: heap per idle call object\t%.4f\tbytes\n", params->desc, params->bytes_per_call_object);
}

static DWORD WINAPI client_thread(void *arg)
{
    struct suite_params *params = arg;
    LARGE_INTEGER zero = {{0}};
    IOcTest2 *proxy = NULL;
    DWORD handles0, handles1;
    LONG kept0, kept1;
    ULONG ref0, ref1;
    LONG threads, busy, queued;
    HRESULT hr;

    CoInitializeEx(NULL, params->sta ? COINIT_APARTMENTTHREADED : COINIT_MULTITHREADED);
    winetest_push_context("%s", params->desc);
    if (params->local)
        hr = CoCreateInstance(&CLSID_OcTestServer, NULL, CLSCTX_LOCAL_SERVER, &IID_IOcTest2, (void **)&proxy);
    else
    {
        IStream *stream;
        /* one stream per client: clone the table marshaled data */
        hr = IStream_Clone(params->stream, &stream);
        if (SUCCEEDED(hr))
        {
            IStream_Seek(stream, zero, STREAM_SEEK_SET, NULL);
            hr = CoUnmarshalInterface(stream, &IID_IOcTest2, (void **)&proxy);
            IStream_Release(stream);
        }
    }
    ok(hr == S_OK, "getting the server: %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        ref0 = get_refcount((IUnknown *)proxy);

        test_call_factory(proxy);
        test_begin_finish(proxy, params->sta);
        test_pending_and_cancel(proxy);
        test_cancel_tells_server(proxy);
        test_cancel_blocked_race(proxy);
        test_cancel_queued(proxy, params->sta_server);
        test_fire_and_forget(proxy);
        test_aggregation(proxy);
        test_async_unknown(proxy);
        test_async_unknown_cancel_at_begin(proxy);
        test_many_outstanding(proxy);
        wait_pool_idle();
        ref1 = get_refcount((IUnknown *)proxy);
        ok(ref1 == ref0, "proxy refcount %lu, was %lu\n", ref1, ref0);

        /* Nothing leaks: a second pass, once the pool has grown to its full
         * size and every thread has its per-thread COM and RPC handles,
         * must end with the handles it started with.  Not counted: the
         * named event of every cancel that reached a server, which
         * callcancel.c keeps open on purpose for a minute (the pass's
         * Cancel(0) of a blocked call makes one, a Cancel(5) that reaches
         * the worker's real call another).  The slack of 2 is one more
         * client connection to the server (a named pipe and an event, seen
         * once, not in every pass): Wine's rpcrt4 caches idle connections
         * for good, so the pool grows when a pass happens to run one more
         * call at once than the first did. */
        winetest_push_context("second pass");
        handles0 = handle_count();
        kept0 = cancel_events_kept();
        test_begin_finish(proxy, params->sta);
        test_pending_and_cancel(proxy);
        test_cancel_queued(proxy, params->sta_server);
        test_fire_and_forget(proxy);
        test_aggregation(proxy);
        test_async_unknown(proxy);
        test_async_unknown_cancel_at_begin(proxy);
        test_many_outstanding(proxy);
        wait_pool_idle();
        handles1 = handle_count();
        kept1 = cancel_events_kept();
        asyncpool_get_stats(&threads, &busy, &queued);
        trace("second pass: handles %lu -> %lu (cancel events kept %ld -> %ld), pool %ld threads\n",
              handles0, handles1, kept0, kept1, threads);
        ok((LONG)handles1 - kept1 <= (LONG)handles0 - kept0 + 2, "handles %lu, were %lu; cancel events kept %ld, were %ld (pool: %ld threads)\n",
           handles1, handles0, kept1, kept0, threads);
        ok(busy == 0 && queued == 0, "pool busy %ld, queued %ld\n", busy, queued);
        ref1 = get_refcount((IUnknown *)proxy);
        ok(ref1 == ref0, "proxy refcount %lu, was %lu\n", ref1, ref0);
        winetest_pop_context();
        /* last: its 100 cancels and 500 call objects grow the pool and Wine's
         * connection cache past what the leak check above compares */
        if (bench_mode) measure(proxy, params);
        IOcTest2_Release(proxy);
    }
    winetest_pop_context();
    CoUninitialize();
    return 0;
}

static void run_client(struct suite_params *params)
{
    HANDLE thread = CreateThread(NULL, 0, client_thread, params, 0, NULL);
    if (!wait_bounded(thread, 240000, params->desc)) TerminateThread(thread, 1);
    CloseHandle(thread);
}

/* ---------------------------------------------------------------------------
 * Servers
 * ------------------------------------------------------------------------- */

struct inproc_server
{
    BOOL sta;
    IStream *stream;
    HANDLE ready, quit;
    DWORD tid;
};

static DWORD WINAPI inproc_server_thread(void *arg)
{
    struct inproc_server *server = arg;
    IOcTest2 *object;
    HRESULT hr;

    CoInitializeEx(NULL, server->sta ? COINIT_APARTMENTTHREADED : COINIT_MULTITHREADED);
    object = create_server();
    CreateStreamOnHGlobal(NULL, TRUE, &server->stream);
    hr = CoMarshalInterface(server->stream, &IID_IOcTest2, (IUnknown *)object, MSHCTX_INPROC, NULL, MSHLFLAGS_TABLESTRONG);
    ok(hr == S_OK, "CoMarshalInterface: %#lx\n", hr);
    IOcTest2_Release(object);
    SetEvent(server->ready);
    if (server->sta) pump_messages_until(server->quit, 300000);
    else WaitForSingleObject(server->quit, 300000);
    {
        LARGE_INTEGER zero = {{0}};
        IStream_Seek(server->stream, zero, STREAM_SEEK_SET, NULL);
        CoReleaseMarshalData(server->stream);
    }
    IStream_Release(server->stream);
    CoUninitialize();
    return 0;
}

static void test_inproc(BOOL server_sta, BOOL client_sta)
{
    struct inproc_server server = { server_sta };
    struct suite_params params = { client_sta, FALSE, server_sta };
    char desc[64];
    HANDLE thread;

    snprintf(desc, sizeof(desc), "in-process %s client, %s server", client_sta ? "STA" : "MTA", server_sta ? "STA" : "MTA");
    params.desc = desc;
    server.ready = CreateEventW(NULL, TRUE, FALSE, NULL);
    server.quit = CreateEventW(NULL, TRUE, FALSE, NULL);
    thread = CreateThread(NULL, 0, inproc_server_thread, &server, 0, &server.tid);
    if (wait_bounded(server.ready, BOUND, "in-process server"))
    {
        params.stream = server.stream;
        server_inproc = TRUE;
        run_client(&params);
        server_inproc = FALSE;
    }
    SetEvent(server.quit);
    wait_bounded(thread, BOUND, "in-process server exit");
    ok(server_objects == 0, "%s: %ld server objects alive\n", desc, server_objects);
    CloseHandle(thread);
    CloseHandle(server.ready);
    CloseHandle(server.quit);
}

static void test_same_apartment(void)
{
    ICallFactory *factory;
    IOcTest2 *object;
    HRESULT hr;

    /* (27) */
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    object = create_server();
    factory = (ICallFactory *)0xdeadbeef;
    hr = IOcTest2_QueryInterface(object, &IID_ICallFactory, (void **)&factory);
    ok(hr == E_NOINTERFACE && !factory, "same-apartment object QI(ICallFactory): %#lx, %p\n", hr, factory);
    IOcTest2_Release(object);
    CoUninitialize();
}

static HANDLE start_local_server(const char *tag, HANDLE *quit)
{
    return local_server_start(exe_path, "olecancel_async", tag, quit);
}

static void stop_local_server(HANDLE process, HANDLE quit, const char *desc)
{
    DWORD code = local_server_stop(process, quit);
    ok(code == 0, "%s: local server exit code %lu (server objects alive)\n", desc, code);
}

static void test_local(BOOL client_sta)
{
    struct suite_params params = { client_sta, TRUE };
    char tag[32], desc[64];
    HANDLE process, quit;

    snprintf(desc, sizeof(desc), "local server, %s client", client_sta ? "STA" : "MTA");
    snprintf(tag, sizeof(tag), "%lx_%d", GetCurrentProcessId(), client_sta);
    params.desc = desc;
    if (!(process = start_local_server(tag, &quit))) return;
    run_client(&params);
    stop_local_server(process, quit, desc);
}

struct kill_params
{
    BOOL sta;
    HANDLE process;
    CLSID clsid;
};

static DWORD WINAPI kill_client_thread(void *arg)
{
    struct kill_params *params = arg;
    AsyncIOcTest *call;
    IOcTest2 *proxy;
    double start;
    LONG count;
    HRESULT hr;

    CoInitializeEx(NULL, params->sta ? COINIT_APARTMENTTHREADED : COINIT_MULTITHREADED);
    hr = CoCreateInstance(&params->clsid, NULL, CLSCTX_LOCAL_SERVER, &IID_IOcTest2, (void **)&proxy);
    ok(hr == S_OK, "CoCreateInstance: %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        hr = create_call((IUnknown *)proxy, &IID_AsyncIOcTest, (void **)&call);
        ok(hr == S_OK, "create_call: %#lx\n", hr);
        if (SUCCEEDED(hr))
        {
            count = server_count(proxy);
            hr = AsyncIOcTest_Begin_Block(call, BOUND);
            ok(hr == S_OK, "Begin_Block: %#lx\n", hr);
            ok(wait_server_count(proxy, count + 1), "server never started Block\n");
            TerminateProcess(params->process, 3);
            start = now_ms();
            hr = call_wait(call, BOUND);
            ok(hr == S_OK, "Wait after the server died: %#lx\n", hr);
            hr = AsyncIOcTest_Finish_Block(call);
            ok(FAILED(hr) && hr != RPC_E_CALL_COMPLETE, "Finish_ after the server died: %#lx\n", hr);
            trace("server killed mid-call: Finish_ %#lx after %.1f ms\n", hr, now_ms() - start);
            hr = AsyncIOcTest_Begin_Add(call, 1, 2);
            ok(hr == S_OK, "Begin_ after the server died: %#lx\n", hr);
            hr = AsyncIOcTest_Finish_Add(call, &count);
            ok(FAILED(hr), "Finish_ to a dead server: %#lx\n", hr);
            AsyncIOcTest_Release(call);
        }
        IOcTest2_Release(proxy);
    }
    CoUninitialize();
    return 0;
}

static void test_server_killed(BOOL client_sta)
{
    struct kill_params params = { client_sta };
    char tag[32];
    HANDLE quit, thread;

    snprintf(tag, sizeof(tag), "%lx_kill%d", GetCurrentProcessId(), client_sta);
    params.clsid = server_clsid(tag);
    if (!(params.process = start_local_server(tag, &quit))) return;
    thread = CreateThread(NULL, 0, kill_client_thread, &params, 0, NULL);
    if (!wait_bounded(thread, 120000, "killed-server client")) TerminateThread(thread, 1);
    CloseHandle(thread);
    TerminateProcess(params.process, 3);
    CloseHandle(params.process);
    CloseHandle(quit);
}

/* ---------------------------------------------------------------------------
 * Registration, the way an installer would do it
 * ------------------------------------------------------------------------- */

static HMODULE ps_module;

static BOOL register_ps(void)
{
    char path[MAX_PATH], cmd[MAX_PATH + 16], clsid[40];

    if (!(ps_module = ps_dll_register(exe_path))) return FALSE;
    /* the local server, for COM to find (and start, if not running) */
    guid_str(&CLSID_OcTestServer, clsid);
    snprintf(path, sizeof(path), "Software\\Classes\\CLSID\\%s\\LocalServer32", clsid);
    snprintf(cmd, sizeof(cmd), "\"%s\" server auto", exe_path);
    set_value(HKEY_CURRENT_USER, path, NULL, cmd);
    return TRUE;
}

static void unregister_ps(void)
{
    char path[80], clsid[40];

    guid_str(&CLSID_OcTestServer, clsid);
    snprintf(path, sizeof(path), "Software\\Classes\\CLSID\\%s", clsid);
    RegDeleteTreeA(HKEY_CURRENT_USER, path);
    ps_dll_unregister(ps_module);
}

START_TEST(async_call)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);

    GetModuleFileNameA(NULL, exe_path, sizeof(exe_path));
    bench_mode = argc >= 2 && !strcmp(argv[1], "bench");
    if (argc >= 3 && !strcmp(argv[1], "server"))
    {
#ifdef OLECANCEL_SPIKE
        async_init();
#endif
        exit(run_server(argv[2]));
    }

    unblock_event = CreateEventW(NULL, FALSE, FALSE, NULL);
#ifdef OLECANCEL_SPIKE
    {
        double start = now_ms();
        HRESULT hr = async_init();
        ok(hr == S_OK, "async_init: %#lx\n", hr);
        trace("async_init took %.1f ms\n", now_ms() - start);
    }
    ok(async_init() == S_OK, "async_init (again) failed\n");
#endif
    if (!register_ps()) return;

    run_subtest(test_same_apartment);
    test_local(TRUE);
    test_local(FALSE);
    test_inproc(FALSE, TRUE);
    test_inproc(TRUE, FALSE);
    test_server_killed(TRUE);
    test_server_killed(FALSE);

    unregister_ps();
}
