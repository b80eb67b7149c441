/*
 * olecancel: COM's side of a server call object
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

/*
 * For server-side asynchronous processing COM hands the server object's
 * ICallFactory::CreateCall a controlling unknown of its own: the server's
 * call object is aggregated by it, signals completion through its
 * ISynchronize and asks it, through ICancelMethodCalls::TestCancel,
 * whether the client cancelled.  This is that object, one per call.
 */

#include "server_async.h"

/* how often a wait looks whether the client cancelled, and how long the
 * server call object then still has to signal before the call is given up */
#define CANCEL_POLL_MS  50
#define CANCEL_GRACE_MS 500

struct server_call
{
    IUnknown IUnknown_iface;                  /* the controlling unknown */
    struct event_sync sync;                   /* ISynchronize, ISynchronizeHandle */
    ICancelMethodCalls ICancelMethodCalls_iface;
    LONG refcount;
    IUnknown *inner;                          /* the server's call object */
    ICancelMethodCalls *context;              /* the incoming call's, or NULL */
};

static inline struct server_call *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct server_call, IUnknown_iface);
}

static HRESULT WINAPI outer_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    struct server_call *call = impl_from_IUnknown(iface);

    if (!ppv) return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown)) *ppv = &call->IUnknown_iface;
    else if (IsEqualIID(riid, &IID_ISynchronize)) *ppv = &call->sync.ISynchronize_iface;
    else if (IsEqualIID(riid, &IID_ISynchronizeHandle)) *ppv = &call->sync.ISynchronizeHandle_iface;
    else if (IsEqualIID(riid, &IID_ICancelMethodCalls)) *ppv = &call->ICancelMethodCalls_iface;
    /* AsyncIFoo and whatever else the server's call object offers */
    else if (call->inner) return IUnknown_QueryInterface(call->inner, riid, ppv);
    else
    {
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI outer_AddRef(IUnknown *iface)
{
    struct server_call *call = impl_from_IUnknown(iface);
    return InterlockedIncrement(&call->refcount);
}

static ULONG WINAPI outer_Release(IUnknown *iface)
{
    struct server_call *call = impl_from_IUnknown(iface);
    ULONG ref = InterlockedDecrement(&call->refcount);

    if (!ref)
    {
        /* the aggregated object may call back while it goes away */
        call->refcount = 1;
        if (call->inner) IUnknown_Release(call->inner);
        if (call->context) ICancelMethodCalls_Release(call->context);
        event_sync_cleanup(&call->sync);
        free(call);
    }
    return ref;
}

static const IUnknownVtbl outer_vtbl = { outer_QueryInterface, outer_AddRef, outer_Release };

#define DELEGATE_IUNKNOWN(prefix, type, field) \
    static inline struct server_call *impl_from_##type(type *iface) \
    { return CONTAINING_RECORD(iface, struct server_call, field); } \
    static HRESULT WINAPI prefix##_QueryInterface(type *iface, REFIID riid, void **ppv) \
    { return outer_QueryInterface(&impl_from_##type(iface)->IUnknown_iface, riid, ppv); } \
    static ULONG WINAPI prefix##_AddRef(type *iface) \
    { return outer_AddRef(&impl_from_##type(iface)->IUnknown_iface); } \
    static ULONG WINAPI prefix##_Release(type *iface) \
    { return outer_Release(&impl_from_##type(iface)->IUnknown_iface); }

DELEGATE_IUNKNOWN(cancel, ICancelMethodCalls, ICancelMethodCalls_iface)

static HRESULT WINAPI cancel_Cancel(ICancelMethodCalls *iface, ULONG seconds)
{
    /* inferred, as for the context of a synchronous incoming call: the
     * server cannot cancel the call it is serving */
    return CO_E_CANCEL_DISABLED;
}

static HRESULT WINAPI cancel_TestCancel(ICancelMethodCalls *iface)
{
    struct server_call *call = impl_from_ICancelMethodCalls(iface);
    return call->context ? ICancelMethodCalls_TestCancel(call->context) : RPC_S_CALLPENDING;
}

static const ICancelMethodCallsVtbl cancel_vtbl =
{
    cancel_QueryInterface, cancel_AddRef, cancel_Release, cancel_Cancel, cancel_TestCancel
};

struct server_call *server_call_create(ICancelMethodCalls *context)
{
    struct server_call *call;

    if (!(call = calloc(1, sizeof(*call)))) return NULL;
    if (FAILED(event_sync_init(&call->sync, &call->IUnknown_iface)))
    {
        free(call);
        return NULL;
    }
    call->IUnknown_iface.lpVtbl = &outer_vtbl;
    call->ICancelMethodCalls_iface.lpVtbl = &cancel_vtbl;
    call->refcount = 1;
    if ((call->context = context)) ICancelMethodCalls_AddRef(context);
    return call;
}

IUnknown *server_call_outer(struct server_call *call)
{
    return &call->IUnknown_iface;
}

void server_call_set_inner(struct server_call *call, IUnknown *inner)
{
    call->inner = inner;
}

/* the window COM posts an STA's incoming calls to; NULL in the MTA */
static HWND apartment_window(void)
{
    DWORD tid = GetCurrentThreadId();
    APTTYPEQUALIFIER qualifier;
    HWND window = NULL;
    APTTYPE type;

    /* each window looked at is a round trip to the wineserver: not in the MTA */
    if (FAILED(CoGetApartmentType(&type, &qualifier)) || (type != APTTYPE_STA && type != APTTYPE_MAINSTA))
        return NULL;
    while ((window = FindWindowExW(HWND_MESSAGE, window, L"OleMainThreadWndClass", NULL)))
        if (GetWindowThreadProcessId(window, NULL) == tid) return window;
    return NULL;
}

/* COM's wait in an STA wakes for new messages only: a call queued while
 * the thread was busy (in Begin_, or dispatching the call queued next to
 * it) would wait for the next one.  Such calls are served first. */
static void serve_queued_calls(HWND window)
{
    MSG msg;

    while (window && PeekMessageW(&msg, window, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
}

BOOL server_call_wait(struct server_call *call, BOOL *cancelled)
{
    HWND window = apartment_window();
    DWORD grace = 0;
    HRESULT hr;

    *cancelled = FALSE;
    for (;;)
    {
        serve_queued_calls(window);
        hr = com_wait(call->sync.event, 0, CANCEL_POLL_MS);
        if (hr == S_OK) return TRUE;
        if (hr != RPC_S_CALLPENDING)
        {
            WARN("waiting for the server call object: %#lx\n", hr);
            return FALSE;
        }
        if (!*cancelled && call->context && ICancelMethodCalls_TestCancel(call->context) == RPC_E_CALL_CANCELED)
        {
            TRACE("%p: the client cancelled\n", call);
            *cancelled = TRUE;
        }
        if (*cancelled && (grace += CANCEL_POLL_MS) >= CANCEL_GRACE_MS) return FALSE;
    }
}

void server_call_release(struct server_call *call)
{
    outer_Release(&call->IUnknown_iface);
}
