/*
 * olecancel tests: what the DLL does to a process that does not use it
 * (nothing), and that it is there at the first proxy a process obtains
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
 * Every case runs in a child copy of this program, so that the process
 * is really fresh: what is tested is its *first* COM initialisation and
 * its *first* proxy.
 */

#include <stdio.h>
#include <windows.h>
#include <objbase.h>
#include <psapi.h>
#include <rpc.h>
#include "wine_test.h"
#include "test_util.h"

/* {3c0e51a4-8d2b-4f7e-b6a1-52c9e07d4f18}: this program as a local server */
static const CLSID CLSID_StartupServer =
    { 0x3c0e51a4, 0x8d2b, 0x4f7e, { 0xb6, 0xa1, 0x52, 0xc9, 0xe0, 0x7d, 0x4f, 0x18 } };
static const IID IID_ICallFactory_ =
    { 0x1c733a30, 0x2a1c, 0x11ce, { 0xad, 0xe5, 0x00, 0xaa, 0x00, 0x44, 0x77, 0x3d } };

#define QUIT_EVENT "olecancel-startup-server-quit"
#define READY_EVENT "olecancel-startup-server-ready"

static char exe_path[MAX_PATH];

/* a class factory whose CreateInstance hands out itself: an object with a
 * standard proxy (Wine's own IClassFactory proxy) and an [out] interface */
static HRESULT WINAPI cf_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    return IClassFactory_QueryInterface(iface, riid, ppv);
}

static const IClassFactoryVtbl cf_vtbl =
{
    static_cf_QueryInterface, static_cf_AddRef, static_cf_Release, cf_CreateInstance, static_cf_LockServer,
};
static IClassFactory factory = { &cf_vtbl };

static SIZE_T working_set(void)
{
    PROCESS_MEMORY_COUNTERS_EX pmc = { sizeof(pmc) };
    if (!GetProcessMemoryInfo(GetCurrentProcess(), (PROCESS_MEMORY_COUNTERS *)&pmc, sizeof(pmc))) return 0;
    /* Wine 8.0 reports no PrivateUsage: the working set is what it tracks */
    return pmc.WorkingSetSize;
}

/* modules named ole32.dll: olecancel loads Wine's builtin as a second one
 * only when a call needs it */
static int ole32_modules(void)
{
    HMODULE modules[512];
    DWORD needed, i;
    char name[MAX_PATH];
    int count = 0;

    if (!K32EnumProcessModules(GetCurrentProcess(), modules, sizeof(modules), &needed)) return -1;
    for (i = 0; i < needed / sizeof(HMODULE) && i < ARRAY_SIZE(modules); i++)
        if (K32GetModuleBaseNameA(GetCurrentProcess(), modules[i], name, sizeof(name)) && !lstrcmpiA(name, "ole32.dll"))
            count++;
    return count;
}

/* ---- a process that only initialises COM -------------------------------- */

static void child_idle(DWORD model)
{
    const struct olecancel_diag *diag = get_olecancel_diag();
    DWORD threads_before, threads_after;
    SIZE_T bytes_before, bytes_after;
    RPC_STATUS status;
    HRESULT hr;

    threads_before = thread_count();
    bytes_before = working_set();
    hr = CoInitializeEx(NULL, model);
    ok(hr == S_OK, "CoInitializeEx got %#lx\n", hr);
    if (diag && diag->size >= FIELD_OFFSET(struct olecancel_diag, started) + sizeof(diag->started))
        ok(!diag->started(), "olecancel started %#lx at CoInitializeEx\n", diag->started());
    CoUninitialize();
    threads_after = thread_count();
    bytes_after = working_set();

    ok(threads_after == threads_before, "threads %lu -> %lu\n", threads_before, threads_after);
    /* combase's last CoUninitialize calls ole32's DestroyRunningObjectTable:
     * with no table made it must not load Wine's builtin ole32 behind ours */
    ok(ole32_modules() == 1, "%d modules named ole32.dll after CoInitializeEx+CoUninitialize\n", ole32_modules());
    trace("model %#lx: working set %+ld KB, threads %lu\n", model,
          (long)((LONG_PTR)(bytes_after - bytes_before) / 1024), threads_after);

    /* nothing registered COM's RPC endpoint: the process is no RPC server */
    status = RpcMgmtStopServerListening(NULL);
    ok(status == RPC_S_NOT_LISTENING, "RpcMgmtStopServerListening got %ld\n", status);
    status = RpcServerListen(1, 20, FALSE);
    ok(status == RPC_S_NO_PROTSEQS_REGISTERED, "RpcServerListen got %ld\n", status);
}

/* ---- objects owned by an MTA thread of the child ------------------------ */

enum how { BY_UNMARSHAL, BY_STREAM, BY_GIT };

struct owner
{
    enum how how;
    int count;                  /* proxies to prepare */
    IStream *streams[2];
    DWORD cookie;
    IGlobalInterfaceTable *git;
    HANDLE ready, done;
};

static DWORD WINAPI owner_thread(void *arg)
{
    struct owner *o = arg;
    IGlobalInterfaceTable *git;
    HRESULT hr;
    int i;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    for (i = 0; i < o->count; i++)
    {
        switch (o->how)
        {
        case BY_UNMARSHAL:
            CreateStreamOnHGlobal(NULL, TRUE, &o->streams[i]);
            hr = CoMarshalInterface(o->streams[i], &IID_IClassFactory, (IUnknown *)&factory,
                                    MSHCTX_INPROC, NULL, MSHLFLAGS_NORMAL);
            ok(hr == S_OK, "CoMarshalInterface got %#lx\n", hr);
            break;
        case BY_STREAM:
            hr = CoMarshalInterThreadInterfaceInStream(&IID_IClassFactory, (IUnknown *)&factory, &o->streams[i]);
            ok(hr == S_OK, "CoMarshalInterThreadInterfaceInStream got %#lx\n", hr);
            break;
        case BY_GIT:
            hr = CoCreateInstance(&CLSID_StdGlobalInterfaceTable, NULL, CLSCTX_INPROC_SERVER,
                                  &IID_IGlobalInterfaceTable, (void **)&git);
            ok(hr == S_OK, "creating the GIT got %#lx\n", hr);
            if (FAILED(hr)) break;
            hr = IGlobalInterfaceTable_RegisterInterfaceInGlobal(git, (IUnknown *)&factory,
                                                                 &IID_IClassFactory, &o->cookie);
            ok(hr == S_OK, "RegisterInterfaceInGlobal got %#lx\n", hr);
            IGlobalInterfaceTable_Release(git);
            break;
        }
    }
    SetEvent(o->ready);
    WaitForSingleObject(o->done, 30000);
    CoUninitialize();
    return 0;
}

static HANDLE start_owner(struct owner *o, enum how how, int count)
{
    HANDLE thread;

    memset(o, 0, sizeof(*o));
    o->how = how;
    o->count = count;
    o->ready = CreateEventW(NULL, TRUE, FALSE, NULL);
    o->done = CreateEventW(NULL, TRUE, FALSE, NULL);
    thread = CreateThread(NULL, 0, owner_thread, o, 0, NULL);
    wait_bounded(o->ready, 10000, "the owner thread");
    return thread;
}

static void stop_owner(struct owner *o, HANDLE thread)
{
    SetEvent(o->done);
    wait_bounded(thread, 10000, "the owner thread to end");
    CloseHandle(thread);
    CloseHandle(o->ready);
    CloseHandle(o->done);
}

static IUnknown *unmarshal_stream(IStream *stream)
{
    LARGE_INTEGER zero = {{0}};
    IUnknown *unk = NULL;
    HRESULT hr;

    IStream_Seek(stream, zero, STREAM_SEEK_SET, NULL);
    hr = CoUnmarshalInterface(stream, &IID_IClassFactory, (void **)&unk);
    ok(hr == S_OK, "CoUnmarshalInterface got %#lx\n", hr);
    IStream_Release(stream);
    return unk;
}

/* the first proxy answers ICallFactory, and is still a working proxy */
static void check_call_factory(IUnknown *proxy, HRESULT expect)
{
    IUnknown *factory_iface = NULL;
    HRESULT hr;

    if (!proxy) return;
    hr = IUnknown_QueryInterface(proxy, &IID_ICallFactory_, (void **)&factory_iface);
    ok(hr == expect, "QI(ICallFactory) on the first proxy got %#lx, expected %#lx\n", hr, expect);
    if (factory_iface) IUnknown_Release(factory_iface);
    hr = IClassFactory_CreateInstance((IClassFactory *)proxy, NULL, &IID_IUnknown, (void **)&factory_iface);
    ok(hr == S_OK, "a call on the proxy got %#lx\n", hr);
    if (SUCCEEDED(hr)) IUnknown_Release(factory_iface);
}

static void child_first_proxy(const char *how)
{
    struct owner o;
    IUnknown *proxy = NULL;
    HANDLE thread;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (!strcmp(how, "unmarshal"))
    {
        thread = start_owner(&o, BY_UNMARSHAL, 1);
        proxy = unmarshal_stream(o.streams[0]);
    }
    else if (!strcmp(how, "stream"))
    {
        thread = start_owner(&o, BY_STREAM, 1);
        hr = CoGetInterfaceAndReleaseStream(o.streams[0], &IID_IClassFactory, (void **)&proxy);
        ok(hr == S_OK, "CoGetInterfaceAndReleaseStream got %#lx\n", hr);
    }
    else if (!strcmp(how, "git"))
    {
        /* combase unmarshals it inside: olecancel sees it through its view
         * of the table */
        thread = start_owner(&o, BY_GIT, 1);
        hr = CoCreateInstance(&CLSID_StdGlobalInterfaceTable, NULL, CLSCTX_INPROC_SERVER,
                              &IID_IGlobalInterfaceTable, (void **)&o.git);
        ok(hr == S_OK, "creating the GIT got %#lx\n", hr);
        if (o.git)
        {
            IGlobalInterfaceTable *again = NULL;
            ULONG ref;

            /* the table is one object that counts no references, on
             * Windows as in Wine (Wine's marshal.c tests check this too) */
            ref = IGlobalInterfaceTable_AddRef(o.git);
            ok(ref == 1, "AddRef of the GIT got %lu\n", ref);
            ref = IGlobalInterfaceTable_Release(o.git);
            ok(ref == 1, "Release of the GIT got %lu\n", ref);
            hr = CoCreateInstance(&CLSID_StdGlobalInterfaceTable, NULL, CLSCTX_INPROC_SERVER,
                                  &IID_IUnknown, (void **)&again);
            ok(hr == S_OK && again == o.git, "the GIT again got %#lx, %p instead of %p\n", hr, again, o.git);
            if (again) IUnknown_Release((IUnknown *)again);
            hr = IGlobalInterfaceTable_GetInterfaceFromGlobal(o.git, o.cookie, &IID_IClassFactory, (void **)&proxy);
            ok(hr == S_OK, "GetInterfaceFromGlobal got %#lx\n", hr);
        }
    }
    else
    {
        /* "out": the process's first proxy comes from the global interface
         * table, obtained through its class object (which olecancel does not
         * view): the first proxy olecancel can see is an [out] parameter of
         * a call on it, unmarshaled by rpcrt4 */
        IClassFactory *git_factory = NULL;
        IUnknown *first = NULL;

        thread = start_owner(&o, BY_GIT, 1);
        hr = CoGetClassObject(&CLSID_StdGlobalInterfaceTable, CLSCTX_INPROC_SERVER, NULL, &IID_IClassFactory,
                              (void **)&git_factory);
        ok(hr == S_OK, "the GIT's class object got %#lx\n", hr);
        if (git_factory)
        {
            hr = IClassFactory_CreateInstance(git_factory, NULL, &IID_IGlobalInterfaceTable, (void **)&o.git);
            ok(hr == S_OK, "creating the GIT got %#lx\n", hr);
            IClassFactory_Release(git_factory);
        }
        if (o.git)
        {
            hr = IGlobalInterfaceTable_GetInterfaceFromGlobal(o.git, o.cookie, &IID_IClassFactory, (void **)&first);
            ok(hr == S_OK, "GetInterfaceFromGlobal got %#lx\n", hr);
            check_call_factory(first, E_NOINTERFACE);
        }
        if (first)
        {
            hr = IClassFactory_CreateInstance((IClassFactory *)first, NULL, &IID_IClassFactory, (void **)&proxy);
            ok(hr == S_OK, "CreateInstance got %#lx\n", hr);
            IUnknown_Release(first);
        }
    }
    check_call_factory(proxy, S_OK);
    if (proxy) IUnknown_Release(proxy);
    stop_owner(&o, thread);
    if (o.git)
    {
        IGlobalInterfaceTable_RevokeInterfaceFromGlobal(o.git, o.cookie);
        IGlobalInterfaceTable_Release(o.git);
    }
    CoUninitialize();
}

/* two STA threads obtain the process's first two proxies at the same moment */
struct racer
{
    IStream *stream;
    HANDLE go;
    HRESULT hr;
};

static DWORD WINAPI racer_thread(void *arg)
{
    struct racer *r = arg;
    IUnknown *proxy = NULL, *cf = NULL;
    LARGE_INTEGER zero = {{0}};

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    WaitForSingleObject(r->go, 10000);
    IStream_Seek(r->stream, zero, STREAM_SEEK_SET, NULL);
    r->hr = CoUnmarshalInterface(r->stream, &IID_IClassFactory, (void **)&proxy);
    if (SUCCEEDED(r->hr))
    {
        r->hr = IUnknown_QueryInterface(proxy, &IID_ICallFactory_, (void **)&cf);
        if (cf) IUnknown_Release(cf);
        IUnknown_Release(proxy);
    }
    IStream_Release(r->stream);
    CoUninitialize();
    return 0;
}

static void child_two_threads(void)
{
    struct racer racers[2];
    HANDLE threads[2], go = CreateEventW(NULL, TRUE, FALSE, NULL);
    struct owner o;
    HANDLE owner;
    int i;

    owner = start_owner(&o, BY_UNMARSHAL, 2);
    for (i = 0; i < 2; i++)
    {
        racers[i].stream = o.streams[i];
        racers[i].go = go;
        racers[i].hr = E_FAIL;
        threads[i] = CreateThread(NULL, 0, racer_thread, &racers[i], 0, NULL);
    }
    Sleep(50);
    SetEvent(go);
    for (i = 0; i < 2; i++)
    {
        wait_bounded(threads[i], 20000, "a racing thread");
        ok(racers[i].hr == S_OK, "thread %d: QI(ICallFactory) on its first proxy got %#lx\n", i, racers[i].hr);
        CloseHandle(threads[i]);
    }
    CloseHandle(go);
    stop_owner(&o, owner);
}

/* CoCreateInstance of a local server: the proxy comes from another process */
static void child_local(void)
{
    IUnknown *proxy = NULL;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoCreateInstance(&CLSID_StartupServer, NULL, CLSCTX_LOCAL_SERVER, &IID_IClassFactory, (void **)&proxy);
    ok(hr == S_OK, "CoCreateInstance(local server) got %#lx\n", hr);
    check_call_factory(proxy, S_OK);
    if (proxy) IUnknown_Release(proxy);
    CoUninitialize();
}

static void run_server(void)
{
    HANDLE quit = CreateEventA(NULL, TRUE, FALSE, QUIT_EVENT), ready;
    DWORD cookie;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoRegisterClassObject(&CLSID_StartupServer, (IUnknown *)&factory, CLSCTX_LOCAL_SERVER,
                               REGCLS_MULTIPLEUSE, &cookie);
    ok(hr == S_OK, "CoRegisterClassObject got %#lx\n", hr);
    if ((ready = OpenEventA(EVENT_MODIFY_STATE, FALSE, READY_EVENT)))
    {
        SetEvent(ready);
        CloseHandle(ready);
    }
    WaitForSingleObject(quit, 30000);
    CoRevokeClassObject(cookie);
    CoUninitialize();
    CloseHandle(quit);
}

/* a refused self-check: each feature says so once, on a line Wine prints
 * by default, and the process keeps working without it */
static void child_refused(void)
{
    const struct olecancel_diag *diag = get_olecancel_diag();
    struct owner o;
    IUnknown *proxy;
    HANDLE thread;
    int i;

    if (!diag || diag->size < FIELD_OFFSET(struct olecancel_diag, feature_off_lines) + sizeof(void *))
    {
        ok(0, "no diagnostics export that can make a self-check refuse\n");
        return;
    }
    diag->refuse_self_checks();
    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    thread = start_owner(&o, BY_UNMARSHAL, 2);
    for (i = 0; i < 2; i++)
    {
        proxy = unmarshal_stream(o.streams[i]);
        check_call_factory(proxy, E_NOINTERFACE);
        if (proxy) IUnknown_Release(proxy);
    }
    ok(diag->started() == 1, "started %#lx\n", diag->started());
    /* each refusal said exactly once, on a fixme line (Wine prints those
     * by default; make check's WINEDEBUG=fixme-all hides them) */
    ok(diag->feature_off_lines(0) == 1, "cancel path: %ld fixme lines\n", diag->feature_off_lines(0));
    ok(diag->feature_off_lines(1) == 1, "ICallFactory: %ld fixme lines\n", diag->feature_off_lines(1));
    stop_owner(&o, thread);
    CoUninitialize();
}

/* ---- the parent ---------------------------------------------------------- */

static int run_child(const char *args)
{
    char cmdline[MAX_PATH * 2];
    STARTUPINFOA si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    DWORD code = (DWORD)-1;

    snprintf(cmdline, sizeof(cmdline), "\"%s\" %s", exe_path, args);
    if (!CreateProcessA(NULL, cmdline, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
    {
        ok(0, "CreateProcess(%s) failed: %lu\n", cmdline, GetLastError());
        return -1;
    }
    if (WaitForSingleObject(pi.hProcess, 60000) != WAIT_OBJECT_0)
    {
        ok(0, "child \"%s\" did not exit within 60 s; killed\n", args);
        TerminateProcess(pi.hProcess, 255);
        WaitForSingleObject(pi.hProcess, 5000);
    }
    else GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return (int)code;
}

static void test_child(const char *args)
{
    int failures = run_child(args);
    ok(!failures, "child \"%s\": %d failures\n", args, failures);
}

/* (the working set COM initialisation adds is measured by make bench,
 * against stock Wine: a child's WINEDLLOVERRIDES cannot be set from here) */
static void test_idle(void)
{
    test_child("child idle-mta");
    test_child("child idle-sta");
}

static void test_first_proxy(void)
{
    char cmd[MAX_PATH + 16];
    HANDLE quit = CreateEventA(NULL, TRUE, FALSE, QUIT_EVENT);
    HANDLE ready = CreateEventA(NULL, TRUE, FALSE, READY_EVENT);
    STARTUPINFOA si = { sizeof(si) };
    PROCESS_INFORMATION pi;

    test_child("child unmarshal");
    test_child("child stream");
    test_child("child git");
    test_child("child out");
    test_child("child threads");

    /* the server is started here and registers its class object; COM
     * then connects the child to the running server */
    snprintf(cmd, sizeof(cmd), "\"%s\" server", exe_path);
    if (CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
    {
        if (wait_bounded(ready, 20000, "the local server"))
            test_child("child local");
        SetEvent(quit);
        wait_bounded(pi.hProcess, 20000, "the local server to exit");
        CloseHandle(pi.hProcess);
        CloseHandle(pi.hThread);
    }
    else ok(0, "starting the server failed: %lu\n", GetLastError());
    CloseHandle(ready);
    CloseHandle(quit);
}

static void test_refused(void)
{
    test_child("child refused");
}

static void test_wine_implementation(void)
{
    const struct olecancel_diag *diag = get_olecancel_diag();

    if (!diag || diag->size < FIELD_OFFSET(struct olecancel_diag, wine_implementation) + sizeof(void *))
    {
        ok(0, "no diagnostics export for what Wine implements\n");
        return;
    }
    /* Wine 8.0's combase: CoCancelCall is a "@ stub", CoGetCallContext real */
    ok(!diag->wine_implementation(L"combase.dll", "CoCancelCall"), "CoCancelCall taken for implemented\n");
    ok(!diag->wine_implementation(L"combase.dll", "CoTestCancel"), "CoTestCancel taken for implemented\n");
    ok(diag->wine_implementation(L"combase.dll", "CoGetCallContext") != NULL, "CoGetCallContext taken for a stub\n");
    ok(diag->wine_implementation(L"combase.dll", "CoInitializeEx") != NULL, "CoInitializeEx taken for a stub\n");
    ok(!diag->wine_implementation(L"combase.dll", "NoSuchFunction"), "a missing export found\n");
}

/* an ICallFactory whose code is this program's: "Wine's" when the test
 * says this program is Wine's module */
static HRESULT WINAPI fake_factory_QueryInterface(ICallFactory *iface, REFIID riid, void **ppv) { return E_NOINTERFACE; }
static ULONG WINAPI fake_factory_AddRef(ICallFactory *iface) { return 2; }
static ULONG WINAPI fake_factory_Release(ICallFactory *iface) { return 1; }
static HRESULT WINAPI fake_factory_CreateCall(ICallFactory *iface, REFIID riid, IUnknown *outer, REFIID riid2,
                                              IUnknown **call)
{
    return E_NOTIMPL;
}
static const ICallFactoryVtbl fake_factory_vtbl =
{
    fake_factory_QueryInterface, fake_factory_AddRef, fake_factory_Release, fake_factory_CreateCall
};

static void test_wine_call_factory(void)
{
    const struct olecancel_diag *diag = get_olecancel_diag();
    ICallFactory fake = { &fake_factory_vtbl };
    IUnknown *unk = (IUnknown *)&fake;
    HMODULE self = GetModuleHandleW(NULL), combase = GetModuleHandleW(L"combase.dll");

    if (!diag || diag->size < FIELD_OFFSET(struct olecancel_diag, wine_answers_call_factory) + sizeof(void *))
    {
        ok(0, "no diagnostics export for Wine's ICallFactory\n");
        return;
    }
    ok(combase != NULL, "combase not loaded\n");
    /* Wine's proxy manager answered with code of its own module: defer */
    ok(diag->wine_answers_call_factory(S_OK, unk, self), "Wine's own ICallFactory not deferred to\n");
    /* code outside Wine's module (an interface proxy to a server's ICallFactory) */
    ok(!diag->wine_answers_call_factory(S_OK, unk, combase), "a foreign ICallFactory taken for Wine's\n");
    /* what Wine 8.0 answers: its remote QueryInterface fails */
    ok(!diag->wine_answers_call_factory(E_NOINTERFACE, NULL, combase), "a failed QI taken for Wine's\n");
    ok(!diag->wine_answers_call_factory(E_NOINTERFACE, unk, self), "a failed QI taken for Wine's\n");
    ok(!diag->wine_answers_call_factory(S_OK, NULL, self), "no interface taken for Wine's\n");
    ok(!diag->wine_answers_call_factory(S_OK, unk, NULL), "no module taken for Wine's\n");
}

START_TEST(startup)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);

    GetModuleFileNameA(NULL, exe_path, sizeof(exe_path));
    if (argc >= 2 && !strcmp(argv[1], "server"))
    {
        run_server();
        return;
    }
    if (argc >= 3 && !strcmp(argv[1], "child"))
    {
        if (!strcmp(argv[2], "idle-mta")) child_idle(COINIT_MULTITHREADED);
        else if (!strcmp(argv[2], "idle-sta")) child_idle(COINIT_APARTMENTTHREADED);
        else if (!strcmp(argv[2], "threads")) child_two_threads();
        else if (!strcmp(argv[2], "local")) child_local();
        else if (!strcmp(argv[2], "refused")) child_refused();
        else child_first_proxy(argv[2]);
        return;
    }
    if (getenv("OLECANCEL_EXPECT_BUILTIN"))
    {
        run_subtest(test_idle);
        skip("the rest is olecancel's\n");
        return;
    }
    run_subtest(test_idle);
    run_subtest(test_first_proxy);
    run_subtest(test_refused);
    run_subtest(test_wine_implementation);
    run_subtest(test_wine_call_factory);
}
