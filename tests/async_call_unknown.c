/*
 * Tests for AsyncIUnknown call objects: Begin_/Finish_ of QueryInterface,
 * AddRef and Release on a proxy, the answer's identity, fire and forget,
 * and a Cancel from inside Begin_ (the controlling unknown cancels when the
 * call object asks it for ISynchronize) that must not stop the call.
 * Against a local server and across apartments (async_suite.h).
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

static void suite_pass(IOcTest2 *proxy, struct suite_params *params, BOOL second)
{
    test_async_unknown(proxy);
    test_async_unknown_cancel_at_begin(proxy);
}

START_TEST(async_call_unknown)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);

    if (!async_suite_init(argc, argv)) return;
    async_suite_run();
    unregister_ps();
}
