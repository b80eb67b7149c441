/*
 * olecancel conformance tests: the drop-in behaves like Wine's builtin ole32
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Every expectation here holds for stock Wine's ole32 as well (run with
 * `make check-builtin`), except the ones marked as needing olecancel:
 * the override being loaded and the four exports stock Wine lacks.
 */

#include <windows.h>
#include <ole2.h>
#include <objbase.h>
#include "wine_test.h"
#include "test_util.h"
#include "version.h"

static BOOL expect_builtin;
static HMODULE ole32;

static const struct { const char *name; int is_new; } exports[] =
{
#define EXPORT(n, is_new) { n, is_new },
#include "exports_list.h"
#undef EXPORT
};

static void test_override_loaded(void)
{
    WCHAR path[MAX_PATH];
    DWORD size;
    char *data, *value = NULL;
    UINT len = 0;
    BOOL ret;

    ole32 = GetModuleHandleA("ole32.dll");
    ok(ole32 != NULL, "ole32 not loaded\n");
    ok(GetModuleFileNameW(ole32, path, MAX_PATH) != 0, "GetModuleFileName failed %lu\n", GetLastError());
    size = GetFileVersionInfoSizeW(path, NULL);
    data = malloc(size ? size : 1);
    ret = size && GetFileVersionInfoW(path, 0, size, data) &&
          VerQueryValueA(data, "\\StringFileInfo\\040904b0\\ProductName", (void **)&value, &len);
    if (expect_builtin)
        ok(!ret || strcmp(value, "olecancel"), "stock Wine run, but %ls is olecancel\n", path);
    else
    {
        ok(ret && !strcmp(value, "olecancel"), "the loaded ole32 (%ls) is %s, not olecancel\n",
           path, ret ? value : "without a ProductName");
        ret = VerQueryValueA(data, "\\StringFileInfo\\040904b0\\ProductVersion", (void **)&value, &len);
        ok(ret && !strcmp(value, OLECANCEL_VERSION_STRING), "version %s, expected %s\n",
           ret ? value : "(none)", OLECANCEL_VERSION_STRING);
    }
    free(data);
}

static void test_exports_resolve(void)
{
    unsigned int i, missing = 0, missing_new = 0;

    for (i = 0; i < ARRAY_SIZE(exports); i++)
    {
        if (GetProcAddress(ole32, exports[i].name)) continue;
        if (exports[i].is_new) missing_new++;
        else missing++;
        if (!exports[i].is_new || !expect_builtin)
            ok(0, "ole32.%s does not resolve\n", exports[i].name);
        else
            trace("stock Wine lacks ole32.%s\n", exports[i].name);
    }
    ok(ARRAY_SIZE(exports) > 300, "only %u names in the export list\n", (unsigned int)ARRAY_SIZE(exports));
    ok(missing == 0, "%u of %u names do not resolve\n", missing, (unsigned int)ARRAY_SIZE(exports));
    if (expect_builtin) trace("stock Wine lacks %u of the new exports\n", missing_new);
    else ok(missing_new == 0, "%u new exports missing\n", missing_new);
}

static void test_coinitialize(void)
{
    HRESULT hr;

    hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    ok(hr == S_OK, "CoInitializeEx(MTA) got %#lx\n", hr);
    hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    ok(hr == S_FALSE, "second CoInitializeEx(MTA) got %#lx\n", hr);
    hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    ok(hr == RPC_E_CHANGED_MODE, "CoInitializeEx(STA) in an MTA got %#lx\n", hr);
    CoUninitialize();
    CoUninitialize();
    hr = CoInitialize(NULL);
    ok(hr == S_OK, "CoInitialize got %#lx\n", hr);
    CoUninitialize();

    hr = OleInitialize(NULL);
    ok(hr == S_OK, "OleInitialize got %#lx\n", hr);
    hr = OleInitialize(NULL);
    ok(hr == S_FALSE, "second OleInitialize got %#lx\n", hr);
    OleUninitialize();
    OleUninitialize();
}

static void test_inproc_class(void)
{
    IDispatch *disp = NULL;
    IUnknown *git = NULL;
    CLSID clsid;
    UINT count = 99;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    hr = CLSIDFromProgID(L"Scripting.Dictionary", &clsid);
    ok(hr == S_OK, "CLSIDFromProgID got %#lx\n", hr);
    hr = CoCreateInstance(&clsid, NULL, CLSCTX_INPROC_SERVER, &IID_IDispatch, (void **)&disp);
    ok(hr == S_OK, "CoCreateInstance(Scripting.Dictionary) got %#lx\n", hr);
    if (disp)
    {
        hr = IDispatch_GetTypeInfoCount(disp, &count);
        ok(hr == S_OK && count == 1, "GetTypeInfoCount got %#lx, %u\n", hr, count);
        IDispatch_Release(disp);
    }
    /* a class served by ole32/combase itself */
    hr = CoCreateInstance(&CLSID_StdGlobalInterfaceTable, NULL, CLSCTX_INPROC_SERVER,
                          &IID_IGlobalInterfaceTable, (void **)&git);
    ok(hr == S_OK, "CoCreateInstance(StdGlobalInterfaceTable) got %#lx\n", hr);
    if (git) IUnknown_Release(git);
    CoUninitialize();
}

/* a class factory living in an STA thread, called from the MTA */
struct test_factory
{
    IClassFactory IClassFactory_iface;
    LONG refs;
    DWORD last_tid;
};

static struct test_factory *impl_from_IClassFactory(IClassFactory *iface)
{
    return CONTAINING_RECORD(iface, struct test_factory, IClassFactory_iface);
}

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID riid, void **ppv)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IClassFactory))
    {
        *ppv = iface;
        IClassFactory_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI factory_AddRef(IClassFactory *iface)
{
    return InterlockedIncrement(&impl_from_IClassFactory(iface)->refs);
}

static ULONG WINAPI factory_Release(IClassFactory *iface)
{
    return InterlockedDecrement(&impl_from_IClassFactory(iface)->refs);
}

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    impl_from_IClassFactory(iface)->last_tid = GetCurrentThreadId();
    *ppv = NULL;
    return E_NOTIMPL;
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock)
{
    return E_NOTIMPL;
}

static const IClassFactoryVtbl factory_vtbl =
{
    factory_QueryInterface, factory_AddRef, factory_Release, factory_CreateInstance, factory_LockServer
};

struct host_thread
{
    struct test_factory *factory;
    IStream *stream;
    HANDLE ready, done;
    HRESULT hr;
};

static DWORD CALLBACK sta_host(void *arg)
{
    struct host_thread *host = arg;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    host->hr = CoMarshalInterThreadInterfaceInStream(&IID_IClassFactory,
            (IUnknown *)&host->factory->IClassFactory_iface, &host->stream);
    SetEvent(host->ready);
    /* serve calls until told to stop (bounded by the test's own waits) */
    pump_messages_until(host->done, 30000);
    CoUninitialize();
    return 0;
}

static void test_cross_apartment(void)
{
    struct test_factory factory = { { &factory_vtbl }, 1, 0 };
    struct host_thread host = { &factory };
    IClassFactory *proxy = NULL;
    HANDLE thread;
    DWORD tid;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    host.ready = CreateEventW(NULL, FALSE, FALSE, NULL);
    host.done = CreateEventW(NULL, FALSE, FALSE, NULL);
    thread = CreateThread(NULL, 0, sta_host, &host, 0, &tid);
    if (!wait_bounded(host.ready, 10000, "STA host")) return;
    ok(host.hr == S_OK, "CoMarshalInterThreadInterfaceInStream got %#lx\n", host.hr);
    hr = CoGetInterfaceAndReleaseStream(host.stream, &IID_IClassFactory, (void **)&proxy);
    ok(hr == S_OK, "CoGetInterfaceAndReleaseStream got %#lx\n", hr);
    if (proxy)
    {
        ok(proxy != &factory.IClassFactory_iface, "got the object itself, not a proxy\n");
        IUnknown *unk = (IUnknown *)(ULONG_PTR)0xdeadbeef;
        /* (Wine's IClassFactory proxy has LockServer as a stub: use CreateInstance) */
        hr = IClassFactory_CreateInstance(proxy, NULL, &IID_IUnknown, (void **)&unk);
        ok(hr == E_NOTIMPL && !unk, "CreateInstance through the proxy got %#lx, %p\n", hr, unk);
        ok(factory.last_tid == tid, "ran on thread %lu, expected the STA %lu\n", factory.last_tid, tid);
        IClassFactory_Release(proxy);
    }
    SetEvent(host.done);
    wait_bounded(thread, 10000, "STA host exit");
    ok(factory.refs == 1, "factory refs %ld after release, expected 1\n", factory.refs);
    CloseHandle(thread);
    CloseHandle(host.ready);
    CloseHandle(host.done);
    CoUninitialize();
}

static void test_storage(void)
{
    static const char data[] = "olecancel storage round trip";
    WCHAR dir[MAX_PATH], file[MAX_PATH];
    IStorage *stg = NULL;
    IStream *stm = NULL;
    char buf[64] = "";
    ULONG n = 0;
    HRESULT hr;

    GetTempPathW(MAX_PATH, dir);
    GetTempFileNameW(dir, L"olc", 0, file);
    hr = StgCreateDocfile(file, STGM_CREATE | STGM_READWRITE | STGM_SHARE_EXCLUSIVE, 0, &stg);
    ok(hr == S_OK, "StgCreateDocfile got %#lx\n", hr);
    if (!stg) return;
    hr = IStorage_CreateStream(stg, L"Contents", STGM_CREATE | STGM_READWRITE | STGM_SHARE_EXCLUSIVE, 0, 0, &stm);
    ok(hr == S_OK, "CreateStream got %#lx\n", hr);
    hr = IStream_Write(stm, data, sizeof(data), &n);
    ok(hr == S_OK && n == sizeof(data), "Write got %#lx, %lu\n", hr, n);
    IStream_Release(stm);
    hr = IStorage_Commit(stg, STGC_DEFAULT);
    ok(hr == S_OK, "Commit got %#lx\n", hr);
    IStorage_Release(stg);

    hr = StgOpenStorage(file, NULL, STGM_READ | STGM_SHARE_EXCLUSIVE, NULL, 0, &stg);
    ok(hr == S_OK, "StgOpenStorage got %#lx\n", hr);
    if (stg)
    {
        hr = IStorage_OpenStream(stg, L"Contents", NULL, STGM_READ | STGM_SHARE_EXCLUSIVE, 0, &stm);
        ok(hr == S_OK, "OpenStream got %#lx\n", hr);
        if (stm)
        {
            hr = IStream_Read(stm, buf, sizeof(buf), &n);
            ok(hr == S_OK && n == sizeof(data) && !strcmp(buf, data), "Read got %#lx, %lu, %s\n", hr, n, buf);
            IStream_Release(stm);
        }
        IStorage_Release(stg);
    }
    ok(DeleteFileW(file), "DeleteFile failed %lu\n", GetLastError());
}

typedef HRESULT (WINAPI *cancel_call_func)(DWORD, ULONG);
typedef HRESULT (WINAPI *test_cancel_func)(void);
typedef HRESULT (WINAPI *set_cancel_func)(IUnknown *);
typedef HRESULT (WINAPI *get_cancel_func)(DWORD, REFIID, void **);

static void test_new_exports_callable(void)
{
    cancel_call_func p_CoCancelCall = (void *)GetProcAddress(ole32, "CoCancelCall");
    test_cancel_func p_CoTestCancel = (void *)GetProcAddress(ole32, "CoTestCancel");
    set_cancel_func p_CoSetCancelObject = (void *)GetProcAddress(ole32, "CoSetCancelObject");
    get_cancel_func p_CoGetCancelObject = (void *)GetProcAddress(ole32, "CoGetCancelObject");
    void *obj = (void *)(ULONG_PTR)0xdeadbeef;
    HRESULT hr;

    if (!p_CoCancelCall || !p_CoTestCancel || !p_CoSetCancelObject || !p_CoGetCancelObject)
    {
        ok(expect_builtin, "cancellation exports missing: %p %p %p %p\n",
           p_CoCancelCall, p_CoTestCancel, p_CoSetCancelObject, p_CoGetCancelObject);
        return;
    }
    hr = p_CoCancelCall(GetCurrentThreadId(), 0);
    ok(hr == E_NOINTERFACE, "CoCancelCall with no call got %#lx\n", hr);
    hr = p_CoTestCancel();
    ok(hr == RPC_E_CALL_COMPLETE, "CoTestCancel outside a call got %#lx\n", hr);
    hr = p_CoGetCancelObject(0, &IID_ICancelMethodCalls, &obj);
    ok(hr == E_NOINTERFACE && !obj, "CoGetCancelObject got %#lx, %p\n", hr, obj);
    hr = p_CoSetCancelObject(NULL);
    ok(hr == S_OK, "CoSetCancelObject(NULL) on an empty stack got %#lx\n", hr);
}

START_TEST(forward)
{
    const char *env = getenv("OLECANCEL_EXPECT_BUILTIN");
    expect_builtin = env && *env == '1';

    run_subtest(test_override_loaded);
    run_subtest(test_exports_resolve);
    run_subtest(test_coinitialize);
    run_subtest(test_inproc_class);
    run_subtest(test_cross_apartment);
    run_subtest(test_storage);
    run_subtest(test_new_exports_callable);
}
