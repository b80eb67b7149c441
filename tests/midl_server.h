/*
 * The server object of tests/midl_proxy.c: IOcMidlWork (tests/midl/
 * midl_work.idl) and ICallFactory, whose call objects (aggregated by COM's
 * controlling unknown) serve its calls asynchronously where olecancel's
 * server side is on; counters tell the client what the server saw
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

#ifndef OLECANCEL_MIDL_SERVER_H
#define OLECANCEL_MIDL_SERVER_H

#include <windows.h>
#include <objbase.h>
#include "midl/midl_work.h"


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
    if (a == -3) { *sum = GetCurrentProcessId(); *served = 0; return TRUE; }
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

#endif /* OLECANCEL_MIDL_SERVER_H */
