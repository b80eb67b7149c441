/*
 * olecancel tests: the ICancelTest object and its hosts for the synchronous
 * cancel tests (cancel_sync, cancel_sync_race, cancel_ext_hostile)
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
 * proxy/stub lives in olecancel_ps.dll next to the exe; cancel_host_start
 * registers it and a LocalServer32 (the exe itself, "server" mode), and
 * cancel_host_stop removes both.  Servers:
 *   local    an object in a child process started by COM (MTA server)
 *   inproc   an MTA object of this process, called from an STA thread
 *   sta      an STA object of this process, called from the MTA
 *            (Wine posts these calls: see docs/cancel.md)
 * Callers are threads of the test process that make one call per command.
 *
 * Include after wine_test.h and test_util.h.
 */

#ifndef OLECANCEL_CANCEL_HOST_H
#define OLECANCEL_CANCEL_HOST_H

#include "cancel_test.h"
#include "kept_stubs.h"

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
    struct kept_stubs kept = { 0 };
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
    kept_stubs_add(&kept, &IID_ICancelTest);
    /* bounded: the parent sets ev_quit, or kills us */
    WaitForSingleObject(ev_quit, 300000);
    CoRevokeClassObject(cookie);
    kept_stubs_release(&kept);
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

static WINETEST_UNUSED BOOL caller_create(struct caller *c, const char *name, DWORD model, enum server_kind kind)
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

static WINETEST_UNUSED void caller_start(struct caller *c, enum cmd cmd, LONG ms, LONG value, LONG stop, BOOL enable)
{
    c->cmd = cmd;
    c->ms = ms;
    c->value = value;
    c->stop = stop;
    c->enable = enable;
    c->hr = 0xdeadbeef;
    SetEvent(c->go);
}

static WINETEST_UNUSED BOOL caller_wait(struct caller *c, DWORD ms)
{
    return WaitForSingleObject(c->done, ms) == WAIT_OBJECT_0;
}

static WINETEST_UNUSED HRESULT caller_call(struct caller *c, enum cmd cmd, LONG ms, LONG value, LONG stop, BOOL enable)
{
    caller_start(c, cmd, ms, value, stop, enable);
    if (!wait_bounded(c->done, 30000, "call")) return E_FAIL;
    return c->hr;
}

static WINETEST_UNUSED void caller_destroy(struct caller *c)
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
static WINETEST_UNUSED void settle_server(struct caller *c)
{
    SetEvent(ev_release);
    if (WaitForSingleObject(ev_idle, 10000)) ok(0, "%s: server still busy after 10 s\n", c->name);
    ResetEvent(ev_release);
    ResetEvent(ev_entered);
    ResetEvent(ev_left);
}

/* `count` cancels of calls the server is in, each timed into lat[i] if lat */
static WINETEST_UNUSED void cancel_many(struct caller *c, int count, double *lat)
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

/* "server <owner pid> <clsid> [nohook]": the local server COM starts
 * (nohook: the stock-Wine side of make bench); does not return */
static void cancel_host_serve_if_asked(int argc, char **argv)
{
    if (argc >= 4 && !strcmp(argv[1], "server"))
    {
        parse_clsid(argv[3]);
        exit(run_server(strtoul(argv[2], NULL, 10), !(argc >= 5 && !strcmp(argv[4], "nohook"))));
    }
}

/* the test process's side: the events, a fresh class registered with this
 * exe as its local server, the in-process MTA object and the STA thread
 * hosting the STA object; FALSE (nothing to stop) if registration failed */
static BOOL cancel_host_start(BOOL hooks)
{
    char args[128], clsid[40];
    HRESULT hr;

    open_events(GetCurrentProcessId());
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    CoCreateGuid(&CLSID_CancelTestServer);
    guid_str(&CLSID_CancelTestServer, clsid);
    sprintf(args, "server %lu %s%s", GetCurrentProcessId(), clsid, hooks ? "" : " nohook");
    if (!register_classes(args))
    {
        CoUninitialize();
        return FALSE;
    }

    hr = marshal_obj(SERVER_INPROC_MTA);
    ok(hr == S_OK, "marshaling the MTA object: %#lx\n", hr);
    sta_host_ready = CreateEventA(NULL, FALSE, FALSE, NULL);
    sta_host_thread = CreateThread(NULL, 0, sta_host, &hr, 0, NULL);
    wait_bounded(sta_host_ready, 10000, "STA host");
    ok(hr == S_OK, "marshaling the STA object: %#lx\n", hr);
    return TRUE;
}

static void cancel_host_stop(void)
{
    SetEvent(ev_quit);
    if (sta_host_thread)
    {
        wait_bounded(sta_host_thread, 10000, "STA host exit");
        CloseHandle(sta_host_thread);
    }
    unregister_classes();
    CoUninitialize();
}

#endif /* OLECANCEL_CANCEL_HOST_H */
