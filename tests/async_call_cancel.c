/*
 * Tests for cancelling asynchronous COM calls (behaviour.md matrix rows
 * 20, 22, 23): ICancelMethodCalls on a pending, a blocked and a completed
 * call, Cancel(n), the server's CoTestCancel seeing the cancel, a cancel
 * racing the abandoned real call, a request cancelled while still queued in
 * the call pool (never executed, its references given back), and a server
 * killed while a call is outstanding.  Against a local server and across
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

/* The basic path: Cancel on the call object, and the server's CoTestCancel
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

static void suite_pass(IOcTest2 *proxy, struct suite_params *params, BOOL second)
{
    test_pending_and_cancel(proxy);
    if (!second)
    {
        test_cancel_tells_server(proxy);
        test_cancel_blocked_race(proxy);
    }
    test_cancel_queued(proxy, params->sta_server);
}

START_TEST(async_call_cancel)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);

    if (!async_suite_init(argc, argv)) return;

    async_suite_run();
    test_server_killed(TRUE);
    test_server_killed(FALSE);

    unregister_ps();
}
