/*
 * olecancel tests: the harness of the asynchronous-call tests: a client
 * thread that runs a program's passes against a proxy to the server object
 * (async_server.h) in a child process or in another apartment of this
 * process, and checks that a second pass leaks no handle or reference
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
 * A program defines suite_pass() (second: FALSE for the first pass, TRUE
 * for the second) and may set suite_measure (run after both, for make bench).
 * Include after async_server.h.
 */

#ifndef OLECANCEL_ASYNC_SUITE_H
#define OLECANCEL_ASYNC_SUITE_H

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

static void suite_pass(IOcTest2 *proxy, struct suite_params *params, BOOL second);
static void (*suite_measure)(IOcTest2 *proxy, struct suite_params *params);

/* as many calls at once as the pool has threads: the pool and Wine's cache
 * of client connections reach their full size before a pass's handles are
 * counted, whatever the program's own first pass happened to run at once */
static void fill_pool(IOcTest2 *proxy)
{
    AsyncIOcTest *calls[ASYNCPOOL_MAX_THREADS];
    HRESULT hr;
    int i, n;

    for (n = 0; n < ARRAY_SIZE(calls); n++)
    {
        if (FAILED(hr = create_call((IUnknown *)proxy, &IID_AsyncIOcTest, (void **)&calls[n]))) break;
        if (FAILED(hr = AsyncIOcTest_Begin_Sleep(calls[n], 100, S_OK)))
        {
            AsyncIOcTest_Release(calls[n]);
            break;
        }
    }
    if (n < ARRAY_SIZE(calls)) ok(0, "filling the pool: %d of %d calls begun, %#lx\n", n, (int)ARRAY_SIZE(calls), hr);
    for (i = 0; i < n; i++)
    {
        if ((hr = AsyncIOcTest_Finish_Sleep(calls[i])) != S_OK) ok(0, "filling the pool: call %d: %#lx\n", i, hr);
        AsyncIOcTest_Release(calls[i]);
    }
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

        suite_pass(proxy, params, FALSE);
        wait_pool_idle();
        ref1 = get_refcount((IUnknown *)proxy);
        ok(ref1 == ref0, "proxy refcount %lu, was %lu\n", ref1, ref0);

        /* Nothing leaks: a second pass, once fill_pool has grown the pool to its full
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
        fill_pool(proxy);
        wait_pool_idle();
        winetest_push_context("second pass");
        handles0 = handle_count();
        kept0 = cancel_events_kept();
        suite_pass(proxy, params, TRUE);
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
        /* last: a measurement's many calls grow the pool and Wine's
         * connection cache past what the leak check above compares */
        if (suite_measure) suite_measure(proxy, params);
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

/* START_TEST's first part: the "server <tag>" child mode (does not return),
 * else the proxy/stub DLL and the local server registered; FALSE if not */
static BOOL async_suite_init(int argc, char **argv)
{
    GetModuleFileNameA(NULL, exe_path, sizeof(exe_path));
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
    return register_ps();
}

/* the passes against each server: a local one (STA and MTA clients), an MTA
 * object of this process (STA client), an STA object (MTA client) */
static void async_suite_run(void)
{
    test_local(TRUE);
    test_local(FALSE);
    test_inproc(FALSE, TRUE);
    test_inproc(TRUE, FALSE);
}

#endif /* OLECANCEL_ASYNC_SUITE_H */
