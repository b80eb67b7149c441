/*
 * olecancel conformance tests: the per-thread cancellation API
 * (behaviour.md "Per-thread cancellation state", matrix rows 1-8)
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This program imports all six functions from ole32 the way a Windows
 * program does: on stock Wine it aborts at the first call to one of the
 * four that Wine lacks ("unimplemented function"), which is the gap.
 */

#include <windows.h>
#include <objbase.h>
#include "wine_test.h"
#include "test_util.h"
#include "test_cancel_object.h"

/* an object without ICancelMethodCalls */
struct plain
{
    IUnknown IUnknown_iface;
    LONG refs;
};

static HRESULT WINAPI plain_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    if (IsEqualGUID(riid, &IID_IUnknown))
    {
        *ppv = iface;
        IUnknown_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI plain_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&CONTAINING_RECORD(iface, struct plain, IUnknown_iface)->refs);
}

static ULONG WINAPI plain_Release(IUnknown *iface)
{
    return InterlockedDecrement(&CONTAINING_RECORD(iface, struct plain, IUnknown_iface)->refs);
}

static const IUnknownVtbl plain_vtbl = { plain_QueryInterface, plain_AddRef, plain_Release };

static HANDLE run_thread(LPTHREAD_START_ROUTINE func, void *arg, DWORD *tid)
{
    HANDLE thread = CreateThread(NULL, 0, func, arg, 0, tid);
    ok(thread != NULL, "CreateThread failed %lu\n", GetLastError());
    return thread;
}

static void join_thread(HANDLE thread)
{
    wait_bounded(thread, 30000, "test thread");
    CloseHandle(thread);
}

/* runs func on a thread of its own, fresh per-thread state, and waits for it */
static void run_on_new_thread(LPTHREAD_START_ROUTINE func)
{
    DWORD tid;

    join_thread(run_thread(func, NULL, &tid));
}

/* rows 1 and 2 run on fresh threads: the counter starts at 0 */
static DWORD CALLBACK enable_disable_thread(void *arg)
{
    HRESULT hr;

    hr = CoDisableCallCancellation(NULL);
    ok(hr == CO_E_CANCEL_DISABLED, "row 1: Disable on a fresh thread got %#lx\n", hr);
    hr = CoEnableCallCancellation(NULL);
    ok(hr == S_OK, "row 2: Enable got %#lx\n", hr);
    hr = CoDisableCallCancellation(NULL);
    ok(hr == S_OK, "row 2: Disable got %#lx\n", hr);
    hr = CoDisableCallCancellation(NULL);
    ok(hr == CO_E_CANCEL_DISABLED, "row 2: second Disable got %#lx\n", hr);

    hr = CoEnableCallCancellation((void *)1);
    ok(hr == E_INVALIDARG, "Enable(non-NULL) got %#lx\n", hr);
    hr = CoDisableCallCancellation((void *)1);
    ok(hr == E_INVALIDARG, "Disable(non-NULL) got %#lx\n", hr);
    return 0;
}

static DWORD CALLBACK survive_coinit_thread(void *arg)
{
    HRESULT hr;
    int i;

    /* works without COM initialised, and nests */
    for (i = 0; i < 3; i++)
    {
        hr = CoEnableCallCancellation(NULL);
        ok(hr == S_OK, "Enable %d without COM got %#lx\n", i, hr);
    }
    hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    ok(hr == S_OK, "CoInitializeEx got %#lx\n", hr);
    CoUninitialize();
    hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    ok(hr == S_OK, "CoInitializeEx(STA) got %#lx\n", hr);
    hr = CoDisableCallCancellation(NULL);
    ok(hr == S_OK, "row 3: Disable inside a new apartment got %#lx\n", hr);
    CoUninitialize();
    for (i = 0; i < 2; i++)
    {
        hr = CoDisableCallCancellation(NULL);
        ok(hr == S_OK, "row 3: Disable %d after CoUninitialize got %#lx\n", i, hr);
    }
    hr = CoDisableCallCancellation(NULL);
    ok(hr == CO_E_CANCEL_DISABLED, "row 3: Disable past zero got %#lx\n", hr);
    return 0;
}

static void test_enable_disable(void)
{
    run_on_new_thread(enable_disable_thread);
    run_on_new_thread(survive_coinit_thread);
}

/* Wine's combase has a counter of its own: it must move with ours */
static DWORD CALLBACK combase_in_step_thread(void *arg)
{
    HRESULT (WINAPI *combase_disable)(void *);
    HMODULE combase = GetModuleHandleA("combase.dll");
    HRESULT hr;

    combase_disable = (void *)GetProcAddress(combase, "CoDisableCallCancellation");
    ok(combase_disable != NULL, "combase has no CoDisableCallCancellation\n");
    if (!combase_disable) return 0;
    hr = CoEnableCallCancellation(NULL);
    ok(hr == S_OK, "Enable got %#lx\n", hr);
    hr = combase_disable(NULL);
    ok(hr == S_OK, "combase's Disable after our Enable got %#lx\n", hr);
    hr = combase_disable(NULL);
    ok(hr == CO_E_CANCEL_DISABLED, "combase's second Disable got %#lx\n", hr);
    CoDisableCallCancellation(NULL);
    return 0;
}

static void test_combase_in_step(void)
{
    run_on_new_thread(combase_in_step_thread);
}

static void test_set_get(void)
{
    struct test_cancel a, b;
    struct plain plain = { { &plain_vtbl }, 1 };
    ICancelMethodCalls *got;
    IUnknown *unk;
    HRESULT hr;

    init_cancel(&a, S_OK);
    init_cancel(&b, S_OK);

    /* row 7: nothing registered */
    got = (void *)(ULONG_PTR)0xdeadbeef;
    hr = CoGetCancelObject(0, &IID_ICancelMethodCalls, (void **)&got);
    ok(hr == E_NOINTERFACE, "row 7: Get with nothing registered got %#lx\n", hr);
    ok(got == NULL, "row 7: got %p\n", got);
    /* row 8 */
    hr = CoCancelCall(GetCurrentThreadId(), 0);
    ok(hr == E_NOINTERFACE, "row 8: CoCancelCall with no call got %#lx\n", hr);
    hr = CoCancelCall(0, 5);
    ok(hr == E_NOINTERFACE, "row 8: CoCancelCall(0) with no call got %#lx\n", hr);

    /* inferred: outside an incoming call there is no call context */
    hr = CoTestCancel();
    ok(hr == RPC_E_CALL_COMPLETE, "CoTestCancel outside a call got %#lx\n", hr);

    /* row 4 */
    hr = CoSetCancelObject(&plain.IUnknown_iface);
    ok(hr == E_NOINTERFACE, "row 4: Set without ICancelMethodCalls got %#lx\n", hr);
    ok(plain.refs == 1, "row 4: refcount %ld after failed Set, expected 1\n", plain.refs);

    /* row 5 */
    hr = CoSetCancelObject((IUnknown *)&a.ICancelMethodCalls_iface);
    ok(hr == S_OK, "row 5: push A got %#lx\n", hr);
    ok(a.refs == 2, "push A: A refs %ld, expected 2\n", a.refs);
    hr = CoSetCancelObject((IUnknown *)&b.ICancelMethodCalls_iface);
    ok(hr == S_OK, "row 5: push B got %#lx\n", hr);
    got = NULL;
    hr = CoGetCancelObject(0, &IID_ICancelMethodCalls, (void **)&got);
    ok(hr == S_OK && got == &b.ICancelMethodCalls_iface, "row 5: Get got %#lx, %p, expected B %p\n",
       hr, got, &b.ICancelMethodCalls_iface);
    ok(b.refs == 3, "B refs %ld with one Get outstanding, expected 3\n", b.refs);
    if (got) ICancelMethodCalls_Release(got);
    hr = CoGetCancelObject(GetCurrentThreadId(), &IID_IUnknown, (void **)&unk);
    ok(hr == S_OK && unk == (IUnknown *)&b.ICancelMethodCalls_iface, "Get(own tid, IUnknown) got %#lx, %p\n", hr, unk);
    if (SUCCEEDED(hr)) IUnknown_Release(unk);
    hr = CoGetCancelObject(0, &IID_IClassFactory, (void **)&unk);
    ok(hr == E_NOINTERFACE, "Get for an unsupported iid got %#lx\n", hr);
    hr = CoGetCancelObject(0, &IID_ICancelMethodCalls, NULL);
    ok(hr == E_INVALIDARG, "Get with NULL ppv got %#lx\n", hr);

    /* CoCancelCall = Get + Cancel(timeout) with the object's answer */
    b.cancel_result = RPC_E_CALL_COMPLETE;
    hr = CoCancelCall(0, 7);
    ok(hr == RPC_E_CALL_COMPLETE, "CoCancelCall got %#lx, expected the object's answer\n", hr);
    ok(b.cancels == 1 && b.last_timeout == 7, "B: %ld cancels, timeout %lu\n", b.cancels, b.last_timeout);
    ok(a.cancels == 0, "A cancelled %ld times, expected 0 (not the top)\n", a.cancels);
    hr = CoCancelCall(GetCurrentThreadId(), RPC_C_CANCEL_INFINITE_TIMEOUT);
    ok(b.last_timeout == RPC_C_CANCEL_INFINITE_TIMEOUT, "timeout %#lx passed as is\n", b.last_timeout);

    hr = CoSetCancelObject(NULL);
    ok(hr == S_OK, "row 5: pop got %#lx\n", hr);
    ok(b.refs == 1, "B refs %ld after pop, expected 1\n", b.refs);
    got = NULL;
    hr = CoGetCancelObject(0, &IID_ICancelMethodCalls, (void **)&got);
    ok(hr == S_OK && got == &a.ICancelMethodCalls_iface, "row 5: after pop Get got %#lx, %p, expected A %p\n",
       hr, got, &a.ICancelMethodCalls_iface);
    if (got) ICancelMethodCalls_Release(got);
    hr = CoSetCancelObject(NULL);
    ok(hr == S_OK, "pop A got %#lx\n", hr);
    ok(a.refs == 1, "A refs %ld after pop, expected 1\n", a.refs);
    hr = CoGetCancelObject(0, &IID_ICancelMethodCalls, (void **)&got);
    ok(hr == E_NOINTERFACE, "Get on the emptied stack got %#lx\n", hr);
    /* inferred: popping an empty stack is harmless */
    hr = CoSetCancelObject(NULL);
    ok(hr == S_OK, "pop on an empty stack got %#lx\n", hr);
}

/* row 6 and cross-thread use: a thread pushes, another finds and cancels */
/* bounded: objects left at thread exit are released asynchronously */
static void wait_refs(struct test_cancel *obj, LONG refs)
{
    DWORD start = GetTickCount();
    while (obj->refs != refs && GetTickCount() - start < 10000) Sleep(10);
}

struct pusher
{
    struct test_cancel *objects[3];
    unsigned int count;
    HANDLE pushed, release;
    BOOL pop_before_exit;
};

static DWORD CALLBACK pusher_thread(void *arg)
{
    struct pusher *p = arg;
    unsigned int i;

    for (i = 0; i < p->count; i++)
        CoSetCancelObject((IUnknown *)&p->objects[i]->ICancelMethodCalls_iface);
    SetEvent(p->pushed);
    WaitForSingleObject(p->release, 30000);
    if (p->pop_before_exit)
        for (i = 0; i < p->count; i++) CoSetCancelObject(NULL);
    return 0;
}

static void test_other_thread(void)
{
    struct test_cancel a, b, c;
    struct pusher p = { { &a, &b, &c }, 3 };
    ICancelMethodCalls *got = NULL;
    HANDLE thread;
    DWORD tid;
    HRESULT hr;

    init_cancel(&a, S_OK);
    init_cancel(&b, S_OK);
    init_cancel(&c, RPC_E_CALL_CANCELED);
    p.pushed = CreateEventW(NULL, FALSE, FALSE, NULL);
    p.release = CreateEventW(NULL, FALSE, FALSE, NULL);
    thread = run_thread(pusher_thread, &p, &tid);
    if (!wait_bounded(p.pushed, 10000, "pusher")) return;

    hr = CoGetCancelObject(tid, &IID_ICancelMethodCalls, (void **)&got);
    ok(hr == S_OK && got == &c.ICancelMethodCalls_iface, "row 6: Get(other tid) got %#lx, %p, expected %p\n",
       hr, got, &c.ICancelMethodCalls_iface);
    if (got) ICancelMethodCalls_Release(got);
    hr = CoGetCancelObject(0, &IID_ICancelMethodCalls, (void **)&got);
    ok(hr == E_NOINTERFACE, "Get(own tid) must not see the other thread's stack, got %#lx\n", hr);
    hr = CoCancelCall(tid, 3);
    ok(hr == RPC_E_CALL_CANCELED, "CoCancelCall(other tid) got %#lx\n", hr);
    ok(c.cancels == 1 && c.last_timeout == 3, "C: %ld cancels, timeout %lu\n", c.cancels, c.last_timeout);

    /* thread exit with objects still pushed releases them, from another
     * thread once the exiting one is gone (docs/cancel.md) */
    ok(a.refs == 2 && b.refs == 2 && c.refs == 2, "refs while pushed: %ld %ld %ld\n", a.refs, b.refs, c.refs);
    SetEvent(p.release);
    join_thread(thread);
    wait_refs(&a, 1);
    wait_refs(&b, 1);
    wait_refs(&c, 1);
    ok(a.refs == 1 && b.refs == 1 && c.refs == 1, "refs after thread exit: %ld %ld %ld, expected 1 1 1\n",
       a.refs, b.refs, c.refs);
    hr = CoGetCancelObject(tid, &IID_ICancelMethodCalls, (void **)&got);
    ok(hr == E_NOINTERFACE, "Get for an exited thread got %#lx\n", hr);
    CloseHandle(p.pushed);
    CloseHandle(p.release);
}

/* stress: threads come and go with objects pushed while others look them up */
#define STRESS_SLOTS 8
static volatile LONG stress_tids[STRESS_SLOTS];
static volatile LONG stress_stop;
static LONG stress_ops;
static struct test_cancel stress_obj;

static DWORD CALLBACK stress_short_lived(void *arg)
{
    LONG slot = (LONG)(ULONG_PTR)arg;
    int i;

    for (i = 0; i < 3; i++) CoSetCancelObject((IUnknown *)&stress_obj.ICancelMethodCalls_iface);
    InterlockedExchange(&stress_tids[slot], GetCurrentThreadId());
    Sleep(0);
    CoSetCancelObject(NULL);
    if (slot & 1) CoEnableCallCancellation(NULL);
    /* exits with two objects still pushed */
    return 0;
}

static DWORD CALLBACK stress_spawner(void *arg)
{
    LONG slot = 0;
    HANDLE thread;

    while (!stress_stop)
    {
        thread = CreateThread(NULL, 0, stress_short_lived, (void *)(ULONG_PTR)slot, 0, NULL);
        if (!thread) break;
        WaitForSingleObject(thread, 30000);
        CloseHandle(thread);
        slot = (slot + 1) % STRESS_SLOTS;
    }
    return 0;
}

static DWORD CALLBACK stress_worker(void *arg)
{
    ULONG seed = (ULONG)(ULONG_PTR)arg;
    ICancelMethodCalls *got;
    HRESULT hr;
    DWORD tid;

    while (InterlockedIncrement(&stress_ops) <= 10000)
    {
        seed = seed * 1103515245 + 12345;
        tid = stress_tids[(seed >> 16) % STRESS_SLOTS];
        switch ((seed >> 8) % 4)
        {
        case 0:
            hr = CoGetCancelObject(tid, &IID_ICancelMethodCalls, (void **)&got);
            if (SUCCEEDED(hr)) ICancelMethodCalls_Release(got);
            else if (hr != E_NOINTERFACE) ok(0, "stress Get got %#lx\n", hr);
            break;
        case 1:
            hr = CoCancelCall(tid, 0);
            if (hr != S_OK && hr != E_NOINTERFACE) ok(0, "stress CoCancelCall got %#lx\n", hr);
            break;
        case 2:
            CoSetCancelObject((IUnknown *)&stress_obj.ICancelMethodCalls_iface);
            break;
        default:
            CoSetCancelObject(NULL);
            break;
        }
    }
    while (SUCCEEDED(CoGetCancelObject(0, &IID_ICancelMethodCalls, (void **)&got)))
    {
        ICancelMethodCalls_Release(got);
        CoSetCancelObject(NULL);
    }
    return 0;
}

static void test_stress(void)
{
    HANDLE threads[9];
    DWORD handles_before, handles_after, threads_before, threads_after, i;

    init_cancel(&stress_obj, S_OK);
    handles_before = handle_count();   /* GetProcessHandleCount answers 0 on Wine 8.0 */
    /* thread-pool threads that released what earlier subtests' exiting
     * threads left go when idle: count from the main thread alone (seen on
     * i386 Wine 8.0: one such thread still there when the stress began) */
    for (i = 0; i < 300 && (threads_before = thread_count()) > 1; i++) Sleep(100);
    trace("stress: %lu threads before\n", threads_before);

    threads[0] = CreateThread(NULL, 0, stress_spawner, NULL, 0, NULL);
    for (i = 1; i < 9; i++) threads[i] = CreateThread(NULL, 0, stress_worker, (void *)(ULONG_PTR)i, 0, NULL);
    for (i = 1; i < 9; i++) wait_bounded(threads[i], 60000, "stress worker");
    stress_stop = 1;
    wait_bounded(threads[0], 60000, "stress spawner");
    for (i = 0; i < 9; i++) CloseHandle(threads[i]);

    ok(stress_ops > 10000, "only %ld operations ran\n", stress_ops);
    wait_refs(&stress_obj, 1);
    ok(stress_obj.refs == 1, "stress object refs %ld after all threads exited, expected 1\n", stress_obj.refs);
    trace("stress: %ld cancels delivered\n", stress_obj.cancels);
    handles_after = handle_count();
    /* the thread-pool threads that released what exiting threads left
     * go when idle */
    for (i = 0; i < 300 && (threads_after = thread_count()) != threads_before; i++) Sleep(100);
    ok(handles_before > 0, "no handles counted\n");
    ok(handles_after <= handles_before, "handles %lu -> %lu\n", handles_before, handles_after);
    ok(threads_after == threads_before, "threads %lu -> %lu\n", threads_before, threads_after);
}

START_TEST(cancel_api)
{
    run_subtest(test_enable_disable);
    if (getenv("OLECANCEL_EXPECT_BUILTIN"))
        skip("combase counter check is for olecancel (stock ole32 is combase's)\n");
    else
        run_subtest(test_combase_in_step);
    run_subtest(test_set_get);
    run_subtest(test_other_thread);
    run_subtest(test_stress);
}
