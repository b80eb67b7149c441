/*
 * olecancel: cancelling synchronous calls under load: a cancel racing the
 * call's completion (1000 times: the real result or RPC_E_CALL_CANCELED,
 * never another call's), and 200 cancels in a row without handle or thread
 * growth, for STA and MTA clients of the local server and an STA client of
 * an in-process MTA object.  Clients and servers: cancel_host.h.  Every wait
 * is bounded.
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

/* ---- race: cancel vs completion ------------------------------------------------- */

static void spin_us(LONG us)
{
    double end = now_ms() + us / 1000.0;
    while (now_ms() < end);
}

static void test_race(struct caller *c, int iterations)
{
    int i, bad = 0, cancelled = 0, completed = 0, none = 0, real_cancel = 0;
    HRESULT hr;

    winetest_push_context("%s race", c->name);
    srand(1234);
    for (i = 0; i < iterations; i++)
    {
        BOOL valid;
        LONG value = 1000 + i;

        caller_start(c, CMD_WORK, rand() % 3, value, i & 1, TRUE);
        spin_us(rand() % 2500);
        hr = CoCancelCall(c->tid, 0);
        if (!caller_wait(c, 15000))
        {
            ok(0, "iteration %d: call did not return (cancel %#lx)\n", i, hr);
            bad++;
            break;
        }
        /* the real result, or RPC_E_CALL_CANCELED -- never another call's */
        valid = (c->hr == S_OK && c->result == value * 2) || (c->hr == RPC_E_CALL_CANCELED && c->result == 0);
        if (hr == S_OK) valid = valid && c->hr == RPC_E_CALL_CANCELED;
        else if (hr == RPC_E_CALL_COMPLETE || hr == E_NOINTERFACE) valid = valid && (c->hr == S_OK || (i & 1));
        else valid = FALSE;
        if (!valid)
        {
            ok(0, "iteration %d: cancel %#lx, call %#lx result %ld (value %ld)\n", i, hr, c->hr, c->result, value);
            if (++bad > 10) break;
        }
        if (hr == S_OK) cancelled++;
        else if (hr == RPC_E_CALL_COMPLETE) completed++;
        else none++;
        if (hr != S_OK && c->hr == RPC_E_CALL_CANCELED) real_cancel++;
    }
    ok(!bad, "%d of %d iterations inconsistent\n", bad, i);
    trace("%d iterations: %d abandoned, %d completed first, %d before/after the call, %d server-side cancels\n",
          i, cancelled, completed, none, real_cancel);
    settle_server(c);
    hr = caller_call(c, CMD_ECHO, 0, 5, 0, TRUE);
    ok(hr == S_OK && c->result == 6, "after the race: %#lx, %ld\n", hr, c->result);
    winetest_pop_context();
}

static void test_many_cancels(struct caller *c)
{
    DWORD handles0, handles1, threads0, threads1;
    double lat[200];

    winetest_push_context("%s 200 cancels", c->name);
    cancel_many(c, 20, NULL);    /* warm up pools and caches */
    Sleep(200);
    handles0 = handle_count();
    threads0 = thread_count();
    cancel_many(c, 200, lat);
    Sleep(200);
    handles1 = handle_count();
    threads1 = thread_count();
    ok(handles1 <= handles0 + 8, "handles %lu -> %lu\n", handles0, handles1);
    ok(threads1 <= threads0 + 2, "threads %lu -> %lu\n", threads0, threads1);
    qsort(lat, 200, sizeof(lat[0]), compare_double);
    trace("cancel -> return latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", lat[99], lat[197], lat[199]);
    trace("handles %lu -> %lu, threads %lu -> %lu\n", handles0, handles1, threads0, threads1);
    settle_server(c);
    winetest_pop_context();
}

static void run_config(const char *name, DWORD model, enum server_kind kind, BOOL many)
{
    DWORD t0 = GetTickCount(), t1;
    struct caller c;

    if (!caller_create(&c, name, model, kind)) { caller_destroy(&c); return; }
    test_race(&c, 1000);
    t1 = GetTickCount();
    if (many) test_many_cancels(&c);
    caller_destroy(&c);
    trace("%s: race %lu ms, 200 cancels %lu ms\n", name, t1 - t0, GetTickCount() - t1);
}

static void test_inproc_sta_client(void)
{
    run_config("STA client -> in-process MTA object", COINIT_APARTMENTTHREADED, SERVER_INPROC_MTA, TRUE);
}

static void test_local_sta_client(void)
{
    run_config("STA client -> local server", COINIT_APARTMENTTHREADED, SERVER_LOCAL, FALSE);
}

static void test_local_mta_client(void)
{
    run_config("MTA client -> local server", COINIT_MULTITHREADED, SERVER_LOCAL, TRUE);
}

START_TEST(cancel_sync_race)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);

    cancel_host_serve_if_asked(argc, argv);
    if (!cancel_host_start(TRUE)) return;
    run_subtest(test_inproc_sta_client);
    run_subtest(test_local_sta_client);
    run_subtest(test_local_mta_client);
    cancel_host_stop();
}
