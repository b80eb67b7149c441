/*
 * olecancel-demo: a watchdog-style program, as Windows programs use the
 * cancellation API.
 *
 * Copyright 2026 the olecancel developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Part 1: a worker thread runs a long operation that registers its own
 * cancel object (CoSetCancelObject, as a custom marshaler does); the
 * watchdog thread gives it 300 ms, then calls CoCancelCall on the worker's
 * thread id, and the operation stops.
 * Part 2: the same watchdog against a real cross-process COM call: a worker
 * thread calls IDemoWork::Work (5 s) on a local server (this program, run
 * as "server"); the watchdog cancels it with CoCancelCall.
 * Part 3: the seed's four steps on an asynchronous call: ICallFactory::
 * CreateCall, Begin_Work, ICancelMethodCalls::Cancel, Finish_Work.
 * In parts 2 and 3 the server's CoTestCancel() sees the cancel.
 *
 * On stock Wine this program aborts at the first of these calls:
 * "unimplemented function ole32.dll.CoSetCancelObject".
 */

#include <stdio.h>
#include <windows.h>
#include <objbase.h>
#include <initguid.h>
#include "olecancel_demo.h"
#include "static_factory.h"

static double now_ms(void)
{
    LARGE_INTEGER f, c;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&c);
    return (double)c.QuadPart * 1000.0 / (double)f.QuadPart;
}

/* the long operation's cancel object */
struct operation
{
    ICancelMethodCalls ICancelMethodCalls_iface;
    LONG refs;
    HANDLE cancelled;
};

static struct operation *impl_from_ICancelMethodCalls(ICancelMethodCalls *iface)
{
    return CONTAINING_RECORD(iface, struct operation, ICancelMethodCalls_iface);
}

static HRESULT WINAPI operation_QueryInterface(ICancelMethodCalls *iface, REFIID riid, void **ppv)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_ICancelMethodCalls))
    {
        *ppv = iface;
        ICancelMethodCalls_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI operation_AddRef(ICancelMethodCalls *iface)
{
    return InterlockedIncrement(&impl_from_ICancelMethodCalls(iface)->refs);
}

static ULONG WINAPI operation_Release(ICancelMethodCalls *iface)
{
    return InterlockedDecrement(&impl_from_ICancelMethodCalls(iface)->refs);
}

static HRESULT WINAPI operation_Cancel(ICancelMethodCalls *iface, ULONG timeout)
{
    struct operation *op = impl_from_ICancelMethodCalls(iface);
    if (WaitForSingleObject(op->cancelled, 0) == WAIT_OBJECT_0) return RPC_E_CALL_CANCELED;
    SetEvent(op->cancelled);
    return S_OK;
}

static HRESULT WINAPI operation_TestCancel(ICancelMethodCalls *iface)
{
    struct operation *op = impl_from_ICancelMethodCalls(iface);
    return WaitForSingleObject(op->cancelled, 0) == WAIT_OBJECT_0 ? RPC_E_CALL_CANCELED : RPC_S_CALLPENDING;
}

static const ICancelMethodCallsVtbl operation_vtbl =
{
    operation_QueryInterface, operation_AddRef, operation_Release, operation_Cancel, operation_TestCancel
};

static DWORD CALLBACK worker(void *arg)
{
    struct operation *op = arg;
    DWORD start = GetTickCount(), steps = 0;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    CoEnableCallCancellation(NULL);
    hr = CoSetCancelObject((IUnknown *)&op->ICancelMethodCalls_iface);
    printf("worker:   started a long operation (CoSetCancelObject -> %#lx)\n", hr);
    /* up to 10 s of work, in 10 ms steps, checking for a cancel */
    while (steps < 1000 && ICancelMethodCalls_TestCancel(&op->ICancelMethodCalls_iface) == RPC_S_CALLPENDING)
    {
        Sleep(10);
        steps++;
    }
    printf("worker:   operation %s after %lu ms\n", steps < 1000 ? "cancelled" : "finished",
           GetTickCount() - start);
    CoSetCancelObject(NULL);
    CoDisableCallCancellation(NULL);
    CoUninitialize();
    return steps < 1000 ? 0 : 1;
}

/* ---- the server side: IDemoWork in a local server ------------------------ */

struct demo_work
{
    IDemoWork IDemoWork_iface;
    LONG refs;
};

static LONG server_objects, last_worked = -1, last_saw_cancel;
static HANDLE server_done;

static struct demo_work *impl_from_IDemoWork(IDemoWork *iface)
{
    return CONTAINING_RECORD(iface, struct demo_work, IDemoWork_iface);
}

static HRESULT WINAPI work_QueryInterface(IDemoWork *iface, REFIID riid, void **ppv)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IDemoWork))
    {
        *ppv = iface;
        IDemoWork_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI work_AddRef(IDemoWork *iface)
{
    return InterlockedIncrement(&impl_from_IDemoWork(iface)->refs);
}

static ULONG WINAPI work_Release(IDemoWork *iface)
{
    struct demo_work *obj = impl_from_IDemoWork(iface);
    LONG refs = InterlockedDecrement(&obj->refs);
    if (!refs)
    {
        HeapFree(GetProcessHeap(), 0, obj);
        if (!InterlockedDecrement(&server_objects)) SetEvent(server_done);
    }
    return refs;
}

static HRESULT WINAPI work_Work(IDemoWork *iface, LONG ms, LONG *worked, LONG *saw_cancel)
{
    double start = now_ms();
    HRESULT hr = S_OK;

    InterlockedExchange(&last_worked, -1);
    *saw_cancel = 0;
    while (now_ms() - start < ms)
    {
        if (CoTestCancel() == RPC_E_CALL_CANCELED)
        {
            *saw_cancel = 1;
            hr = RPC_E_CALL_CANCELED;
            break;
        }
        Sleep(10);
    }
    *worked = (LONG)(now_ms() - start);
    last_saw_cancel = *saw_cancel;
    InterlockedExchange(&last_worked, *worked);
    return hr;
}

static HRESULT WINAPI work_LastWork(IDemoWork *iface, LONG *worked, LONG *saw_cancel)
{
    *worked = last_worked;
    *saw_cancel = last_saw_cancel;
    return S_OK;
}

static const IDemoWorkVtbl work_vtbl =
{
    work_QueryInterface, work_AddRef, work_Release, work_Work, work_LastWork
};

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    struct demo_work *obj;
    HRESULT hr;

    *ppv = NULL;
    if (outer) return CLASS_E_NOAGGREGATION;
    if (!(obj = HeapAlloc(GetProcessHeap(), 0, sizeof(*obj)))) return E_OUTOFMEMORY;
    obj->IDemoWork_iface.lpVtbl = &work_vtbl;
    obj->refs = 1;
    InterlockedIncrement(&server_objects);
    hr = IDemoWork_QueryInterface(&obj->IDemoWork_iface, riid, ppv);
    IDemoWork_Release(&obj->IDemoWork_iface);
    return hr;
}

static const IClassFactoryVtbl factory_vtbl =
{
    static_cf_QueryInterface, static_cf_AddRef, static_cf_Release, factory_CreateInstance, static_cf_LockServer
};
static IClassFactory factory = { &factory_vtbl };

static int run_server(void)
{
    DWORD cookie;

    server_done = CreateEventW(NULL, TRUE, FALSE, NULL);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (FAILED(CoRegisterClassObject(&CLSID_DemoWorkServer, (IUnknown *)&factory, CLSCTX_LOCAL_SERVER,
                                     REGCLS_MULTIPLEUSE, &cookie)))
        return 1;
    WaitForSingleObject(server_done, 120000);
    CoRevokeClassObject(cookie);
    CoUninitialize();
    return 0;
}

/* ---- the client side ---------------------------------------------------- */

/* the proxy/stub DLL, as a Windows program's installer registers it, and this
 * program as the local server */
static BOOL register_demo(void)
{
    WCHAR path[MAX_PATH], value[MAX_PATH + 16];
    HRESULT (WINAPI *reg)(void);
    HMODULE ps;
    HKEY key;

    GetModuleFileNameW(NULL, path, MAX_PATH);
    wsprintfW(value, L"\"%s\" server", path);
    lstrcpyW(wcsrchr(path, '\\') + 1, L"olecancel_ps.dll");
    if (!(ps = LoadLibraryW(path)) || !(reg = (void *)GetProcAddress(ps, "DllRegisterServer")) || FAILED(reg()))
    {
        printf("cannot register %ls\n", path);
        return FALSE;
    }
    /* Wine 8.0 reads class registrations from HKCR (HKLM) only */
    if (RegCreateKeyW(HKEY_CLASSES_ROOT, L"CLSID\\{8d3b2a60-41c7-4f0e-9b5d-2e6f1a7c0b10}\\LocalServer32",
                      &key))
        return FALSE;
    RegSetValueExW(key, NULL, 0, REG_SZ, (BYTE *)value, (lstrlenW(value) + 1) * sizeof(WCHAR));
    RegCloseKey(key);
    return TRUE;
}

/* what the server saw of the last Work, once it has ended */
static void report_server(IDemoWork *work)
{
    LONG worked = -1, saw = 0;
    double start = now_ms();

    while (now_ms() - start < 6000 && SUCCEEDED(IDemoWork_LastWork(work, &worked, &saw)) && worked < 0)
        Sleep(20);
    printf("server:   Work ran %ld ms; CoTestCancel %s\n", worked,
           saw ? "reported RPC_E_CALL_CANCELED: the server stopped early" : "never reported a cancel");
}

struct sync_caller
{
    IStream *stream;
    HRESULT hr;
    double ms;
};

static DWORD CALLBACK sync_caller_thread(void *arg)
{
    struct sync_caller *caller = arg;
    IDemoWork *work;
    LONG worked, saw;
    double start;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    CoGetInterfaceAndReleaseStream(caller->stream, &IID_IDemoWork, (void **)&work);
    CoEnableCallCancellation(NULL);
    start = now_ms();
    caller->hr = IDemoWork_Work(work, 5000, &worked, &saw);
    caller->ms = now_ms() - start;
    CoDisableCallCancellation(NULL);
    IDemoWork_Release(work);
    CoUninitialize();
    return 0;
}

static BOOL demo_sync(IDemoWork *work)
{
    struct sync_caller caller = { NULL, E_FAIL, 0 };
    HANDLE thread;
    DWORD tid;
    HRESULT hr;

    printf("\n== part 2: CoCancelCall on a blocked cross-process call ==\n");
    CoMarshalInterThreadInterfaceInStream(&IID_IDemoWork, (IUnknown *)work, &caller.stream);
    thread = CreateThread(NULL, 0, sync_caller_thread, &caller, 0, &tid);
    Sleep(500);
    hr = CoCancelCall(tid, 0);
    printf("watchdog: CoCancelCall(%lu, 0) -> %#lx (%s)\n", tid, hr,
           hr == S_OK ? "cancel requested" : hr == E_NOINTERFACE ? "E_NOINTERFACE: no cancellable call" : "unexpected");
    if (WaitForSingleObject(thread, 15000)) printf("worker:   call still blocked after 15 s\n");
    CloseHandle(thread);
    printf("worker:   IDemoWork::Work (5 s) returned %#lx after %.0f ms%s\n", caller.hr, caller.ms,
           caller.hr == RPC_E_CALL_CANCELED ? " (RPC_E_CALL_CANCELED)" : "");
    report_server(work);
    return hr == S_OK && caller.hr == RPC_E_CALL_CANCELED && caller.ms < 2000;
}

static BOOL demo_async(IDemoWork *work)
{
    ICallFactory *factory = NULL;
    AsyncIDemoWork *call = NULL;
    ICancelMethodCalls *cancel;
    ISynchronize *sync;
    IUnknown *unk;
    LONG worked, saw;
    double start;
    HRESULT hr, wait_hr, cancel_hr;

    printf("\n== part 3: cancelling an asynchronous call (ICallFactory, Begin_, Cancel, Finish_) ==\n");
    hr = IDemoWork_QueryInterface(work, &IID_ICallFactory, (void **)&factory);
    printf("client:   proxy QueryInterface(ICallFactory) -> %#lx\n", hr);
    if (FAILED(hr)) return FALSE;
    hr = ICallFactory_CreateCall(factory, &IID_AsyncIDemoWork, NULL, &IID_IUnknown, &unk);
    ICallFactory_Release(factory);
    printf("client:   CreateCall(IID_AsyncIDemoWork) -> %#lx\n", hr);
    if (FAILED(hr)) return FALSE;
    IUnknown_QueryInterface(unk, &IID_AsyncIDemoWork, (void **)&call);
    IUnknown_QueryInterface(unk, &IID_ISynchronize, (void **)&sync);
    IUnknown_Release(unk);

    start = now_ms();
    hr = AsyncIDemoWork_Begin_Work(call, 5000);
    printf("client:   Begin_Work(5 s) -> %#lx\n", hr);
    wait_hr = ISynchronize_Wait(sync, 0, 300);
    printf("client:   ISynchronize::Wait(300 ms) -> %#lx (%s)\n", wait_hr,
           wait_hr == RPC_S_CALLPENDING ? "still running" : "unexpected");
    /* the seed's steps: QI for ICancelMethodCalls, Cancel, Release, Finish_ */
    IUnknown_QueryInterface((IUnknown *)call, &IID_ICancelMethodCalls, (void **)&cancel);
    cancel_hr = ICancelMethodCalls_Cancel(cancel, 0);
    ICancelMethodCalls_Release(cancel);
    printf("client:   ICancelMethodCalls::Cancel(0) -> %#lx\n", cancel_hr);
    hr = AsyncIDemoWork_Finish_Work(call, &worked, &saw);
    printf("client:   Finish_Work -> %#lx after %.0f ms%s\n", hr, now_ms() - start,
           hr == RPC_E_CALL_CANCELED ? " (RPC_E_CALL_CANCELED)" : "");
    ISynchronize_Release(sync);
    AsyncIDemoWork_Release(call);
    report_server(work);
    return wait_hr == RPC_S_CALLPENDING && cancel_hr == S_OK && hr == RPC_E_CALL_CANCELED;
}

int main(int argc, char **argv)
{
    struct operation op = { { &operation_vtbl }, 1 };
    IDemoWork *work = NULL;
    HANDLE thread;
    DWORD tid, code = 1;
    BOOL ok1, ok2 = FALSE, ok3 = FALSE;
    HRESULT hr;

    if (argc >= 2 && !strcmp(argv[1], "server")) return run_server();

    setvbuf(stdout, NULL, _IONBF, 0);
    printf("== part 1: a watchdog cancels a hung operation with CoCancelCall ==\n");
    op.cancelled = CreateEventW(NULL, TRUE, FALSE, NULL);
    thread = CreateThread(NULL, 0, worker, &op, 0, &tid);
    Sleep(300);
    hr = CoCancelCall(tid, 0);
    printf("watchdog: CoCancelCall(%lu, 0) -> %#lx (%s)\n", tid, hr,
           hr == S_OK ? "cancel requested" : "unexpected");
    hr = CoCancelCall(tid, 0);
    printf("watchdog: second CoCancelCall -> %#lx (%s)\n", hr,
           hr == RPC_E_CALL_CANCELED ? "RPC_E_CALL_CANCELED: already cancelled" :
           hr == E_NOINTERFACE ? "E_NOINTERFACE: the operation already ended" : "unexpected");
    if (WaitForSingleObject(thread, 15000) == WAIT_OBJECT_0) GetExitCodeThread(thread, &code);
    CloseHandle(thread);
    CloseHandle(op.cancelled);
    ok1 = code == 0;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (register_demo())
    {
        hr = CoCreateInstance(&CLSID_DemoWorkServer, NULL, CLSCTX_LOCAL_SERVER, &IID_IDemoWork, (void **)&work);
        if (FAILED(hr)) printf("cannot start the demo server: %#lx\n", hr);
    }
    if (work)
    {
        ok2 = demo_sync(work);
        ok3 = demo_async(work);
        IDemoWork_Release(work);
    }
    CoUninitialize();

    printf("\npart 1 %s, part 2 %s, part 3 %s\n", ok1 ? "ok" : "FAILED", ok2 ? "ok" : "FAILED", ok3 ? "ok" : "FAILED");
    return ok1 && ok2 && ok3 ? 0 : 1;
}
