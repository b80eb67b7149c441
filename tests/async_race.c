/*
 * olecancel: a Cancel racing the start of an asynchronous call
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
 * A Cancel may come at any moment after Begin_ returned: while the request
 * waits for a pool worker, while the worker prepares the real call (stub,
 * [in] values, channel hook), while the real call is on its way or runs in
 * the server.  Whatever the moment, the call object completes once
 * (one Signal of the controlling unknown's ISynchronize), Finish_ says
 * RPC_E_CALL_CANCELED, and the server either never runs the method or sees
 * the cancel in CoTestCancel.  A method that runs on uncancelled for a call
 * the client was told is cancelled keeps a pool thread busy meanwhile: the
 * server here lets such a method run until the test releases it, so that a
 * missed cancel shows as a method still running and a busy pool thread.
 *
 * Many rounds of Begin_ + Cancel(0) from another thread, the Cancel a little
 * later each round (0 to 350 us), spread it over the moments above; then
 * fewer of Cancel(1), whose server must be told too.  Every wait is
 * bounded.
 */

#include <windows.h>
#include <objbase.h>
#include <stdio.h>
#include <stddef.h>
#include <initguid.h>
#include "olecancel_test.h"
#include "wine_test.h"
#include "test_util.h"
#include "async_util.h"

#define BOUND 20000     /* ms: the longest any single wait may take */
#define ROUNDS 1000
#define SETTLE_MS 5000  /* a cancelled method notices within a few ms; this is the bound */

static char exe_path[MAX_PATH];

#include "async_race_server.h"

/* ---------------------------------------------------------------------------
 * A controlling unknown that counts the call object's completions
 * ------------------------------------------------------------------------- */

struct counting_outer
{
    IUnknown IUnknown_iface;
    ISynchronize ISynchronize_iface;
    LONG refcount;
    IUnknown *inner;
    HANDLE event;
    LONG signals;
};

static inline struct counting_outer *outer_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct counting_outer, IUnknown_iface);
}

static inline struct counting_outer *outer_from_ISynchronize(ISynchronize *iface)
{
    return CONTAINING_RECORD(iface, struct counting_outer, ISynchronize_iface);
}

static HRESULT WINAPI outer_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    struct counting_outer *outer = outer_from_IUnknown(iface);

    if (IsEqualIID(riid, &IID_IUnknown)) *ppv = &outer->IUnknown_iface;
    else if (IsEqualIID(riid, &IID_ISynchronize)) *ppv = &outer->ISynchronize_iface;
    else if (outer->inner) return IUnknown_QueryInterface(outer->inner, riid, ppv);
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI outer_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&outer_from_IUnknown(iface)->refcount);
}

static ULONG WINAPI outer_Release(IUnknown *iface)
{
    struct counting_outer *outer = outer_from_IUnknown(iface);
    ULONG ref = InterlockedDecrement(&outer->refcount);

    if (!ref)
    {
        /* the inner's last Release may come back through the outer */
        outer->refcount = 1;
        if (outer->inner) IUnknown_Release(outer->inner);
        CloseHandle(outer->event);
        free(outer);
    }
    return ref;
}

static const IUnknownVtbl outer_vtbl = { outer_QueryInterface, outer_AddRef, outer_Release };

static HRESULT WINAPI outer_sync_QueryInterface(ISynchronize *iface, REFIID riid, void **ppv)
{
    return outer_QueryInterface(&outer_from_ISynchronize(iface)->IUnknown_iface, riid, ppv);
}

static ULONG WINAPI outer_sync_AddRef(ISynchronize *iface)
{
    return outer_AddRef(&outer_from_ISynchronize(iface)->IUnknown_iface);
}

static ULONG WINAPI outer_sync_Release(ISynchronize *iface)
{
    return outer_Release(&outer_from_ISynchronize(iface)->IUnknown_iface);
}

static HRESULT WINAPI outer_sync_Wait(ISynchronize *iface, DWORD flags, DWORD ms)
{
    struct counting_outer *outer = outer_from_ISynchronize(iface);
    DWORD index;
    return CoWaitForMultipleHandles(flags, ms, 1, &outer->event, &index);
}

static HRESULT WINAPI outer_sync_Signal(ISynchronize *iface)
{
    struct counting_outer *outer = outer_from_ISynchronize(iface);
    InterlockedIncrement(&outer->signals);
    SetEvent(outer->event);
    return S_OK;
}

static HRESULT WINAPI outer_sync_Reset(ISynchronize *iface)
{
    ResetEvent(outer_from_ISynchronize(iface)->event);
    return S_OK;
}

static const ISynchronizeVtbl outer_sync_vtbl =
{
    outer_sync_QueryInterface, outer_sync_AddRef, outer_sync_Release,
    outer_sync_Wait, outer_sync_Signal, outer_sync_Reset
};

static struct counting_outer *create_counted_call(IUnknown *proxy)
{
    struct counting_outer *outer = calloc(1, sizeof(*outer));
    ICallFactory *factory;
    HRESULT hr;

    outer->IUnknown_iface.lpVtbl = &outer_vtbl;
    outer->ISynchronize_iface.lpVtbl = &outer_sync_vtbl;
    outer->refcount = 1;
    outer->event = CreateEventW(NULL, TRUE, FALSE, NULL);
    hr = IUnknown_QueryInterface(proxy, &IID_ICallFactory, (void **)&factory);
    ok(hr == S_OK, "QI(ICallFactory): %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        hr = ICallFactory_CreateCall(factory, &IID_AsyncIOcTest, &outer->IUnknown_iface, &IID_IUnknown,
                                     &outer->inner);
        ok(hr == S_OK, "CreateCall: %#lx\n", hr);
        ICallFactory_Release(factory);
    }
    if (FAILED(hr))
    {
        outer_Release(&outer->IUnknown_iface);
        return NULL;
    }
    return outer;
}

/* ---------------------------------------------------------------------------
 * The race
 * ------------------------------------------------------------------------- */

struct canceller
{
    HANDLE go, done, quit;
    ICancelMethodCalls *cancel;
    ULONG seconds;
    double delay_us;
    HRESULT hr;
};

static DWORD WINAPI canceller_thread(void *arg)
{
    struct canceller *c = arg;
    HANDLE handles[2] = { c->quit, c->go };

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    while (WaitForMultipleObjects(2, handles, FALSE, BOUND) == WAIT_OBJECT_0 + 1)
    {
        double start = now_ms();
        while ((now_ms() - start) * 1000.0 < c->delay_us) YieldProcessor();
        c->hr = ICancelMethodCalls_Cancel(c->cancel, c->seconds);
        SetEvent(c->done);
    }
    CoUninitialize();
    return 0;
}

static void pool_stats(LONG *busy, LONG *queued)
{
    const struct olecancel_diag *diag = get_olecancel_diag();
    LONG threads;

    *busy = *queued = 0;
    if (diag) diag->pool_stats(&threads, busy, queued);
}

/* what the server says about the WaitCancel calls (in-process: read directly) */
static BOOL server_inproc;

static void server_counts(IOcTest2 *proxy, LONG *entered, LONG *running, LONG *missed)
{
    *entered = *running = *missed = -1;
    if (server_inproc)
    {
        *entered = calls_entered;
        *running = calls_running;
        *missed = calls_missed;
        return;
    }
    IOcTest2_GetCount(proxy, entered);
    IOcTest2_LastWaitCancel(proxy, running, missed);
}

/* Cancel(seconds): with no time (0) the call is completed as cancelled at
 * once (S_OK); with time, the server sees the cancel and ends the call
 * itself, so the Cancel finds it completed (RPC_E_CALL_COMPLETE) unless it
 * came before the call had started at all. */
static void race_begin_cancel(IOcTest2 *proxy, ULONG seconds, int rounds)
{
    struct canceller c = { 0 };
    struct counting_outer *outer;
    AsyncIOcTest *call;
    LONG entered, running, missed, busy, queued, entered0, missed0;
    int i, bad_cancel = 0, bad_finish = 0, bad_again = 0, bad_signals = 0;
    HRESULT hr;
    HANDLE thread;
    DWORD start;

    if (!(outer = create_counted_call((IUnknown *)proxy))) return;
    server_counts(proxy, &entered0, &running, &missed0);
    hr = IUnknown_QueryInterface(outer->inner, &IID_AsyncIOcTest, (void **)&call);
    ok(hr == S_OK, "QI(AsyncIOcTest): %#lx\n", hr);
    hr = IUnknown_QueryInterface(outer->inner, &IID_ICancelMethodCalls, (void **)&c.cancel);
    ok(hr == S_OK, "QI(ICancelMethodCalls): %#lx\n", hr);
    c.go = CreateEventW(NULL, FALSE, FALSE, NULL);
    c.done = CreateEventW(NULL, FALSE, FALSE, NULL);
    c.quit = CreateEventW(NULL, TRUE, FALSE, NULL);
    thread = CreateThread(NULL, 0, canceller_thread, &c, 0, NULL);

    winetest_push_context("Cancel(%lu)", seconds);
    c.seconds = seconds;
    for (i = 0; i < rounds; i++)
    {
        LONG signals = outer->signals;

        c.delay_us = (i % 15) * 25.0;
        c.hr = E_FAIL;
        hr = AsyncIOcTest_Begin_WaitCancel(call, BOUND);
        if (hr != S_OK)
        {
            ok(0, "round %d: Begin_WaitCancel: %#lx\n", i, hr);
            break;
        }
        SetEvent(c.go);
        if (!wait_bounded(c.done, BOUND, "the Cancel")) break;
        hr = AsyncIOcTest_Finish_WaitCancel(call);
        /* the server waits for the cancel: nothing but the Cancel completes the call */
        if (c.hr != S_OK && !(seconds && c.hr == RPC_E_CALL_COMPLETE) && bad_cancel++ < 3)
            ok(0, "round %d: Cancel after Begin_: %#lx\n", i, c.hr);
        if (hr != RPC_E_CALL_CANCELED && bad_finish++ < 3) ok(0, "round %d: Finish_: %#lx\n", i, hr);
        hr = AsyncIOcTest_Finish_WaitCancel(call);
        if (hr != RPC_E_CALL_COMPLETE && bad_again++ < 3) ok(0, "round %d: second Finish_: %#lx\n", i, hr);
        if (outer->signals != signals + 1 && bad_signals++ < 3)
            ok(0, "round %d: %ld Signals of the outer for one call\n", i, outer->signals - signals);
    }
    ok(!bad_cancel && !bad_finish && !bad_again && !bad_signals,
       "%d rounds: Cancel not S_OK %d, Finish_ not cancelled %d, second Finish_ wrong %d, not one Signal %d\n",
       i, bad_cancel, bad_finish, bad_again, bad_signals);

    /* Every call is cancelled: a method that got it sees that within a
     * few ms and returns, and every pool worker is free again.  One still
     * running after SETTLE_MS missed its cancel. */
    start = GetTickCount();
    do
    {
        pump_sleep(20);
        server_counts(proxy, &entered, &running, &missed);
        pool_stats(&busy, &queued);
    } while ((running || missed != missed0 || busy || queued) && GetTickCount() - start < SETTLE_MS);
    entered -= entered0;
    missed -= missed0;
    trace("%d rounds: the server ran %ld of the cancelled calls\n", i, entered);
    ok(running == 0 && missed == 0,
       "%d cancelled calls: %ld still running in the server without seeing the cancel, %ld ended without it, "
       "%ld reached the server\n", i, running, missed, entered);
    ok(busy == 0 && queued == 0, "pool threads still busy with cancelled calls: %ld, %ld queued\n", busy, queued);

    /* release what missed its cancel, and wait for it */
    if (server_inproc) InterlockedIncrement(&releases);
    else IOcTest2_Unblock(proxy);
    start = GetTickCount();
    do
    {
        pump_sleep(20);
        server_counts(proxy, &entered, &running, &missed);
        pool_stats(&busy, &queued);
    } while ((running || busy || queued) && GetTickCount() - start < BOUND);
    ok(running == 0 && busy == 0, "after the release: %ld running, %ld pool threads busy\n", running, busy);

    SetEvent(c.quit);
    wait_bounded(thread, BOUND, "canceller thread");
    CloseHandle(thread);
    CloseHandle(c.go);
    CloseHandle(c.done);
    CloseHandle(c.quit);
    ICancelMethodCalls_Release(c.cancel);
    AsyncIOcTest_Release(call);
    ok(outer_Release(&outer->IUnknown_iface) == 0, "call object's outer still referenced\n");
    winetest_pop_context();
}

/* ---------------------------------------------------------------------------
 * Where the server runs
 * ------------------------------------------------------------------------- */

struct client_params
{
    BOOL sta;
    IStream *stream;    /* in-process server: its marshaled interface */
    const char *desc;
};

static DWORD WINAPI client_thread(void *arg)
{
    struct client_params *params = arg;
    IOcTest2 *proxy = NULL;
    ULONG ref0, ref1;
    HRESULT hr;
    int i;

    CoInitializeEx(NULL, params->sta ? COINIT_APARTMENTTHREADED : COINIT_MULTITHREADED);
    winetest_push_context("%s", params->desc);
    if (params->stream) hr = CoUnmarshalInterface(params->stream, &IID_IOcTest2, (void **)&proxy);
    else hr = CoCreateInstance(&CLSID_RaceServer, NULL, CLSCTX_LOCAL_SERVER, &IID_IOcTest2, (void **)&proxy);
    ok(hr == S_OK, "getting the server: %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        ref0 = IOcTest2_AddRef(proxy) - 1;
        IOcTest2_Release(proxy);
        race_begin_cancel(proxy, 0, ROUNDS);
        race_begin_cancel(proxy, 1, ROUNDS / 10);
        /* a pool worker drops its reference on the proxy after it has
         * completed the call object, so possibly just after Finish_ */
        for (i = 0; i < 500; i++)
        {
            ref1 = IOcTest2_AddRef(proxy) - 1;
            IOcTest2_Release(proxy);
            if (ref1 == ref0) break;
            Sleep(10);
        }
        ok(ref1 == ref0, "proxy refcount %lu, was %lu (after %d ms)\n", ref1, ref0, i * 10);
        IOcTest2_Release(proxy);
    }
    winetest_pop_context();
    CoUninitialize();
    return 0;
}

static void run_client(struct client_params *params)
{
    HANDLE thread = CreateThread(NULL, 0, client_thread, params, 0, NULL);
    if (!wait_bounded(thread, 240000, "client")) TerminateThread(thread, 1);
    CloseHandle(thread);
}

static void test_local(BOOL client_sta)
{
    struct client_params params = { client_sta, NULL, client_sta ? "local server, STA client" : "local server, MTA client" };
    char cmd[MAX_PATH * 2], name[64], tag[32];
    STARTUPINFOA si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    HANDLE ready, quit;
    DWORD code = 255;

    winetest_push_context("%s", params.desc);
    snprintf(tag, sizeof(tag), "%lx_%d", GetCurrentProcessId(), client_sta);
    snprintf(name, sizeof(name), "olecancel_race_ready_%s", tag);
    ready = CreateEventA(NULL, TRUE, FALSE, name);
    snprintf(name, sizeof(name), "olecancel_race_quit_%s", tag);
    quit = CreateEventA(NULL, TRUE, FALSE, name);
    snprintf(cmd, sizeof(cmd), "\"%s\" server %s", exe_path, tag);
    if (CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
    {
        CloseHandle(pi.hThread);
        if (wait_bounded(ready, BOUND, "local server registration")) run_client(&params);
        SetEvent(quit);
        if (wait_bounded(pi.hProcess, BOUND, "local server exit")) GetExitCodeProcess(pi.hProcess, &code);
        else TerminateProcess(pi.hProcess, 255);
        ok(code == 0, "local server exit code %lu (server objects alive)\n", code);
        CloseHandle(pi.hProcess);
    }
    else ok(0, "CreateProcess: %lu\n", GetLastError());
    CloseHandle(ready);
    CloseHandle(quit);
    winetest_pop_context();
}

/* An MTA object of this process called from an STA: the pool worker calls
 * the object itself, and the method's CoTestCancel answers for the
 * asynchronous call. */
static void test_inproc_mta_object(void)
{
    struct client_params params = { TRUE, NULL, "in-process MTA object, STA client" };
    HRESULT hr;

    winetest_push_context("%s", params.desc);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    server_reset();
    server_refs = 1;
    server_objects = 1;
    hr = CreateStreamOnHGlobal(NULL, TRUE, &params.stream);
    ok(hr == S_OK, "CreateStreamOnHGlobal: %#lx\n", hr);
    hr = CoMarshalInterface(params.stream, &IID_IOcTest2, (IUnknown *)&server_object, MSHCTX_INPROC, NULL,
                            MSHLFLAGS_NORMAL);
    ok(hr == S_OK, "CoMarshalInterface: %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        LARGE_INTEGER zero = {{0}};
        IStream_Seek(params.stream, zero, STREAM_SEEK_SET, NULL);
        server_inproc = TRUE;
        run_client(&params);
        server_inproc = FALSE;
    }
    IStream_Release(params.stream);
    IOcTest2_Release(&server_object);
    ok(server_objects == 0, "server object still referenced (%ld)\n", server_refs);
    CoUninitialize();
    winetest_pop_context();
}

static HMODULE ps_module;

static BOOL register_ps(BOOL reg)
{
    if (!reg) ps_dll_unregister(ps_module);
    else if (!(ps_module = ps_dll_register(exe_path))) return FALSE;
    return TRUE;
}

START_TEST(async_race)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);

    GetModuleFileNameA(NULL, exe_path, sizeof(exe_path));
    if (argc >= 3 && !strcmp(argv[1], "server")) exit(run_server(argv[2]));
    if (!get_olecancel_diag())
    {
        skip("not olecancel's ole32: no asynchronous calls to race\n");
        return;
    }
    if (!register_ps(TRUE)) return;

    test_local(FALSE);
    test_local(TRUE);
    test_inproc_mta_object();

    register_ps(FALSE);
}
