/*
 * olecancel: cancelling synchronous calls on standard proxies
 * (behaviour.md matrix rows 9-15, MTA and STA clients): CoCancelCall on a
 * blocked call, a call started with cancellation disabled, a server
 * answering inside the timeout, RPC_C_CANCEL_INFINITE_TIMEOUT, a server
 * that ignores the cancel, the server's CoTestCancel, the proxy usable
 * afterwards; a nested call the server makes while its caller cancels; a
 * server killed during a cancellable call; the hook's self-check.  Clients
 * and servers: cancel_host.h.  Every wait is bounded.
 *
 * "cancel_sync.exe bench [nohook]" prints the overhead figures instead.
 *
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
 */

#include <windows.h>
#include <objbase.h>
#include <stdio.h>

#include "wine_test.h"
#include "test_util.h"
#include "cancel_host.h"

/* ---- rows 9-15 ------------------------------------------------------------------ */

/* posted calls (MTA caller -> STA object of this process) never reach
 * rpcrt4: the server is told, but the caller waits for the server */
static BOOL posted(struct caller *c) { return c->kind == SERVER_INPROC_STA; }

struct infinite_cancel
{
    DWORD tid;
    HRESULT hr;
};

/* an abandoned posted call stays with its STA until the method returns
 * (orphaned), then the STA's reply and the carrier's references go */
static void check_posted_call_orphaned(BOOL expected)
{
    const struct olecancel_diag *diag = get_olecancel_diag();
    LONG n = wait_posted_orphans(expected ? 1 : 0, 10000);

    ok(n != -1, "no posted-call diagnostics\n");
    if (n == -1) return;
    ok(diag->posted_calls_carried() > 0, "posted calls carried: %ld\n", diag->posted_calls_carried());
    ok(n == (expected ? 1 : 0), "abandoned posted calls left with the STA: %ld, expected %d\n", n, expected);
}

static DWORD WINAPI infinite_cancel_thread(void *arg)
{
    struct infinite_cancel *a = arg;
    a->hr = CoCancelCall(a->tid, RPC_C_CANCEL_INFINITE_TIMEOUT);
    return 0;
}

/* rows 10 and 11: Work(ms, value, stop) is cancelled with `timeout` once the
 * server is in it; the cancel answers `expect` and the call still returns its
 * real result (Work doubles the value).  Then the server's observations are
 * in c->obs; FALSE if the server never got the call. */
static BOOL cancel_call_that_completes(struct caller *c, const char *row, LONG ms, LONG value, LONG stop,
                                       BOOL enable, ULONG timeout, HRESULT expect)
{
    char what[32];
    HRESULT hr;

    caller_start(c, CMD_WORK, ms, value, stop, enable);
    if (!wait_bounded(ev_entered, 10000, "server entered"))
    {
        caller_wait(c, 30000);
        return FALSE;
    }
    hr = CoCancelCall(c->tid, timeout);
    ok(hr == expect, "%s: CoCancelCall(tid, %lu): %#lx\n", row, timeout, hr);
    snprintf(what, sizeof(what), "%s call", row);
    if (wait_bounded(c->done, 10000, what))
        ok(c->hr == S_OK && c->result == value * 2, "%s: call: %#lx, %ld\n", row, c->hr, c->result);
    caller_call(c, CMD_OBS, 0, 0, 0, FALSE);
    return TRUE;
}

static void test_rows(struct caller *c)
{
    ICancelMethodCalls *cancel = NULL;
    LARGE_INTEGER t0;
    HRESULT hr, hr2;
    HANDLE thread;
    BOOL back;
    DWORD tid, ret;

    winetest_push_context("%s", c->name);

    /* row 9 + 12 + 14: blocked cancellable call, cancel with timeout 0 */
    ResetEvent(ev_entered);
    ResetEvent(ev_left);
    caller_start(c, CMD_WORK, 20000, 7, 1, TRUE);
    if (wait_bounded(ev_entered, 10000, "server entered"))
    {
        hr = CoGetCancelObject(c->tid, &IID_ICancelMethodCalls, (void **)&cancel);
        ok(hr == S_OK, "row 9: CoGetCancelObject: %#lx\n", hr);
        if (cancel)
        {
            hr = ICancelMethodCalls_TestCancel(cancel);
            ok(hr == RPC_S_CALLPENDING, "row 9: client TestCancel before: %#lx\n", hr);
        }
        QueryPerformanceCounter(&t0);
        hr = CoCancelCall(c->tid, 0);
        ok(hr == S_OK, "row 9: CoCancelCall(tid, 0): %#lx\n", hr);
        if (cancel)
        {
            hr = ICancelMethodCalls_Cancel(cancel, 0);
            ok(hr == RPC_E_CALL_CANCELED, "row 12: second Cancel: %#lx\n", hr);
            hr = ICancelMethodCalls_TestCancel(cancel);
            ok(hr == RPC_E_CALL_CANCELED, "row 12: client TestCancel after: %#lx\n", hr);
        }
        if (wait_bounded(c->done, 5000, "row 9: cancelled call returns"))
        {
            double ms = ms_since(&t0, &c->returned);
            ok(c->hr == RPC_E_CALL_CANCELED, "row 9: call returned %#lx\n", c->hr);
            ok(ms < 1000.0, "row 9: call returned %.1f ms after the cancel\n", ms);
            ok(c->result == 0, "row 9: [out] %ld, expected 0\n", c->result);
        }
        if (cancel) ICancelMethodCalls_Release(cancel);
        cancel = NULL;
        hr = CoCancelCall(c->tid, 0);
        ok(hr == E_NOINTERFACE, "after the call: CoCancelCall: %#lx\n", hr);
        /* row 14: the server saw the cancel (it stops on it) */
        ret = WaitForSingleObject(ev_left, 5000);
        ok(!ret, "row 14: server did not see the cancel: wait %#lx\n", ret);
        hr = caller_call(c, CMD_OBS, 0, 0, 0, FALSE);
        ok(hr == S_OK, "row 15: next call on the proxy: %#lx\n", hr);
        ok(c->obs[0] == RPC_S_CALLPENDING, "row 14: server CoTestCancel before: %#lx\n", c->obs[0]);
        ok(c->obs[1] == RPC_E_CALL_CANCELED, "row 14: server CoTestCancel after: %#lx\n", c->obs[1]);
        hr = caller_call(c, CMD_ECHO, 0, 41, 0, TRUE);
        ok(hr == S_OK && c->result == 42, "row 15: Echo(41): %#lx, %ld\n", hr, c->result);
    }
    else caller_wait(c, 30000);
    settle_server(c);

    /* row 10: call started with cancellation disabled */
    if (cancel_call_that_completes(c, "row 10", 600, 5, 1, FALSE, 0, CO_E_CANCEL_DISABLED))
        ok(c->obs[0] == RPC_S_CALLPENDING && c->obs[1] == RPC_S_CALLPENDING,
           "row 14: uncancellable call: server CoTestCancel %#lx, %#lx\n", c->obs[0], c->obs[1]);
    settle_server(c);

    /* row 11: server returns inside the timeout */
    if (cancel_call_that_completes(c, "row 11", 1000, 9, 0, TRUE, 5, RPC_E_CALL_COMPLETE))
        ok(c->obs[1] == RPC_E_CALL_CANCELED, "row 11: server was told at once: %#lx\n", c->obs[1]);
    settle_server(c);

    /* row 13: infinite timeout keeps the caller blocked until the server returns */
    caller_start(c, CMD_WORK, 1500, 3, 0, TRUE);
    if (wait_bounded(ev_entered, 10000, "server entered"))
    {
        struct infinite_cancel arg = { c->tid, 0xdeadbeef };
        thread = CreateThread(NULL, 0, infinite_cancel_thread, &arg, 0, &tid);
        ok(!caller_wait(c, 700), "row 13: call returned early: %#lx\n", c->hr);
        if (wait_bounded(c->done, 10000, "row 13 call"))
            ok(c->hr == S_OK && c->result == 6, "row 13: call: %#lx, %ld\n", c->hr, c->result);
        if (wait_bounded(thread, 10000, "row 13 CoCancelCall"))
            ok(arg.hr == RPC_E_CALL_COMPLETE, "row 13: CoCancelCall(INFINITE): %#lx\n", arg.hr);
        CloseHandle(thread);
    }
    else caller_wait(c, 30000);
    settle_server(c);

    /* a server that never returns (it ignores cancels): the caller is released */
    caller_start(c, CMD_WORK, 60000, 1, 0, TRUE);
    if (wait_bounded(ev_entered, 10000, "server entered"))
    {
        QueryPerformanceCounter(&t0);
        hr = CoCancelCall(c->tid, 0);
        ok(hr == S_OK, "stuck server: CoCancelCall: %#lx\n", hr);
        back = caller_wait(c, 3000);
        ok(back && c->hr == RPC_E_CALL_CANCELED, "stuck server: caller released: %d, %#lx\n", back, c->hr);
        if (back)
        {
            double ms = ms_since(&t0, &c->returned);
            ok(ms < 1000.0, "stuck server: released %.1f ms after the cancel\n", ms);
        }
        if (posted(c)) check_posted_call_orphaned(TRUE);
        SetEvent(ev_release);
        if (!back) wait_bounded(c->done, 20000, "stuck server call after release");
        if (posted(c)) check_posted_call_orphaned(FALSE);
        hr2 = caller_call(c, CMD_ECHO, 0, 1, 0, TRUE);
        ok(hr2 == S_OK && c->result == 2, "row 15 after stuck server: %#lx, %ld\n", hr2, c->result);
    }
    else caller_wait(c, 30000);
    settle_server(c);

    winetest_pop_context();
}

/* ---- nested: the server calls out while its caller cancels ------------------ */

static void test_nested(struct caller *c)
{
    LARGE_INTEGER t0;
    HRESULT hr;
    DWORD start;

    winetest_push_context("%s nested", c->name);
    ResetEvent(ev_entered);
    caller_start(c, CMD_NEST, 1500, 21, 0, TRUE);
    /* the nested call reached the in-process object */
    if (wait_bounded(ev_entered, 10000, "nested call entered"))
    {
        QueryPerformanceCounter(&t0);
        hr = CoCancelCall(c->tid, 0);
        ok(hr == S_OK, "CoCancelCall: %#lx\n", hr);
        if (wait_bounded(c->done, 5000, "cancelled outer call"))
        {
            ok(c->hr == RPC_E_CALL_CANCELED, "outer call: %#lx\n", c->hr);
            ok(ms_since(&t0, &c->returned) < 1000.0, "outer call returned after %.1f ms\n",
               ms_since(&t0, &c->returned));
        }
        /* the nested call is the server's own: not cancelled with its
         * caller's, it delivers its real result to the server */
        start = GetTickCount();
        do hr = caller_call(c, CMD_OBS, 0, 0, 0, FALSE);
        while (hr == S_OK && c->obs[4] == E_PENDING && GetTickCount() - start < 10000 && (Sleep(50), 1));
        ok(c->obs[4] == S_OK, "nested call result: %#lx\n", c->obs[4]);
        ok(c->obs[5] == RPC_E_CALL_CANCELED, "server's own CoTestCancel after: %#lx\n", c->obs[5]);
    }
    else caller_wait(c, 30000);
    settle_server(c);
    winetest_pop_context();
}

/* ---- server killed during a cancellable call --------------------------------------- */

static void test_server_killed(struct caller *c)
{
    HANDLE process;
    HRESULT hr;
    BOOL back;

    winetest_push_context("%s killed", c->name);
    hr = caller_call(c, CMD_OBS, 0, 0, 0, FALSE);
    ok(hr == S_OK, "GetObs: %#lx\n", hr);
    process = OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, c->obs[3]);
    ok(process != NULL, "OpenProcess(%lu): %lu\n", c->obs[3], GetLastError());
    if (!process) { winetest_pop_context(); return; }
    ResetEvent(ev_entered);
    caller_start(c, CMD_WORK, 20000, 1, 0, TRUE);
    if (wait_bounded(ev_entered, 10000, "server entered"))
    {
        TerminateProcess(process, 3);
        wait_bounded(process, 5000, "server death");
        back = caller_wait(c, 5000);
        if (!back)
        {
            hr = CoCancelCall(c->tid, 0);
            trace("call still blocked 5 s after the kill; CoCancelCall: %#lx\n", hr);
            back = caller_wait(c, 5000);
        }
        ok(back, "caller not released after the server died: %d\n", back);
        ok(FAILED(c->hr), "call on a dead server returned %#lx\n", c->hr);
        trace("call on the killed server returned %#lx\n", c->hr);
        hr = CoCancelCall(c->tid, 0);
        ok(hr == E_NOINTERFACE, "CoCancelCall after: %#lx\n", hr);
    }
    else caller_wait(c, 30000);
    CloseHandle(process);
    winetest_pop_context();
}

static void run_config(const char *name, DWORD model, enum server_kind kind, BOOL kill)
{
    DWORD t0 = GetTickCount();
    struct caller c;

    if (!caller_create(&c, name, model, kind)) { caller_destroy(&c); return; }
    test_rows(&c);
    if (kind == SERVER_LOCAL) test_nested(&c);
    if (kill) test_server_killed(&c);
    caller_destroy(&c);
    trace("%s: %lu ms\n", name, GetTickCount() - t0);
}

static void test_inproc_sta_client(void)
{
    run_config("STA client -> in-process MTA object", COINIT_APARTMENTTHREADED, SERVER_INPROC_MTA, FALSE);
}

static void test_inproc_mta_client(void)
{
    run_config("MTA client -> in-process STA object", COINIT_MULTITHREADED, SERVER_INPROC_STA, FALSE);
}

static void test_inproc_sta_to_sta_client(void)
{
    run_config("STA client -> in-process STA object", COINIT_APARTMENTTHREADED, SERVER_INPROC_STA, FALSE);
}

static void test_local_sta_client(void)
{
    run_config("STA client -> local server", COINIT_APARTMENTTHREADED, SERVER_LOCAL, FALSE);
}

static void test_local_mta_client(void)
{
    run_config("MTA client -> local server", COINIT_MULTITHREADED, SERVER_LOCAL, TRUE);
}

/* the self-check of the hook into combase's RPC calls, through olecancel's
 * diagnostics export: combase passes, modules that do not import the
 * functions are refused */
static void test_self_check(BOOL hooks)
{
    HRESULT hr;
#ifndef OLECANCEL_SPIKE
    const struct olecancel_diag *diag = get_olecancel_diag();
    ok(diag != NULL, "no olecancel diagnostics export\n");
    if (diag)
    {
        hr = diag->rpchook_check_module(GetModuleHandleA("combase.dll"));
        ok(hr == S_OK, "self-check on combase: %#lx\n", hr);
        hr = diag->rpchook_check_module(GetModuleHandleA(NULL));
        ok(hr == E_FAIL, "self-check on the test exe: %#lx\n", hr);
        hr = diag->rpchook_check_module(GetModuleHandleA("kernel32.dll"));
        ok(hr == E_FAIL, "self-check on kernel32: %#lx\n", hr);
    }
#else
    if (hooks)
    {
        hr = sync_cancel_init();
        ok(hr == S_OK, "sync_cancel_init: %#lx\n", hr);
        hr = sync_cancel_init();
        ok(hr == S_OK, "second sync_cancel_init: %#lx\n", hr);
        /* combase's slots now hold our hooks */
        hr = rpchook_check_module(GetModuleHandleA("combase.dll"));
        ok(hr == S_OK, "self-check on combase: %#lx\n", hr);
        hr = rpchook_check_module(GetModuleHandleA(NULL));
        ok(hr == E_FAIL, "self-check on the test exe: %#lx\n", hr);
        hr = rpchook_check_module(GetModuleHandleA("ole32.dll"));
        ok(hr == E_FAIL, "self-check on ole32: %#lx\n", hr);
    }
#endif
}

/* ---- bench ------------------------------------------------------------------------------- */

/* one warm-up, then five rounds that alternate cancellation off/on so that
 * drift hits both alike; a line per run, "<metric>, cancellation on|off" */
static void bench_calls(struct caller *c, const char *metric)
{
    int round, n = 3000;
    BOOL enable;

    caller_start(c, CMD_BENCH, 0, 500, 0, FALSE);
    caller_wait(c, 60000);
    for (round = 0; round < 5; round++)
    {
        for (enable = 0; enable <= 1; enable++)
        {
            caller_start(c, CMD_BENCH, 0, n, 0, enable);
            if (!wait_bounded(c->done, 120000, "bench")) break;
            printf("%s, cancellation %s\t%.2f\tus/call\n", metric, enable ? "on" : "off", c->bench_us);
        }
    }
}

/* "cancel_sync bench [nohook]": the figures of make bench, one line each
 * (metric <TAB> value <TAB> unit); "nohook" is the run on stock Wine */
static void bench(BOOL hooks)
{
    static const char *names[] = { "STA", "MTA" };
    static const DWORD models[] = { COINIT_APARTMENTTHREADED, COINIT_MULTITHREADED };
    struct caller c;
    double lat[200];
    char metric[64];
    int model;

    for (model = 0; model < 2; model++)
    {
        if (!caller_create(&c, "bench", models[model], SERVER_LOCAL)) return;
        snprintf(metric, sizeof(metric), "sync cross-process call, %s client", names[model]);
        bench_calls(&c, metric);
        if (hooks)
        {
            cancel_many(&c, 20, NULL);
            cancel_many(&c, 200, lat);
            qsort(lat, 200, sizeof(lat[0]), compare_double);
            printf("CoCancelCall(tid, 0) -> call returns, %s client, p50\t%.3f\tms\n", names[model], lat[99]);
            printf("CoCancelCall(tid, 0) -> call returns, %s client, p99\t%.3f\tms (goal <= 5)\n", names[model], lat[197]);
            settle_server(&c);
        }
        caller_destroy(&c);
    }

    /* the posted path: MTA caller -> STA object of this process */
    if (!caller_create(&c, "bench posted", COINIT_MULTITHREADED, SERVER_INPROC_STA)) return;
    bench_calls(&c, "sync call, MTA client -> in-process STA object");
    caller_destroy(&c);
}

/* "cancel_sync calls STA|MTA N [nohook]": N calls of Echo to the local
 * server after a warm-up, nothing else, so that per-call counts (system
 * calls, context switches, CPU time) can be read off the difference of two
 * runs with different N (docs/cancel.md, "Where a call's time goes") */
static void count_calls(const char *model, LONG n)
{
    struct caller c;

    if (!caller_create(&c, "calls", strcmp(model, "MTA") ? COINIT_APARTMENTTHREADED : COINIT_MULTITHREADED,
                       SERVER_LOCAL)) return;
    caller_start(&c, CMD_BENCH, 0, 500, 0, FALSE);
    caller_wait(&c, 60000);
    if (n > 0)
    {
        caller_start(&c, CMD_BENCH, 0, n, 0, FALSE);
        if (wait_bounded(c.done, 600000, "calls"))
            printf("%s client, %ld calls\t%.2f\tus/call\n", model, n, c.bench_us);
    }
    caller_destroy(&c);
}

START_TEST(cancel_sync)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);
    BOOL hooks = TRUE, do_bench = FALSE;

    cancel_host_serve_if_asked(argc, argv);
    if (argc >= 2 && !strcmp(argv[1], "bench"))
    {
        do_bench = TRUE;
        hooks = !(argc >= 3 && !strcmp(argv[2], "nohook"));
    }
    if (argc >= 4 && !strcmp(argv[1], "calls"))
    {
        hooks = !(argc >= 5 && !strcmp(argv[4], "nohook"));
        if (cancel_host_start(hooks)) count_calls(argv[2], atol(argv[3]));
        cancel_host_stop();
        return;
    }
    if (!cancel_host_start(hooks)) return;
    test_self_check(hooks);

    if (do_bench) bench(hooks);
    else
    {
        run_subtest(test_inproc_sta_client);
        run_subtest(test_inproc_mta_client);
        run_subtest(test_inproc_sta_to_sta_client);
        run_subtest(test_local_sta_client);
        run_subtest(test_local_mta_client);   /* kills the server: last */
    }

#ifdef OLECANCEL_SPIKE
    trace("stats: %ld abandoned, %ld of them before sending, %ld RpcCancelThread retries, %ld stale frames\n",
          sync_cancel_stats.calls_abandoned, sync_cancel_stats.calls_not_sent,
          sync_cancel_stats.cancel_thread_retries, sync_cancel_stats.stale_frames);
#endif
    cancel_host_stop();
}
