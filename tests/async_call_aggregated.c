/*
 * Tests for aggregated asynchronous call objects (behaviour.md matrix row
 * 26): a controlling unknown that implements ISynchronize gets the call
 * object's Signal and Reset and can fail them, and an aggregated call object
 * must be created for IUnknown.  Against a local server and across
 * apartments (async_suite.h).
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
#include <windows.h>
#include <objbase.h>
#include <initguid.h>
#include "wine_test.h"
#include "test_util.h"
#include "async_util.h"
#include "async_server.h"
#include "async_suite.h"

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

/* first: also the aggregated call object that is not asked for as IUnknown */
static void test_aggregation(IOcTest2 *proxy, BOOL first)
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

    if (first)
    {
        struct outer_sync outer = { { &outer_vtbl }, 1 };
        IUnknown *call;
        hr = ICallFactory_CreateCall(factory, &IID_AsyncIOcTest, (IUnknown *)&outer.ISynchronize_iface,
                                     &IID_ISynchronize, &call);
        /* inferred */
        ok(hr == CLASS_E_NOAGGREGATION, "CreateCall(aggregated, riid2 ISynchronize): %#lx\n", hr);
    }

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

static void suite_pass(IOcTest2 *proxy, struct suite_params *params, BOOL second)
{
    test_aggregation(proxy, !second);
}

START_TEST(async_call_aggregated)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);

    if (!async_suite_init(argc, argv)) return;
    async_suite_run();
    unregister_ps();
}
