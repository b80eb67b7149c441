/*
 * A server object that processes IOcServerWork's calls through call
 * objects of its own (server-side asynchronous processing), for
 * tests/server_async.c and make bench
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * The object implements ICallFactory (IOcServerControl::SetMode turns it
 * off); CreateCall(IID_AsyncIOcServerWork) gives a call object aggregated
 * by COM's controlling unknown.  Work and WaitCancel run on a thread of
 * the call object, which signals through the controlling unknown's
 * ISynchronize when done; Hang never signals.  Counters tell the client
 * what the server saw.
 */

#ifndef OLECANCEL_WORK_SERVER_H
#define OLECANCEL_WORK_SERVER_H

#include <windows.h>
#include <objbase.h>
#include "work_test.h"

#define WORK_UNTIL_GATE 0xffffffff
#define WORK_GATE_BOUND 30000   /* ms: the longest a gated call waits */

static LONG ws_objects;         /* server objects and call objects alive */
static LONG ws_begins, ws_finishes, ws_calls, ws_busy, ws_mode;
static HRESULT ws_cancel = S_OK;
static HANDLE ws_gate;          /* manual reset: opened by the client */

/* ---- the server's call object (aggregated) ------------------------------ */

struct ws_call
{
    IUnknown IUnknown_inner;    /* non-delegating */
    AsyncIOcServerWork AsyncIOcServerWork_iface;
    LONG refcount;
    IUnknown *outer;
    DWORD ms;
    LONG value, how;
    HRESULT result;
    BSTR text;
    BOOL wait_cancel;
};

static inline struct ws_call *ws_call_from_inner(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct ws_call, IUnknown_inner);
}

static inline struct ws_call *ws_call_from_async(AsyncIOcServerWork *iface)
{
    return CONTAINING_RECORD(iface, struct ws_call, AsyncIOcServerWork_iface);
}

static HRESULT WINAPI ws_inner_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    struct ws_call *call = ws_call_from_inner(iface);

    if (IsEqualIID(riid, &IID_IUnknown)) *ppv = &call->IUnknown_inner;
    else if (IsEqualIID(riid, &IID_AsyncIOcServerWork)) *ppv = &call->AsyncIOcServerWork_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI ws_inner_AddRef(IUnknown *iface)
{
    return InterlockedIncrement(&ws_call_from_inner(iface)->refcount);
}

static ULONG WINAPI ws_inner_Release(IUnknown *iface)
{
    struct ws_call *call = ws_call_from_inner(iface);
    ULONG ref = InterlockedDecrement(&call->refcount);

    if (!ref)
    {
        SysFreeString(call->text);
        free(call);
        InterlockedDecrement(&ws_calls);
        InterlockedDecrement(&ws_objects);
    }
    return ref;
}

static const IUnknownVtbl ws_inner_vtbl = { ws_inner_QueryInterface, ws_inner_AddRef, ws_inner_Release };

static HRESULT WINAPI ws_async_QueryInterface(AsyncIOcServerWork *iface, REFIID riid, void **ppv)
{
    return IUnknown_QueryInterface(ws_call_from_async(iface)->outer, riid, ppv);
}

static ULONG WINAPI ws_async_AddRef(AsyncIOcServerWork *iface)
{
    return IUnknown_AddRef(ws_call_from_async(iface)->outer);
}

static ULONG WINAPI ws_async_Release(AsyncIOcServerWork *iface)
{
    return IUnknown_Release(ws_call_from_async(iface)->outer);
}

static void ws_signal(IUnknown *outer)
{
    ISynchronize *sync;

    if (SUCCEEDED(IUnknown_QueryInterface(outer, &IID_ISynchronize, (void **)&sync)))
    {
        ISynchronize_Signal(sync);
        ISynchronize_Release(sync);
    }
}

/* the call object's work, on a pool thread: holds the controlling unknown until it signalled */
static DWORD WINAPI ws_call_work(void *arg)
{
    struct ws_call *call = arg;
    ICancelMethodCalls *cancel;
    DWORD start = GetTickCount();
    HRESULT hr = RPC_S_CALLPENDING;

    if (call->wait_cancel)
    {
        if (SUCCEEDED(IUnknown_QueryInterface(call->outer, &IID_ICancelMethodCalls, (void **)&cancel)))
        {
            while ((hr = ICancelMethodCalls_TestCancel(cancel)) != RPC_E_CALL_CANCELED &&
                   GetTickCount() - start < call->ms)
                Sleep(10);
            ICancelMethodCalls_Release(cancel);
        }
        else hr = E_NOINTERFACE;
        ws_cancel = hr;
    }
    else if (call->ms == WORK_UNTIL_GATE) WaitForSingleObject(ws_gate, WORK_GATE_BOUND);
    else Sleep(call->ms);
    call->value = call->value * 2 + 1;
    call->how = 2;
    InterlockedDecrement(&ws_busy);
    ws_signal(call->outer);
    IUnknown_Release(call->outer);
    return 0;
}

/* The work runs on the process's thread pool, as a server would run it:
 * a thread created per call costs Wine about 0.7 ms of CPU, which the
 * server-async bench would count against COM (docs/async.md, server side). */
static HRESULT ws_call_start(struct ws_call *call)
{
    InterlockedIncrement(&ws_begins);
    InterlockedIncrement(&ws_busy);
    IUnknown_AddRef(call->outer);
    if (!QueueUserWorkItem(ws_call_work, call, WT_EXECUTELONGFUNCTION))
    {
        InterlockedDecrement(&ws_busy);
        IUnknown_Release(call->outer);
        return E_OUTOFMEMORY;
    }
    return S_OK;
}

static HRESULT WINAPI ws_Begin_Add(AsyncIOcServerWork *iface, LONG a, LONG b)
{
    struct ws_call *call = ws_call_from_async(iface);

    if (a == -1) return E_INVALIDARG;
    InterlockedIncrement(&ws_begins);
    call->value = a + b;
    ws_signal(call->outer);
    return S_OK;
}

static HRESULT WINAPI ws_Finish_Add(AsyncIOcServerWork *iface, LONG *sum)
{
    InterlockedIncrement(&ws_finishes);
    *sum = ws_call_from_async(iface)->value;
    return S_OK;
}

static HRESULT WINAPI ws_Begin_Work(AsyncIOcServerWork *iface, DWORD ms, LONG *value)
{
    struct ws_call *call = ws_call_from_async(iface);

    call->ms = ms;
    call->value = *value;
    return ws_call_start(call);
}

static HRESULT WINAPI ws_Finish_Work(AsyncIOcServerWork *iface, LONG *value, LONG *how)
{
    struct ws_call *call = ws_call_from_async(iface);

    InterlockedIncrement(&ws_finishes);
    *value = call->value;
    *how = call->how;
    return S_OK;
}

static HRESULT WINAPI ws_Begin_WaitCancel(AsyncIOcServerWork *iface, DWORD ms)
{
    struct ws_call *call = ws_call_from_async(iface);

    call->ms = ms;
    call->wait_cancel = TRUE;
    return ws_call_start(call);
}

static HRESULT WINAPI ws_Finish_WaitCancel(AsyncIOcServerWork *iface)
{
    InterlockedIncrement(&ws_finishes);
    return S_OK;
}

static HRESULT WINAPI ws_Begin_Hang(AsyncIOcServerWork *iface)
{
    InterlockedIncrement(&ws_begins);
    return S_OK;
}

static HRESULT WINAPI ws_Finish_Hang(AsyncIOcServerWork *iface)
{
    InterlockedIncrement(&ws_finishes);
    return S_OK;
}

static HRESULT WINAPI ws_Begin_Echo(AsyncIOcServerWork *iface, BSTR in)
{
    struct ws_call *call = ws_call_from_async(iface);
    UINT len = SysStringLen(in);

    InterlockedIncrement(&ws_begins);
    if (!(call->text = SysAllocStringLen(NULL, len + 1))) return E_OUTOFMEMORY;
    memcpy(call->text, in, len * sizeof(WCHAR));
    call->text[len] = '!';
    ws_signal(call->outer);
    return S_OK;
}

static HRESULT WINAPI ws_Finish_Echo(AsyncIOcServerWork *iface, BSTR *out)
{
    struct ws_call *call = ws_call_from_async(iface);

    InterlockedIncrement(&ws_finishes);
    *out = call->text;
    call->text = NULL;
    return S_OK;
}

static const AsyncIOcServerWorkVtbl ws_async_vtbl =
{
    ws_async_QueryInterface, ws_async_AddRef, ws_async_Release,
    ws_Begin_Add, ws_Finish_Add, ws_Begin_Work, ws_Finish_Work, ws_Begin_WaitCancel, ws_Finish_WaitCancel,
    ws_Begin_Hang, ws_Finish_Hang, ws_Begin_Echo, ws_Finish_Echo,
};

/* ---- the server object ------------------------------------------------------ */

struct ws_object
{
    IOcServerWork IOcServerWork_iface;
    IOcServerControl IOcServerControl_iface;
    ICallFactory ICallFactory_iface;
    LONG refcount;
};

static inline struct ws_object *ws_from_work(IOcServerWork *iface)
{
    return CONTAINING_RECORD(iface, struct ws_object, IOcServerWork_iface);
}

static HRESULT WINAPI ws_QueryInterface(IOcServerWork *iface, REFIID riid, void **ppv)
{
    struct ws_object *obj = ws_from_work(iface);

    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IOcServerWork)) *ppv = &obj->IOcServerWork_iface;
    else if (IsEqualIID(riid, &IID_IOcServerControl)) *ppv = &obj->IOcServerControl_iface;
    else if (IsEqualIID(riid, &IID_ICallFactory) && ws_mode != 2) *ppv = &obj->ICallFactory_iface;
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI ws_AddRef(IOcServerWork *iface)
{
    return InterlockedIncrement(&ws_from_work(iface)->refcount);
}

static ULONG WINAPI ws_Release(IOcServerWork *iface)
{
    struct ws_object *obj = ws_from_work(iface);
    ULONG ref = InterlockedDecrement(&obj->refcount);

    if (!ref)
    {
        free(obj);
        InterlockedDecrement(&ws_objects);
    }
    return ref;
}

static HRESULT WINAPI ws_Add(IOcServerWork *iface, LONG a, LONG b, LONG *sum)
{
    if (a == -1) return E_INVALIDARG;
    *sum = a + b;
    return S_OK;
}

static HRESULT WINAPI ws_Work(IOcServerWork *iface, DWORD ms, LONG *value, LONG *how)
{
    if (ms == WORK_UNTIL_GATE) WaitForSingleObject(ws_gate, WORK_GATE_BOUND);
    else Sleep(ms);
    *value = *value * 2 + 1;
    *how = 1;
    return S_OK;
}

static HRESULT WINAPI ws_WaitCancel(IOcServerWork *iface, DWORD ms)
{
    DWORD start = GetTickCount();
    HRESULT hr;

    while ((hr = CoTestCancel()) != RPC_E_CALL_CANCELED && GetTickCount() - start < ms) Sleep(10);
    ws_cancel = hr;
    return S_OK;
}

static HRESULT WINAPI ws_Hang(IOcServerWork *iface)
{
    return S_OK;
}

static HRESULT WINAPI ws_Echo(IOcServerWork *iface, BSTR in, BSTR *out)
{
    UINT len = SysStringLen(in);

    if (!(*out = SysAllocStringLen(NULL, len + 1))) return E_OUTOFMEMORY;
    memcpy(*out, in, len * sizeof(WCHAR));
    (*out)[len] = '!';
    return S_OK;
}

static const IOcServerWorkVtbl ws_vtbl =
{
    ws_QueryInterface, ws_AddRef, ws_Release, ws_Add, ws_Work, ws_WaitCancel, ws_Hang, ws_Echo,
};

#define WS_DELEGATE(prefix, type, field) \
    static inline struct ws_object *ws_from_##prefix(type *iface) \
    { return CONTAINING_RECORD(iface, struct ws_object, field); } \
    static HRESULT WINAPI prefix##_QueryInterface(type *iface, REFIID riid, void **ppv) \
    { return ws_QueryInterface(&ws_from_##prefix(iface)->IOcServerWork_iface, riid, ppv); } \
    static ULONG WINAPI prefix##_AddRef(type *iface) \
    { return ws_AddRef(&ws_from_##prefix(iface)->IOcServerWork_iface); } \
    static ULONG WINAPI prefix##_Release(type *iface) \
    { return ws_Release(&ws_from_##prefix(iface)->IOcServerWork_iface); }

WS_DELEGATE(ws_ctl, IOcServerControl, IOcServerControl_iface)
WS_DELEGATE(ws_cf, ICallFactory, ICallFactory_iface)

static HRESULT WINAPI ws_ctl_SetMode(IOcServerControl *iface, LONG mode)
{
    ws_mode = mode;
    return S_OK;
}

static HRESULT WINAPI ws_ctl_Stats(IOcServerControl *iface, LONG *begins, LONG *finishes, LONG *calls,
                                   LONG *busy, HRESULT *cancel)
{
    *begins = ws_begins;
    *finishes = ws_finishes;
    *calls = ws_calls;
    *busy = ws_busy;
    *cancel = ws_cancel;
    return S_OK;
}

static const IOcServerControlVtbl ws_ctl_vtbl =
{
    ws_ctl_QueryInterface, ws_ctl_AddRef, ws_ctl_Release, ws_ctl_SetMode, ws_ctl_Stats,
};

static HRESULT WINAPI ws_cf_CreateCall(ICallFactory *iface, REFIID riid, IUnknown *outer, REFIID riid2,
                                       IUnknown **ppv)
{
    struct ws_call *call;

    *ppv = NULL;
    if (ws_mode == 1 || !IsEqualIID(riid, &IID_AsyncIOcServerWork)) return E_NOINTERFACE;
    if (!outer || !IsEqualIID(riid2, &IID_IUnknown)) return CLASS_E_NOAGGREGATION;
    if (!(call = calloc(1, sizeof(*call)))) return E_OUTOFMEMORY;
    call->IUnknown_inner.lpVtbl = &ws_inner_vtbl;
    call->AsyncIOcServerWork_iface.lpVtbl = &ws_async_vtbl;
    call->refcount = 1;
    call->outer = outer;
    InterlockedIncrement(&ws_calls);
    InterlockedIncrement(&ws_objects);
    *ppv = &call->IUnknown_inner;
    return S_OK;
}

static const ICallFactoryVtbl ws_cf_vtbl =
{
    ws_cf_QueryInterface, ws_cf_AddRef, ws_cf_Release, ws_cf_CreateCall,
};

static IOcServerWork *ws_object_create(void)
{
    struct ws_object *obj = calloc(1, sizeof(*obj));

    if (!obj) return NULL;
    obj->IOcServerWork_iface.lpVtbl = &ws_vtbl;
    obj->IOcServerControl_iface.lpVtbl = &ws_ctl_vtbl;
    obj->ICallFactory_iface.lpVtbl = &ws_cf_vtbl;
    obj->refcount = 1;
    InterlockedIncrement(&ws_objects);
    return &obj->IOcServerWork_iface;
}

#endif /* OLECANCEL_WORK_SERVER_H */
