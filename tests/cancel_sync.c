/*
 * olecancel: cancelling synchronous calls on standard proxies
 * (behaviour.md matrix rows 9-15, MTA and STA clients)
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
 * The calls go through ICancelTest (cancel_test.idl), whose widl -Oif
 * proxy/stub lives in olecancel_ps.dll next to this exe; the test
 * registers it and a LocalServer32 (this exe, "server" mode) and removes
 * both at the end.  Servers and clients:
 *   local    an object in a child process started by COM (MTA server)
 *   inproc   an MTA object of this process called from an STA thread
 *   sta      an STA object of this process called from the MTA
 *            (Wine posts these calls: see docs/cancel.md, partly todo)
 * Every wait is bounded.
 *
 * "cancel_sync.exe bench [nohook]" prints the overhead figures instead.
 */

#include <windows.h>
#include <objbase.h>
#include <stdio.h>

#include "wine_test.h"
#include "test_util.h"
#include "cancel_test.h"
#include "olecancel_diag.h"

#ifdef OLECANCEL_SPIKE
# include "spike_api.h"
HRESULT sync_cancel_init(void);
/* the modules are linked in: their counters can be shown */
extern struct { LONG cancel_thread_retries, calls_abandoned, calls_not_sent, stale_frames; } sync_cancel_stats;
HRESULT rpchook_check_module(HMODULE module);
#endif

/* A fresh class id per run: Wine 8.0's rpcss keeps the class object of a
 * killed local server registered, and the next run would get
 * RPC_S_SERVER_UNAVAILABLE from it (measured).  Passed to the children on
 * their command line. */
static CLSID CLSID_CancelTestServer;

#ifndef RPC_C_CANCEL_INFINITE_TIMEOUT
#define RPC_C_CANCEL_INFINITE_TIMEOUT (~0u)
#endif

static HANDLE ev_entered, ev_left, ev_release, ev_quit, ev_idle;

static void open_events(DWORD owner_pid)
{
    char name[96];

    sprintf(name, "olecancel-test-%lu-entered", owner_pid);
    ev_entered = CreateEventA(NULL, FALSE, FALSE, name);
    sprintf(name, "olecancel-test-%lu-left", owner_pid);
    ev_left = CreateEventA(NULL, FALSE, FALSE, name);
    sprintf(name, "olecancel-test-%lu-release", owner_pid);
    ev_release = CreateEventA(NULL, TRUE, FALSE, name);
    sprintf(name, "olecancel-test-%lu-idle", owner_pid);
    ev_idle = CreateEventA(NULL, TRUE, TRUE, name);
    sprintf(name, "olecancel-test-%lu-quit", owner_pid);
    ev_quit = CreateEventA(NULL, TRUE, FALSE, name);
}

/* ---- the object --------------------------------------------------------- */

static LONG obs_before, obs_after, obs_entered, obs_nested_hr, obs_nested_tc;

struct test_obj
{
    ICancelTest ICancelTest_iface;
    LONG refcount;
};

static inline struct test_obj *impl_from_ICancelTest(ICancelTest *iface)
{
    return CONTAINING_RECORD(iface, struct test_obj, ICancelTest_iface);
}

static HRESULT WINAPI test_QueryInterface(ICancelTest *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_ICancelTest))
    {
        *ppv = iface;
        ICancelTest_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI test_AddRef(ICancelTest *iface)
{
    return InterlockedIncrement(&impl_from_ICancelTest(iface)->refcount);
}

static ULONG WINAPI test_Release(ICancelTest *iface)
{
    struct test_obj *obj = impl_from_ICancelTest(iface);
    ULONG ref = InterlockedDecrement(&obj->refcount);
    if (!ref) HeapFree(GetProcessHeap(), 0, obj);
    return ref;
}

static HRESULT WINAPI test_Echo(ICancelTest *iface, LONG value, LONG *result)
{
    *result = value + 1;
    return S_OK;
}

static HRESULT WINAPI test_Work(ICancelTest *iface, LONG ms, LONG value, LONG stop, LONG *result)
{
    DWORD start = GetTickCount(), elapsed;
    HRESULT hr = S_OK, now;

    *result = 0;
    InterlockedExchange(&obs_before, CoTestCancel());
    InterlockedExchange(&obs_after, 0);
    InterlockedIncrement(&obs_entered);
    ResetEvent(ev_idle);
    SetEvent(ev_entered);
    while ((elapsed = GetTickCount() - start) < (DWORD)ms)
    {
        now = CoTestCancel();
        if (stop && now == RPC_E_CALL_CANCELED)
        {
            hr = RPC_E_CALL_CANCELED;
            break;
        }
        if (!WaitForSingleObject(ev_release, min(ms - elapsed, 5))) break;
    }
    InterlockedExchange(&obs_after, CoTestCancel());
    if (hr == S_OK) *result = value * 2;
    SetEvent(ev_idle);
    SetEvent(ev_left);
    return hr;
}

static HRESULT WINAPI test_GetObs(ICancelTest *iface, LONG *before, LONG *after, LONG *entered, LONG *pid,
                                  LONG *nested_hr, LONG *nested_tc)
{
    *nested_hr = obs_nested_hr;
    *nested_tc = obs_nested_tc;
    *before = obs_before;
    *after = obs_after;
    *entered = obs_entered;
    *pid = GetCurrentProcessId();
    return S_OK;
}

static HRESULT WINAPI test_Nest(ICancelTest *iface, ICancelTest *other, LONG ms, LONG value, LONG *result)
{
    HRESULT hr;

    InterlockedExchange(&obs_nested_hr, E_PENDING);   /* "not yet" */
    InterlockedExchange(&obs_nested_tc, E_PENDING);
    CoEnableCallCancellation(NULL);
    hr = ICancelTest_Work(other, ms, value, 0, result);
    CoDisableCallCancellation(NULL);
    InterlockedExchange(&obs_nested_tc, CoTestCancel());
    InterlockedExchange(&obs_nested_hr, hr);
    return hr;
}

static const ICancelTestVtbl test_vtbl =
{
    test_QueryInterface,
    test_AddRef,
    test_Release,
    test_Echo,
    test_Work,
    test_GetObs,
    test_Nest,
};

static ICancelTest *create_test_obj(void)
{
    struct test_obj *obj = HeapAlloc(GetProcessHeap(), 0, sizeof(*obj));
    obj->ICancelTest_iface.lpVtbl = (ICancelTestVtbl *)&test_vtbl;
    obj->refcount = 1;
    return &obj->ICancelTest_iface;
}

static HRESULT WINAPI cf_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    ICancelTest *obj;
    HRESULT hr;

    if (outer) return CLASS_E_NOAGGREGATION;
    obj = create_test_obj();
    hr = ICancelTest_QueryInterface(obj, riid, ppv);
    ICancelTest_Release(obj);
    return hr;
}

static const IClassFactoryVtbl cf_vtbl =
{
    static_cf_QueryInterface, static_cf_AddRef, static_cf_Release, cf_CreateInstance, static_cf_LockServer,
};
static IClassFactory test_cf = { (IClassFactoryVtbl *)&cf_vtbl };

/* child mode: "server <owner pid> [nohook]", started by COM */
static int run_server(DWORD owner, BOOL hooks)
{
    DWORD cookie;
    HRESULT hr;

    open_events(owner);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
#ifdef OLECANCEL_SPIKE
    if (hooks) sync_cancel_init();
#endif
    hr = CoRegisterClassObject(&CLSID_CancelTestServer, (IUnknown *)&test_cf, CLSCTX_LOCAL_SERVER,
                               REGCLS_MULTIPLEUSE, &cookie);
    if (FAILED(hr)) return 1;
    /* bounded: the parent sets ev_quit, or kills us */
    WaitForSingleObject(ev_quit, 300000);
    CoRevokeClassObject(cookie);
    CoUninitialize();
    return 0;
}

static void parse_clsid(const char *str)
{
    WCHAR buf[40];

    MultiByteToWideChar(CP_ACP, 0, str, -1, buf, ARRAYSIZE(buf));
    CLSIDFromString(buf, &CLSID_CancelTestServer);
}

/* ---- registration --------------------------------------------------------- */

/* HKCU\Software\Classes is where a per-user registration belongs; Wine 8.0's
 * combase reads only HKLM\Software\Classes (HKCR), so the same keys go there
 * too (measured: HKCU alone gives REGDB_E_CLASSNOTREG). */
static HKEY reg_roots[2];
static const char *reg_prefix[2] = { "Software\\Classes\\", "" };

/* the proxy/stub DLL registers itself as an installer would
 * (DllRegisterServer); the local server is this exe */
static BOOL register_classes(const char *server_args)
{
    char path[MAX_PATH * 2], exe[MAX_PATH], cmd[MAX_PATH * 2], clsid[40];
    HRESULT (WINAPI *reg)(void);
    HMODULE ps;
    HRESULT hr;
    LONG ret = 0;
    int i;

    reg_roots[0] = HKEY_CURRENT_USER;
    reg_roots[1] = HKEY_CLASSES_ROOT;
    GetModuleFileNameA(NULL, exe, sizeof(exe));
    if (!(ps = LoadLibraryA("olecancel_ps.dll")) || !(reg = (void *)GetProcAddress(ps, "DllRegisterServer")))
    {
        ok(0, "olecancel_ps.dll not loadable next to the test: %lu\n", GetLastError());
        return FALSE;
    }
    hr = reg();
    ok(hr == S_OK, "olecancel_ps.dll DllRegisterServer: %#lx\n", hr);
    guid_str(&CLSID_CancelTestServer, clsid);
    snprintf(cmd, sizeof(cmd), "\"%s\" %s", exe, server_args);
    for (i = 0; i < 2; i++)
    {
        snprintf(path, sizeof(path), "%sCLSID\\%s\\LocalServer32", reg_prefix[i], clsid);
        ret |= set_value(reg_roots[i], path, NULL, cmd);
    }
    ok(!ret, "registry writes failed: %ld\n", ret);
    return !ret && hr == S_OK;
}

static void unregister_classes(void)
{
    char path[MAX_PATH], clsid[40];
    HRESULT (WINAPI *unreg)(void);
    HMODULE ps = GetModuleHandleA("olecancel_ps.dll");
    int i;

    guid_str(&CLSID_CancelTestServer, clsid);
    for (i = 0; i < 2; i++)
    {
        snprintf(path, sizeof(path), "%sCLSID\\%s", reg_prefix[i], clsid);
        RegDeleteTreeA(reg_roots[i], path);
    }
    if (ps && (unreg = (void *)GetProcAddress(ps, "DllUnregisterServer"))) unreg();
}

/* ---- caller threads ------------------------------------------------------------ */

enum server_kind { SERVER_LOCAL, SERVER_INPROC_MTA, SERVER_INPROC_STA };
enum cmd { CMD_NONE, CMD_ECHO, CMD_WORK, CMD_OBS, CMD_BENCH, CMD_NEST, CMD_QUIT };

struct caller
{
    const char *name;
    DWORD model;                /* COINIT_* of the caller */
    enum server_kind kind;
    HANDLE thread, go, done;
    DWORD tid;
    ICancelTest *proxy;
    HRESULT setup_hr;
    /* command */
    enum cmd cmd;
    LONG ms, value, stop;
    BOOL enable;
    /* result */
    HRESULT hr;
    LONG result, obs[6];
    LARGE_INTEGER returned;
    double bench_us;
};

static HGLOBAL marshal_data[3];   /* per server kind, MSHLFLAGS_TABLESTRONG */

static IStream *stream_for(enum server_kind kind)
{
    SIZE_T size = GlobalSize(marshal_data[kind]);
    HGLOBAL copy = GlobalAlloc(GMEM_MOVEABLE, size);
    IStream *stream = NULL;

    memcpy(GlobalLock(copy), GlobalLock(marshal_data[kind]), size);
    GlobalUnlock(copy);
    GlobalUnlock(marshal_data[kind]);
    CreateStreamOnHGlobal(copy, TRUE, &stream);
    return stream;
}

static DWORD WINAPI caller_thread(void *arg)
{
    struct caller *c = arg;
    DWORD index;

    CoInitializeEx(NULL, c->model);
    if (c->kind == SERVER_LOCAL)
        c->setup_hr = CoCreateInstance(&CLSID_CancelTestServer, NULL, CLSCTX_LOCAL_SERVER,
                                       &IID_ICancelTest, (void **)&c->proxy);
    else
    {
        IStream *stream = stream_for(c->kind);
        c->setup_hr = CoUnmarshalInterface(stream, &IID_ICancelTest, (void **)&c->proxy);
        IStream_Release(stream);
    }
    SetEvent(c->done);

    for (;;)
    {
        /* the STA keeps pumping while idle */
        if (CoWaitForMultipleHandles(0, 180000, 1, &c->go, &index) != S_OK) break;
        if (c->cmd == CMD_QUIT) break;
        if (c->enable) CoEnableCallCancellation(NULL);
        c->result = -1;
        switch (c->cmd)
        {
        case CMD_ECHO: c->hr = ICancelTest_Echo(c->proxy, c->value, &c->result); break;
        case CMD_WORK: c->hr = ICancelTest_Work(c->proxy, c->ms, c->value, c->stop, &c->result); break;
        case CMD_OBS:
            c->hr = ICancelTest_GetObs(c->proxy, &c->obs[0], &c->obs[1], &c->obs[2], &c->obs[3],
                                       &c->obs[4], &c->obs[5]);
            break;
        case CMD_NEST:
        {
            /* the in-process MTA object, passed on to the server */
            IStream *stream = stream_for(SERVER_INPROC_MTA);
            ICancelTest *other = NULL;
            if (SUCCEEDED(c->hr = CoUnmarshalInterface(stream, &IID_ICancelTest, (void **)&other)))
            {
                c->hr = ICancelTest_Nest(c->proxy, other, c->ms, c->value, &c->result);
                ICancelTest_Release(other);
            }
            IStream_Release(stream);
            break;
        }
        case CMD_BENCH:
        {
            LARGE_INTEGER t0, t1;
            LONG i;
            QueryPerformanceCounter(&t0);
            for (i = 0; i < c->value; i++)
                if (FAILED(c->hr = ICancelTest_Echo(c->proxy, i, &c->result))) break;
            QueryPerformanceCounter(&t1);
            c->bench_us = ms_since(&t0, &t1) * 1000.0 / c->value;
            break;
        }
        default: break;
        }
        QueryPerformanceCounter(&c->returned);
        if (c->enable) CoDisableCallCancellation(NULL);
        SetEvent(c->done);
    }
    if (c->proxy && c->cmd == CMD_QUIT) ICancelTest_Release(c->proxy);
    CoUninitialize();
    return 0;
}

static BOOL caller_create(struct caller *c, const char *name, DWORD model, enum server_kind kind)
{
    memset(c, 0, sizeof(*c));
    c->name = name;
    c->model = model;
    c->kind = kind;
    c->go = CreateEventA(NULL, FALSE, FALSE, NULL);
    c->done = CreateEventA(NULL, FALSE, FALSE, NULL);
    c->thread = CreateThread(NULL, 0, caller_thread, c, 0, &c->tid);
    if (!wait_bounded(c->done, 30000, "caller setup")) return FALSE;
    ok(c->setup_hr == S_OK, "%s: getting the proxy failed: %#lx\n", name, c->setup_hr);
    return c->setup_hr == S_OK;
}

static void caller_start(struct caller *c, enum cmd cmd, LONG ms, LONG value, LONG stop, BOOL enable)
{
    c->cmd = cmd;
    c->ms = ms;
    c->value = value;
    c->stop = stop;
    c->enable = enable;
    c->hr = 0xdeadbeef;
    SetEvent(c->go);
}

static BOOL caller_wait(struct caller *c, DWORD ms)
{
    return WaitForSingleObject(c->done, ms) == WAIT_OBJECT_0;
}

static HRESULT caller_call(struct caller *c, enum cmd cmd, LONG ms, LONG value, LONG stop, BOOL enable)
{
    caller_start(c, cmd, ms, value, stop, enable);
    if (!wait_bounded(c->done, 30000, "call")) return E_FAIL;
    return c->hr;
}

static void caller_destroy(struct caller *c)
{
    c->cmd = CMD_QUIT;
    SetEvent(c->go);
    if (WaitForSingleObject(c->thread, 10000)) ok(0, "%s: caller thread did not exit\n", c->name);
    CloseHandle(c->thread);
    CloseHandle(c->go);
    CloseHandle(c->done);
}

/* waits until the server finished the Work it is running, and gets its
 * observations on the same proxy (that is row 15 as well) */
static void settle_server(struct caller *c)
{
    SetEvent(ev_release);
    if (WaitForSingleObject(ev_idle, 10000)) ok(0, "%s: server still busy after 10 s\n", c->name);
    ResetEvent(ev_release);
    ResetEvent(ev_entered);
    ResetEvent(ev_left);
}

/* ---- rows 9-15 ------------------------------------------------------------------ */

/* posted calls (MTA caller -> STA object of this process) never reach
 * rpcrt4: the server is told, but the caller waits for the server */
static BOOL posted(struct caller *c) { return c->kind == SERVER_INPROC_STA; }

struct infinite_cancel
{
    DWORD tid;
    HRESULT hr;
};

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
        todo_if(posted(c))
            ok(back && c->hr == RPC_E_CALL_CANCELED, "stuck server: caller released: %d, %#lx\n", back, c->hr);
        if (back) trace("stuck server: released after %.1f ms\n", ms_since(&t0, &c->returned));
        SetEvent(ev_release);
        if (!back) wait_bounded(c->done, 20000, "stuck server call after release");
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

/* ---- 200 cancels: no handle or thread growth; latency ---------------------------- */

static void cancel_many(struct caller *c, int count, double *lat)
{
    LARGE_INTEGER t0;
    HRESULT hr;
    int i;

    for (i = 0; i < count; i++)
    {
        ResetEvent(ev_entered);
        caller_start(c, CMD_WORK, 10000, i, 1, TRUE);
        if (WaitForSingleObject(ev_entered, 10000)) { ok(0, "cancel %d: server not entered\n", i); break; }
        QueryPerformanceCounter(&t0);
        hr = CoCancelCall(c->tid, 0);
        if (!caller_wait(c, 10000)) { ok(0, "cancel %d: call did not return\n", i); break; }
        if (hr != S_OK || c->hr != RPC_E_CALL_CANCELED)
            ok(0, "cancel %d: CoCancelCall %#lx, call %#lx\n", i, hr, c->hr);
        if (lat) lat[i] = ms_since(&t0, &c->returned);
        /* the server stops on the cancel; wait so servers do not pile up */
        WaitForSingleObject(ev_left, 10000);
    }
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

/* ---- a hostile client: malformed cancel extensions ------------------------------- */

/* our extension's id, {6d1f3c2a-9b47-4e58-a1c3-5f0e2d7b9a41} (chanhook.c): this
 * child does not install the real hook and sends what it likes under that id */
static const GUID cancel_ext_guid =
    { 0x6d1f3c2a, 0x9b47, 0x4e58, { 0xa1, 0xc3, 0x5f, 0x0e, 0x2d, 0x7b, 0x9a, 0x41 } };

static const struct
{
    ULONG size;
    unsigned char data[40];
    HRESULT expect;     /* the server's CoTestCancel */
}
hostile_cases[] =
{
    {  8, { 0 }, RPC_S_CALLPENDING },                                             /* wrong magic */
    { 24, { 'O','C','X','1', 1,0, 3,0 }, RPC_S_CALLPENDING },                     /* unknown flag */
    { 16, { 'O','C','X','1', 1,0, 1,0, 1,2,3,4,5,6,7,8 }, RPC_S_CALLPENDING },    /* truncated */
    { 13, { 'O','C','X','1', 1,0, 1,0, 1,2,3,4,5 }, RPC_S_CALLPENDING },          /* odd size */
    { 24, { 'O','C','X','1', 2,0, 1,0 }, RPC_S_CALLPENDING },                     /* version 2 */
    {  8, { 'O','C','X','1', 1,0, 0,0 }, RPC_S_CALLPENDING },                     /* valid plain */
    { 24, { 'O','C','X','1', 1,0, 1,0, 9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9 }, RPC_S_CALLPENDING }, /* valid */
    { 40, { 0xff,0xfe,0xfd,0xfc,0xfb,0xfa,0xf9,0xf8,0xf7,0xf6,0xf5 }, RPC_S_CALLPENDING }, /* garbage */
    {  0, { 0 }, RPC_E_CALL_COMPLETE },      /* no extension at all: a client without the DLL */
};
static unsigned int hostile_case;

static HRESULT WINAPI hostile_QueryInterface(IChannelHook *iface, REFIID riid, void **ppv)
{
    *ppv = iface;
    return S_OK;
}
static ULONG WINAPI hostile_AddRef(IChannelHook *iface) { return 2; }
static ULONG WINAPI hostile_Release(IChannelHook *iface) { return 1; }
static void WINAPI hostile_ClientGetSize(IChannelHook *iface, REFGUID ext, REFIID riid, ULONG *size)
{
    *size = hostile_cases[hostile_case].size;
}
static void WINAPI hostile_ClientFillBuffer(IChannelHook *iface, REFGUID ext, REFIID riid, ULONG *size, void *buf)
{
    *size = hostile_cases[hostile_case].size;
    memcpy(buf, hostile_cases[hostile_case].data, *size);
}
static void WINAPI hostile_ClientNotify(IChannelHook *iface, REFGUID ext, REFIID riid, ULONG size, void *buf,
                                        DWORD rep, HRESULT fault) {}
static void WINAPI hostile_ServerNotify(IChannelHook *iface, REFGUID ext, REFIID riid, ULONG size, void *buf,
                                        DWORD rep) {}
static void WINAPI hostile_ServerGetSize(IChannelHook *iface, REFGUID ext, REFIID riid, HRESULT fault,
                                         ULONG *size) { *size = 0; }
static void WINAPI hostile_ServerFillBuffer(IChannelHook *iface, REFGUID ext, REFIID riid, ULONG *size,
                                            void *buf, HRESULT fault) { *size = 0; }

static const IChannelHookVtbl hostile_vtbl =
{
    hostile_QueryInterface, hostile_AddRef, hostile_Release, hostile_ClientGetSize, hostile_ClientFillBuffer,
    hostile_ClientNotify, hostile_ServerNotify, hostile_ServerGetSize, hostile_ServerFillBuffer,
};
static IChannelHook hostile_hook = { (IChannelHookVtbl *)&hostile_vtbl };

/* child mode "hostile <owner pid>": never calls sync_cancel_init */
static void run_hostile(DWORD owner)
{
    LONG result, obs[6];
    ICancelTest *proxy;
    HRESULT hr;

    open_events(owner);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoRegisterChannelHook(&cancel_ext_guid, &hostile_hook);
    ok(hr == S_OK, "CoRegisterChannelHook: %#lx\n", hr);
    hr = CoCreateInstance(&CLSID_CancelTestServer, NULL, CLSCTX_LOCAL_SERVER, &IID_ICancelTest, (void **)&proxy);
    ok(hr == S_OK, "CoCreateInstance: %#lx\n", hr);
    if (FAILED(hr)) return;
    for (hostile_case = 0; hostile_case < ARRAYSIZE(hostile_cases); hostile_case++)
    {
        hr = ICancelTest_Work(proxy, 0, 20, 0, &result);
        ok(hr == S_OK && result == 40, "case %u: Work: %#lx, %ld\n", hostile_case, hr, result);
        hr = ICancelTest_GetObs(proxy, &obs[0], &obs[1], &obs[2], &obs[3], &obs[4], &obs[5]);
        ok(hr == S_OK, "case %u: GetObs: %#lx\n", hostile_case, hr);
        ok(obs[0] == hostile_cases[hostile_case].expect, "case %u: server CoTestCancel %#lx, expected %#lx\n",
           hostile_case, obs[0], hostile_cases[hostile_case].expect);
    }
    ICancelTest_Release(proxy);
    CoUninitialize();
}

static void test_hostile_client(void)
{
    char args[96];
    int ret;

    char clsid[40];

    guid_str(&CLSID_CancelTestServer, clsid);
    sprintf(args, "hostile %lu %s", GetCurrentProcessId(), clsid);
#ifndef OLECANCEL_SPIKE
    {
        /* The hostile client must be a process without olecancel's own hook:
         * a copy of this exe for which Wine's per-program override picks the
         * builtin ole32 (it imports the cancellation API but never calls it). */
        static const char key_path[] = "Software\\Wine\\AppDefaults\\cancel_sync_hostile.exe\\DllOverrides";
        char exe[MAX_PATH], copy[MAX_PATH], cmd[MAX_PATH * 2], *p;
        STARTUPINFOA si = { sizeof(si) };
        PROCESS_INFORMATION pi;
        DWORD code = 255;
        HKEY key;

        GetModuleFileNameA(NULL, exe, sizeof(exe));
        strcpy(copy, exe);
        if ((p = strrchr(copy, '\\'))) strcpy(p + 1, "cancel_sync_hostile.exe");
        ok(CopyFileA(exe, copy, FALSE), "CopyFile: %lu\n", GetLastError());
        ok(!RegCreateKeyA(HKEY_CURRENT_USER, key_path, &key), "cannot create the override key\n");
        RegSetValueExA(key, "ole32", 0, REG_SZ, (const BYTE *)"builtin", 8);
        RegCloseKey(key);
        snprintf(cmd, sizeof(cmd), "\"%s\" %s", copy, args);
        ret = -1;
        if (CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        {
            if (wait_bounded(pi.hProcess, 60000, "hostile client")) GetExitCodeProcess(pi.hProcess, &code);
            else TerminateProcess(pi.hProcess, 255);
            ret = code;
            CloseHandle(pi.hProcess);
            CloseHandle(pi.hThread);
        }
        else ok(0, "CreateProcess(%s): %lu\n", cmd, GetLastError());
        RegDeleteTreeA(HKEY_CURRENT_USER, "Software\\Wine\\AppDefaults\\cancel_sync_hostile.exe");
        DeleteFileA(copy);
    }
#else
    ret = winetest_run_child(args, 60000);
#endif
    ok(ret == 0, "hostile client: %d failures\n", ret);
}

/* ---- in-process objects --------------------------------------------------------------- */

static HANDLE sta_host_thread, sta_host_ready;

static HRESULT marshal_obj(enum server_kind kind)
{
    ICancelTest *obj = create_test_obj();
    IStream *stream;
    HRESULT hr;

    CreateStreamOnHGlobal(NULL, FALSE, &stream);
    hr = CoMarshalInterface(stream, &IID_ICancelTest, (IUnknown *)obj, MSHCTX_INPROC, NULL,
                            MSHLFLAGS_TABLESTRONG);
    GetHGlobalFromStream(stream, &marshal_data[kind]);
    IStream_Release(stream);
    ICancelTest_Release(obj);
    return hr;
}

static DWORD WINAPI sta_host(void *arg)
{
    HRESULT *hr = arg;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    *hr = marshal_obj(SERVER_INPROC_STA);
    SetEvent(sta_host_ready);
    pump_messages_until(ev_quit, 180000);
    CoUninitialize();
    return 0;
}

static void run_config(const char *name, DWORD model, enum server_kind kind, BOOL race, BOOL many, BOOL kill)
{
    DWORD t0 = GetTickCount(), t1, t2, t3;
    struct caller c;

    if (!caller_create(&c, name, model, kind)) { caller_destroy(&c); return; }
    test_rows(&c);
    if (kind == SERVER_LOCAL) test_nested(&c);
    t1 = GetTickCount();
    if (race) test_race(&c, 1000);
    t2 = GetTickCount();
    if (many) test_many_cancels(&c);
    t3 = GetTickCount();
    if (kill) test_server_killed(&c);
    caller_destroy(&c);
    trace("%s: rows %lu ms, race %lu ms, 200 cancels %lu ms, total %lu ms\n", name, t1 - t0, t2 - t1,
          t3 - t2, GetTickCount() - t0);
}

static void test_inproc_sta_client(void)
{
    run_config("STA client -> in-process MTA object", COINIT_APARTMENTTHREADED, SERVER_INPROC_MTA,
               TRUE, TRUE, FALSE);
}

static void test_inproc_mta_client(void)
{
    run_config("MTA client -> in-process STA object", COINIT_MULTITHREADED, SERVER_INPROC_STA,
               FALSE, FALSE, FALSE);
}

static void test_local_sta_client(void)
{
    run_config("STA client -> local server", COINIT_APARTMENTTHREADED, SERVER_LOCAL, TRUE, FALSE, FALSE);
}

static void test_local_mta_client(void)
{
    run_config("MTA client -> local server", COINIT_MULTITHREADED, SERVER_LOCAL, TRUE, TRUE, TRUE);
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

START_TEST(cancel_sync)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);
    BOOL hooks = TRUE, do_bench = FALSE;
    char args[128], clsid[40];
    HRESULT hr;

    if (argc >= 4 && !strcmp(argv[1], "server"))
    {
        parse_clsid(argv[3]);
        exit(run_server(strtoul(argv[2], NULL, 10), !(argc >= 5 && !strcmp(argv[4], "nohook"))));
        return;
    }
    if (argc >= 4 && !strcmp(argv[1], "hostile"))
    {
        parse_clsid(argv[3]);
        run_hostile(strtoul(argv[2], NULL, 10));
        return;
    }
    if (argc >= 2 && !strcmp(argv[1], "bench"))
    {
        do_bench = TRUE;
        hooks = !(argc >= 3 && !strcmp(argv[2], "nohook"));
    }

    open_events(GetCurrentProcessId());
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
#ifndef OLECANCEL_SPIKE
    {
        /* the self-check, through olecancel's diagnostics export */
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
    }
#else
    if (hooks)
    {
        hr = sync_cancel_init();
        ok(hr == S_OK, "sync_cancel_init: %#lx\n", hr);
        hr = sync_cancel_init();
        ok(hr == S_OK, "second sync_cancel_init: %#lx\n", hr);
        /* the self-check: combase passes (its slots now hold our hooks);
         * modules that do not import the functions are refused */
        hr = rpchook_check_module(GetModuleHandleA("combase.dll"));
        ok(hr == S_OK, "self-check on combase: %#lx\n", hr);
        hr = rpchook_check_module(GetModuleHandleA(NULL));
        ok(hr == E_FAIL, "self-check on the test exe: %#lx\n", hr);
        hr = rpchook_check_module(GetModuleHandleA("ole32.dll"));
        ok(hr == E_FAIL, "self-check on ole32: %#lx\n", hr);
    }
#endif
    CoCreateGuid(&CLSID_CancelTestServer);
    guid_str(&CLSID_CancelTestServer, clsid);
    sprintf(args, "server %lu %s%s", GetCurrentProcessId(), clsid, hooks ? "" : " nohook");
    if (!register_classes(args))
    {
        CoUninitialize();
        return;
    }

    hr = marshal_obj(SERVER_INPROC_MTA);
    ok(hr == S_OK, "marshaling the MTA object: %#lx\n", hr);
    sta_host_ready = CreateEventA(NULL, FALSE, FALSE, NULL);
    sta_host_thread = CreateThread(NULL, 0, sta_host, &hr, 0, NULL);
    wait_bounded(sta_host_ready, 10000, "STA host");
    ok(hr == S_OK, "marshaling the STA object: %#lx\n", hr);

    if (do_bench) bench(hooks);
    else
    {
        run_subtest(test_inproc_sta_client);
        run_subtest(test_inproc_mta_client);
        run_subtest(test_local_sta_client);
        run_subtest(test_hostile_client);
        run_subtest(test_local_mta_client);   /* kills the server: last */
    }

#ifdef OLECANCEL_SPIKE
    trace("stats: %ld abandoned, %ld of them before sending, %ld RpcCancelThread retries, %ld stale frames\n",
          sync_cancel_stats.calls_abandoned, sync_cancel_stats.calls_not_sent,
          sync_cancel_stats.cancel_thread_retries, sync_cancel_stats.stale_frames);
#endif
    SetEvent(ev_quit);
    if (sta_host_thread)
    {
        wait_bounded(sta_host_thread, 10000, "STA host exit");
        CloseHandle(sta_host_thread);
    }
    unregister_classes();
    CoUninitialize();
}
