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

enum unk_method { UNK_QI, UNK_ADDREF, UNK_RELEASE };

struct unk_call
{
    struct call_core core;  /* ISynchronize, ISynchronizeHandle, ICancelMethodCalls, state */
    AsyncIUnknown AsyncIUnknown_iface;
    IUnknown *proxy;        /* the caller's proxy (its identity) */
    struct async_target *target;

    /* protected by core.cs; the method is core.method */
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
    return CONTAINING_RECORD(iface, struct unk_call, core.IUnknown_inner);
}

static inline struct unk_call *impl_from_AsyncIUnknown(AsyncIUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct unk_call, AsyncIUnknown_iface);
}

static void unk_release_internal(struct unk_call *call)
{
    if (InterlockedDecrement(&call->core.internal)) return;
    callcore_drop_marshaled(call->marshaled);
    callcore_cleanup(&call->core);
    free(call);
}

/* with cs held; leave it with callcore_leave */
static void unk_complete(struct unk_call *call, HRESULT result, IStream *marshaled)
{
    call->marshaled = marshaled;
    callcore_complete(&call->core, result);
}

static void unk_work_proc(void *arg)
{
    struct unk_work *work = arg;
    struct unk_call *call = work->call;
    IStream *stream = NULL;
    IUnknown *mta, *obj;
    BOOL run;
    HRESULT hr;

    EnterCriticalSection(&call->core.cs);
    run = callcore_is_current(&call->core, work->generation);
    LeaveCriticalSection(&call->core.cs);

    if (run && SUCCEEDED(hr = async_target_iface(work->target, &mta)))
    {
        TRACE("call %p: QueryInterface(%s)\n", call, debugstr_guid(&work->iid));
        if (SUCCEEDED(hr = IUnknown_QueryInterface(mta, &work->iid, (void **)&obj)))
        {
            if (SUCCEEDED(hr = CreateStreamOnHGlobal(NULL, TRUE, &stream)))
            {
                hr = combase_marshal_interface(stream, &work->iid, obj, MSHCTX_INPROC, NULL, MSHLFLAGS_NORMAL);
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

    EnterCriticalSection(&call->core.cs);
    if (run && callcore_is_current(&call->core, work->generation))
    {
        unk_complete(call, hr, stream);
        stream = NULL;
    }
    callcore_leave(&call->core);
    callcore_drop_marshaled(stream);

    async_target_release(work->target);
    unk_release_internal(call);
    free(work);
}

/* ---- IUnknown (inner) ---- */

static HRESULT WINAPI unk_inner_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    struct unk_call *call = impl_from_IUnknown(iface);

    TRACE("%p, %s\n", call, debugstr_guid(riid));
    if (IsEqualIID(riid, &IID_AsyncIUnknown)) *ppv = &call->AsyncIUnknown_iface;
    else if (!(*ppv = callcore_query_interface(&call->core, riid)))
    {
        TRACE("%s not supported\n", debugstr_guid(riid));
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI unk_inner_Release(IUnknown *iface)
{
    struct unk_call *call = impl_from_IUnknown(iface);
    ULONG ref = InterlockedDecrement(&call->core.refcount);

    TRACE("%p, refcount %lu\n", call, ref);
    if (!ref)
    {
        callcore_set_released(&call->core);
        callcore_detach(call->proxy, call->target);
        unk_release_internal(call);
    }
    return ref;
}

static const IUnknownVtbl unk_inner_vtbl =
{
    unk_inner_QueryInterface,
    callcore_inner_AddRef,
    unk_inner_Release,
};

/* ---- AsyncIUnknown ---- */

static HRESULT WINAPI unk_async_QueryInterface(AsyncIUnknown *iface, REFIID riid, void **ppv)
{
    struct unk_call *call = impl_from_AsyncIUnknown(iface);
    return IUnknown_QueryInterface(call->core.outer, riid, ppv);
}

static ULONG WINAPI unk_async_AddRef(AsyncIUnknown *iface)
{
    struct unk_call *call = impl_from_AsyncIUnknown(iface);
    return IUnknown_AddRef(call->core.outer);
}

static ULONG WINAPI unk_async_Release(AsyncIUnknown *iface)
{
    struct unk_call *call = impl_from_AsyncIUnknown(iface);
    return IUnknown_Release(call->core.outer);
}

/* waits for completion; on success the call is idle again and *marshaled
 * (if asked for) holds the answer */
static HRESULT unk_finish(struct unk_call *call, enum unk_method method, IStream **marshaled, ULONG *count)
{
    HRESULT hr;

    if (FAILED(hr = callcore_finish_wait(&call->core, method))) return hr;
    hr = call->core.result;
    /* a call failed by the controlling unknown's Signal still carries its answer */
    if (marshaled && SUCCEEDED(hr)) *marshaled = call->marshaled;
    else callcore_drop_marshaled(call->marshaled);
    call->marshaled = NULL;
    if (count) *count = call->count;
    callcore_finished(&call->core);
    LeaveCriticalSection(&call->core.cs);
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
    if (FAILED(hr = callcore_begin(&call->core, UNK_QI, &work->generation)))
    {
        free(work);
        return hr;
    }
    work->call = call;
    work->target = call->target;
    async_target_addref(work->target);
    work->iid = *riid;
    InterlockedIncrement(&call->core.internal);
    EnterCriticalSection(&call->core.cs);
    call->iid = *riid;
    LeaveCriticalSection(&call->core.cs);
    if (FAILED(hr = asyncpool_submit(unk_work_proc, work)))
    {
        EnterCriticalSection(&call->core.cs);
        unk_complete(call, hr, NULL);
        call->core.generation++;
        callcore_leave(&call->core);
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
        hr = combase_unmarshal_interface(stream, &call->iid, ppv);
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

    if (FAILED(hr = callcore_begin(&call->core, method, NULL))) return hr;
    EnterCriticalSection(&call->core.cs);
    /* the caller's reference; never the last one, the call object holds
     * its own */
    if (method == UNK_ADDREF) call->count = IUnknown_AddRef(call->proxy);
    else call->count = IUnknown_Release(call->proxy);
    unk_complete(call, S_OK, NULL);
    callcore_leave(&call->core);
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

HRESULT asyncunk_create(IUnknown *proxy, IUnknown *outer, REFIID riid, void **ppv)
{
    struct unk_call *call;
    HRESULT hr;

    TRACE("proxy %p, outer %p, %s\n", proxy, outer, debugstr_guid(riid));
    *ppv = NULL;
    if (!(call = calloc(1, sizeof(*call)))) return E_OUTOFMEMORY;
    if (FAILED(hr = callcore_init(&call->core, &unk_inner_vtbl, &callcore_cancel_vtbl, outer)))
    {
        free(call);
        return hr;
    }
    call->AsyncIUnknown_iface.lpVtbl = &unk_async_vtbl;
    if (FAILED(hr = callcore_attach(proxy, &call->proxy, &call->target)))
    {
        callcore_cleanup(&call->core);
        free(call);
        return hr;
    }
    return callcore_hand_out(&call->core, riid, ppv);
}
