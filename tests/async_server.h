/*
 * olecancel tests: the IOcTest2 server object of the asynchronous-call tests,
 * its class factory and local-server child mode, and the client-side helpers
 * that read the server's and the call pool's state
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
 * Include after wine_test.h, test_util.h and async_util.h.
 */

#ifndef OLECANCEL_ASYNC_SERVER_H
#define OLECANCEL_ASYNC_SERVER_H

#include <stddef.h>
#include "olecancel_test.h"
#include "kept_stubs.h"

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

static WINETEST_UNUSED BOOL have_pool_stats(void)
{
    return get_olecancel_diag() != NULL;
}
#endif

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
    struct kept_stubs kept = { 0 };
    HANDLE ready, quit;
    DWORD cookie;
    HRESULT hr;

    unblock_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    CLSID clsid = server_clsid(tag);

    hr = CoRegisterClassObject(&clsid, (IUnknown *)&server_cf, CLSCTX_LOCAL_SERVER,
                               REGCLS_MULTIPLEUSE, &cookie);
    if (FAILED(hr)) { printf("server: CoRegisterClassObject %#lx\n", hr); return 100; }
    kept_stubs_add(&kept, &IID_IOcTest);
    kept_stubs_add(&kept, &IID_IOcTest2);
    local_server_events("olecancel_async", tag, &ready, &quit);
    SetEvent(ready);
    if (WaitForSingleObject(quit, 300000) != WAIT_OBJECT_0) printf("server: no quit signal\n");
    CoRevokeClassObject(cookie);
    Sleep(100);
    kept_stubs_release(&kept);
    CoUninitialize();
    return server_objects;
}

/* ---------------------------------------------------------------------------
 * Client helpers
 * ------------------------------------------------------------------------- */

static WINETEST_UNUSED void wait_pool_idle(void)
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

static WINETEST_UNUSED LONG server_count(IOcTest2 *proxy)
{
    LONG count = -1;
    /* an STA server blocked in Block cannot be asked */
    if (server_inproc) return server_calls;
    IOcTest2_GetCount(proxy, &count);
    return count;
}

static WINETEST_UNUSED HRESULT server_unblock(IOcTest2 *proxy)
{
    if (server_inproc) return SetEvent(unblock_event) ? S_OK : E_FAIL;
    return IOcTest2_Unblock(proxy);
}

/* bounded poll for the server to have executed `target` calls */
static WINETEST_UNUSED BOOL wait_server_count(IOcTest2 *proxy, LONG target)
{
    DWORD start = GetTickCount();
    while (server_count(proxy) < target)
    {
        if (GetTickCount() - start > BOUND) return FALSE;
        pump_sleep(5);
    }
    return TRUE;
}


#endif /* OLECANCEL_ASYNC_SERVER_H */
