/*
 * olecancel: AsyncIUnknown call objects (asynchronous remote QueryInterface
 * on standard proxies)
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
 * Begin_QueryInterface hands the IID to an MTA worker, which asks the MTA
 * view of the proxy (a remote QueryInterface unless the object lives in the
 * MTA) and marshals the answer for the caller; Finish_QueryInterface
 * unmarshals it in the caller's apartment, where it joins the caller's
 * existing proxy (same identity).  AddRef and Release never travel on
 * standard marshaling: Begin_AddRef/Begin_Release act on the proxy at once
 * and Finish_ returns the count.
 */

#include "async_private.h"

enum unk_state { UNK_IDLE, UNK_PENDING, UNK_COMPLETED };
enum unk_method { UNK_QI, UNK_ADDREF, UNK_RELEASE };

struct unk_call
{
    IUnknown IUnknown_inner;
    AsyncIUnknown AsyncIUnknown_iface;
    ISynchronize ISynchronize_iface;
    ISynchronizeHandle ISynchronizeHandle_iface;
    ICancelMethodCalls ICancelMethodCalls_iface;
    LONG refcount;
    LONG internal;          /* memory: COM life + queued work */
    IUnknown *outer;
    IUnknown *proxy;        /* the caller's proxy (its identity) */
    struct async_target *target;
    HANDLE event;

    CRITICAL_SECTION cs;
    enum unk_state state;
    enum unk_method method;
    LONG generation;
    BOOL released, cancelled;
    ISynchronize *outer_sync;
    HRESULT result;
    ULONG count;            /* Finish_AddRef/Finish_Release */
    IStream *marshaled;     /* Finish_QueryInterface: the answer, marshaled in the MTA */
    IID iid;
};

struct unk_work
{
    struct unk_call *call;
    struct async_target *target;
    LONG generation;
    IID iid;
};

static inline struct unk_call *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct unk_call, IUnknown_inner);
}

static inline struct unk_call *impl_from_AsyncIUnknown(AsyncIUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct unk_call, AsyncIUnknown_iface);
}

static inline struct unk_call *impl_from_ISynchronize(ISynchronize *iface)
{
    return CONTAINING_RECORD(iface, struct unk_call, ISynchronize_iface);
}

static inline struct unk_call *impl_from_ISynchronizeHandle(ISynchronizeHandle *iface)
{
    return CONTAINING_RECORD(iface, struct unk_call, ISynchronizeHandle_iface);
}

static inline struct unk_call *impl_from_ICancelMethodCalls(ICancelMethodCalls *iface)
{
    return CONTAINING_RECORD(iface, struct unk_call, ICancelMethodCalls_iface);
}

static void release_marshaled_proc(void *arg)
{
    IStream *stream = arg;
    LARGE_INTEGER zero = {{0}};

    IStream_Seek(stream, zero, STREAM_SEEK_SET, NULL);
    CoReleaseMarshalData(stream);
    IStream_Release(stream);
}

/* an answer nobody will unmarshal: its references go back from the MTA */
static void drop_marshaled(IStream *stream)
{
    if (stream && FAILED(asyncpool_submit(release_marshaled_proc, stream))) release_marshaled_proc(stream);
}

static void unk_release_internal(struct unk_call *call)
{
    if (InterlockedDecrement(&call->internal)) return;
    drop_marshaled(call->marshaled);
    DeleteCriticalSection(&call->cs);
    CloseHandle(call->event);
    free(call);
}

/* with cs held */
static void unk_complete(struct unk_call *call, HRESULT result, IStream *marshaled)
{
    HRESULT hr;

    call->state = UNK_COMPLETED;
    call->result = result;
    call->marshaled = marshaled;
    SetEvent(call->event);
    if (call->outer_sync && FAILED(hr = ISynchronize_Signal(call->outer_sync)))
    {
        WARN("outer Signal failed: %#lx\n", hr);
        drop_marshaled(call->marshaled);
        call->marshaled = NULL;
        call->result = hr;
    }
}

static void unk_work_proc(void *arg)
{
    struct unk_work *work = arg;
    struct unk_call *call = work->call;
    IStream *stream = NULL;
    IUnknown *mta, *obj;
    BOOL run;
    HRESULT hr;

    EnterCriticalSection(&call->cs);
    run = call->generation == work->generation && call->state == UNK_PENDING && !call->released;
    LeaveCriticalSection(&call->cs);

    if (run && SUCCEEDED(hr = async_target_iface(work->target, &mta)))
    {
        TRACE("call %p: QueryInterface(%s)\n", call, debugstr_guid(&work->iid));
        if (SUCCEEDED(hr = IUnknown_QueryInterface(mta, &work->iid, (void **)&obj)))
        {
            if (SUCCEEDED(hr = CreateStreamOnHGlobal(NULL, TRUE, &stream)))
            {
                hr = CoMarshalInterface(stream, &work->iid, obj, MSHCTX_INPROC, NULL, MSHLFLAGS_NORMAL);
                if (FAILED(hr))
                {
                    IStream_Release(stream);
                    stream = NULL;
                }
            }
            IUnknown_Release(obj);
        }
        IUnknown_Release(mta);
    }
    else if (run) TRACE("call %p: no MTA view: %#lx\n", call, hr);

    EnterCriticalSection(&call->cs);
    if (run && call->generation == work->generation && call->state == UNK_PENDING && !call->released)
    {
        unk_complete(call, hr, stream);
        stream = NULL;
    }
    LeaveCriticalSection(&call->cs);
    if (stream) release_marshaled_proc(stream);

    async_target_release(work->target);
    unk_release_internal(call);
    free(work);
}

/* ---- IUnknown (inner) ---- */

static HRESULT WINAPI unk_inner_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    struct unk_call *call = impl_from_IUnknown(iface);

    TRACE("%p, %s\n", call, debugstr_guid(riid));
    if (IsEqualIID(riid, &IID_IUnknown)) *ppv = &call->IUnknown_inner;
    else if (IsEqualIID(riid, &IID_AsyncIUnknown)) *ppv = &call->AsyncIUnknown_iface;
    else if (IsEqualIID(riid, &IID_ISynchronize)) *ppv = &call->ISynchronize_iface;
    else if (IsEqualIID(riid, &IID_ISynchronizeHandle)) *ppv = &call->ISynchronizeHandle_iface;
    else if (IsEqualIID(riid, &IID_ICancelMethodCalls)) *ppv = &call->ICancelMethodCalls_iface;
    else
    {
        TRACE("%s not supported\n", debugstr_guid(riid));
        *ppv = NULL;
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI unk_inner_AddRef(IUnknown *iface)
{
    struct unk_call *call = impl_from_IUnknown(iface);
    ULONG ref = InterlockedIncrement(&call->refcount);
    TRACE("%p, refcount %lu\n", call, ref);
    return ref;
}

static ULONG WINAPI unk_inner_Release(IUnknown *iface)
{
    struct unk_call *call = impl_from_IUnknown(iface);
    ULONG ref = InterlockedDecrement(&call->refcount);

    TRACE("%p, refcount %lu\n", call, ref);
    if (!ref)
    {
        EnterCriticalSection(&call->cs);
        call->released = TRUE;
        call->outer_sync = NULL;
        LeaveCriticalSection(&call->cs);
        async_target_put(call->target);
        IUnknown_Release(call->proxy);
        unk_release_internal(call);
    }
    return ref;
}

static const IUnknownVtbl unk_inner_vtbl =
{
    unk_inner_QueryInterface,
    unk_inner_AddRef,
    unk_inner_Release,
};

/* ---- AsyncIUnknown ---- */

static HRESULT WINAPI unk_async_QueryInterface(AsyncIUnknown *iface, REFIID riid, void **ppv)
{
    struct unk_call *call = impl_from_AsyncIUnknown(iface);
    return IUnknown_QueryInterface(call->outer, riid, ppv);
}

static ULONG WINAPI unk_async_AddRef(AsyncIUnknown *iface)
{
    struct unk_call *call = impl_from_AsyncIUnknown(iface);
    return IUnknown_AddRef(call->outer);
}

static ULONG WINAPI unk_async_Release(AsyncIUnknown *iface)
{
    struct unk_call *call = impl_from_AsyncIUnknown(iface);
    return IUnknown_Release(call->outer);
}

/* idle -> pending; Reset through the controlling unknown */
static HRESULT unk_begin(struct unk_call *call, enum unk_method method)
{
    ISynchronize *sync;
    HRESULT hr;

    EnterCriticalSection(&call->cs);
    if (call->state != UNK_IDLE)
    {
        LeaveCriticalSection(&call->cs);
        return RPC_S_CALLPENDING;
    }
    call->state = UNK_PENDING;
    call->method = method;
    call->cancelled = FALSE;
    call->generation++;
    LeaveCriticalSection(&call->cs);

    call->outer_sync = NULL;
    if (call->outer != &call->IUnknown_inner &&
        SUCCEEDED(IUnknown_QueryInterface(call->outer, &IID_ISynchronize, (void **)&sync)))
    {
        if (sync != &call->ISynchronize_iface) call->outer_sync = sync;
        ISynchronize_Release(sync);
    }
    ResetEvent(call->event);
    if (call->outer_sync && FAILED(hr = ISynchronize_Reset(call->outer_sync)))
    {
        EnterCriticalSection(&call->cs);
        call->state = UNK_IDLE;
        call->outer_sync = NULL;
        LeaveCriticalSection(&call->cs);
        return hr;
    }
    return S_OK;
}

/* waits for completion; on success the call is idle again and *marshaled
 * (if asked for) holds the answer */
static HRESULT unk_finish(struct unk_call *call, enum unk_method method, IStream **marshaled, ULONG *count)
{
    HRESULT hr;

    EnterCriticalSection(&call->cs);
    hr = call->state == UNK_IDLE || call->method != method ? RPC_E_CALL_COMPLETE : S_OK;
    LeaveCriticalSection(&call->cs);
    if (FAILED(hr)) return hr;

    if (FAILED(hr = async_wait(call->event, 0, INFINITE))) return hr;

    EnterCriticalSection(&call->cs);
    if (call->state != UNK_COMPLETED || call->method != method)
    {
        LeaveCriticalSection(&call->cs);
        return RPC_E_CALL_COMPLETE;
    }
    hr = call->result;
    if (marshaled) *marshaled = call->marshaled;
    else drop_marshaled(call->marshaled);
    call->marshaled = NULL;
    if (count) *count = call->count;
    call->state = UNK_IDLE;
    call->outer_sync = NULL;
    LeaveCriticalSection(&call->cs);
    return hr;
}

static HRESULT WINAPI unk_async_Begin_QueryInterface(AsyncIUnknown *iface, REFIID riid)
{
    struct unk_call *call = impl_from_AsyncIUnknown(iface);
    struct unk_work *work;
    HRESULT hr;

    TRACE("%p, %s\n", call, debugstr_guid(riid));
    if (!riid) return E_INVALIDARG;
    if (!(work = calloc(1, sizeof(*work)))) return E_OUTOFMEMORY;
    if (FAILED(hr = unk_begin(call, UNK_QI)))
    {
        free(work);
        return hr;
    }
    work->call = call;
    work->target = call->target;
    async_target_addref(work->target);
    work->iid = *riid;
    InterlockedIncrement(&call->internal);
    EnterCriticalSection(&call->cs);
    work->generation = call->generation;
    call->iid = *riid;
    LeaveCriticalSection(&call->cs);
    if (FAILED(hr = asyncpool_submit(unk_work_proc, work)))
    {
        EnterCriticalSection(&call->cs);
        unk_complete(call, hr, NULL);
        call->generation++;
        LeaveCriticalSection(&call->cs);
        unk_work_proc(work);
    }
    return S_OK;
}

static HRESULT WINAPI unk_async_Finish_QueryInterface(AsyncIUnknown *iface, void **ppv)
{
    struct unk_call *call = impl_from_AsyncIUnknown(iface);
    IStream *stream = NULL;
    LARGE_INTEGER zero = {{0}};
    HRESULT hr;

    TRACE("%p, %p\n", call, ppv);
    if (!ppv) return E_POINTER;
    *ppv = NULL;
    hr = unk_finish(call, UNK_QI, &stream, NULL);
    if (SUCCEEDED(hr) && stream)
    {
        IStream_Seek(stream, zero, STREAM_SEEK_SET, NULL);
        hr = CoUnmarshalInterface(stream, &call->iid, ppv);
        if (FAILED(hr)) WARN("unmarshaling the answer failed: %#lx\n", hr);
    }
    else if (SUCCEEDED(hr)) hr = E_UNEXPECTED;
    if (stream) IStream_Release(stream);
    return hr;
}

/* AddRef/Release are local to standard proxies: done at Begin_ */
static HRESULT unk_refcount_begin(struct unk_call *call, enum unk_method method)
{
    HRESULT hr;

    if (FAILED(hr = unk_begin(call, method))) return hr;
    EnterCriticalSection(&call->cs);
    /* the caller's reference; never the last one, the call object holds
     * its own */
    if (method == UNK_ADDREF) call->count = IUnknown_AddRef(call->proxy);
    else call->count = IUnknown_Release(call->proxy);
    unk_complete(call, S_OK, NULL);
    LeaveCriticalSection(&call->cs);
    return S_OK;
}

static HRESULT WINAPI unk_async_Begin_AddRef(AsyncIUnknown *iface)
{
    struct unk_call *call = impl_from_AsyncIUnknown(iface);
    TRACE("%p\n", call);
    return unk_refcount_begin(call, UNK_ADDREF);
}

static ULONG WINAPI unk_async_Finish_AddRef(AsyncIUnknown *iface)
{
    struct unk_call *call = impl_from_AsyncIUnknown(iface);
    ULONG count = 0;
    TRACE("%p\n", call);
    return SUCCEEDED(unk_finish(call, UNK_ADDREF, NULL, &count)) ? count : 0;
}

static HRESULT WINAPI unk_async_Begin_Release(AsyncIUnknown *iface)
{
    struct unk_call *call = impl_from_AsyncIUnknown(iface);
    TRACE("%p\n", call);
    return unk_refcount_begin(call, UNK_RELEASE);
}

static ULONG WINAPI unk_async_Finish_Release(AsyncIUnknown *iface)
{
    struct unk_call *call = impl_from_AsyncIUnknown(iface);
    ULONG count = 0;
    TRACE("%p\n", call);
    return SUCCEEDED(unk_finish(call, UNK_RELEASE, NULL, &count)) ? count : 0;
}

static const AsyncIUnknownVtbl unk_async_vtbl =
{
    unk_async_QueryInterface,
    unk_async_AddRef,
    unk_async_Release,
    unk_async_Begin_QueryInterface,
    unk_async_Finish_QueryInterface,
    unk_async_Begin_AddRef,
    unk_async_Finish_AddRef,
    unk_async_Begin_Release,
    unk_async_Finish_Release,
};

/* ---- ISynchronize, ISynchronizeHandle ---- */

static HRESULT WINAPI unk_sync_QueryInterface(ISynchronize *iface, REFIID riid, void **ppv)
{
    return IUnknown_QueryInterface(impl_from_ISynchronize(iface)->outer, riid, ppv);
}

static ULONG WINAPI unk_sync_AddRef(ISynchronize *iface)
{
    return IUnknown_AddRef(impl_from_ISynchronize(iface)->outer);
}

static ULONG WINAPI unk_sync_Release(ISynchronize *iface)
{
    return IUnknown_Release(impl_from_ISynchronize(iface)->outer);
}

static HRESULT WINAPI unk_sync_Wait(ISynchronize *iface, DWORD flags, DWORD ms)
{
    struct unk_call *call = impl_from_ISynchronize(iface);
    TRACE("%p, %#lx, %lu\n", call, flags, ms);
    return async_wait(call->event, flags, ms);
}

static HRESULT WINAPI unk_sync_Signal(ISynchronize *iface)
{
    SetEvent(impl_from_ISynchronize(iface)->event);
    return S_OK;
}

static HRESULT WINAPI unk_sync_Reset(ISynchronize *iface)
{
    ResetEvent(impl_from_ISynchronize(iface)->event);
    return S_OK;
}

static const ISynchronizeVtbl unk_sync_vtbl =
{
    unk_sync_QueryInterface,
    unk_sync_AddRef,
    unk_sync_Release,
    unk_sync_Wait,
    unk_sync_Signal,
    unk_sync_Reset,
};

static HRESULT WINAPI unk_handle_QueryInterface(ISynchronizeHandle *iface, REFIID riid, void **ppv)
{
    return IUnknown_QueryInterface(impl_from_ISynchronizeHandle(iface)->outer, riid, ppv);
}

static ULONG WINAPI unk_handle_AddRef(ISynchronizeHandle *iface)
{
    return IUnknown_AddRef(impl_from_ISynchronizeHandle(iface)->outer);
}

static ULONG WINAPI unk_handle_Release(ISynchronizeHandle *iface)
{
    return IUnknown_Release(impl_from_ISynchronizeHandle(iface)->outer);
}

static HRESULT WINAPI unk_handle_GetHandle(ISynchronizeHandle *iface, HANDLE *handle)
{
    if (!handle) return E_INVALIDARG;
    *handle = impl_from_ISynchronizeHandle(iface)->event;
    return S_OK;
}

static const ISynchronizeHandleVtbl unk_handle_vtbl =
{
    unk_handle_QueryInterface,
    unk_handle_AddRef,
    unk_handle_Release,
    unk_handle_GetHandle,
};

/* ---- ICancelMethodCalls ---- */

static HRESULT WINAPI unk_cancel_QueryInterface(ICancelMethodCalls *iface, REFIID riid, void **ppv)
{
    return IUnknown_QueryInterface(impl_from_ICancelMethodCalls(iface)->outer, riid, ppv);
}

static ULONG WINAPI unk_cancel_AddRef(ICancelMethodCalls *iface)
{
    return IUnknown_AddRef(impl_from_ICancelMethodCalls(iface)->outer);
}

static ULONG WINAPI unk_cancel_Release(ICancelMethodCalls *iface)
{
    return IUnknown_Release(impl_from_ICancelMethodCalls(iface)->outer);
}

static HRESULT WINAPI unk_cancel_Cancel(ICancelMethodCalls *iface, ULONG seconds)
{
    struct unk_call *call = impl_from_ICancelMethodCalls(iface);
    LONG generation;
    HRESULT hr;

    TRACE("%p, %lu\n", call, seconds);
    EnterCriticalSection(&call->cs);
    if (call->state != UNK_PENDING)
    {
        hr = call->state == UNK_COMPLETED && call->cancelled ? RPC_E_CALL_CANCELED : RPC_E_CALL_COMPLETE;
        LeaveCriticalSection(&call->cs);
        return hr;
    }
    generation = call->generation;
    LeaveCriticalSection(&call->cs);

    if (seconds)
        async_wait(call->event, 0, seconds == RPC_C_CANCEL_INFINITE_TIMEOUT || seconds >= MAXDWORD / 1000
                                   ? INFINITE : seconds * 1000);

    EnterCriticalSection(&call->cs);
    if (call->generation == generation && call->state == UNK_PENDING)
    {
        call->cancelled = TRUE;
        unk_complete(call, RPC_E_CALL_CANCELED, NULL);
        hr = S_OK;
    }
    else if (call->generation == generation && call->state == UNK_COMPLETED && call->cancelled)
        hr = RPC_E_CALL_CANCELED;
    else hr = RPC_E_CALL_COMPLETE;
    LeaveCriticalSection(&call->cs);
    return hr;
}

static HRESULT WINAPI unk_cancel_TestCancel(ICancelMethodCalls *iface)
{
    struct unk_call *call = impl_from_ICancelMethodCalls(iface);
    HRESULT hr;

    EnterCriticalSection(&call->cs);
    if (call->state == UNK_IDLE) hr = RPC_E_CALL_COMPLETE;
    else if (call->state == UNK_COMPLETED && call->cancelled) hr = RPC_E_CALL_CANCELED;
    else hr = RPC_S_CALLPENDING;
    LeaveCriticalSection(&call->cs);
    return hr;
}

static const ICancelMethodCallsVtbl unk_cancel_vtbl =
{
    unk_cancel_QueryInterface,
    unk_cancel_AddRef,
    unk_cancel_Release,
    unk_cancel_Cancel,
    unk_cancel_TestCancel,
};

HRESULT asyncunk_create(IUnknown *proxy, IUnknown *outer, REFIID riid, void **ppv)
{
    struct unk_call *call;
    HRESULT hr;

    TRACE("proxy %p, outer %p, %s\n", proxy, outer, debugstr_guid(riid));
    *ppv = NULL;
    if (!(call = calloc(1, sizeof(*call)))) return E_OUTOFMEMORY;
    call->IUnknown_inner.lpVtbl = &unk_inner_vtbl;
    call->AsyncIUnknown_iface.lpVtbl = &unk_async_vtbl;
    call->ISynchronize_iface.lpVtbl = &unk_sync_vtbl;
    call->ISynchronizeHandle_iface.lpVtbl = &unk_handle_vtbl;
    call->ICancelMethodCalls_iface.lpVtbl = &unk_cancel_vtbl;
    call->refcount = 1;
    call->internal = 1;
    call->outer = outer ? outer : &call->IUnknown_inner;
    InitializeCriticalSection(&call->cs);
    if (!(call->event = CreateEventW(NULL, TRUE, FALSE, NULL)) ||
        FAILED(hr = IUnknown_QueryInterface(proxy, &IID_IUnknown, (void **)&call->proxy)))
    {
        hr = call->event ? hr : HRESULT_FROM_WIN32(GetLastError());
        if (call->event) CloseHandle(call->event);
        DeleteCriticalSection(&call->cs);
        free(call);
        return hr;
    }
    if (FAILED(hr = async_target_get(call->proxy, &IID_IUnknown, &call->target)))
    {
        IUnknown_Release(call->proxy);
        CloseHandle(call->event);
        DeleteCriticalSection(&call->cs);
        free(call);
        return hr;
    }
    if (outer)
    {
        *ppv = &call->IUnknown_inner;
        return S_OK;
    }
    hr = IUnknown_QueryInterface(&call->IUnknown_inner, riid, ppv);
    IUnknown_Release(&call->IUnknown_inner);
    return hr;
}
