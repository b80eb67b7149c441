/*
 * olecancel: AsyncIMultiQI call objects (asynchronous QueryMultipleInterfaces
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
 * Begin_QueryMultipleInterfaces copies the count and the IIDs themselves
 * (the caller may free the array and the GUIDs its pIIDs point to once
 * Begin_ returns) and hands the IIDs that need the server to an MTA
 * worker.  The worker asks the MTA view of the proxy for them in one
 * QueryMultipleInterfaces (one round trip; a plain QueryInterface per IID
 * when the view is the object itself, which lives in the MTA) and marshals
 * each interface it got for the caller.  Finish_QueryMultipleInterfaces
 * writes pItf and hr of the first count entries of its own array — Finish_
 * has no count: it is Begin_'s — unmarshaling each answer in the caller's
 * apartment, where it joins the caller's proxy (same identity), and
 * returns what the synchronous QueryMultipleInterfaces returns: S_OK,
 * S_FALSE when only some entries succeeded, E_NOINTERFACE when none did.
 * pIID of Finish_'s entries is left as the caller set it.
 *
 * The interfaces the proxy manager implements itself are answered on the
 * caller's thread by the caller's proxy, without a call, as the
 * synchronous method does: IUnknown, IMultiQI, IMarshal, IClientSecurity
 * (Wine's proxy manager) and ICallFactory (ours, proxyhook.c).
 *
 * A cancelled call (callcore's Cancel) gives every entry pItf NULL and hr
 * RPC_E_CALL_CANCELED (inferred: the documentation says nothing about the
 * entries of a failed Finish_; the HRESULT of the call is the one thing it
 * has to say); the worker's late answer is released in the MTA, so no
 * reference is kept.
 */

#include "async_private.h"

#define MQI_METHOD 0

struct mqi_answer
{
    ULONG count;
    IID *iids;              /* the IIDs sent to the server */
    ULONG *index;           /* their entries in Begin_'s array */
    HRESULT *hrs;
    IStream **streams;      /* the interfaces, marshaled NORMAL for the caller */
};

struct mqi_call
{
    struct call_core core;  /* ISynchronize, ISynchronizeHandle, ICancelMethodCalls, state */
    AsyncIMultiQI AsyncIMultiQI_iface;
    IUnknown *proxy;        /* the caller's proxy (its identity) */
    struct async_target *target;

    /* protected by core.cs */
    ULONG count;            /* Begin_'s cMQIs */
    IID *iids;              /* Begin_'s IIDs, copied */
    struct mqi_answer *answer; /* completed: the worker's answer */
};

struct mqi_work
{
    struct mqi_call *call;
    struct async_target *target;
    LONG generation;
    struct mqi_answer *answer;
};

static inline struct mqi_call *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct mqi_call, core.IUnknown_inner);
}

static inline struct mqi_call *impl_from_AsyncIMultiQI(AsyncIMultiQI *iface)
{
    return CONTAINING_RECORD(iface, struct mqi_call, AsyncIMultiQI_iface);
}

/* answered by the proxy manager itself, never by the server */
static BOOL is_proxy_local(REFIID iid)
{
    return IsEqualIID(iid, &IID_IUnknown) || IsEqualIID(iid, &IID_IMultiQI) ||
           IsEqualIID(iid, &IID_IMarshal) || IsEqualIID(iid, &IID_IClientSecurity) ||
           IsEqualIID(iid, &IID_ICallFactory);
}

static struct mqi_answer *answer_alloc(ULONG count)
{
    struct mqi_answer *answer;
    char *p;

    if (!(p = calloc(1, sizeof(*answer) + count * (sizeof(IID) + sizeof(ULONG) + sizeof(HRESULT) + sizeof(IStream *)))))
        return NULL;
    answer = (struct mqi_answer *)p;
    p += sizeof(*answer);
    answer->iids = (IID *)p;
    p += count * sizeof(IID);
    answer->streams = (IStream **)p;
    p += count * sizeof(IStream *);
    answer->index = (ULONG *)p;
    p += count * sizeof(ULONG);
    answer->hrs = (HRESULT *)p;
    return answer;
}

/* an answer nobody will unmarshal: its references go back from the MTA */
static void answer_free(struct mqi_answer *answer)
{
    ULONG i;

    if (!answer) return;
    for (i = 0; i < answer->count; i++) callcore_drop_marshaled(answer->streams[i]);
    free(answer);
}

static void mqi_release_internal(struct mqi_call *call)
{
    if (InterlockedDecrement(&call->core.internal)) return;
    answer_free(call->answer);
    free(call->iids);
    callcore_cleanup(&call->core);
    free(call);
}

/* the answers of the view, one QueryInterface each: the object itself */
static void query_each(IUnknown *view, struct mqi_answer *answer, IUnknown **itfs)
{
    ULONG i;

    for (i = 0; i < answer->count; i++)
        answer->hrs[i] = IUnknown_QueryInterface(view, &answer->iids[i], (void **)&itfs[i]);
}

/* the answers of the view in one QueryMultipleInterfaces: a proxy */
static void query_multiple(IMultiQI *view, struct mqi_answer *answer, IUnknown **itfs)
{
    MULTI_QI *mqis;
    ULONG i;

    if (!(mqis = calloc(answer->count, sizeof(*mqis))))
    {
        for (i = 0; i < answer->count; i++) answer->hrs[i] = E_OUTOFMEMORY;
        return;
    }
    for (i = 0; i < answer->count; i++) mqis[i].pIID = &answer->iids[i];
    IMultiQI_QueryMultipleInterfaces(view, answer->count, mqis);
    for (i = 0; i < answer->count; i++)
    {
        itfs[i] = mqis[i].pItf;
        answer->hrs[i] = mqis[i].hr;
    }
    free(mqis);
}

/* on the worker: asks the MTA view and marshals what it got */
static void mqi_query(struct mqi_work *work)
{
    struct mqi_answer *answer = work->answer;
    IUnknown *mta, **itfs;
    IMultiQI *multi;
    ULONG i;
    HRESULT hr;

    if (!(itfs = calloc(answer->count, sizeof(*itfs)))) hr = E_OUTOFMEMORY;
    else hr = async_target_iface(work->target, &mta);
    if (FAILED(hr))
    {
        /* what a synchronous QueryMultipleInterfaces whose remote query fails
         * reports for each of its entries */
        TRACE("call %p: no MTA view: %#lx\n", work->call, hr);
        for (i = 0; i < answer->count; i++) answer->hrs[i] = E_NOINTERFACE;
        free(itfs);
        return;
    }
    TRACE("call %p: QueryMultipleInterfaces, %lu interfaces\n", work->call, answer->count);
    if (SUCCEEDED(IUnknown_QueryInterface(mta, &IID_IMultiQI, (void **)&multi)))
    {
        query_multiple(multi, answer, itfs);
        IMultiQI_Release(multi);
    }
    else query_each(mta, answer, itfs);
    IUnknown_Release(mta);

    for (i = 0; i < answer->count; i++)
    {
        if (!itfs[i]) continue;
        if (SUCCEEDED(answer->hrs[i]) &&
            SUCCEEDED(answer->hrs[i] = CreateStreamOnHGlobal(NULL, TRUE, &answer->streams[i])))
        {
            answer->hrs[i] = combase_marshal_interface(answer->streams[i], &answer->iids[i], itfs[i],
                                                MSHCTX_INPROC, NULL, MSHLFLAGS_NORMAL);
            if (FAILED(answer->hrs[i]))
            {
                IStream_Release(answer->streams[i]);
                answer->streams[i] = NULL;
            }
        }
        IUnknown_Release(itfs[i]);
    }
    free(itfs);
}

static void mqi_work_proc(void *arg)
{
    struct mqi_work *work = arg;
    struct mqi_call *call = work->call;
    BOOL run;

    EnterCriticalSection(&call->core.cs);
    run = callcore_is_current(&call->core, work->generation);
    LeaveCriticalSection(&call->core.cs);

    if (run) mqi_query(work);

    EnterCriticalSection(&call->core.cs);
    if (run && callcore_is_current(&call->core, work->generation))
    {
        call->answer = work->answer;
        work->answer = NULL;
        callcore_complete(&call->core, S_OK);
    }
    callcore_leave(&call->core);
    answer_free(work->answer);

    async_target_release(work->target);
    mqi_release_internal(call);
    free(work);
}

/* ---- IUnknown (inner) ---- */

static HRESULT WINAPI mqi_inner_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    struct mqi_call *call = impl_from_IUnknown(iface);

    TRACE("%p, %s\n", call, debugstr_guid(riid));
    if (IsEqualIID(riid, &IID_AsyncIMultiQI)) *ppv = &call->AsyncIMultiQI_iface;
    else if (!(*ppv = callcore_query_interface(&call->core, riid)))
    {
        WARN("%s not supported\n", debugstr_guid(riid));
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI mqi_inner_Release(IUnknown *iface)
{
    struct mqi_call *call = impl_from_IUnknown(iface);
    ULONG ref = InterlockedDecrement(&call->core.refcount);

    TRACE("%p, refcount %lu\n", call, ref);
    if (!ref)
    {
        callcore_set_released(&call->core);
        callcore_detach(call->proxy, call->target);
        mqi_release_internal(call);
    }
    return ref;
}

static const IUnknownVtbl mqi_inner_vtbl =
{
    mqi_inner_QueryInterface,
    callcore_inner_AddRef,
    mqi_inner_Release,
};

/* ---- AsyncIMultiQI ---- */

static HRESULT WINAPI mqi_async_QueryInterface(AsyncIMultiQI *iface, REFIID riid, void **ppv)
{
    return IUnknown_QueryInterface(impl_from_AsyncIMultiQI(iface)->core.outer, riid, ppv);
}

static ULONG WINAPI mqi_async_AddRef(AsyncIMultiQI *iface)
{
    return IUnknown_AddRef(impl_from_AsyncIMultiQI(iface)->core.outer);
}

static ULONG WINAPI mqi_async_Release(AsyncIMultiQI *iface)
{
    return IUnknown_Release(impl_from_AsyncIMultiQI(iface)->core.outer);
}

/* Begin_ with no entries or no array is refused with E_INVALIDARG
 * (inferred: there is nothing to ask and Finish_ would have nothing to
 * write; CoCreateInstanceEx answers an empty MULTI_QI array so), as is an
 * entry without an IID. */
static HRESULT WINAPI mqi_async_Begin_QueryMultipleInterfaces(AsyncIMultiQI *iface, ULONG count, MULTI_QI *mqis)
{
    struct mqi_call *call = impl_from_AsyncIMultiQI(iface);
    struct mqi_work *work;
    struct mqi_answer *answer;
    IID *iids;
    ULONG i;
    HRESULT hr;

    TRACE("%p, %lu, %p\n", call, count, mqis);
    if (!count || !mqis) return E_INVALIDARG;
    for (i = 0; i < count; i++) if (!mqis[i].pIID) return E_INVALIDARG;

    work = calloc(1, sizeof(*work));
    answer = answer_alloc(count);
    iids = malloc(count * sizeof(*iids));
    if (!work || !answer || !iids)
    {
        free(work);
        free(answer);
        free(iids);
        return E_OUTOFMEMORY;
    }
    for (i = 0; i < count; i++)
    {
        iids[i] = *mqis[i].pIID;
        TRACE("    %s\n", debugstr_guid(&iids[i]));
        if (is_proxy_local(&iids[i])) continue;
        answer->index[answer->count] = i;
        answer->iids[answer->count++] = iids[i];
    }
    if (FAILED(hr = callcore_begin(&call->core, MQI_METHOD, &work->generation)))
    {
        free(work);
        free(answer);
        free(iids);
        return hr;
    }

    EnterCriticalSection(&call->core.cs);
    free(call->iids);
    call->iids = iids;
    call->count = count;
    if (!answer->count)
    {
        /* nothing for the server: complete at once */
        call->answer = answer;
        callcore_complete(&call->core, S_OK);
        callcore_leave(&call->core);
        free(work);
        return S_OK;
    }
    LeaveCriticalSection(&call->core.cs);

    work->call = call;
    work->target = call->target;
    work->answer = answer;
    async_target_addref(work->target);
    InterlockedIncrement(&call->core.internal);
    if (FAILED(hr = asyncpool_submit(mqi_work_proc, work)))
    {
        EnterCriticalSection(&call->core.cs);
        callcore_complete(&call->core, hr);
        call->core.generation++;
        callcore_leave(&call->core);
        mqi_work_proc(work);
    }
    return S_OK;
}

/* one entry of a completed call, in the caller's apartment */
static HRESULT finish_entry(struct mqi_call *call, struct mqi_answer *answer, ULONG i, ULONG *next, IUnknown **itf)
{
    LARGE_INTEGER zero = {{0}};
    IStream *stream;
    HRESULT hr;

    *itf = NULL;
    if (is_proxy_local(&call->iids[i])) return IUnknown_QueryInterface(call->proxy, &call->iids[i], (void **)itf);
    if (!answer || *next >= answer->count || answer->index[*next] != i) return E_UNEXPECTED;
    hr = answer->hrs[*next];
    stream = answer->streams[*next];
    answer->streams[*next] = NULL;
    (*next)++;
    if (FAILED(hr) || !stream) return FAILED(hr) ? hr : E_NOINTERFACE;
    IStream_Seek(stream, zero, STREAM_SEEK_SET, NULL);
    if (FAILED(hr = combase_unmarshal_interface(stream, &call->iids[i], (void **)itf)))
    {
        WARN("unmarshaling %s failed: %#lx\n", debugstr_guid(&call->iids[i]), hr);
        *itf = NULL;
    }
    IStream_Release(stream);
    return hr;
}

/* Finish_ without an array answers E_POINTER and leaves the call to a
 * later Finish_, as AsyncIUnknown's Finish_QueryInterface does. */
static HRESULT WINAPI mqi_async_Finish_QueryMultipleInterfaces(AsyncIMultiQI *iface, MULTI_QI *mqis)
{
    struct mqi_call *call = impl_from_AsyncIMultiQI(iface);
    struct mqi_answer *answer;
    ULONG i, count, next = 0, got = 0;
    HRESULT hr;

    TRACE("%p, %p\n", call, mqis);
    if (!mqis) return E_POINTER;
    if (FAILED(hr = callcore_finish_wait(&call->core, MQI_METHOD))) return hr;
    hr = call->core.result;
    answer = call->answer;
    call->answer = NULL;
    count = call->count;
    callcore_finished(&call->core);
    LeaveCriticalSection(&call->core.cs);

    for (i = 0; i < count; i++)
    {
        /* a failed call (cancelled, or failed by the controlling unknown's
         * Signal) reports its HRESULT in every entry and drops the answer */
        if (FAILED(hr)) mqis[i].pItf = NULL, mqis[i].hr = hr;
        else if (SUCCEEDED(mqis[i].hr = finish_entry(call, answer, i, &next, &mqis[i].pItf))) got++;
    }
    answer_free(answer);
    if (FAILED(hr)) return hr;
    TRACE("%p: %lu of %lu\n", call, got, count);
    if (got == count) return S_OK;
    return got ? S_FALSE : E_NOINTERFACE;
}

static const AsyncIMultiQIVtbl mqi_async_vtbl =
{
    mqi_async_QueryInterface,
    mqi_async_AddRef,
    mqi_async_Release,
    mqi_async_Begin_QueryMultipleInterfaces,
    mqi_async_Finish_QueryMultipleInterfaces,
};

HRESULT asyncmqi_create(IUnknown *proxy, IUnknown *outer, REFIID riid, void **ppv)
{
    struct mqi_call *call;
    HRESULT hr;

    TRACE("proxy %p, outer %p, %s\n", proxy, outer, debugstr_guid(riid));
    *ppv = NULL;
    if (!(call = calloc(1, sizeof(*call)))) return E_OUTOFMEMORY;
    if (FAILED(hr = callcore_init(&call->core, &mqi_inner_vtbl, &callcore_cancel_vtbl, outer)))
    {
        free(call);
        return hr;
    }
    call->AsyncIMultiQI_iface.lpVtbl = &mqi_async_vtbl;
    if (FAILED(hr = callcore_attach(proxy, &call->proxy, &call->target)))
    {
        callcore_cleanup(&call->core);
        free(call);
        return hr;
    }
    return callcore_hand_out(&call->core, riid, ppv);
}
