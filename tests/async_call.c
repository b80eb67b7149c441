/*
 * Tests for asynchronous COM calls over standard marshaling
 * (behaviour.md matrix rows 16-19, 21, 24, 25, 27, 28): ICallFactory on a
 * proxy and the call objects it creates, Begin_/Finish_ with numbers,
 * strings, arrays, interface pointers and call backs, fire and forget, 64
 * outstanding calls, none for an object in the caller's apartment.  Each
 * against a local server and across apartments (async_suite.h).
 *
 * "async_call.exe bench" also measures, for make bench.
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

/* The workers of an MTA caller use the caller's own proxy: the last call
 * object on it gives its reference back before its Release returns, so a
 * program that lets go of everything and exits leaves no server object
 * behind (Wine does not ping; nothing would release it later).  An STA
 * caller's workers use a proxy of their own, released on the pool. */
static void test_release_at_once(IOcTest2 *proxy, BOOL sta)
{
    AsyncIOcTest2 *call;
    ULONG ref0, ref1;
    LONG value = 0;
    HRESULT hr;

    if (sta) return;
    wait_pool_idle();
    ref0 = get_refcount((IUnknown *)proxy);
    hr = create_call((IUnknown *)proxy, &IID_AsyncIOcTest2, (void **)&call);
    ok(hr == S_OK, "create_call: %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = AsyncIOcTest2_Begin_Add(call, 1, 2);
    ok(hr == S_OK, "Begin_Add: %#lx\n", hr);
    hr = AsyncIOcTest2_Finish_Add(call, &value);
    ok(hr == S_OK && value == 3, "Finish_Add: %#lx, %ld\n", hr, value);
    /* the worker is done with the request: only the call object holds the view */
    wait_pool_idle();
    ok(AsyncIOcTest2_Release(call) == 0, "call object not released\n");
    ref1 = get_refcount((IUnknown *)proxy);
    ok(ref1 == ref0, "proxy refcount %lu just after the call object's Release, was %lu\n", ref1, ref0);
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

static void suite_pass(IOcTest2 *proxy, struct suite_params *params, BOOL second)
{
    if (!second) test_call_factory(proxy);
    test_begin_finish(proxy, params->sta);
    test_fire_and_forget(proxy);
    test_release_at_once(proxy, params->sta);
    test_many_outstanding(proxy);
}

START_TEST(async_call)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);

    if (argc >= 2 && !strcmp(argv[1], "bench")) suite_measure = measure;
    if (!async_suite_init(argc, argv)) return;

    run_subtest(test_same_apartment);
    async_suite_run();

    unregister_ps();
}
