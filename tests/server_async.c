/*
 * Tests for server-side asynchronous calls: a server object whose
 * ICallFactory gives call objects for AsyncIOcServerWork is served through
 * them (Begin_ with the [in] values, Finish_ once it signals) while its
 * clients make ordinary calls.  Local server (child process) in an STA and
 * in the MTA, STA and MTA clients; in-process objects in an STA and in the
 * MTA, called from the other apartment.
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
#include <stdio.h>
#include <windows.h>
#include <objbase.h>
#include <initguid.h>
#include "olecancel_test.h"
#include "work_test.h"
#include "wine_test.h"
#include "test_util.h"
#include "async_util.h"
#include "static_factory.h"
#include "work_server.h"
#include "kept_stubs.h"

#define BOUND 20000     /* ms: the longest any single wait in these tests may take */
#define CONCURRENT 4    /* calls a server serves at once in test_concurrent */

static char exe_path[MAX_PATH];
/* the apartment the client's extra threads call from: the client's kind,
 * so that they reach the object through a proxy as the client does */
static BOOL client_threads_sta;

static HANDLE open_gate(const char *tag)
{
    char name[96];

    snprintf(name, sizeof(name), "olecancel_sa_gate_%s", tag);
    return CreateEventA(NULL, TRUE, FALSE, name);
}

/* ---------------------------------------------------------------------------
 * The local server (child): "server <tag>", tag "<pid>_<s|m><s|m>" — the
 * first letter is the server's apartment.  Exit code: objects still alive.
 * ------------------------------------------------------------------------- */

static HRESULT WINAPI cf_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    IOcServerWork *work;
    HRESULT hr;

    *ppv = NULL;
    if (outer) return CLASS_E_NOAGGREGATION;
    if (!(work = ws_object_create())) return E_OUTOFMEMORY;
    hr = IOcServerWork_QueryInterface(work, riid, ppv);
    IOcServerWork_Release(work);
    return hr;
}

static const IClassFactoryVtbl cf_vtbl =
{
    static_cf_QueryInterface, static_cf_AddRef, static_cf_Release, cf_CreateInstance, static_cf_LockServer
};
static IClassFactory server_cf = { &cf_vtbl };

/* serves the apartment until h is signalled (TRUE) or for ms (FALSE);
 * with h NULL, for ms */
static BOOL serve_until(HANDLE h, DWORD ms)
{
    DWORD start = GetTickCount(), ret;
    MSG msg;

    for (;;)
    {
        ret = MsgWaitForMultipleObjects(h ? 1 : 0, &h, FALSE, min(ms, 100), QS_ALLINPUT);
        if (h && ret == WAIT_OBJECT_0) return TRUE;
        while (PeekMessageA(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageA(&msg);
        if (GetTickCount() - start > ms) return FALSE;
    }
}

static int run_server(const char *tag)
{
    BOOL sta = strchr(tag, '_') && strchr(tag, '_')[1] == 's';
    struct kept_stubs kept = { 0 };
    HANDLE ready, quit;
    DWORD cookie;
    HRESULT hr;
    int i;

    CoInitializeEx(NULL, sta ? COINIT_APARTMENTTHREADED : COINIT_MULTITHREADED);
    ws_gate = open_gate(tag);
    hr = CoRegisterClassObject(&CLSID_OcServerWork, (IUnknown *)&server_cf, CLSCTX_LOCAL_SERVER,
                               REGCLS_MULTIPLEUSE, &cookie);
    if (FAILED(hr)) { printf("server: CoRegisterClassObject %#lx\n", hr); return 100; }
    kept_stubs_add(&kept, &IID_IOcServerWork);
    kept_stubs_add(&kept, &IID_IOcServerControl);
    local_server_events("olecancel_sa", tag, &ready, &quit);
    SetEvent(ready);
    if (!serve_until(quit, 300000)) printf("server: no quit signal\n");
    CoRevokeClassObject(cookie);
    /* a call object's work lets go of it just after its last Signal, and a
     * client's last releases may still be on their way: served meanwhile */
    for (i = 0; i < 100 && ws_objects; i++) serve_until(NULL, 20);
    kept_stubs_release(&kept);
    CoUninitialize();
    return ws_objects;
}

/* ---------------------------------------------------------------------------
 * Client side
 * ------------------------------------------------------------------------- */

struct stats { LONG begins, finishes, calls, busy; HRESULT cancel; };

static struct stats get_stats(IOcServerWork *work)
{
    struct stats s = { -1, -1, -1, -1, E_FAIL };
    IOcServerControl *ctl;
    HRESULT hr;

    /* polled: only a failure is counted */
    if (FAILED(hr = IOcServerWork_QueryInterface(work, &IID_IOcServerControl, (void **)&ctl)))
    {
        ok(0, "QI(IOcServerControl): %#lx\n", hr);
        return s;
    }
    if (FAILED(hr = IOcServerControl_Stats(ctl, &s.begins, &s.finishes, &s.calls, &s.busy, &s.cancel)))
        ok(0, "Stats: %#lx\n", hr);
    IOcServerControl_Release(ctl);
    return s;
}

static void set_mode(IOcServerWork *work, LONG mode)
{
    IOcServerControl *ctl;
    HRESULT hr = IOcServerWork_QueryInterface(work, &IID_IOcServerControl, (void **)&ctl);

    ok(hr == S_OK, "QI(IOcServerControl): %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = IOcServerControl_SetMode(ctl, mode);
    ok(hr == S_OK, "SetMode(%ld): %#lx\n", mode, hr);
    IOcServerControl_Release(ctl);
}

/* polls the server's counters (bounded) until busy and calls reach the
 * given values; the last counters */
static struct stats wait_stats(IOcServerWork *work, LONG busy, LONG calls)
{
    DWORD start = GetTickCount();
    struct stats s;

    for (;;)
    {
        s = get_stats(work);
        if ((busy < 0 || s.busy == busy) && (calls < 0 || s.calls == calls)) return s;
        if (GetTickCount() - start > BOUND) return s;
        pump_sleep(10);
    }
}

static void test_results(IOcServerWork *work)
{
    struct stats before, after;
    LONG sum = 0, value = 5, how = 0;
    BSTR out = NULL, in = SysAllocString(L"server");
    HRESULT hr;

    before = get_stats(work);
    hr = IOcServerWork_Add(work, 2, 3, &sum);
    ok(hr == S_OK && sum == 5, "Add: %#lx, sum %ld\n", hr, sum);
    hr = IOcServerWork_Work(work, 0, &value, &how);
    ok(hr == S_OK && value == 11, "Work: %#lx, value %ld\n", hr, value);
    ok(how == 2, "Work ran %s (how %ld), expected through the server's call object\n",
       how == 1 ? "synchronously" : "nowhere", how);
    hr = IOcServerWork_Echo(work, in, &out);
    ok(hr == S_OK && out && !wcscmp(out, L"server!"), "Echo: %#lx, %s\n", hr, out ? "got a string" : "no string");
    SysFreeString(out);
    /* Begin_ fails: the call fails with its HRESULT */
    sum = 7;
    hr = IOcServerWork_Add(work, -1, 3, &sum);
    ok(hr == E_INVALIDARG, "Add(-1) whose Begin_ fails: got %#lx\n", hr);
    after = wait_stats(work, 0, 0);
    ok(after.begins - before.begins == 3, "Begin_ calls: %ld\n", after.begins - before.begins);
    ok(after.finishes - before.finishes == 3, "Finish_ calls: %ld\n", after.finishes - before.finishes);
    ok(after.calls == 0, "server call objects alive: %ld\n", after.calls);
    SysFreeString(in);
}

static void test_fallback(IOcServerWork *work)
{
    struct stats before, after;
    LONG mode, value, how;
    HRESULT hr;

    for (mode = 1; mode <= 2; mode++)
    {
        set_mode(work, mode);
        before = get_stats(work);
        value = 1, how = 0;
        hr = IOcServerWork_Work(work, 0, &value, &how);
        ok(hr == S_OK && value == 3, "mode %ld: Work %#lx, value %ld\n", mode, hr, value);
        ok(how == 1, "mode %ld (%s): Work ran with how %ld, expected synchronously\n", mode,
           mode == 1 ? "CreateCall fails" : "no ICallFactory", how);
        after = get_stats(work);
        ok(after.begins == before.begins, "mode %ld: %ld Begin_ calls\n", mode, after.begins - before.begins);
    }
    set_mode(work, 0);
}

struct work_thread
{
    IStream *stream;    /* the object, marshaled for the thread */
    DWORD ms;
    BOOL cancellable;
    int method;         /* 0: Work, 1: WaitCancel, 2: Hang */
    LONG value, how;
    HRESULT hr;
    HANDLE started;
};

static DWORD WINAPI work_thread_proc(void *arg)
{
    struct work_thread *w = arg;
    IOcServerWork *work;

    CoInitializeEx(NULL, client_threads_sta ? COINIT_APARTMENTTHREADED : COINIT_MULTITHREADED);
    w->hr = CoGetInterfaceAndReleaseStream(w->stream, &IID_IOcServerWork, (void **)&work);
    if (SUCCEEDED(w->hr))
    {
        if (w->cancellable) CoEnableCallCancellation(NULL);
        SetEvent(w->started);
        if (w->method == 0) w->hr = IOcServerWork_Work(work, w->ms, &w->value, &w->how);
        else if (w->method == 1) w->hr = IOcServerWork_WaitCancel(work, w->ms);
        else w->hr = IOcServerWork_Hang(work);
        if (w->cancellable) CoDisableCallCancellation(NULL);
        IOcServerWork_Release(work);
    }
    else SetEvent(w->started);
    CoUninitialize();
    return 0;
}

static HANDLE start_work(IOcServerWork *work, struct work_thread *w, DWORD *tid)
{
    HRESULT hr = CoMarshalInterThreadInterfaceInStream(&IID_IOcServerWork, (IUnknown *)work, &w->stream);
    HANDLE thread;

    ok(hr == S_OK, "CoMarshalInterThreadInterfaceInStream: %#lx\n", hr);
    w->started = CreateEventW(NULL, TRUE, FALSE, NULL);
    thread = CreateThread(NULL, 0, work_thread_proc, w, 0, tid);
    wait_bounded(w->started, BOUND, "client thread start");
    return thread;
}

static void end_work(HANDLE thread, struct work_thread *w)
{
    DWORD index;

    /* the caller may be an STA the thread's call needs */
    if (CoWaitForMultipleHandles(0, BOUND, 1, &thread, &index) != S_OK)
    {
        ok(0, "client thread did not end within %u ms\n", BOUND);
        TerminateThread(thread, 1);
    }
    CloseHandle(thread);
    CloseHandle(w->started);
}

/* several calls in progress on one server at once: on an STA server too */
static void test_concurrent(IOcServerWork *work, const char *tag)
{
    struct work_thread w[CONCURRENT] = {{0}};
    HANDLE threads[CONCURRENT], gate = open_gate(tag);
    struct stats s;
    int i;

    for (i = 0; i < CONCURRENT; i++)
    {
        w[i].ms = WORK_UNTIL_GATE;
        w[i].value = i;
        threads[i] = start_work(work, &w[i], NULL);
    }
    s = wait_stats(work, CONCURRENT, -1);
    ok(s.busy == CONCURRENT, "calls in progress on the server at once: %ld of %d\n", s.busy, CONCURRENT);
    SetEvent(gate);
    for (i = 0; i < CONCURRENT; i++)
    {
        end_work(threads[i], &w[i]);
        ok(w[i].hr == S_OK && w[i].value == i * 2 + 1 && w[i].how == 2, "call %d: %#lx, value %ld, how %ld\n",
           i, w[i].hr, w[i].value, w[i].how);
    }
    ResetEvent(gate);
    CloseHandle(gate);
}

/* CoCancelCall of a client's synchronous call reaches the server call
 * object's TestCancel */
static void test_cancel_sync(IOcServerWork *work)
{
    struct work_thread w = { 0 };
    HANDLE thread;
    struct stats s;
    DWORD tid;
    HRESULT hr;

    w.ms = 10000;
    w.method = 1;
    w.cancellable = TRUE;
    thread = start_work(work, &w, &tid);
    s = wait_stats(work, 1, -1);
    ok(s.busy == 1, "WaitCancel in progress: busy %ld\n", s.busy);
    hr = CoCancelCall(tid, 0);
    ok(hr == S_OK, "CoCancelCall: %#lx\n", hr);
    end_work(thread, &w);
    ok(w.hr == RPC_E_CALL_CANCELED, "cancelled call: got %#lx\n", w.hr);
    s = wait_stats(work, 0, 0);
    ok(s.cancel == RPC_E_CALL_CANCELED, "the server call object's TestCancel: got %#lx\n", s.cancel);
    ok(s.calls == 0, "server call objects alive: %ld\n", s.calls);
}

/* the client's asynchronous Cancel reaches it too */
static void test_cancel_async(IOcServerWork *work)
{
    AsyncIOcServerWork *call;
    struct stats s;
    HRESULT hr;

    hr = create_call((IUnknown *)work, &IID_AsyncIOcServerWork, (void **)&call);
    ok(hr == S_OK, "CreateCall on the proxy: %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = AsyncIOcServerWork_Begin_WaitCancel(call, 10000);
    ok(hr == S_OK, "Begin_WaitCancel: %#lx\n", hr);
    s = wait_stats(work, 1, -1);
    ok(s.busy == 1, "WaitCancel in progress: busy %ld\n", s.busy);
    hr = call_cancel(call, 0);
    ok(hr == S_OK, "Cancel: %#lx\n", hr);
    hr = call_wait(call, BOUND);
    ok(hr == S_OK, "Wait after Cancel: %#lx\n", hr);
    hr = AsyncIOcServerWork_Finish_WaitCancel(call);
    ok(hr == RPC_E_CALL_CANCELED, "Finish_WaitCancel: got %#lx\n", hr);
    AsyncIOcServerWork_Release(call);
    s = wait_stats(work, 0, 0);
    ok(s.cancel == RPC_E_CALL_CANCELED, "the server call object's TestCancel: got %#lx\n", s.cancel);
}

/* a server call object that never signals: the client's cancel ends the
 * call on both sides and the server keeps serving */
static void test_hang(IOcServerWork *work)
{
    struct work_thread w = { 0 };
    LONG sum = 0;
    HANDLE thread;
    struct stats s;
    DWORD tid;
    HRESULT hr;

    w.method = 2;
    w.cancellable = TRUE;
    thread = start_work(work, &w, &tid);
    s = wait_stats(work, -1, 1);
    ok(s.calls == 1, "Hang's call object: %ld alive\n", s.calls);
    hr = CoCancelCall(tid, 0);
    ok(hr == S_OK, "CoCancelCall: %#lx\n", hr);
    end_work(thread, &w);
    ok(w.hr == RPC_E_CALL_CANCELED, "cancelled Hang: got %#lx\n", w.hr);
    s = wait_stats(work, -1, 0);
    ok(s.calls == 0, "the server gave up the call object: %ld alive\n", s.calls);
    hr = IOcServerWork_Add(work, 1, 1, &sum);
    ok(hr == S_OK && sum == 2, "next call: %#lx, sum %ld\n", hr, sum);
}

static void run_client(IOcServerWork *work, const char *tag, BOOL client_sta)
{
    client_threads_sta = client_sta;
    test_results(work);
    test_fallback(work);
    test_concurrent(work, tag);
    test_cancel_sync(work);
    test_cancel_async(work);
    test_hang(work);
}

struct client_args { BOOL sta; BOOL server_sta; const char *tag; IStream *stream; const char *what; };

static DWORD WINAPI local_client_thread(void *arg)
{
    struct client_args *args = arg;
    IOcServerWork *work = NULL;
    HRESULT hr;

    CoInitializeEx(NULL, args->sta ? COINIT_APARTMENTTHREADED : COINIT_MULTITHREADED);
    winetest_push_context("%s", args->what);
    if (args->stream) hr = CoGetInterfaceAndReleaseStream(args->stream, &IID_IOcServerWork, (void **)&work);
    else hr = CoCreateInstance(&CLSID_OcServerWork, NULL, CLSCTX_LOCAL_SERVER, &IID_IOcServerWork, (void **)&work);
    ok(hr == S_OK, "getting the server object: %#lx\n", hr);
    if (work)
    {
        run_client(work, args->tag, args->sta);
        IOcServerWork_Release(work);
    }
    winetest_pop_context();
    CoUninitialize();
    return 0;
}

static void run_client_thread(struct client_args *args)
{
    HANDLE thread = CreateThread(NULL, 0, local_client_thread, args, 0, NULL);
    DWORD index;

    /* an STA server thread (in-process) keeps serving meanwhile */
    if (CoWaitForMultipleHandles(0, 240000, 1, &thread, &index) != S_OK)
    {
        ok(0, "client thread did not end\n");
        TerminateThread(thread, 1);
    }
    CloseHandle(thread);
}

static void test_local(BOOL server_sta, BOOL client_sta)
{
    struct client_args args = { client_sta, server_sta, NULL, NULL };
    char tag[32], what[64];
    HANDLE process, quit;
    DWORD code;

    snprintf(tag, sizeof(tag), "%lx_%c%c", GetCurrentProcessId(), server_sta ? 's' : 'm', client_sta ? 's' : 'm');
    snprintf(what, sizeof(what), "local %s server, %s client", server_sta ? "STA" : "MTA", client_sta ? "STA" : "MTA");
    args.what = what;
    winetest_push_context("%s", what);
    if ((process = local_server_start(exe_path, "olecancel_sa", tag, &quit)))
    {
        args.tag = tag;
        run_client_thread(&args);
        code = local_server_stop(process, quit);
        ok(code == 0, "local server exit code %lu (objects alive)\n", code);
    }
    winetest_pop_context();
}

/* the object in this thread's apartment, called from a thread in the other one */
static void test_inproc(BOOL server_sta)
{
    struct client_args args = { !server_sta, server_sta, NULL, NULL };
    IOcServerWork *work;
    char tag[32], what[64];
    HRESULT hr;

    snprintf(tag, sizeof(tag), "%lx_%c", GetCurrentProcessId(), server_sta ? 'S' : 'M');
    snprintf(what, sizeof(what), "in-process %s object, %s client", server_sta ? "STA" : "MTA", server_sta ? "MTA" : "STA");
    args.what = what;
    winetest_push_context("%s", what);
    CoInitializeEx(NULL, server_sta ? COINIT_APARTMENTTHREADED : COINIT_MULTITHREADED);
    ws_gate = open_gate(tag);
    ws_mode = 0;
    work = ws_object_create();
    hr = CoMarshalInterThreadInterfaceInStream(&IID_IOcServerWork, (IUnknown *)work, &args.stream);
    ok(hr == S_OK, "CoMarshalInterThreadInterfaceInStream: %#lx\n", hr);
    args.tag = tag;
    run_client_thread(&args);
    IOcServerWork_Release(work);
    CoUninitialize();
    ok(ws_objects == 0, "objects alive: %ld\n", ws_objects);
    CloseHandle(ws_gate);
    winetest_pop_context();
}

/* "server_async bench" (make bench): 16 calls of 20 ms outstanding at once
 * on a local server (STA, then MTA), served through its call objects vs
 * synchronously */
static double concurrent_ms(IOcServerWork *work)
{
    AsyncIOcServerWork *calls[16];
    LARGE_INTEGER start, end;
    LONG value = 0, how;
    int i, n = 0;

    QueryPerformanceCounter(&start);
    for (i = 0; i < 16; i++)
        if (SUCCEEDED(create_call((IUnknown *)work, &IID_AsyncIOcServerWork, (void **)&calls[n]))) n++;
    for (i = 0; i < n; i++) AsyncIOcServerWork_Begin_Work(calls[i], 20, &value);
    for (i = 0; i < n; i++) AsyncIOcServerWork_Finish_Work(calls[i], &value, &how);
    QueryPerformanceCounter(&end);
    for (i = 0; i < n; i++) AsyncIOcServerWork_Release(calls[i]);
    ok(n == 16, "call objects: %d\n", n);
    return ms_since(&start, &end);
}

static void run_bench(BOOL server_sta)
{
    const char *apt = server_sta ? "STA" : "MTA";
    double async_ms[5], sync_ms[5], ratio[5];
    IOcServerWork *work;
    HANDLE process, quit;
    char tag[32];
    HRESULT hr;
    int i;

    snprintf(tag, sizeof(tag), "%lx_%cm", GetCurrentProcessId(), server_sta ? 's' : 'm');
    if (!(process = local_server_start(exe_path, "olecancel_sa", tag, &quit))) return;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoCreateInstance(&CLSID_OcServerWork, NULL, CLSCTX_LOCAL_SERVER, &IID_IOcServerWork, (void **)&work);
    ok(hr == S_OK, "CoCreateInstance: %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        concurrent_ms(work);   /* warm-up: threads, connections */
        for (i = 0; i < 5; i++)
        {
            set_mode(work, 2);
            sync_ms[i] = concurrent_ms(work);
            set_mode(work, 0);
            async_ms[i] = concurrent_ms(work);
            ratio[i] = sync_ms[i] / async_ms[i];
        }
        IOcServerWork_Release(work);
        qsort(async_ms, 5, sizeof(double), compare_double);
        qsort(sync_ms, 5, sizeof(double), compare_double);
        qsort(ratio, 5, sizeof(double), compare_double);
        printf("server async, local %s server: 16 concurrent 20 ms calls, synchronous server\t%.4f\tms\n", apt, sync_ms[2]);
        printf("server async, local %s server: 16 concurrent 20 ms calls, server call objects\t%.4f\tms\n", apt, async_ms[2]);
        printf("server async, local %s server: 16 concurrent 20 ms calls, call objects vs synchronous\t%.4f\tx throughput%s\n",
               apt, ratio[2], server_sta ? " (goal >= 12)" : "");
    }
    CoUninitialize();
    ok(local_server_stop(process, quit) == 0, "local server: objects alive\n");
}

static void test_local_sta_server_mta_client(void) { test_local(TRUE, FALSE); }
static void test_local_sta_server_sta_client(void) { test_local(TRUE, TRUE); }
static void test_local_mta_server_sta_client(void) { test_local(FALSE, TRUE); }
static void test_local_mta_server_mta_client(void) { test_local(FALSE, FALSE); }
static void test_inproc_sta_object(void) { test_inproc(TRUE); }
static void test_inproc_mta_object(void) { test_inproc(FALSE); }

START_TEST(server_async)
{
    HMODULE ps;
    char **argv;
    int argc = winetest_get_mainargs(&argv);

    GetModuleFileNameA(NULL, exe_path, sizeof(exe_path));
    if (argc >= 3 && !strcmp(argv[1], "server")) exit(run_server(argv[2]));
    if (!(ps = ps_dll_register(exe_path))) return;
    if (argc >= 2 && !strcmp(argv[1], "bench"))
    {
        run_bench(TRUE);
        run_bench(FALSE);
        ps_dll_unregister(ps);
        return;
    }
    run_subtest(test_local_sta_server_mta_client);
    run_subtest(test_local_sta_server_sta_client);
    run_subtest(test_local_mta_server_sta_client);
    run_subtest(test_local_mta_server_mta_client);
    run_subtest(test_inproc_sta_object);
    run_subtest(test_inproc_mta_object);
    ps_dll_unregister(ps);
}
