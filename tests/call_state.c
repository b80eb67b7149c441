/*
 * olecancel: per-call state on the paths Wine ends a call without a reply
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
 * An STA of this process serves ICancelTest (cancel_test.idl, proxy/stub
 * in olecancel_ps.dll) behind a message filter the test steers; an MTA
 * thread calls it (Wine posts these calls to the STA's window).  Calls
 * end by every path Wine has besides a reply: rejected by the filter,
 * "retry later", a method that raises an exception, an [in] interface the
 * server cannot unmarshal, an [in] interface the client cannot marshal.
 * After each, the threads must look as if no call had happened:
 * no call context on the STA outside a call, no cancel object on the
 * caller, nothing left in the pending-call table.  Every wait is bounded.
 */

#include <windows.h>
#include <objbase.h>
#include <stdio.h>
#include <stddef.h>

#include "wine_test.h"
#include "test_util.h"
#include "cancel_test.h"
#include "olecancel_diag.h"

#define EXCEPTION_IN_METHOD 0xe0c0ffee   /* raised by Echo(ECHO_RAISES) */
#define ECHO_RAISES 0x7ffffff0
#define WORK_DISCONNECTS 0x7ffffff1   /* Work(value) disconnects the object before it returns */

static HANDLE ev_entered, ev_left, ev_quit;
static LONG obs_before, obs_after, disconnect_hr;

/* ---- the object served by the STA -------------------------------------------- */

static HRESULT WINAPI obj_QueryInterface(ICancelTest *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_ICancelTest))
    {
        *ppv = iface;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

/* one static object: lives as long as the test */
static ULONG WINAPI obj_AddRef(ICancelTest *iface) { return 2; }
static ULONG WINAPI obj_Release(ICancelTest *iface) { return 1; }

static HRESULT WINAPI obj_Echo(ICancelTest *iface, LONG value, LONG *result)
{
    if (value == ECHO_RAISES) RaiseException(EXCEPTION_IN_METHOD, 0, 0, NULL);
    *result = value + 1;
    return S_OK;
}

/* polls CoTestCancel for up to ms; returns RPC_E_CALL_CANCELED once told */
static HRESULT WINAPI obj_Work(ICancelTest *iface, LONG ms, LONG value, LONG stop, LONG *result)
{
    DWORD start = GetTickCount();
    HRESULT hr = S_OK;

    *result = 0;
    InterlockedExchange(&obs_before, CoTestCancel());
    InterlockedExchange(&obs_after, 0);
    SetEvent(ev_entered);
    while (GetTickCount() - start < (DWORD)ms)
    {
        if (CoTestCancel() == RPC_E_CALL_CANCELED)
        {
            hr = RPC_E_CALL_CANCELED;
            break;
        }
        Sleep(5);
    }
    InterlockedExchange(&obs_after, CoTestCancel());
    if (value == WORK_DISCONNECTS)
        InterlockedExchange(&disconnect_hr, CoDisconnectObject((IUnknown *)iface, 0));
    /* an abandoned caller may be back before the method ends */
    SetEvent(ev_left);
    if (hr == S_OK && value != WORK_DISCONNECTS) *result = value * 2;
    return hr;
}

static HRESULT WINAPI obj_GetObs(ICancelTest *iface, LONG *before, LONG *after, LONG *entered, LONG *pid,
                                 LONG *nested_hr, LONG *nested_tc)
{
    return E_NOTIMPL;
}

/* only its [in] interface matters: it has been unmarshaled by now */
static HRESULT WINAPI obj_Nest(ICancelTest *iface, ICancelTest *other, LONG ms, LONG value, LONG *result)
{
    *result = value;
    return S_OK;
}

static const ICancelTestVtbl obj_vtbl =
{
    obj_QueryInterface, obj_AddRef, obj_Release, obj_Echo, obj_Work, obj_GetObs, obj_Nest,
};
static ICancelTest test_obj = { (ICancelTestVtbl *)&obj_vtbl };

/* ---- an [in] interface that cannot travel ------------------------------------------ */

/* custom marshaling: either MarshalInterface fails (the client's proxy fails
 * after the channel gave it a buffer), or it names a class nobody can
 * create (the server's stub fails while unmarshaling the request) */
enum bad_marshal { MARSHAL_FAILS, UNMARSHAL_FAILS };

struct bad_obj
{
    ICancelTest ICancelTest_iface;
    IMarshal IMarshal_iface;
    enum bad_marshal how;
    LONG refcount;
};

static inline struct bad_obj *impl_from_IMarshal(IMarshal *iface)
{
    return CONTAINING_RECORD(iface, struct bad_obj, IMarshal_iface);
}

static inline struct bad_obj *bad_from_ICancelTest(ICancelTest *iface)
{
    return CONTAINING_RECORD(iface, struct bad_obj, ICancelTest_iface);
}

static HRESULT bad_qi(struct bad_obj *obj, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_ICancelTest))
        *ppv = &obj->ICancelTest_iface;
    else if (IsEqualIID(riid, &IID_IMarshal))
        *ppv = &obj->IMarshal_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    InterlockedIncrement(&obj->refcount);
    return S_OK;
}

static HRESULT WINAPI bad_QueryInterface(ICancelTest *iface, REFIID riid, void **ppv)
{
    return bad_qi(bad_from_ICancelTest(iface), riid, ppv);
}

static ULONG WINAPI bad_AddRef(ICancelTest *iface)
{
    return InterlockedIncrement(&bad_from_ICancelTest(iface)->refcount);
}

static ULONG WINAPI bad_Release(ICancelTest *iface)
{
    return InterlockedDecrement(&bad_from_ICancelTest(iface)->refcount);
}

static HRESULT WINAPI bad_Echo(ICancelTest *iface, LONG value, LONG *result) { return E_NOTIMPL; }
static HRESULT WINAPI bad_Work(ICancelTest *iface, LONG ms, LONG value, LONG stop, LONG *result) { return E_NOTIMPL; }
static HRESULT WINAPI bad_GetObs(ICancelTest *iface, LONG *before, LONG *after, LONG *entered, LONG *pid,
                                 LONG *nested_hr, LONG *nested_tc) { return E_NOTIMPL; }
static HRESULT WINAPI bad_Nest(ICancelTest *iface, ICancelTest *other, LONG ms, LONG value, LONG *result)
{
    return E_NOTIMPL;
}

static const ICancelTestVtbl bad_vtbl =
{
    bad_QueryInterface, bad_AddRef, bad_Release, bad_Echo, bad_Work, bad_GetObs, bad_Nest,
};

static HRESULT WINAPI marshal_QueryInterface(IMarshal *iface, REFIID riid, void **ppv)
{
    return bad_qi(impl_from_IMarshal(iface), riid, ppv);
}

static ULONG WINAPI marshal_AddRef(IMarshal *iface)
{
    return InterlockedIncrement(&impl_from_IMarshal(iface)->refcount);
}

static ULONG WINAPI marshal_Release(IMarshal *iface)
{
    return InterlockedDecrement(&impl_from_IMarshal(iface)->refcount);
}

/* {c3a1f7e2-0b5d-4e8a-9f61-2d7c4b0e9a35}: registered nowhere */
static const CLSID CLSID_nowhere = { 0xc3a1f7e2, 0x0b5d, 0x4e8a, { 0x9f, 0x61, 0x2d, 0x7c, 0x4b, 0x0e, 0x9a, 0x35 } };

static HRESULT WINAPI marshal_GetUnmarshalClass(IMarshal *iface, REFIID riid, void *pv, DWORD ctx, void *ctx_data,
                                                DWORD flags, CLSID *clsid)
{
    *clsid = CLSID_nowhere;
    return S_OK;
}

static HRESULT WINAPI marshal_GetMarshalSizeMax(IMarshal *iface, REFIID riid, void *pv, DWORD ctx, void *ctx_data,
                                                DWORD flags, DWORD *size)
{
    *size = 16;
    return S_OK;
}

static HRESULT WINAPI marshal_MarshalInterface(IMarshal *iface, IStream *stream, REFIID riid, void *pv, DWORD ctx,
                                               void *ctx_data, DWORD flags)
{
    static const BYTE data[16];

    if (impl_from_IMarshal(iface)->how == MARSHAL_FAILS) return E_FAIL;
    return IStream_Write(stream, data, sizeof(data), NULL);
}

static HRESULT WINAPI marshal_UnmarshalInterface(IMarshal *iface, IStream *stream, REFIID riid, void **ppv)
{
    return E_NOTIMPL;
}

static HRESULT WINAPI marshal_ReleaseMarshalData(IMarshal *iface, IStream *stream) { return S_OK; }
static HRESULT WINAPI marshal_DisconnectObject(IMarshal *iface, DWORD reserved) { return S_OK; }

static const IMarshalVtbl marshal_vtbl =
{
    marshal_QueryInterface, marshal_AddRef, marshal_Release, marshal_GetUnmarshalClass,
    marshal_GetMarshalSizeMax, marshal_MarshalInterface, marshal_UnmarshalInterface,
    marshal_ReleaseMarshalData, marshal_DisconnectObject,
};

static void bad_init(struct bad_obj *obj, enum bad_marshal how)
{
    obj->ICancelTest_iface.lpVtbl = (ICancelTestVtbl *)&bad_vtbl;
    obj->IMarshal_iface.lpVtbl = (IMarshalVtbl *)&marshal_vtbl;
    obj->how = how;
    obj->refcount = 1;
}

/* ---- the message filter of the STA -------------------------------------------------- */

static LONG filter_answer = SERVERCALL_ISHANDLED, filter_calls;

static HRESULT WINAPI filter_QueryInterface(IMessageFilter *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IMessageFilter))
    {
        *ppv = iface;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI filter_AddRef(IMessageFilter *iface) { return 2; }
static ULONG WINAPI filter_Release(IMessageFilter *iface) { return 1; }

static DWORD WINAPI filter_HandleInComingCall(IMessageFilter *iface, DWORD type, HTASK caller, DWORD tick,
                                              INTERFACEINFO *info)
{
    InterlockedIncrement(&filter_calls);
    return filter_answer;
}

static DWORD WINAPI filter_RetryRejectedCall(IMessageFilter *iface, HTASK callee, DWORD tick, DWORD type)
{
    return ~0u;   /* give up at once */
}

static DWORD WINAPI filter_MessagePending(IMessageFilter *iface, HTASK callee, DWORD tick, DWORD type)
{
    return PENDINGMSG_WAITDEFPROCESS;
}

static const IMessageFilterVtbl filter_vtbl =
{
    filter_QueryInterface, filter_AddRef, filter_Release, filter_HandleInComingCall,
    filter_RetryRejectedCall, filter_MessagePending,
};
static IMessageFilter filter = { (IMessageFilterVtbl *)&filter_vtbl };

/* ---- the STA host -------------------------------------------------------------------- */

#define WM_PROBE (WM_APP + 1)

static HANDLE sta_thread, sta_ready, probe_done;
static IStream *sta_stream(void);
static DWORD sta_tid;
static HGLOBAL sta_marshal_data;
static HRESULT sta_setup_hr, probe_hr;

static DWORD WINAPI sta_host(void *arg)
{
    IStream *stream;
    MSG msg;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    CreateStreamOnHGlobal(NULL, FALSE, &stream);
    sta_setup_hr = CoMarshalInterface(stream, &IID_ICancelTest, (IUnknown *)&test_obj, MSHCTX_INPROC, NULL,
                                      MSHLFLAGS_TABLESTRONG);
    GetHGlobalFromStream(stream, &sta_marshal_data);
    IStream_Release(stream);
    if (SUCCEEDED(sta_setup_hr)) sta_setup_hr = CoRegisterMessageFilter(&filter, NULL);
    PeekMessageW(&msg, NULL, 0, 0, PM_NOREMOVE);   /* the thread's queue, for WM_PROBE */
    SetEvent(sta_ready);

    while (MsgWaitForMultipleObjects(1, &ev_quit, FALSE, 120000, QS_ALLINPUT) == WAIT_OBJECT_0 + 1)
    {
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE))
        {
            if (msg.message == WM_PROBE && !msg.hwnd)
            {
                /* from the message loop: outside any call */
                IUnknown *ctx = NULL;
                probe_hr = CoGetCallContext(&IID_IUnknown, (void **)&ctx);
                if (ctx) IUnknown_Release(ctx);
                SetEvent(probe_done);
                continue;
            }
            DispatchMessageW(&msg);
        }
    }
    CoRegisterMessageFilter(NULL, NULL);
    if (SUCCEEDED(sta_setup_hr))
    {
        stream = sta_stream();
        CoReleaseMarshalData(stream);
        IStream_Release(stream);
    }
    GlobalFree(sta_marshal_data);
    CoUninitialize();
    return 0;
}

/* CoGetCallContext on the STA, between calls */
static HRESULT sta_context_between_calls(void)
{
    probe_hr = 0xdeadbeef;
    ResetEvent(probe_done);
    PostThreadMessageW(sta_tid, WM_PROBE, 0, 0);
    if (WaitForSingleObject(probe_done, 10000)) return E_ABORT;
    return probe_hr;
}

static IStream *sta_stream(void)
{
    SIZE_T size = GlobalSize(sta_marshal_data);
    HGLOBAL copy = GlobalAlloc(GMEM_MOVEABLE, size);
    IStream *stream = NULL;

    memcpy(GlobalLock(copy), GlobalLock(sta_marshal_data), size);
    GlobalUnlock(copy);
    GlobalUnlock(sta_marshal_data);
    CreateStreamOnHGlobal(copy, TRUE, &stream);
    return stream;
}

static ICancelTest *get_proxy(void)
{
    IStream *stream = sta_stream();
    ICancelTest *proxy = NULL;
    HRESULT hr = CoUnmarshalInterface(stream, &IID_ICancelTest, (void **)&proxy);

    ok(hr == S_OK, "unmarshaling the STA object: %#lx\n", hr);
    IStream_Release(stream);
    return proxy;
}

/* the calling thread holds no cancel object and the process no pending call */
static void check_caller_idle(const char *what)
{
    const struct olecancel_diag *diag = get_olecancel_diag();
    ICancelMethodCalls *cancel = (void *)0xdeadbeef;
    HRESULT hr;

    hr = CoCancelCall(0, 0);
    ok(hr == E_NOINTERFACE, "%s: CoCancelCall(0, 0) on the idle caller: %#lx\n", what, hr);
    hr = CoGetCancelObject(0, &IID_ICancelMethodCalls, (void **)&cancel);
    ok(hr == E_NOINTERFACE, "%s: CoGetCancelObject on the idle caller: %#lx\n", what, hr);
    if (SUCCEEDED(hr)) ICancelMethodCalls_Release(cancel);
    ok(diag && diag->size >= offsetof(struct olecancel_diag, pending_calls) + sizeof(diag->pending_calls),
       "no pending-call count in olecancel's diagnostics\n");
    if (diag && diag->size >= offsetof(struct olecancel_diag, pending_calls) + sizeof(diag->pending_calls))
        ok(!diag->pending_calls(), "%s: %ld calls left in the pending table\n", what, diag->pending_calls());
}

static void check_sta_idle(const char *what)
{
    HRESULT hr = sta_context_between_calls();
    ok(hr == RPC_E_CALL_COMPLETE, "%s: CoGetCallContext on the STA between calls: %#lx\n", what, hr);
}

/* ---- a cancel that must still reach the server ----------------------------------------- */

struct work_call
{
    HANDLE thread;
    DWORD tid;
    HRESULT hr;
    LONG result;
    LONG value;   /* Work's; 0: 21 */
};

static DWORD WINAPI work_thread(void *arg)
{
    struct work_call *call = arg;
    ICancelTest *proxy;

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if ((proxy = get_proxy()))
    {
        CoEnableCallCancellation(NULL);
        call->hr = ICancelTest_Work(proxy, 5000, call->value ? call->value : 21, 1, &call->result);
        CoDisableCallCancellation(NULL);
        ICancelTest_Release(proxy);
    }
    CoUninitialize();
    return 0;
}

/* matrix row 14: CoCancelCall on the caller, CoTestCancel in the server */
static void check_cancel_reaches_server(const char *what)
{
    struct work_call call = { NULL, 0, 0xdeadbeef, -1, 0 };
    HRESULT hr;

    ResetEvent(ev_entered);
    ResetEvent(ev_left);
    call.thread = CreateThread(NULL, 0, work_thread, &call, 0, &call.tid);
    if (WaitForSingleObject(ev_entered, 10000))
    {
        ok(0, "%s: Work never started\n", what);
        WaitForSingleObject(call.thread, 15000);
        CloseHandle(call.thread);
        return;
    }
    hr = CoCancelCall(call.tid, 0);
    ok(hr == S_OK, "%s: CoCancelCall: %#lx\n", what, hr);
    ok(!WaitForSingleObject(call.thread, 15000), "%s: the call did not return\n", what);
    CloseHandle(call.thread);
    ok(call.hr == RPC_E_CALL_CANCELED, "%s: Work returned %#lx\n", what, call.hr);
    ok(obs_before == RPC_S_CALLPENDING, "%s: CoTestCancel at entry: %#lx\n", what, obs_before);
    hr = WaitForSingleObject(ev_left, 10000);
    ok(hr == WAIT_OBJECT_0, "%s: Work did not end in the server: wait %#lx\n", what, hr);
    ok(obs_after == RPC_E_CALL_CANCELED, "%s: CoTestCancel after the cancel: %#lx\n", what, obs_after);
}

/* ---- the tests ------------------------------------------------------------------------------ */

static void test_rejected_calls(ICancelTest *proxy)
{
    LONG result = -1, before;
    HRESULT hr;
    int i;

    check_sta_idle("before any call");

    InterlockedExchange(&filter_answer, SERVERCALL_REJECTED);
    before = filter_calls;
    hr = ICancelTest_Echo(proxy, 1, &result);
    ok(hr == RPC_E_CALL_REJECTED, "rejected call: %#lx\n", hr);
    ok(filter_calls == before + 1, "message filter asked %ld times\n", filter_calls - before);
    check_sta_idle("after a rejected call");
    check_caller_idle("after a rejected call");

    /* Wine 8.0 runs a "retry later" call anyway (FIXME); either way it is over */
    InterlockedExchange(&filter_answer, SERVERCALL_RETRYLATER);
    hr = ICancelTest_Echo(proxy, 1, &result);
    trace("call answered \"retry later\": %#lx\n", hr);
    check_sta_idle("after a call answered \"retry later\"");
    check_caller_idle("after a call answered \"retry later\"");

    /* more than the frames a thread can nest, from a caller with
     * cancellation enabled: each leaves a cancellable context if any does */
    InterlockedExchange(&filter_answer, SERVERCALL_REJECTED);
    CoEnableCallCancellation(NULL);
    for (i = 0; i < 70; i++)
        if ((hr = ICancelTest_Echo(proxy, i, &result)) != RPC_E_CALL_REJECTED) break;
    ok(hr == RPC_E_CALL_REJECTED, "rejected call %d: %#lx\n", i, hr);
    CoDisableCallCancellation(NULL);
    check_sta_idle("after 70 rejected calls");
    check_caller_idle("after 70 rejected calls");

    /* what a client without olecancel (no extension, so no hook on the
     * server) would see is the STA's context between calls, checked above;
     * the cancel of the next real call still reaches the server */
    InterlockedExchange(&filter_answer, SERVERCALL_ISHANDLED);
    check_cancel_reaches_server("after 70 rejected calls");
    check_sta_idle("after the cancelled call");
}

static void test_failing_stub(ICancelTest *proxy)
{
    struct bad_obj bad;
    LONG result = -1;
    HRESULT hr;

    hr = ICancelTest_Echo(proxy, ECHO_RAISES, &result);
    ok(FAILED(hr), "method raising an exception: %#lx\n", hr);
    check_sta_idle("after a method raised an exception");
    check_caller_idle("after a method raised an exception");

    bad_init(&bad, UNMARSHAL_FAILS);
    hr = ICancelTest_Nest(proxy, &bad.ICancelTest_iface, 0, 1, &result);
    ok(FAILED(hr), "[in] interface the server cannot unmarshal: %#lx\n", hr);
    check_sta_idle("after an [in] interface failed to unmarshal");
    check_caller_idle("after an [in] interface failed to unmarshal");
    trace("references left on the [in] object: %ld\n", bad.refcount - 1);

    hr = ICancelTest_Echo(proxy, 41, &result);
    ok(hr == S_OK && result == 42, "next call: %#lx, %ld\n", hr, result);
    check_sta_idle("after the next call");
}

static void test_failed_posted_call(ICancelTest *proxy)
{
    struct bad_obj bad;
    LONG result = -1;
    HRESULT hr;
    int enable;

    for (enable = 0; enable <= 1; enable++)
    {
        const char *what = enable ? "a call with cancellation enabled failed to marshal"
                                  : "a call failed to marshal";

        if (enable) CoEnableCallCancellation(NULL);
        bad_init(&bad, MARSHAL_FAILS);
        hr = ICancelTest_Nest(proxy, &bad.ICancelTest_iface, 0, 1, &result);
        ok(FAILED(hr), "%s: %#lx\n", what, hr);
        check_caller_idle(what);
        check_sta_idle(what);
        if (enable) CoDisableCallCancellation(NULL);
    }
    /* the next call is tracked and ends as usual */
    CoEnableCallCancellation(NULL);
    hr = ICancelTest_Echo(proxy, 1, &result);
    ok(hr == S_OK && result == 2, "next call: %#lx, %ld\n", hr, result);
    CoDisableCallCancellation(NULL);
    check_caller_idle("after the next call");
}

/* the object is disconnected while a call to it is in progress: the
 * method does it itself (CoDisconnectObject runs in the object's
 * apartment) after the caller cancelled; nothing of the call may stay on
 * either side.  What the cancelled caller gets is RPC_E_CALL_CANCELED, the
 * object's next caller a failure.  Last: the STA's object is gone after it. */
static void test_disconnected_call(ICancelTest *proxy)
{
    struct work_call call = { NULL, 0, 0xdeadbeef, -1, WORK_DISCONNECTS };
    LONG result = -1, orphaned;
    HRESULT hr;

    ResetEvent(ev_entered);
    ResetEvent(ev_left);
    InterlockedExchange(&disconnect_hr, 0xdeadbeef);
    call.thread = CreateThread(NULL, 0, work_thread, &call, 0, &call.tid);
    if (WaitForSingleObject(ev_entered, 10000))
    {
        ok(0, "Work never started\n");
        WaitForSingleObject(call.thread, 15000);
        CloseHandle(call.thread);
        return;
    }
    hr = CoCancelCall(call.tid, 0);
    ok(hr == S_OK, "CoCancelCall: %#lx\n", hr);
    ok(!WaitForSingleObject(call.thread, 15000), "the call did not return\n");
    CloseHandle(call.thread);
    ok(call.hr == RPC_E_CALL_CANCELED, "Work returned %#lx\n", call.hr);
    hr = WaitForSingleObject(ev_left, 10000);
    ok(hr == WAIT_OBJECT_0, "Work did not end in the server: wait %#lx\n", hr);
    ok(disconnect_hr == S_OK, "CoDisconnectObject in the method: %#lx\n", disconnect_hr);

    /* the STA's reply of the abandoned call has nobody to go to */
    orphaned = wait_posted_orphans(0, 10000);
    ok(orphaned == 0, "abandoned posted calls left with the STA: %ld\n", orphaned);
    check_sta_idle("after the object was disconnected during a call");
    check_caller_idle("after the object was disconnected during a call");

    CoEnableCallCancellation(NULL);
    hr = ICancelTest_Echo(proxy, 1, &result);
    ok(FAILED(hr), "a call to the disconnected object: %#lx, %ld\n", hr, result);
    trace("a call to the disconnected object: %#lx\n", hr);
    CoDisableCallCancellation(NULL);
    check_caller_idle("after a call to the disconnected object");
    check_sta_idle("after a call to the disconnected object");
}

/* the proxy/stub DLL registers itself as an installer would */
static BOOL register_ps(BOOL reg)
{
    HMODULE ps = LoadLibraryA("olecancel_ps.dll");
    HRESULT (WINAPI *func)(void);
    HRESULT hr;

    if (!ps || !(func = (void *)GetProcAddress(ps, reg ? "DllRegisterServer" : "DllUnregisterServer")))
    {
        ok(0, "olecancel_ps.dll not loadable next to the test: %lu\n", GetLastError());
        return FALSE;
    }
    hr = func();
    ok(hr == S_OK, "olecancel_ps.dll registration (%d): %#lx\n", reg, hr);
    FreeLibrary(ps);
    return hr == S_OK;
}

START_TEST(call_state)
{
    ICancelTest *proxy;

    if (!register_ps(TRUE)) return;
    ev_entered = CreateEventA(NULL, FALSE, FALSE, NULL);
    ev_left = CreateEventA(NULL, TRUE, FALSE, NULL);
    ev_quit = CreateEventA(NULL, TRUE, FALSE, NULL);
    sta_ready = CreateEventA(NULL, FALSE, FALSE, NULL);
    probe_done = CreateEventA(NULL, FALSE, FALSE, NULL);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);

    sta_thread = CreateThread(NULL, 0, sta_host, NULL, 0, &sta_tid);
    if (WaitForSingleObject(sta_ready, 30000) || FAILED(sta_setup_hr))
        ok(0, "STA host setup failed: %#lx\n", sta_setup_hr);
    else if ((proxy = get_proxy()))
    {
        test_rejected_calls(proxy);
        test_failing_stub(proxy);
        test_failed_posted_call(proxy);
        test_disconnected_call(proxy);
        ICancelTest_Release(proxy);
    }

    SetEvent(ev_quit);
    ok(!WaitForSingleObject(sta_thread, 10000), "STA host did not exit\n");
    CloseHandle(sta_thread);
    CoUninitialize();
    register_ps(FALSE);
    CloseHandle(ev_entered);
    CloseHandle(ev_left);
    CloseHandle(ev_quit);
    CloseHandle(sta_ready);
    CloseHandle(probe_done);
}
