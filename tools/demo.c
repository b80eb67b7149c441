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
 *
 * On stock Wine this program aborts at the first of these calls:
 * "unimplemented function ole32.dll.CoSetCancelObject".
 */

#include <stdio.h>
#include <windows.h>
#include <objbase.h>

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

int main(void)
{
    struct operation op = { { &operation_vtbl }, 1 };
    HANDLE thread;
    DWORD tid, code = 1;
    HRESULT hr;

    setvbuf(stdout, NULL, _IONBF, 0);
    printf("olecancel demo: a watchdog cancels a hung operation with CoCancelCall\n");
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
    printf("demo %s\n", code == 0 ? "succeeded" : "FAILED");
    return code;
}
