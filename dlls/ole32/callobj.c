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
 * States: idle -> (GetBuffer of Begin_) beginning -> (SendReceive) pending ->
 * (worker or Cancel) completed -> (Finish_'s SendReceive) idle.
 */

#include "async_private.h"
#include "cancel_scope.h"

/* ---- the MTA view of a caller's proxy, shared by its call objects -------- */

struct async_target
{
    struct async_target *next;
    LONG refcount;          /* users + queued work */
    LONG users;             /* call objects; the table entry lives as long as they do */
    IUnknown *identity;     /* key only: the users hold the caller's proxy, so
                             * its address cannot be reused while listed */
    IID iid;
    IUnknown *mta_iface;    /* the interface, usable from the MTA */
};

static SRWLOCK targets_lock = SRWLOCK_INIT;
static struct async_target *targets;

struct unmarshal_ctx
{
    IStream *stream;
    REFIID iid;
    IUnknown *iface;
    HRESULT hr;
};

static void target_unmarshal_proc(void *arg)
{
    struct unmarshal_ctx *ctx = arg;
    LARGE_INTEGER zero = {{0}};

    IStream_Seek(ctx->stream, zero, STREAM_SEEK_SET, NULL);
    ctx->hr = CoUnmarshalInterface(ctx->stream, ctx->iid, (void **)&ctx->iface);
}

/* An STA caller's proxy, made usable from the MTA.  Table-weak marshaling
 * carries no references of its own, so it cannot leak any: in Wine 8.0 a
 * normally marshaled proxy unmarshaled (or released) in the apartment of the
 * object itself keeps the references it carries when the object's interface
 * was table-marshaled, and the object is never freed.  Table-weak data is
 * only valid while the caller's proxy lives, hence the synchronous
 * unmarshal on a worker, once per proxy. */
static HRESULT proxy_to_mta(IUnknown *sync, REFIID iid, IUnknown **mta_iface)
{
    struct unmarshal_ctx ctx = { NULL, iid, NULL, E_FAIL };
    HRESULT hr;

    if (FAILED(hr = CreateStreamOnHGlobal(NULL, TRUE, &ctx.stream))) return hr;
    if (SUCCEEDED(hr = CoMarshalInterface(ctx.stream, iid, sync, MSHCTX_INPROC, NULL, MSHLFLAGS_TABLEWEAK)))
    {
        if (SUCCEEDED(hr = asyncpool_run_sync(target_unmarshal_proc, &ctx))) hr = ctx.hr;
    }
    IStream_Release(ctx.stream);
    if (SUCCEEDED(hr)) *mta_iface = ctx.iface;
    else WARN("cannot make the proxy available to the MTA: %#lx\n", hr);
    return hr;
}

static void target_destroy_proc(void *arg)
{
    struct async_target *target = arg;

    TRACE("target %p\n", target);
    if (target->mta_iface) IUnknown_Release(target->mta_iface);
    free(target);
}

HRESULT async_target_get(IUnknown *sync, REFIID iid, struct async_target **ret)
{
    struct async_target *target, *other;
    APTTYPEQUALIFIER qualifier;
    IUnknown *identity;
    APTTYPE type;
    HRESULT hr;

    if (FAILED(hr = IUnknown_QueryInterface(sync, &IID_IUnknown, (void **)&identity))) return hr;
    IUnknown_Release(identity);

    AcquireSRWLockExclusive(&targets_lock);
    for (target = targets; target; target = target->next)
    {
        if (target->identity == identity && IsEqualIID(&target->iid, iid))
        {
            InterlockedIncrement(&target->refcount);
            target->users++;
            ReleaseSRWLockExclusive(&targets_lock);
            *ret = target;
            return S_OK;
        }
    }
    ReleaseSRWLockExclusive(&targets_lock);

    if (!(target = calloc(1, sizeof(*target)))) return E_OUTOFMEMORY;
    target->refcount = 1;
    target->users = 1;
    target->identity = identity;
    target->iid = *iid;

    if (FAILED(CoGetApartmentType(&type, &qualifier))) type = APTTYPE_MTA;
    if (type == APTTYPE_MTA)
    {
        /* the workers share the caller's apartment */
        target->mta_iface = sync;
        IUnknown_AddRef(sync);
    }
    else if (FAILED(hr = proxy_to_mta(sync, iid, &target->mta_iface)))
    {
        free(target);
        return hr;
    }

    AcquireSRWLockExclusive(&targets_lock);
    /* the caller's apartment is single-threaded; still, never keep two */
    for (other = targets; other; other = other->next)
        if (other->identity == identity && IsEqualIID(&other->iid, iid)) break;
    if (other)
    {
        InterlockedIncrement(&other->refcount);
        other->users++;
        ReleaseSRWLockExclusive(&targets_lock);
        if (FAILED(asyncpool_submit(target_destroy_proc, target))) target_destroy_proc(target);
        *ret = other;
        return S_OK;
    }
    target->next = targets;
    targets = target;
    ReleaseSRWLockExclusive(&targets_lock);
    TRACE("new target %p for proxy %p %s, apartment type %d\n", target, identity, debugstr_guid(iid), type);
    *ret = target;
    return S_OK;
}

/* worker side: the interface in the MTA */
HRESULT async_target_iface(struct async_target *target, IUnknown **iface)
{
    if (!(*iface = target->mta_iface)) return CO_E_OBJNOTCONNECTED;
    IUnknown_AddRef(*iface);
    return S_OK;
}

void async_target_addref(struct async_target *target)
{
    InterlockedIncrement(&target->refcount);
}

void async_target_release(struct async_target *target)
{
    if (InterlockedDecrement(&target->refcount)) return;
    /* MTA proxies are released from the MTA */
    if (FAILED(asyncpool_submit(target_destroy_proc, target))) target_destroy_proc(target);
}

void async_target_put(struct async_target *target)
{
    struct async_target **entry;

    AcquireSRWLockExclusive(&targets_lock);
    if (!--target->users)
    {
        for (entry = &targets; *entry; entry = &(*entry)->next)
        {
            if (*entry == target)
            {
                *entry = target->next;
                break;
            }
        }
    }
    ReleaseSRWLockExclusive(&targets_lock);
    async_target_release(target);
}

/* ---- the channel a worker's stub writes its reply into --------------------- */

/* the methods of both channels that do not depend on what they carry */
static HRESULT WINAPI reply_channel_QueryInterface(IRpcChannelBuffer *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRpcChannelBuffer))
    {
        *ppv = iface;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

/* The reply channel lives on the worker's stack for the duration of Invoke.
 * The AsyncIFoo proxy holds the loopback channel for the call object's
 * whole life; counting that reference would keep the call object alive
 * forever. */
static ULONG WINAPI reply_channel_AddRef(IRpcChannelBuffer *iface) { return 2; }
static ULONG WINAPI reply_channel_Release(IRpcChannelBuffer *iface) { return 1; }

static HRESULT WINAPI reply_channel_GetBuffer(IRpcChannelBuffer *iface, RPCOLEMESSAGE *msg, REFIID riid)
{
    if (!(msg->Buffer = HeapAlloc(GetProcessHeap(), 0, msg->cbBuffer ? msg->cbBuffer : 1))) return E_OUTOFMEMORY;
    return S_OK;
}

static HRESULT WINAPI reply_channel_SendReceive(IRpcChannelBuffer *iface, RPCOLEMESSAGE *msg, ULONG *status)
{
    return E_NOTIMPL;
}

static HRESULT WINAPI reply_channel_FreeBuffer(IRpcChannelBuffer *iface, RPCOLEMESSAGE *msg)
{
    HeapFree(GetProcessHeap(), 0, msg->Buffer);
    msg->Buffer = NULL;
    return S_OK;
}

static HRESULT WINAPI reply_channel_GetDestCtx(IRpcChannelBuffer *iface, DWORD *context, void **data)
{
    /* the reply is unmarshaled by Finish_ in this process, the request by a
     * worker of this process */
    *context = MSHCTX_INPROC;
    if (data) *data = NULL;
    return S_OK;
}

static HRESULT WINAPI reply_channel_IsConnected(IRpcChannelBuffer *iface)
{
    return S_OK;
}

static const IRpcChannelBufferVtbl reply_channel_vtbl =
{
    reply_channel_QueryInterface,
    reply_channel_AddRef,
    reply_channel_Release,
    reply_channel_GetBuffer,
    reply_channel_SendReceive,
    reply_channel_FreeBuffer,
    reply_channel_GetDestCtx,
    reply_channel_IsConnected,
};

/* ---- the call object ----------------------------------------------------- */

struct call_object
{
    struct call_core core;  /* ISynchronize, ISynchronizeHandle, ICancelMethodCalls, state */
    IClientSecurity IClientSecurity_iface;
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
    struct call_object *call;   /* internal reference */
    struct async_target *target;
    IPSFactoryBuffer *factory;
    struct cancel_scope *scope; /* this generation's: what the worker's calls are cancelled through */
    IID sync_iid;
    LONG generation;
    ULONG opnum;
    void *request;
    ULONG request_len;
};

static inline struct call_object *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct call_object, core.IUnknown_inner);
}

static inline struct call_object *impl_from_ICancelMethodCalls(ICancelMethodCalls *iface)
{
    return CONTAINING_RECORD(iface, struct call_object, core.ICancelMethodCalls_iface);
}

static inline struct call_object *impl_from_IClientSecurity(IClientSecurity *iface)
{
    return CONTAINING_RECORD(iface, struct call_object, IClientSecurity_iface);
}

static inline struct call_object *impl_from_IRpcChannelBuffer(IRpcChannelBuffer *iface)
{
    return CONTAINING_RECORD(iface, struct call_object, IRpcChannelBuffer_iface);
}

static void call_release_internal(struct call_object *call)
{
    if (InterlockedDecrement(&call->core.internal)) return;
    TRACE("freeing %p\n", call);
    if (call->scope) cancel_scope_release(call->scope);
    free(call->reply);
    callcore_cleanup(&call->core);
    free(call);
}

/* with cs held: see callcore_complete */
static void call_complete(struct call_object *call, HRESULT result, void *reply, ULONG reply_len)
{
    call->reply = reply;
    call->reply_len = reply_len;
    if (FAILED(callcore_complete(&call->core, result)))
    {
        free(call->reply);
        call->reply = NULL;
    }
}

/* The stub's Invoke, in the generation's cancel scope: a Cancel at any
 * moment reaches the real call the stub makes, or keeps it from being
 * sent (cancel_scope.h).  The scope is also the call context, for a method
 * that runs on this very thread.  Cancellable, so that the real call gets
 * a cancel object from the synchronous cancel path (chanhook.c). */
static HRESULT run_in_scope(struct cancel_scope *scope, IRpcStubBuffer *stub, RPCOLEMESSAGE *msg,
                            IRpcChannelBuffer *channel)
{
    struct cancel_scope *prev_scope;
    IUnknown *prev = NULL, *ignored;
    HRESULT hr;

    if (FAILED(hr = chanhook_enter_scope(scope, &prev_scope))) return hr;
    CoSwitchCallContext(cancel_scope_context(scope), &prev);
    CoEnableCallCancellation(NULL);
    hr = IRpcStubBuffer_Invoke(stub, msg, channel);
    CoDisableCallCancellation(NULL);
    CoSwitchCallContext(prev, &ignored);
    chanhook_leave_scope(prev_scope);
    return hr;
}

static HRESULT execute_request(struct call_work *work, void **reply, ULONG *reply_len)
{
    IRpcChannelBuffer channel = { &reply_channel_vtbl };
    IRpcStubBuffer *stub = NULL;
    IUnknown *iface = NULL;
    RPCOLEMESSAGE msg;
    HRESULT hr;

    *reply = NULL;
    *reply_len = 0;
    if (FAILED(hr = async_target_iface(work->target, &iface))) return hr;
    if (SUCCEEDED(hr = IPSFactoryBuffer_CreateStub(work->factory, &work->sync_iid, iface, &stub)))
    {
        memset(&msg, 0, sizeof(msg));
        msg.dataRepresentation = NDR_LOCAL_DATA_REPRESENTATION;
        msg.Buffer = work->request;
        msg.cbBuffer = work->request_len;
        msg.iMethod = work->opnum;
        hr = run_in_scope(work->scope, stub, &msg, &channel);
        if (msg.Buffer != work->request)
        {
            if (SUCCEEDED(hr))
            {
                /* move to the CRT heap so every path frees alike */
                if ((*reply = malloc(msg.cbBuffer ? msg.cbBuffer : 1)))
                {
                    memcpy(*reply, msg.Buffer, msg.cbBuffer);
                    *reply_len = msg.cbBuffer;
                }
                else hr = E_OUTOFMEMORY;
            }
            HeapFree(GetProcessHeap(), 0, msg.Buffer);
        }
        else if (SUCCEEDED(hr)) hr = RPC_E_INVALID_DATAPACKET;
        IRpcStubBuffer_Disconnect(stub);
        IRpcStubBuffer_Release(stub);
    }
    IUnknown_Release(iface);
    return hr;
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

    TRACE("call %p, opnum %lu, %s\n", call, work->opnum, run ? "executing" : "cancelled before it ran");
    if (run) hr = execute_request(work, &reply, &reply_len);
    else
    {
        IRpcChannelBuffer channel = { &reply_channel_vtbl };
        hr = drain_request(work->factory, &work->sync_iid, work->opnum, work->request, work->request_len, &channel);
    }
    abandoned = run && cancel_scope_abandoned(work->scope);

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
    LeaveCriticalSection(&call->core.cs);

    if (reply)
    {
        /* late (cancelled) or unwanted (released) reply */
        TRACE("call %p: reply of %lu bytes discarded\n", call, reply_len);
        free(reply);
    }
    HeapFree(GetProcessHeap(), 0, work->request);
    cancel_scope_release(work->scope);
    async_target_release(work->target);
    IPSFactoryBuffer_Release(work->factory);
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
    else if (IsEqualIID(riid, &IID_IClientSecurity)) *ppv = &call->IClientSecurity_iface;
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
    LeaveCriticalSection(&call->core.cs);
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

/* ---- IClientSecurity: applies to the caller's proxy ---- */

static HRESULT WINAPI callobj_security_QueryInterface(IClientSecurity *iface, REFIID riid, void **ppv)
{
    struct call_object *call = impl_from_IClientSecurity(iface);
    return IUnknown_QueryInterface(call->core.outer, riid, ppv);
}

static ULONG WINAPI callobj_security_AddRef(IClientSecurity *iface)
{
    struct call_object *call = impl_from_IClientSecurity(iface);
    return IUnknown_AddRef(call->core.outer);
}

static ULONG WINAPI callobj_security_Release(IClientSecurity *iface)
{
    struct call_object *call = impl_from_IClientSecurity(iface);
    return IUnknown_Release(call->core.outer);
}

static HRESULT get_proxy_security(struct call_object *call, IClientSecurity **security)
{
    return IUnknown_QueryInterface(call->caller_iface, &IID_IClientSecurity, (void **)security);
}

static HRESULT WINAPI callobj_security_QueryBlanket(IClientSecurity *iface, IUnknown *proxy, DWORD *authn,
        DWORD *authz, OLECHAR **server_princ, DWORD *authn_level, DWORD *imp_level, void **auth_info, DWORD *caps)
{
    struct call_object *call = impl_from_IClientSecurity(iface);
    IClientSecurity *security;
    HRESULT hr;

    TRACE("%p, %p\n", call, proxy);
    if (FAILED(hr = get_proxy_security(call, &security))) return hr;
    hr = IClientSecurity_QueryBlanket(security, call->caller_iface, authn, authz, server_princ,
                                      authn_level, imp_level, auth_info, caps);
    IClientSecurity_Release(security);
    return hr;
}

static HRESULT WINAPI callobj_security_SetBlanket(IClientSecurity *iface, IUnknown *proxy, DWORD authn,
        DWORD authz, OLECHAR *server_princ, DWORD authn_level, DWORD imp_level, void *auth_info, DWORD caps)
{
    struct call_object *call = impl_from_IClientSecurity(iface);
    IClientSecurity *security;
    HRESULT hr;

    TRACE("%p, %p, %lu, %lu\n", call, proxy, authn, authn_level);
    FIXME("the blanket is set on the caller's proxy, not on the MTA proxy that carries the call\n");
    if (FAILED(hr = get_proxy_security(call, &security))) return hr;
    hr = IClientSecurity_SetBlanket(security, call->caller_iface, authn, authz, server_princ,
                                    authn_level, imp_level, auth_info, caps);
    IClientSecurity_Release(security);
    return hr;
}

static HRESULT WINAPI callobj_security_CopyProxy(IClientSecurity *iface, IUnknown *proxy, IUnknown **copy)
{
    struct call_object *call = impl_from_IClientSecurity(iface);
    TRACE("%p, %p, %p\n", call, proxy, copy);
    if (copy) *copy = NULL;
    return E_NOTIMPL;
}

static const IClientSecurityVtbl callobj_security_vtbl =
{
    callobj_security_QueryInterface,
    callobj_security_AddRef,
    callobj_security_Release,
    callobj_security_QueryBlanket,
    callobj_security_SetBlanket,
    callobj_security_CopyProxy,
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
            || !(work->scope = cancel_scope_create()))
    {
        HeapFree(GetProcessHeap(), 0, ack);
        free(work);
        return E_OUTOFMEMORY;
    }
    work->call = call;
    work->target = call->target;
    work->factory = call->factory;
    work->sync_iid = call->sync_iid;
    work->opnum = sync_opnum(msg->iMethod);
    work->request = msg->Buffer;
    work->request_len = msg->cbBuffer;
    async_target_addref(call->target);
    IPSFactoryBuffer_AddRef(call->factory);
    InterlockedIncrement(&call->core.internal);

    EnterCriticalSection(&call->core.cs);
    work->generation = ++call->core.generation;
    /* set with the generation: a Cancel of the pending call finds its scope */
    replaced = call->scope;
    call->scope = work->scope;
    cancel_scope_addref(work->scope);
    call->core.state = ASYNC_PENDING;
    call->core.cancelled = FALSE;
    call->core.result = S_OK;
    LeaveCriticalSection(&call->core.cs);
    if (replaced) cancel_scope_release(replaced);

    /* Begin_'s own reply: just its S_OK */
    msg->Buffer = ack;
    msg->cbBuffer = 4;
    msg->dataRepresentation = NDR_LOCAL_DATA_REPRESENTATION;

    TRACE("%p: queued opnum %lu, %lu bytes, generation %ld\n", call, work->opnum, work->request_len, work->generation);
    if (FAILED(hr = asyncpool_submit(call_work_proc, work)))
    {
        /* nothing will run it: complete it as failed right away */
        EnterCriticalSection(&call->core.cs);
        call_complete(call, hr, NULL, 0);
        call->core.generation++;
        LeaveCriticalSection(&call->core.cs);
        call_work_proc(work);
    }
    return S_OK;
}

static HRESULT finish_receive(struct call_object *call, RPCOLEMESSAGE *msg)
{
    HRESULT hr;
    void *reply;

    /* Finish_ before completion blocks until the call completes */
    if (FAILED(hr = async_wait(call->core.event, 0, INFINITE))) return hr;

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
    free(reply);
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
    call->IClientSecurity_iface.lpVtbl = &callobj_security_vtbl;
    call->IRpcChannelBuffer_iface.lpVtbl = &callobj_channel_vtbl;
    call->async_iid = *async_iid;
    call->sync_iid = *sync_iid;
    call->factory = factory;
    IPSFactoryBuffer_AddRef(factory);
    call->caller_iface = proxy;
    IUnknown_AddRef(proxy);

    if (SUCCEEDED(hr = async_target_get(proxy, sync_iid, &call->target)))
    {
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
