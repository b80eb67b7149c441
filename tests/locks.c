/*
 * olecancel conformance tests: no program code under olecancel's locks or
 * the loader lock
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Each test gives olecancel a program object whose method needs, from
 * another thread, something that a lock held around that method would
 * block: the call object's own lock or the loader lock.  Every such wait
 * is bounded; a timeout is a failure.
 */

#include <windows.h>
#include <objbase.h>
#include "olecancel_test.h"
#include "wine_test.h"
#include "test_util.h"
#include "mta_host.h"

#define BOUND 10000        /* ms, for what must happen */
#define PROBE 2000         /* ms a probe thread is given before it counts as blocked */

/* ---------------------------------------------------------------------------
 * A probe: a thread that runs one function when asked and says whether it
 * returned in time
 * ------------------------------------------------------------------------- */

struct probe
{
    void (*func)(void *arg);
    void *arg;
    HANDLE go, done, thread;
};

static DWORD WINAPI probe_thread(void *arg)
{
    struct probe *probe = arg;

    while (WaitForSingleObject(probe->go, INFINITE) == WAIT_OBJECT_0 && probe->func)
    {
        probe->func(probe->arg);
        SetEvent(probe->done);
    }
    return 0;
}

static void probe_start(struct probe *probe)
{
    probe->func = NULL;
    probe->go = CreateEventW(NULL, FALSE, FALSE, NULL);
    probe->done = CreateEventW(NULL, FALSE, FALSE, NULL);
    probe->thread = CreateThread(NULL, 0, probe_thread, probe, 0, NULL);
}

/* TRUE when func(arg), run on the probe thread, returned within PROBE ms */
static BOOL probe_run(struct probe *probe, void (*func)(void *), void *arg)
{
    probe->func = func;
    probe->arg = arg;
    ResetEvent(probe->done);
    SetEvent(probe->go);
    return WaitForSingleObject(probe->done, PROBE) == WAIT_OBJECT_0;
}

static void probe_stop(struct probe *probe)
{
    /* a probe still blocked finishes its function first */
    WaitForSingleObject(probe->done, BOUND);
    probe->func = NULL;
    SetEvent(probe->go);
    ok(WaitForSingleObject(probe->thread, BOUND) == WAIT_OBJECT_0, "probe thread did not exit\n");
    CloseHandle(probe->thread);
    CloseHandle(probe->go);
    CloseHandle(probe->done);
}

/* ---------------------------------------------------------------------------
 * The controlling unknown's ISynchronize::Signal runs without the call
 * object's lock
 * ------------------------------------------------------------------------- */

/* its references are counted, never acted on: it lives on the stack */
struct probing_outer
{
    ISynchronize ISynchronize_iface;
    LONG refs;
    IUnknown *inner;
    ICancelMethodCalls *cancel;   /* the call object's, for the probe */
    struct probe *probe;
    LONG signals, signals_blocked;
    HRESULT probe_hr;
};

static struct probing_outer *impl_from_ISynchronize(ISynchronize *iface)
{
    return CONTAINING_RECORD(iface, struct probing_outer, ISynchronize_iface);
}

static HRESULT WINAPI outer_QueryInterface(ISynchronize *iface, REFIID riid, void **ppv)
{
    struct probing_outer *outer = impl_from_ISynchronize(iface);

    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_ISynchronize))
    {
        *ppv = iface;
        ISynchronize_AddRef(iface);
        return S_OK;
    }
    if (!outer->inner) { *ppv = NULL; return E_NOINTERFACE; }
    return IUnknown_QueryInterface(outer->inner, riid, ppv);
}

static ULONG WINAPI outer_AddRef(ISynchronize *iface)
{
    return InterlockedIncrement(&impl_from_ISynchronize(iface)->refs);
}

static ULONG WINAPI outer_Release(ISynchronize *iface)
{
    return InterlockedDecrement(&impl_from_ISynchronize(iface)->refs);
}

/* not used: Finish_ waits for the call object's own event */
static HRESULT WINAPI outer_Wait(ISynchronize *iface, DWORD flags, DWORD ms)
{
    return E_NOTIMPL;
}

static void probe_test_cancel(void *arg)
{
    struct probing_outer *outer = arg;
    outer->probe_hr = ICancelMethodCalls_TestCancel(outer->cancel);
}

/* a program's Signal that asks the call object something from another
 * thread and waits for the answer */
static HRESULT WINAPI outer_Signal(ISynchronize *iface)
{
    struct probing_outer *outer = impl_from_ISynchronize(iface);

    InterlockedIncrement(&outer->signals);
    if (!probe_run(outer->probe, probe_test_cancel, outer)) InterlockedIncrement(&outer->signals_blocked);
    return S_OK;
}

static HRESULT WINAPI outer_Reset(ISynchronize *iface)
{
    return S_OK;
}

static const ISynchronizeVtbl outer_vtbl =
{
    outer_QueryInterface, outer_AddRef, outer_Release, outer_Wait, outer_Signal, outer_Reset
};

static void test_signal_outside_lock(void)
{
    struct probing_outer outer = { { &outer_vtbl }, 1 };
    struct probe probe;
    ICallFactory *factory;
    AsyncIUnknown *call;
    IUnknown *proxy, *obj;
    HRESULT hr;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (!(proxy = mta_proxy())) goto done;
    hr = IUnknown_QueryInterface(proxy, &IID_ICallFactory, (void **)&factory);
    ok(hr == S_OK, "QI(ICallFactory): %#lx\n", hr);
    if (FAILED(hr)) goto release_proxy;
    hr = ICallFactory_CreateCall(factory, &IID_AsyncIUnknown, (IUnknown *)&outer.ISynchronize_iface,
                                 &IID_IUnknown, &outer.inner);
    ok(hr == S_OK, "CreateCall(AsyncIUnknown, aggregated): %#lx\n", hr);
    ICallFactory_Release(factory);
    if (FAILED(hr)) goto release_proxy;
    hr = IUnknown_QueryInterface(outer.inner, &IID_ICancelMethodCalls, (void **)&outer.cancel);
    ok(hr == S_OK, "QI(ICancelMethodCalls): %#lx\n", hr);
    hr = IUnknown_QueryInterface(outer.inner, &IID_AsyncIUnknown, (void **)&call);
    ok(hr == S_OK, "QI(AsyncIUnknown): %#lx\n", hr);
    if (FAILED(hr) || !outer.cancel) goto release_inner;

    probe_start(&probe);
    outer.probe = &probe;

    /* completed on a pool thread */
    hr = AsyncIUnknown_Begin_QueryInterface(call, &IID_IUnknown);
    ok(hr == S_OK, "Begin_QueryInterface: %#lx\n", hr);
    obj = NULL;
    hr = AsyncIUnknown_Finish_QueryInterface(call, (void **)&obj);
    ok(hr == S_OK && obj, "Finish_QueryInterface: %#lx, %p\n", hr, obj);
    if (obj) IUnknown_Release(obj);
    ok(outer.signals == 1, "Signal called %ld times\n", outer.signals);
    ok(!outer.signals_blocked, "Signal of a worker's completion: the call object stayed locked\n");
    ok(outer.probe_hr == RPC_S_CALLPENDING, "TestCancel from Signal: %#lx\n", outer.probe_hr);

    /* completed on this thread, inside Begin_ */
    hr = AsyncIUnknown_Begin_AddRef(call);
    ok(hr == S_OK, "Begin_AddRef: %#lx\n", hr);
    AsyncIUnknown_Finish_AddRef(call);
    hr = AsyncIUnknown_Begin_Release(call);
    ok(hr == S_OK, "Begin_Release: %#lx\n", hr);
    AsyncIUnknown_Finish_Release(call);
    ok(outer.signals == 3, "Signal called %ld times\n", outer.signals);
    ok(!outer.signals_blocked, "Signal of Begin_AddRef/Release: the call object stayed locked %ld times\n",
       outer.signals_blocked);

    probe_stop(&probe);
    AsyncIUnknown_Release(call);
    ICancelMethodCalls_Release(outer.cancel);
release_inner:
    ok(IUnknown_Release(outer.inner) == 0, "call object leaked\n");
release_proxy:
    IUnknown_Release(proxy);
done:
    CoUninitialize();
}

/* ---------------------------------------------------------------------------
 * A call object's Cancel asks the worker's cancel object (here a program's,
 * pushed by the method the worker runs) for ICancelMethodCalls without the
 * call object's lock
 * ------------------------------------------------------------------------- */

struct probing_cancel
{
    ICancelMethodCalls ICancelMethodCalls_iface;
    LONG refs;
    ICancelMethodCalls *call_cancel;   /* the call object's, for the probe */
    struct probe *probe;
    LONG armed;                        /* probe at the next QueryInterface */
    LONG queries, queries_blocked;
    HRESULT probe_hr;
};

static struct probing_cancel *impl_from_probing_cancel(ICancelMethodCalls *iface)
{
    return CONTAINING_RECORD(iface, struct probing_cancel, ICancelMethodCalls_iface);
}

static void probe_call_test_cancel(void *arg)
{
    struct probing_cancel *obj = arg;
    obj->probe_hr = ICancelMethodCalls_TestCancel(obj->call_cancel);
}

static HRESULT WINAPI probing_cancel_QueryInterface(ICancelMethodCalls *iface, REFIID riid, void **ppv)
{
    struct probing_cancel *obj = impl_from_probing_cancel(iface);

    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_ICancelMethodCalls))
    {
        /* a QueryInterface from the canceller asks the call object
         * something from another thread */
        if (InterlockedExchange(&obj->armed, 0))
        {
            InterlockedIncrement(&obj->queries);
            if (!probe_run(obj->probe, probe_call_test_cancel, obj)) InterlockedIncrement(&obj->queries_blocked);
        }
        *ppv = iface;
        ICancelMethodCalls_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI probing_cancel_AddRef(ICancelMethodCalls *iface)
{
    return InterlockedIncrement(&impl_from_probing_cancel(iface)->refs);
}

static ULONG WINAPI probing_cancel_Release(ICancelMethodCalls *iface)
{
    return InterlockedDecrement(&impl_from_probing_cancel(iface)->refs);
}

static HRESULT WINAPI probing_cancel_Cancel(ICancelMethodCalls *iface, ULONG seconds) { return S_OK; }
static HRESULT WINAPI probing_cancel_TestCancel(ICancelMethodCalls *iface) { return RPC_S_CALLPENDING; }

static const ICancelMethodCallsVtbl probing_cancel_vtbl =
{
    probing_cancel_QueryInterface, probing_cancel_AddRef, probing_cancel_Release, probing_cancel_Cancel,
    probing_cancel_TestCancel
};

static struct probing_cancel worker_cancel = { { &probing_cancel_vtbl }, 1 };
static HANDLE block_entered, block_release;

/* IOcTest in the MTA: only Block does anything */
static HRESULT WINAPI octest_QueryInterface(IOcTest *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IOcTest))
    {
        *ppv = iface;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG WINAPI octest_AddRef(IOcTest *iface) { return 2; }
static ULONG WINAPI octest_Release(IOcTest *iface) { return 1; }
static HRESULT WINAPI octest_Add(IOcTest *iface, LONG a, LONG b, LONG *sum) { return E_NOTIMPL; }
static HRESULT WINAPI octest_Twice(IOcTest *iface, LONG *value) { return E_NOTIMPL; }
static HRESULT WINAPI octest_Echo(IOcTest *iface, BSTR in, BSTR *out) { *out = NULL; return E_NOTIMPL; }
static HRESULT WINAPI octest_Sum(IOcTest *iface, LONG count, const LONG *values, LONG *total) { return E_NOTIMPL; }
static HRESULT WINAPI octest_Sleep(IOcTest *iface, DWORD ms, HRESULT hr) { return E_NOTIMPL; }
static HRESULT WINAPI octest_Unblock(IOcTest *iface) { return E_NOTIMPL; }
static HRESULT WINAPI octest_CallBack(IOcTest *iface, IOcCallback *cb, LONG value, LONG *result) { return E_NOTIMPL; }
static HRESULT WINAPI octest_GetCallback(IOcTest *iface, IOcCallback **cb) { *cb = NULL; return E_NOTIMPL; }
static HRESULT WINAPI octest_GetCount(IOcTest *iface, LONG *count) { return E_NOTIMPL; }
static HRESULT WINAPI octest_Fail(IOcTest *iface, HRESULT hr) { return hr; }
static HRESULT WINAPI octest_WaitCancel(IOcTest *iface, DWORD timeout) { return E_NOTIMPL; }
static HRESULT WINAPI octest_LastWaitCancel(IOcTest *iface, LONG *first, LONG *saw) { return E_NOTIMPL; }

/* runs on the worker of the asynchronous call: a cancel object of the
 * program's is on top of that thread's stack while it blocks */
static HRESULT WINAPI octest_Block(IOcTest *iface, DWORD timeout)
{
    HRESULT hr = CoSetCancelObject((IUnknown *)&worker_cancel.ICancelMethodCalls_iface);
    ok(hr == S_OK, "CoSetCancelObject on the worker: %#lx\n", hr);
    SetEvent(block_entered);
    WaitForSingleObject(block_release, timeout);
    if (SUCCEEDED(hr)) CoSetCancelObject(NULL);
    return S_OK;
}

static const IOcTestVtbl octest_vtbl =
{
    octest_QueryInterface, octest_AddRef, octest_Release, octest_Add, octest_Twice, octest_Echo,
    octest_Sum, octest_Sleep, octest_Block, octest_Unblock, octest_CallBack, octest_GetCallback,
    octest_GetCount, octest_Fail, octest_WaitCancel, octest_LastWaitCancel
};
static IOcTest octest_object = { &octest_vtbl };

static DWORD WINAPI marshal_octest(void *arg)
{
    IStream **stream = arg;
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (FAILED(CoMarshalInterThreadInterfaceInStream(&IID_IOcTest, (IUnknown *)&octest_object, stream)))
        *stream = NULL;
    CoUninitialize();   /* the MTA lives on in mta_thread */
    return 0;
}

static void test_worker_cancel_object_outside_lock(void)
{
    HRESULT (WINAPI *reg)(void), (WINAPI *unreg)(void);
    char path[MAX_PATH], *p;
    struct probe probe;
    ICallFactory *factory;
    AsyncIOcTest *call;
    IStream *stream = NULL;
    IOcTest *proxy;
    HMODULE ps;
    HANDLE thread;
    HRESULT hr;

    GetModuleFileNameA(NULL, path, sizeof(path));
    if ((p = strrchr(path, '\\'))) strcpy(p + 1, "olecancel_ps.dll");
    if (!(ps = LoadLibraryA(path)))
    {
        skip("%s not found\n", path);
        return;
    }
    reg = (void *)GetProcAddress(ps, "DllRegisterServer");
    unreg = (void *)GetProcAddress(ps, "DllUnregisterServer");
    ok(reg && reg() == S_OK, "DllRegisterServer failed\n");

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    thread = CreateThread(NULL, 0, marshal_octest, &stream, 0, NULL);
    wait_bounded(thread, BOUND, "marshaling thread");
    CloseHandle(thread);
    ok(stream != NULL, "IOcTest not marshaled\n");
    if (!stream) goto done;
    hr = CoGetInterfaceAndReleaseStream(stream, &IID_IOcTest, (void **)&proxy);
    ok(hr == S_OK, "IOcTest proxy: %#lx\n", hr);
    if (FAILED(hr)) goto done;
    hr = IOcTest_QueryInterface(proxy, &IID_ICallFactory, (void **)&factory);
    ok(hr == S_OK, "QI(ICallFactory): %#lx\n", hr);
    if (FAILED(hr)) goto release_proxy;
    hr = ICallFactory_CreateCall(factory, &IID_AsyncIOcTest, NULL, &IID_AsyncIOcTest, (IUnknown **)&call);
    ok(hr == S_OK, "CreateCall(AsyncIOcTest): %#lx\n", hr);
    ICallFactory_Release(factory);
    if (FAILED(hr)) goto release_proxy;
    hr = AsyncIOcTest_QueryInterface(call, &IID_ICancelMethodCalls, (void **)&worker_cancel.call_cancel);
    ok(hr == S_OK, "QI(ICancelMethodCalls): %#lx\n", hr);

    probe_start(&probe);
    worker_cancel.probe = &probe;
    block_entered = CreateEventW(NULL, TRUE, FALSE, NULL);
    block_release = CreateEventW(NULL, TRUE, FALSE, NULL);
    hr = AsyncIOcTest_Begin_Block(call, BOUND);
    ok(hr == S_OK, "Begin_Block: %#lx\n", hr);
    ok(WaitForSingleObject(block_entered, BOUND) == WAIT_OBJECT_0, "the worker never ran Block\n");

    worker_cancel.armed = 1;
    hr = ICancelMethodCalls_Cancel(worker_cancel.call_cancel, 0);
    ok(hr == S_OK, "Cancel(0): %#lx\n", hr);
    ok(!worker_cancel.queries_blocked, "QueryInterface of the worker's cancel object: the call object stayed locked\n");
    if (worker_cancel.queries)
        ok(worker_cancel.probe_hr == RPC_S_CALLPENDING, "TestCancel from that QueryInterface: %#lx\n",
           worker_cancel.probe_hr);
    SetEvent(block_release);
    hr = AsyncIOcTest_Finish_Block(call);
    ok(hr == RPC_E_CALL_CANCELED, "Finish_Block: %#lx\n", hr);

    probe_stop(&probe);
    ICancelMethodCalls_Release(worker_cancel.call_cancel);
    worker_cancel.call_cancel = NULL;
    ok(AsyncIOcTest_Release(call) == 0, "call object leaked\n");
    /* the worker pops the object once Block returns */
    {
        DWORD start = GetTickCount();
        while (worker_cancel.refs != 1 && GetTickCount() - start < BOUND) Sleep(10);
    }
    ok(worker_cancel.refs == 1, "worker's cancel object: refcount %ld\n", worker_cancel.refs);
    CloseHandle(block_entered);
    CloseHandle(block_release);
release_proxy:
    IOcTest_Release(proxy);
done:
    CoUninitialize();
    ok(unreg && unreg() == S_OK, "DllUnregisterServer failed\n");
    FreeLibrary(ps);
}

/* ---------------------------------------------------------------------------
 * A program's cancel object left at thread exit is not released under the
 * loader lock
 * ------------------------------------------------------------------------- */

struct exit_cancel
{
    ICancelMethodCalls ICancelMethodCalls_iface;
    LONG refs;
    struct probe *probe;
    LONG released;             /* the last Release ran */
    LONG loader_lock_free;     /* ... and the probe could load a module meanwhile */
    DWORD release_tid;
    HANDLE release_done;
};

static struct exit_cancel *impl_from_exit_cancel(ICancelMethodCalls *iface)
{
    return CONTAINING_RECORD(iface, struct exit_cancel, ICancelMethodCalls_iface);
}

static HRESULT WINAPI exit_cancel_QueryInterface(ICancelMethodCalls *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_ICancelMethodCalls))
    {
        *ppv = iface;
        ICancelMethodCalls_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI exit_cancel_AddRef(ICancelMethodCalls *iface)
{
    return InterlockedIncrement(&impl_from_exit_cancel(iface)->refs);
}

/* GetModuleHandleExW takes the loader lock */
static void probe_loader_lock(void *arg)
{
    HMODULE module;
    if (GetModuleHandleExW(0, L"kernel32.dll", &module)) FreeLibrary(module);
}

static ULONG WINAPI exit_cancel_Release(ICancelMethodCalls *iface)
{
    struct exit_cancel *obj = impl_from_exit_cancel(iface);
    ULONG ref = InterlockedDecrement(&obj->refs);

    if (!ref)
    {
        obj->release_tid = GetCurrentThreadId();
        obj->loader_lock_free = probe_run(obj->probe, probe_loader_lock, NULL);
        obj->released = 1;
        SetEvent(obj->release_done);
    }
    return ref;
}

static HRESULT WINAPI exit_cancel_Cancel(ICancelMethodCalls *iface, ULONG seconds) { return S_OK; }
static HRESULT WINAPI exit_cancel_TestCancel(ICancelMethodCalls *iface) { return RPC_S_CALLPENDING; }

static const ICancelMethodCallsVtbl exit_cancel_vtbl =
{
    exit_cancel_QueryInterface, exit_cancel_AddRef, exit_cancel_Release, exit_cancel_Cancel,
    exit_cancel_TestCancel
};

/* pushes the object and leaves it, with its only reference, to olecancel */
static DWORD WINAPI push_and_exit(void *arg)
{
    struct exit_cancel *obj = arg;
    HRESULT hr = CoSetCancelObject((IUnknown *)&obj->ICancelMethodCalls_iface);
    ok(hr == S_OK, "CoSetCancelObject: %#lx\n", hr);
    ok(obj->refs == 2, "refcount after the push: %ld\n", obj->refs);
    ICancelMethodCalls_Release(&obj->ICancelMethodCalls_iface);
    return 0;
}

/* What a program can expect (decided here, Windows not observed): an
 * object still pushed when its thread exits is released once, after the
 * thread is gone, on another thread of the process and not under the
 * loader lock.  Observed on Wine 8.0 with olecancel: released on a thread
 * of the process's thread pool, where another thread's GetModuleHandleExW
 * returned within the probe's 2 s. */
static void test_thread_exit_release(void)
{
    struct exit_cancel obj = { { &exit_cancel_vtbl }, 1 };
    struct probe probe;
    HANDLE thread;
    DWORD tid;

    probe_start(&probe);
    obj.probe = &probe;
    obj.release_done = CreateEventW(NULL, TRUE, FALSE, NULL);
    thread = CreateThread(NULL, 0, push_and_exit, &obj, 0, &tid);
    ok(wait_bounded(thread, BOUND, "thread with a pushed cancel object"), "thread did not exit\n");
    CloseHandle(thread);
    ok(WaitForSingleObject(obj.release_done, BOUND) == WAIT_OBJECT_0, "object left at thread exit never released\n");
    ok(obj.released && obj.refs == 0, "released %ld, refcount %ld\n", obj.released, obj.refs);
    ok(obj.loader_lock_free, "Release of an object left at thread exit ran under the loader lock\n");
    ok(obj.release_tid != tid, "released on the exiting thread\n");
    probe_stop(&probe);
    CloseHandle(obj.release_done);
}

START_TEST(locks)
{
    if (!mta_host_start())
    {
        skip("no MTA object\n");
        return;
    }
    run_subtest(test_signal_outside_lock);
    run_subtest(test_worker_cancel_object_outside_lock);
    run_subtest(test_thread_exit_release);
    mta_host_stop();
}
