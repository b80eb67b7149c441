/*
 * olecancel: call objects for asynchronous calls over standard marshaling
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
 * The "loopback" design.  A call object owns a proxy for AsyncIFoo built by
 * the interface's own proxy/stub factory and connected to the call object's
 * IRpcChannelBuffer.  Wine's stubless interpreter runs Begin_X as an
 * ordinary call on that channel: the request it marshals is exactly the
 * [in] part of the synchronous X request, which the channel keeps, answering
 * with a four-byte S_OK reply.  A pool worker in the MTA then replays the
 * request through an IRpcStubBuffer for IFoo over an MTA proxy of the same
 * object: the stub unmarshals the [in] values, makes the real (synchronous)
 * call and marshals the reply into a buffer of ours.  Finish_X is again an
 * ordinary call on the channel, whose SendReceive hands back that reply, so
 * the interpreter unmarshals the [out] values and the HRESULT.
 *
 * This file is the call object and its loopback channel (the one
 * interface through which the proxy drives it, so both live on the same
 * state).  Below it: the worker's replay of the request (callworker.c),
 * the channel the stub replies into (replychannel.c), the MTA view of the
 * caller's proxy (asynctarget.c), IClientSecurity (callsecurity.c), what
 * every call object shares (callcore.c) and the cancel scope the real
 * call is cancelled through (cancelscope.c).
 *
 * States: idle -> (GetBuffer of Begin_) beginning -> (SendReceive) pending ->
 * (worker or Cancel) completed -> (Finish_'s SendReceive) idle.
 */

#include "async_private.h"
#include "cancel_scope.h"
#include "drop_reply.h"

/* ---- the call object ----------------------------------------------------- */

struct call_object
{
    struct call_core core;  /* ISynchronize, ISynchronizeHandle, ICancelMethodCalls, state */
    struct call_security security; /* IClientSecurity */
    IRpcChannelBuffer IRpcChannelBuffer_iface;  /* what the AsyncIFoo proxy talks to */
    IID async_iid;
    IID sync_iid;
    IPSFactoryBuffer *factory;
    IRpcProxyBuffer *proxy_buffer;
    IUnknown *async_iface;  /* AsyncIFoo, no reference held */
    IUnknown *caller_iface; /* the caller's proxy (IFoo) */
    struct async_target *target;

    /* protected by core.cs */
    struct cancel_scope *scope;    /* the cancel scope of the latest generation's worker (a reference) */
    LONG abandoned_generation;     /* a Cancel in progress gave up on this generation's real call */
    void *reply;            /* core.result is what Finish_ returns when there is none */
    ULONG reply_len;
};

struct call_work
{
    struct call_request req;    /* what the worker replays */
    struct call_object *call;   /* internal reference */
    LONG generation;
};

static inline struct call_object *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct call_object, core.IUnknown_inner);
}

static inline struct call_object *impl_from_ICancelMethodCalls(ICancelMethodCalls *iface)
{
    return CONTAINING_RECORD(iface, struct call_object, core.ICancelMethodCalls_iface);
}

static inline struct call_object *impl_from_IRpcChannelBuffer(IRpcChannelBuffer *iface)
{
    return CONTAINING_RECORD(iface, struct call_object, IRpcChannelBuffer_iface);
}

/* a reply the AsyncIFoo proxy will never unmarshal: the [out] interfaces
 * in it give their references back (drop_reply.h) */
static void discard_reply(void *reply, ULONG reply_len)
{
    if (!reply) return;
    drop_reply(reply, reply_len);
    free(reply);
}

static void call_release_internal(struct call_object *call)
{
    if (InterlockedDecrement(&call->core.internal)) return;
    TRACE("freeing %p\n", call);
    if (call->scope) cancel_scope_release(call->scope);
    /* completed, never finished */
    discard_reply(call->reply, call->reply_len);
    callcore_cleanup(&call->core);
    free(call);
}

/* with cs held; leave it with callcore_leave (see callcore_complete) */
static void call_complete(struct call_object *call, HRESULT result, void *reply, ULONG reply_len)
{
    call->reply = reply;
    call->reply_len = reply_len;
    callcore_complete(&call->core, result);
}

static void call_work_proc(void *arg)
{
    struct call_work *work = arg;
    struct call_object *call = work->call;
    void *reply = NULL;
    ULONG reply_len = 0;
    BOOL run, abandoned;
    HRESULT hr;

    EnterCriticalSection(&call->core.cs);
    /* a released call object still runs: fire and forget */
    run = call->core.generation == work->generation && call->core.state == ASYNC_PENDING;
    LeaveCriticalSection(&call->core.cs);

    TRACE("call %p, opnum %lu, %s\n", call, work->req.opnum, run ? "executing" : "cancelled before it ran");
    if (run) hr = call_request_execute(&work->req, &reply, &reply_len);
    else hr = call_request_drain(&work->req);
    abandoned = run && cancel_scope_abandoned(work->req.scope);

    EnterCriticalSection(&call->core.cs);
    if (run && callcore_is_current(&call->core, work->generation))
    {
        /* The real call was given up on by a Cancel of this call object
         * that has not returned yet (it completes a still-pending call
         * before it returns): the result is that Cancel's, not a reply,
         * and the Cancel must say S_OK, not RPC_E_CALL_COMPLETE, when it
         * finds the call completed. */
        if (abandoned)
        {
            TRACE("call %p: real call abandoned by Cancel (%#lx)\n", call, hr);
            call->core.cancelled = TRUE;
            call->abandoned_generation = work->generation;
            call_complete(call, RPC_E_CALL_CANCELED, NULL, 0);
        }
        else
        {
            call_complete(call, hr, reply, reply_len);
            reply = NULL;
        }
    }
    callcore_leave(&call->core);

    if (reply)
    {
        /* late (cancelled) or unwanted (released) reply */
        TRACE("call %p: reply of %lu bytes discarded\n", call, reply_len);
        discard_reply(reply, reply_len);
    }
    call_request_cleanup(&work->req);
    call_release_internal(call);
    free(work);
}

/* ---- IUnknown (inner) ---- */

static HRESULT WINAPI callobj_inner_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    struct call_object *call = impl_from_IUnknown(iface);

    TRACE("%p, %s\n", call, debugstr_guid(riid));
    if (IsEqualIID(riid, &IID_IUnknown)) *ppv = &call->core.IUnknown_inner;
    else if (IsEqualIID(riid, &call->async_iid)) *ppv = call->async_iface;
    else if (IsEqualIID(riid, &IID_IClientSecurity)) *ppv = &call->security.IClientSecurity_iface;
    else if (!(*ppv = callcore_query_interface(&call->core, riid)))
    {
        TRACE("%s not supported\n", debugstr_guid(riid));
        return E_NOINTERFACE;
    }
    IUnknown_AddRef((IUnknown *)*ppv);
    return S_OK;
}

static ULONG WINAPI callobj_inner_Release(IUnknown *iface)
{
    struct call_object *call = impl_from_IUnknown(iface);
    ULONG ref = InterlockedDecrement(&call->core.refcount);

    TRACE("%p, refcount %lu\n", call, ref);
    if (!ref)
    {
        callcore_set_released(&call->core);

        /* the proxy's AddRef/Release go to the outer: keep it from
         * re-entering this object while it goes */
        call->core.refcount = 1;
        IRpcProxyBuffer_Disconnect(call->proxy_buffer);
        IRpcProxyBuffer_Release(call->proxy_buffer);
        /* unlist the target while the proxy (its key) is still alive */
        async_target_put(call->target);
        IUnknown_Release(call->caller_iface);
        IPSFactoryBuffer_Release(call->factory);
        call->core.refcount = 0;
        call_release_internal(call);
    }
    return ref;
}

static const IUnknownVtbl callobj_inner_vtbl =
{
    callobj_inner_QueryInterface,
    callcore_inner_AddRef,
    callobj_inner_Release,
};

/* ---- ICancelMethodCalls: also cancels the real call a worker makes ---- */

static HRESULT WINAPI callobj_cancel_Cancel(ICancelMethodCalls *iface, ULONG seconds)
{
    struct call_object *call = impl_from_ICancelMethodCalls(iface);
    struct cancel_scope *scope;
    LONG generation;
    HRESULT hr;

    TRACE("%p, %lu\n", call, seconds);

    EnterCriticalSection(&call->core.cs);
    if ((hr = callcore_cancel_check(&call->core)) != S_OK)
    {
        LeaveCriticalSection(&call->core.cs);
        return hr;
    }
    generation = call->core.generation;
    /* pending: the scope is this generation's */
    scope = call->scope;
    cancel_scope_addref(scope);
    if (!seconds)
    {
        /* No time: the call is completed as cancelled before the server is
         * told.  Told first, a server that returns at once could have its
         * reply complete the call in between, and this Cancel would find
         * it completed (RPC_E_CALL_COMPLETE); now that reply is a late one. */
        hr = callcore_cancel_finish(&call->core, generation);
        callcore_leave(&call->core);
        cancel_scope_cancel(scope, 0);
        cancel_scope_release(scope);
        TRACE("%p: %#lx\n", call, hr);
        return hr;
    }
    LeaveCriticalSection(&call->core.cs);

    /* tell the server through the synchronous cancel path (or, if the
     * worker's real call has not started yet, as soon as it starts) */
    cancel_scope_cancel(scope, seconds);
    cancel_scope_release(scope);

    callcore_cancel_wait(&call->core, seconds);

    EnterCriticalSection(&call->core.cs);
    if (call->core.generation == generation && call->core.state == ASYNC_COMPLETED
        && call->abandoned_generation == generation)
    {
        /* the worker completed it because this cancel abandoned the real
         * call (a concurrent Cancel gets RPC_E_CALL_CANCELED) */
        call->abandoned_generation = 0;
        hr = S_OK;
    }
    else hr = callcore_cancel_finish(&call->core, generation);
    callcore_leave(&call->core);
    TRACE("%p: %#lx\n", call, hr);
    return hr;
}

static const ICancelMethodCallsVtbl callobj_cancel_vtbl =
{
    callcore_cancel_QueryInterface,
    callcore_cancel_AddRef,
    callcore_cancel_Release,
    callobj_cancel_Cancel,
    callcore_cancel_TestCancel,
};

/* ---- IRpcChannelBuffer: the loopback the AsyncIFoo proxy calls through ---- */

static inline BOOL is_begin(ULONG method)
{
    return !(((method & ~0x8000) - 3) & 1);
}

static inline ULONG sync_opnum(ULONG method)
{
    return 3 + ((method & ~0x8000) - 3) / 2;
}

static HRESULT WINAPI callobj_channel_GetBuffer(IRpcChannelBuffer *iface, RPCOLEMESSAGE *msg, REFIID riid)
{
    struct call_object *call = impl_from_IRpcChannelBuffer(iface);
    HRESULT hr = S_OK;

    TRACE("%p, method %#lx, %lu bytes\n", call, msg->iMethod, msg->cbBuffer);

    if ((msg->iMethod & ~0x8000) < 3) return E_UNEXPECTED;

    if (!is_begin(msg->iMethod))
    {
        EnterCriticalSection(&call->core.cs);
        if (call->core.state != ASYNC_PENDING && call->core.state != ASYNC_COMPLETED) hr = RPC_E_CALL_COMPLETE;
        LeaveCriticalSection(&call->core.cs);
        if (FAILED(hr)) return hr;
    }
    else
    {
        EnterCriticalSection(&call->core.cs);
        if (call->core.state != ASYNC_IDLE) hr = RPC_S_CALLPENDING;
        else call->core.state = ASYNC_BEGINNING;
        LeaveCriticalSection(&call->core.cs);
        if (FAILED(hr)) return hr;

        if (FAILED(hr = callcore_begin_notify(&call->core))) return hr;
    }

    if (!(msg->Buffer = HeapAlloc(GetProcessHeap(), 0, msg->cbBuffer ? msg->cbBuffer : 1)))
    {
        if (is_begin(msg->iMethod))
        {
            EnterCriticalSection(&call->core.cs);
            call->core.state = ASYNC_IDLE;
            LeaveCriticalSection(&call->core.cs);
        }
        return E_OUTOFMEMORY;
    }
    return S_OK;
}

static HRESULT begin_send(struct call_object *call, RPCOLEMESSAGE *msg)
{
    struct cancel_scope *replaced;
    struct call_work *work;
    void *ack = NULL;
    HRESULT hr;

    if (!(work = calloc(1, sizeof(*work))) || !(ack = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, 8))
            || !(work->req.scope = cancel_scope_create()))
    {
        HeapFree(GetProcessHeap(), 0, ack);
        free(work);
        return E_OUTOFMEMORY;
    }
    work->call = call;
    work->req.target = call->target;
    work->req.factory = call->factory;
    work->req.sync_iid = call->sync_iid;
    work->req.opnum = sync_opnum(msg->iMethod);
    work->req.request = msg->Buffer;
    work->req.request_len = msg->cbBuffer;
    async_target_addref(call->target);
    IPSFactoryBuffer_AddRef(call->factory);
    InterlockedIncrement(&call->core.internal);

    EnterCriticalSection(&call->core.cs);
    work->generation = ++call->core.generation;
    /* set with the generation: a Cancel of the pending call finds its scope */
    replaced = call->scope;
    call->scope = work->req.scope;
    cancel_scope_addref(work->req.scope);
    call->core.state = ASYNC_PENDING;
    call->core.cancelled = FALSE;
    call->core.result = S_OK;
    LeaveCriticalSection(&call->core.cs);
    if (replaced) cancel_scope_release(replaced);

    /* Begin_'s own reply: just its S_OK */
    msg->Buffer = ack;
    msg->cbBuffer = 4;
    msg->dataRepresentation = NDR_LOCAL_DATA_REPRESENTATION;

    TRACE("%p: queued opnum %lu, %lu bytes, generation %ld\n", call, work->req.opnum, work->req.request_len, work->generation);
    if (FAILED(hr = asyncpool_submit(call_work_proc, work)))
    {
        /* nothing will run it: complete it as failed right away */
        EnterCriticalSection(&call->core.cs);
        call_complete(call, hr, NULL, 0);
        call->core.generation++;
        callcore_leave(&call->core);
        call_work_proc(work);
    }
    return S_OK;
}

static HRESULT finish_receive(struct call_object *call, RPCOLEMESSAGE *msg)
{
    HRESULT hr;
    void *reply;

    /* Finish_ before completion blocks until the call completes */
    if (FAILED(hr = com_wait(call->core.sync.event, 0, INFINITE))) return hr;

    EnterCriticalSection(&call->core.cs);
    if (call->core.state != ASYNC_COMPLETED)
    {
        /* another thread finished it first */
        LeaveCriticalSection(&call->core.cs);
        return RPC_E_CALL_COMPLETE;
    }
    hr = call->core.result;
    reply = call->reply;
    if (SUCCEEDED(hr) && reply)
    {
        HeapFree(GetProcessHeap(), 0, msg->Buffer);
        if ((msg->Buffer = HeapAlloc(GetProcessHeap(), 0, call->reply_len ? call->reply_len : 1)))
        {
            memcpy(msg->Buffer, reply, call->reply_len);
            msg->cbBuffer = call->reply_len;
            msg->dataRepresentation = NDR_LOCAL_DATA_REPRESENTATION;
        }
        else hr = E_OUTOFMEMORY;
    }
    else if (SUCCEEDED(hr)) hr = RPC_E_INVALID_DATAPACKET;
    /* copied for the proxy to unmarshal, or dropped with the failure */
    if (SUCCEEDED(hr)) free(reply);
    else discard_reply(reply, call->reply_len);
    call->reply = NULL;
    callcore_finished(&call->core);
    LeaveCriticalSection(&call->core.cs);
    TRACE("%p: %#lx\n", call, hr);
    return hr;
}

static HRESULT WINAPI callobj_channel_SendReceive(IRpcChannelBuffer *iface, RPCOLEMESSAGE *msg, ULONG *status)
{
    struct call_object *call = impl_from_IRpcChannelBuffer(iface);
    HRESULT hr;

    TRACE("%p, method %#lx, %lu bytes\n", call, msg->iMethod, msg->cbBuffer);
    if (is_begin(msg->iMethod)) hr = begin_send(call, msg);
    else hr = finish_receive(call, msg);
    if (status) *status = SUCCEEDED(hr) ? 0 : hr;
    if (FAILED(hr))
    {
        /* the interpreter raises without freeing: nothing is left to free */
        HeapFree(GetProcessHeap(), 0, msg->Buffer);
        msg->Buffer = NULL;
    }
    return hr;
}

static HRESULT WINAPI callobj_channel_FreeBuffer(IRpcChannelBuffer *iface, RPCOLEMESSAGE *msg)
{
    struct call_object *call = impl_from_IRpcChannelBuffer(iface);

    TRACE("%p, method %#lx, buffer %p\n", call, msg->iMethod, msg->Buffer);
    if (is_begin(msg->iMethod))
    {
        /* Begin_ failed before its request was sent */
        EnterCriticalSection(&call->core.cs);
        if (call->core.state == ASYNC_BEGINNING) call->core.state = ASYNC_IDLE;
        LeaveCriticalSection(&call->core.cs);
    }
    HeapFree(GetProcessHeap(), 0, msg->Buffer);
    msg->Buffer = NULL;
    return S_OK;
}

static const IRpcChannelBufferVtbl callobj_channel_vtbl =
{
    reply_channel_QueryInterface,
    reply_channel_AddRef,
    reply_channel_Release,
    callobj_channel_GetBuffer,
    callobj_channel_SendReceive,
    callobj_channel_FreeBuffer,
    reply_channel_GetDestCtx,
    reply_channel_IsConnected,
};

HRESULT callobj_create(IUnknown *proxy, REFIID async_iid, REFIID sync_iid,
                       IPSFactoryBuffer *factory, IUnknown *outer, REFIID riid, void **ppv)
{
    struct call_object *call;
    HRESULT hr;

    TRACE("proxy %p, %s, %s, outer %p, %s\n", proxy, debugstr_guid(async_iid), debugstr_guid(sync_iid),
          outer, debugstr_guid(riid));
    *ppv = NULL;

    if (!(call = calloc(1, sizeof(*call)))) return E_OUTOFMEMORY;
    if (FAILED(hr = callcore_init(&call->core, &callobj_inner_vtbl, &callobj_cancel_vtbl, outer)))
    {
        free(call);
        return hr;
    }
    call_security_init(&call->security, call->core.outer, proxy);
    call->IRpcChannelBuffer_iface.lpVtbl = &callobj_channel_vtbl;
    call->async_iid = *async_iid;
    call->sync_iid = *sync_iid;
    call->factory = factory;
    IPSFactoryBuffer_AddRef(factory);
    call->caller_iface = proxy;
    IUnknown_AddRef(proxy);

    if (SUCCEEDED(hr = async_target_get(proxy, sync_iid, &call->target)))
    {
        async_target_remember(call->target, async_iid, factory);
        hr = IPSFactoryBuffer_CreateProxy(factory, call->core.outer, async_iid, &call->proxy_buffer,
                                          (void **)&call->async_iface);
        if (SUCCEEDED(hr))
        {
            /* the interface pointer holds a reference on the outer: drop it */
            IUnknown_Release(call->core.outer);
            if (FAILED(hr = IRpcProxyBuffer_Connect(call->proxy_buffer, &call->IRpcChannelBuffer_iface)))
                WARN("Connect failed: %#lx\n", hr);
        }
        else WARN("CreateProxy(%s) failed: %#lx\n", debugstr_guid(async_iid), hr);
    }
    if (FAILED(hr))
    {
        if (call->proxy_buffer) IRpcProxyBuffer_Release(call->proxy_buffer);
        if (call->target) async_target_put(call->target);
        IUnknown_Release(call->caller_iface);
        IPSFactoryBuffer_Release(factory);
        callcore_cleanup(&call->core);
        free(call);
        return hr;
    }

    if (outer)
    {
        *ppv = &call->core.IUnknown_inner;
        return S_OK;
    }
    hr = IUnknown_QueryInterface(&call->core.IUnknown_inner, riid, ppv);
    IUnknown_Release(&call->core.IUnknown_inner);
    return hr;
}
