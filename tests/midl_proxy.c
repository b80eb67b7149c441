/*
 * olecancel through a proxy/stub DLL in MIDL's /Oicf layout rather than
 * widl's: midl_ps.dll (tests/midl/, written by hand as MIDL emits it,
 * each difference from widl commented there), registered with its
 * DllRegisterServer.  Synchronous calls, client call objects (Begin_/
 * Finish_, Wait, Cancel), CoCancelCall of a synchronous call, and (x64)
 * a server object with ICallFactory served through its call objects; an
 * object in the MTA called from an STA, and a local server (this exe,
 * "server <tag>", MTA, registered as LocalServer32 of a class of this run
 * and started by COM) called from an STA.
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
#include "midl/midl_work.h"
#include "midl/midl_work_i.c"
#include "wine_test.h"
#include "test_util.h"
#include "async_util.h"
#include "midl_server.h"
#include "kept_stubs.h"

#define BOUND 20000             /* ms: the longest any single wait may take */
#define MIDL_PS "midl_ps.dll"

static char exe_path[MAX_PATH];

/* the local server's class: per run, Data2 from the client's process id */
static CLSID server_clsid(DWORD pid)
{
    CLSID id = {0x6f1c0a10, 0, 0x4c61, {0x9a, 0x57, 0x0c, 0x7e, 0x0a, 0x5f, 0x00, 0x43}};
    id.Data2 = (USHORT)(pid ^ (pid >> 16));
    return id;
}

/* ---------------------------------------------------------------------------
 * The local server (child): "server <client pid>"; exit code: objects alive
 * ------------------------------------------------------------------------- */

static HRESULT WINAPI cf_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    IOcMidlWork *work;
    HRESULT hr;

    *ppv = NULL;
    if (outer) return CLASS_E_NOAGGREGATION;
    if (!(work = mw_object_create())) return E_OUTOFMEMORY;
    hr = IOcMidlWork_QueryInterface(work, riid, ppv);
    IOcMidlWork_Release(work);
    return hr;
}

static const IClassFactoryVtbl cf_vtbl =
{
    static_cf_QueryInterface, static_cf_AddRef, static_cf_Release, cf_CreateInstance, static_cf_LockServer
};
static IClassFactory server_cf = { &cf_vtbl };

static int run_server(const char *tag)
{
    CLSID clsid = server_clsid(strtoul(tag, NULL, 16));
    struct kept_stubs kept = { 0 };
    HANDLE ready, quit;
    DWORD cookie;
    HRESULT hr;
    int i;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoRegisterClassObject(&clsid, (IUnknown *)&server_cf, CLSCTX_LOCAL_SERVER, REGCLS_MULTIPLEUSE, &cookie);
    if (FAILED(hr)) { printf("server: CoRegisterClassObject %#lx\n", hr); return 100; }
    kept_stubs_add(&kept, &IID_IOcMidlWork);
    local_server_events("olecancel_midl", tag, &ready, &quit);
    SetEvent(ready);
    if (WaitForSingleObject(quit, 300000)) printf("server: no quit signal\n");
    CoRevokeClassObject(cookie);
    /* a call object's thread lets go of it just after its last Signal */
    for (i = 0; i < 100 && mw_objects; i++) Sleep(20);
    kept_stubs_release(&kept);
    CoUninitialize();
    return mw_objects;
}

/* ---------------------------------------------------------------------------
 * Client side
 * ------------------------------------------------------------------------- */

static void query(IOcMidlWork *work, LONG what, LONG *x, LONG *y)
{
    HRESULT hr = IOcMidlWork_Add(work, what, 0, x, y);
    if (FAILED(hr)) ok(0, "Add(%ld) query: %#lx\n", what, hr);
}

/* polls (bounded) until the server has `busy` Work calls in progress */
static LONG wait_busy(IOcMidlWork *work, LONG busy)
{
    DWORD start = GetTickCount();
    LONG n = -1, begins;

    while (GetTickCount() - start < BOUND)
    {
        query(work, -1, &n, &begins);
        if (n == busy) break;
        pump_sleep(10);
    }
    return n;
}

static void test_sync(IOcMidlWork *work)
{
    LONG sum = 0, served = 0, value = 5, begins0, begins1, dummy;
    HRESULT hr;

    query(work, -1, &dummy, &begins0);
    hr = IOcMidlWork_Add(work, 2, 3, &sum, &served);
    ok(hr == S_OK && sum == 5, "Add: %#lx, sum %ld\n", hr, sum);
    hr = IOcMidlWork_Work(work, 0, &value);
    ok(hr == S_OK && value == 11, "Work: %#lx, value %ld\n", hr, value);
    query(work, -1, &dummy, &begins1);
    ok(served == 2, "Add was served %s (served %ld), expected through the server's call object\n",
       served == 1 ? "synchronously" : "nowhere", served);
    /* Add, Work and the second query's own Begin_Add */
    ok(begins1 - begins0 == 3, "Begin_ calls on the server's call objects: %ld, expected 3\n", begins1 - begins0);
}

static void test_async_add(IOcMidlWork *work)
{
    AsyncIOcMidlWork *call;
    ICallFactory *factory;
    LONG sum = 0, served = 0;
    HRESULT hr;

    hr = IOcMidlWork_QueryInterface(work, &IID_ICallFactory, (void **)&factory);
    ok(hr == S_OK, "QI(ICallFactory) on the proxy: %#lx\n", hr);
    if (FAILED(hr)) return;
    ICallFactory_Release(factory);
    hr = create_call((IUnknown *)work, &IID_AsyncIOcMidlWork, (void **)&call);
    ok(hr == S_OK && call, "CreateCall(IID_AsyncIOcMidlWork): %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = AsyncIOcMidlWork_Begin_Add(call, 20, 22);
    ok(hr == S_OK, "Begin_Add: %#lx\n", hr);
    hr = call_wait(call, BOUND);
    ok(hr == S_OK, "ISynchronize::Wait: %#lx\n", hr);
    hr = AsyncIOcMidlWork_Finish_Add(call, &sum, &served);
    ok(hr == S_OK && sum == 42, "Finish_Add: %#lx, sum %ld\n", hr, sum);
    ok(served == 2, "Finish_Add: served %ld\n", served);
    AsyncIOcMidlWork_Release(call);
}

static void check_server_cancel(IOcMidlWork *work)
{
    LONG busy, seen = 0, finishes;

    busy = wait_busy(work, 0);
    ok(busy == 0, "Work calls still in progress on the server: %ld\n", busy);
    query(work, -2, &seen, &finishes);
    ok(seen == RPC_E_CALL_CANCELED, "the server's TestCancel: got %#lx\n", seen);
}

static void test_async_cancel(IOcMidlWork *work)
{
    AsyncIOcMidlWork *call;
    LONG value = 1, busy;
    HRESULT hr;

    hr = create_call((IUnknown *)work, &IID_AsyncIOcMidlWork, (void **)&call);
    ok(hr == S_OK, "CreateCall: %#lx\n", hr);
    if (FAILED(hr)) return;
    hr = AsyncIOcMidlWork_Begin_Work(call, 10000, &value);
    ok(hr == S_OK, "Begin_Work: %#lx\n", hr);
    busy = wait_busy(work, 1);
    ok(busy == 1, "Work in progress on the server: %ld\n", busy);
    hr = call_cancel(call, 0);
    ok(hr == S_OK, "ICancelMethodCalls::Cancel: %#lx\n", hr);
    hr = call_wait(call, BOUND);
    ok(hr == S_OK, "Wait after Cancel: %#lx\n", hr);
    hr = AsyncIOcMidlWork_Finish_Work(call, &value);
    ok(hr == RPC_E_CALL_CANCELED, "Finish_Work: got %#lx, expected RPC_E_CALL_CANCELED\n", hr);
    AsyncIOcMidlWork_Release(call);
    check_server_cancel(work);
}

struct work_thread { IStream *stream; HANDLE started; LONG value; HRESULT hr; };

static DWORD WINAPI work_thread_proc(void *arg)
{
    struct work_thread *w = arg;
    IOcMidlWork *work;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    w->hr = CoGetInterfaceAndReleaseStream(w->stream, &IID_IOcMidlWork, (void **)&work);
    if (SUCCEEDED(w->hr))
    {
        CoEnableCallCancellation(NULL);
        SetEvent(w->started);
        w->hr = IOcMidlWork_Work(work, 10000, &w->value);
        CoDisableCallCancellation(NULL);
        IOcMidlWork_Release(work);
    }
    else SetEvent(w->started);
    CoUninitialize();
    return 0;
}

static void test_sync_cancel(IOcMidlWork *work)
{
    struct work_thread w = { NULL, CreateEventW(NULL, TRUE, FALSE, NULL), 1, E_FAIL };
    HANDLE thread;
    DWORD tid, index;
    LONG busy;
    HRESULT hr;

    hr = CoMarshalInterThreadInterfaceInStream(&IID_IOcMidlWork, (IUnknown *)work, &w.stream);
    ok(hr == S_OK, "CoMarshalInterThreadInterfaceInStream: %#lx\n", hr);
    thread = CreateThread(NULL, 0, work_thread_proc, &w, 0, &tid);
    wait_bounded(w.started, BOUND, "client thread start");
    busy = wait_busy(work, 1);
    ok(busy == 1, "Work in progress on the server: %ld\n", busy);
    hr = CoCancelCall(tid, 0);
    ok(hr == S_OK, "CoCancelCall: %#lx\n", hr);
    if (CoWaitForMultipleHandles(0, BOUND, 1, &thread, &index) != S_OK)
    {
        ok(0, "the cancelled thread did not return within %u ms\n", BOUND);
        TerminateThread(thread, 1);
    }
    ok(w.hr == RPC_E_CALL_CANCELED, "cancelled Work: got %#lx, expected RPC_E_CALL_CANCELED\n", w.hr);
    CloseHandle(thread);
    CloseHandle(w.started);
    check_server_cancel(work);
}

struct client_args { IStream *stream; DWORD pid; LONG server_pid; };

/* the client: an STA thread */
static DWORD WINAPI client_thread(void *arg)
{
    struct client_args *args = arg;
    IOcMidlWork *work = NULL;
    CLSID clsid = server_clsid(args->pid);
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (args->stream) hr = CoGetInterfaceAndReleaseStream(args->stream, &IID_IOcMidlWork, (void **)&work);
    else hr = CoCreateInstance(&clsid, NULL, CLSCTX_LOCAL_SERVER, &IID_IOcMidlWork, (void **)&work);
    ok(hr == S_OK, "getting the server object: %#lx\n", hr);
    if (work)
    {
        test_sync(work);
        test_async_add(work);
        test_async_cancel(work);
        test_sync_cancel(work);
        if (!args->stream)
        {
            LONG dummy;
            query(work, -3, &args->server_pid, &dummy);
        }
        IOcMidlWork_Release(work);
    }
    CoUninitialize();
    return 0;
}

static void run_client(struct client_args *args)
{
    HANDLE thread = CreateThread(NULL, 0, client_thread, args, 0, NULL);
    DWORD index;

    if (CoWaitForMultipleHandles(0, 240000, 1, &thread, &index) != S_OK)
    {
        ok(0, "client thread did not end\n");
        TerminateThread(thread, 1);
    }
    CloseHandle(thread);
}

/* the local server, for COM to start: registered for this run's class as
 * an installer would */
static void register_server(BOOL add)
{
    CLSID clsid = server_clsid(GetCurrentProcessId());
    char path[MAX_PATH], cmd[MAX_PATH + 32], id[40];

    guid_str(&clsid, id);
    snprintf(path, sizeof(path), "CLSID\\%s", id);
    if (!add)
    {
        RegDeleteTreeA(HKEY_CLASSES_ROOT, path);
        return;
    }
    strcat(path, "\\LocalServer32");
    snprintf(cmd, sizeof(cmd), "\"%s\" server %lx", exe_path, GetCurrentProcessId());
    ok(!set_value(HKEY_CLASSES_ROOT, path, NULL, cmd), "registering %s\n", path);
}

static void test_local_server(void)
{
    struct client_args args = { NULL, GetCurrentProcessId(), 0 };
    DWORD handles = handle_count(), code;
    HANDLE process, ready, quit;
    char tag[16];

    snprintf(tag, sizeof(tag), "%lx", args.pid);
    local_server_events("olecancel_midl", tag, &ready, &quit);
    CloseHandle(ready);
    register_server(TRUE);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    run_client(&args);
    CoUninitialize();
    register_server(FALSE);
    /* the server COM started told its process id: its exit code is the
     * number of its objects still alive */
    process = args.server_pid ? OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, args.server_pid) : NULL;
    ok(process != NULL, "local server process %ld: %lu\n", args.server_pid, GetLastError());
    if (!process)
    {
        SetEvent(quit);
        CloseHandle(quit);
        return;
    }
    code = local_server_stop(process, quit);
    ok(code == 0, "local server exit code %lu (objects alive)\n", code);
    trace("handles %lu before, %lu after\n", handles, handle_count());
}

/* the object in the MTA (this thread), called from an STA thread */
static void test_mta_object(void)
{
    struct client_args args = { NULL, 0 };
    IOcMidlWork *work;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    work = mw_object_create();
    hr = CoMarshalInterThreadInterfaceInStream(&IID_IOcMidlWork, (IUnknown *)work, &args.stream);
    ok(hr == S_OK, "CoMarshalInterThreadInterfaceInStream: %#lx\n", hr);
    run_client(&args);
    IOcMidlWork_Release(work);
    CoUninitialize();
    ok(mw_objects == 0, "server objects alive: %ld\n", mw_objects);
}

START_TEST(midl_proxy)
{
    HRESULT (WINAPI *func)(void);
    char path[MAX_PATH], *p;
    HMODULE ps;
    char **argv;
    int argc = winetest_get_mainargs(&argv);

    GetModuleFileNameA(NULL, exe_path, sizeof(exe_path));
    if (argc >= 3 && !strcmp(argv[1], "server")) exit(run_server(argv[2]));

    strcpy(path, exe_path);
    if ((p = strrchr(path, '\\'))) strcpy(p + 1, MIDL_PS);
    if (!(ps = LoadLibraryA(path)))
    {
        skip("%s not found\n", path);
        return;
    }
    func = (void *)GetProcAddress(ps, "DllRegisterServer");
    ok(func && func() == S_OK, "%s: DllRegisterServer failed\n", MIDL_PS);
    run_subtest(test_mta_object);
    run_subtest(test_local_server);
    func = (void *)GetProcAddress(ps, "DllUnregisterServer");
    ok(func && func() == S_OK, "%s: DllUnregisterServer failed\n", MIDL_PS);
    FreeLibrary(ps);
}
