/*
 * olecancel: the stub of an interface a server may serve asynchronously
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
 * Server-side asynchronous processing.  For each incoming call of IFoo the
 * wrapper asks the server object for ICallFactory and, when CreateCall
 * gives a call object for AsyncIFoo, runs the call through it:
 *
 *   1. Begin_X unmarshals the request's [in] values: NDR's interpreter
 *      (CStdStubBuffer_Invoke, so a fault is caught as for any stub) runs
 *      the proxy DLL's own AsyncIFoo format, whose Begin_X takes exactly
 *      X's [in] values in X's order, against the server's call object.
 *      Its one-value reply (Begin_X's HRESULT) goes to a scratch buffer.
 *   2. The thread waits for the call object's Signal; in an STA the wait
 *      serves other calls into the apartment meanwhile.
 *   3. Finish_X, through the same format, marshals the [out] values and
 *      the HRESULT into the real reply: the client sees X's reply.
 *
 * When the object has no ICallFactory, or CreateCall fails, the original
 * stub runs the synchronous method as before.
 */

#include "server_async.h"
#include "async_private.h"
#include "drop_reply.h"

struct srvstub
{
    IRpcStubBuffer IRpcStubBuffer_iface;
    LONG refcount;
    IRpcStubBuffer *inner;      /* the standard stub of IFoo */
    IUnknown *server;           /* not a reference: inner holds the object while connected */
    const IID *sync_iid;
    ULONG sync_methods;
    /* AsyncIFoo's header ahead of an empty vtable: what NDR's
     * interpreter reads from a stub (STUB_HEADER is vtable[-1]) */
    CInterfaceStubVtbl async_vtbl;
};

/* the shape of a stub NDR's interpreter runs against an object */
struct interpreted_stub
{
    const IRpcStubBufferVtbl *lpVtbl;
    LONG RefCount;
    const IUnknown *pvServerObject;
};

static inline struct srvstub *impl_from_IRpcStubBuffer(IRpcStubBuffer *iface)
{
    return CONTAINING_RECORD(iface, struct srvstub, IRpcStubBuffer_iface);
}

/* ---- the scratch channel Begin_X's reply goes to ------------------------- */

struct scratch_channel
{
    IRpcChannelBuffer IRpcChannelBuffer_iface;
    IRpcChannelBuffer *real;    /* the call's channel: destination context */
};

/* a stack channel like the asynchronous client's reply channel
 * (replychannel.c), in the incoming call's destination context */
static HRESULT WINAPI scratch_GetDestCtx(IRpcChannelBuffer *iface, DWORD *context, void **data)
{
    struct scratch_channel *channel = CONTAINING_RECORD(iface, struct scratch_channel, IRpcChannelBuffer_iface);
    return IRpcChannelBuffer_GetDestCtx(channel->real, context, data);
}

static HRESULT WINAPI scratch_IsConnected(IRpcChannelBuffer *iface)
{
    struct scratch_channel *channel = CONTAINING_RECORD(iface, struct scratch_channel, IRpcChannelBuffer_iface);
    return IRpcChannelBuffer_IsConnected(channel->real);
}

static const IRpcChannelBufferVtbl scratch_vtbl =
{
    reply_channel_QueryInterface, reply_channel_AddRef, reply_channel_Release, reply_channel_GetBuffer,
    reply_channel_SendReceive, reply_channel_FreeBuffer, scratch_GetDestCtx, scratch_IsConnected,
};

/* ---- one call through the server's call object ---------------------------- */

/* Begin_X with the request's [in] values; its HRESULT */
static HRESULT run_begin(struct interpreted_stub *ndr, const RPCOLEMESSAGE *msg,
                         IRpcChannelBuffer *channel)
{
    struct scratch_channel scratch = { { &scratch_vtbl }, channel };
    RPCOLEMESSAGE begin = *msg;
    HRESULT hr;

    begin.iMethod = 3 + 2 * (msg->iMethod - 3);
    hr = CStdStubBuffer_Invoke((IRpcStubBuffer *)ndr, &begin, &scratch.IRpcChannelBuffer_iface);
    if (begin.Buffer == msg->Buffer) return FAILED(hr) ? hr : E_UNEXPECTED;   /* no reply made */
    if (SUCCEEDED(hr))
    {
        if (begin.cbBuffer >= sizeof(HRESULT)) memcpy(&hr, begin.Buffer, sizeof(hr));   /* the only value */
        else hr = E_UNEXPECTED;
    }
    reply_channel_FreeBuffer(&scratch.IRpcChannelBuffer_iface, &begin);
    return hr;
}

/* Finish_X's [out] values and HRESULT as X's reply, or into a scratch
 * buffer that is dropped */
static HRESULT run_finish(struct interpreted_stub *ndr, RPCOLEMESSAGE *msg, IRpcChannelBuffer *channel, BOOL drop)
{
    struct scratch_channel scratch = { { &scratch_vtbl }, channel };
    RPCOLEMESSAGE finish = *msg;
    HRESULT hr;

    finish.iMethod = 3 + 2 * (msg->iMethod - 3) + 1;
    if (!drop)
    {
        /* the channel's GetBuffer works on the message it was given */
        ULONG method = msg->iMethod;

        msg->iMethod = finish.iMethod;
        hr = CStdStubBuffer_Invoke((IRpcStubBuffer *)ndr, msg, channel);
        msg->iMethod = method;
        return hr;
    }
    hr = CStdStubBuffer_Invoke((IRpcStubBuffer *)ndr, &finish, &scratch.IRpcChannelBuffer_iface);
    if (finish.Buffer != msg->Buffer)
    {
        /* the [out] interfaces in it were marshaled for nobody */
        drop_reply(finish.Buffer, finish.cbBuffer);
        reply_channel_FreeBuffer(&scratch.IRpcChannelBuffer_iface, &finish);
    }
    return hr;
}

/* S_FALSE: the server object does not process this call asynchronously */
static HRESULT run_async(struct srvstub *stub, ICallFactory *factory, RPCOLEMESSAGE *msg, IRpcChannelBuffer *channel)
{
    struct interpreted_stub ndr = { &stub->async_vtbl.Vtbl, 1, NULL };
    ICancelMethodCalls *context = NULL;
    const IID *async_iid = stub->async_vtbl.header.piid;
    struct server_call *call;
    IUnknown *inner = NULL, *async = NULL;
    BOOL cancelled;
    HRESULT hr;

    /* the incoming call's context, which a client's cancel reaches */
    if (FAILED(CoGetCallContext(&IID_ICancelMethodCalls, (void **)&context))) context = NULL;
    call = server_call_create(context);
    if (!call)
    {
        if (context) ICancelMethodCalls_Release(context);
        return S_FALSE;
    }

    hr = ICallFactory_CreateCall(factory, async_iid, server_call_outer(call), &IID_IUnknown, &inner);
    if (FAILED(hr) || !inner)
    {
        TRACE("CreateCall(%s): %#lx, calling synchronously\n", debugstr_guid(async_iid), hr);
        hr = S_FALSE;
        goto done;
    }
    server_call_set_inner(call, inner);
    if (FAILED(hr = IUnknown_QueryInterface(inner, async_iid, (void **)&async)))
    {
        WARN("the server's call object has no %s: %#lx, calling synchronously\n", debugstr_guid(async_iid), hr);
        hr = S_FALSE;
        goto done;
    }
    ndr.pvServerObject = async;

    TRACE("method %lu through the server's call object %p\n", msg->iMethod, inner);
    if (FAILED(hr = run_begin(&ndr, msg, channel)))
        TRACE("Begin_ of method %lu: %#lx\n", msg->iMethod, hr);
    else if (!server_call_wait(call, &cancelled))
        hr = cancelled ? RPC_E_CALL_CANCELED : E_UNEXPECTED;
    else if (cancelled || (context && ICancelMethodCalls_TestCancel(context) == RPC_E_CALL_CANCELED))
    {
        /* the client gave the call up: Finish_ still cleans up after it,
         * the call ends cancelled (a caller still waiting on a call posted
         * to this apartment gets that rather than Finish_'s result) */
        run_finish(&ndr, msg, channel, TRUE);
        hr = RPC_E_CALL_CANCELED;
    }
    else hr = run_finish(&ndr, msg, channel, FALSE);
    IUnknown_Release(async);
done:
    server_call_release(call);
    if (context) ICancelMethodCalls_Release(context);
    return hr;
}

/* ---- IRpcStubBuffer ---------------------------------------------------------- */

static HRESULT WINAPI srvstub_QueryInterface(IRpcStubBuffer *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IRpcStubBuffer))
    {
        *ppv = iface;
        IRpcStubBuffer_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI srvstub_AddRef(IRpcStubBuffer *iface)
{
    return InterlockedIncrement(&impl_from_IRpcStubBuffer(iface)->refcount);
}

static ULONG WINAPI srvstub_Release(IRpcStubBuffer *iface)
{
    struct srvstub *stub = impl_from_IRpcStubBuffer(iface);
    ULONG ref = InterlockedDecrement(&stub->refcount);

    if (!ref)
    {
        IRpcStubBuffer_Release(stub->inner);
        free(stub);
    }
    return ref;
}

static HRESULT WINAPI srvstub_Connect(IRpcStubBuffer *iface, IUnknown *server)
{
    struct srvstub *stub = impl_from_IRpcStubBuffer(iface);
    HRESULT hr = IRpcStubBuffer_Connect(stub->inner, server);

    if (SUCCEEDED(hr)) stub->server = server;
    return hr;
}

static void WINAPI srvstub_Disconnect(IRpcStubBuffer *iface)
{
    struct srvstub *stub = impl_from_IRpcStubBuffer(iface);

    stub->server = NULL;
    IRpcStubBuffer_Disconnect(stub->inner);
}

/* The ICallFactory of a proxy (olecancel's or Wine's): the object is in
 * another apartment, which processes the call itself.  Such a stub is the
 * one an asynchronous client call's worker replays its request through. */
static BOOL is_proxy_factory(ICallFactory *factory)
{
    return image_contains(image_self(), factory->lpVtbl, sizeof(void *)) ||
           image_contains(image_combase(), factory->lpVtbl, sizeof(void *));
}

/* A call that fails without a reply leaves the request in msg->Buffer.
 * For a call posted to an STA of this process Wine's combase then frees
 * the request once when the stub returns, because the message no longer
 * points where the request started, and the caller frees it again.  An
 * empty reply taken from the channel is what an NDR stub that fails while
 * marshaling leaves, and every path frees it once; the failure still goes
 * to the client as the call's fault. */
static void take_reply_for_failure(struct srvstub *stub, RPCOLEMESSAGE *msg, IRpcChannelBuffer *channel)
{
    HRESULT hr;

    msg->cbBuffer = 0;
    if (FAILED(hr = IRpcChannelBuffer_GetBuffer(channel, msg, stub->sync_iid)))
        WARN("no reply buffer for the failed call: %#lx\n", hr);
}

static HRESULT WINAPI srvstub_Invoke(IRpcStubBuffer *iface, RPCOLEMESSAGE *msg, IRpcChannelBuffer *channel)
{
    struct srvstub *stub = impl_from_IRpcStubBuffer(iface);
    ICallFactory *factory;
    void *request;
    HRESULT hr;

    if (msg && channel && msg->iMethod >= 3 && msg->iMethod < stub->sync_methods && stub->server &&
        SUCCEEDED(IUnknown_QueryInterface(stub->server, &IID_ICallFactory, (void **)&factory)))
    {
        request = msg->Buffer;
        hr = is_proxy_factory(factory) ? S_FALSE : run_async(stub, factory, msg, channel);
        ICallFactory_Release(factory);
        if (FAILED(hr) && msg->Buffer == request) take_reply_for_failure(stub, msg, channel);
        if (hr != S_FALSE) return hr;
    }
    return IRpcStubBuffer_Invoke(stub->inner, msg, channel);
}

static IRpcStubBuffer * WINAPI srvstub_IsIIDSupported(IRpcStubBuffer *iface, REFIID riid)
{
    struct srvstub *stub = impl_from_IRpcStubBuffer(iface);
    IRpcStubBuffer *supported = IRpcStubBuffer_IsIIDSupported(stub->inner, riid);
    return supported == stub->inner ? iface : supported;
}

static ULONG WINAPI srvstub_CountRefs(IRpcStubBuffer *iface)
{
    return IRpcStubBuffer_CountRefs(impl_from_IRpcStubBuffer(iface)->inner);
}

static HRESULT WINAPI srvstub_DebugServerQueryInterface(IRpcStubBuffer *iface, void **ppv)
{
    return IRpcStubBuffer_DebugServerQueryInterface(impl_from_IRpcStubBuffer(iface)->inner, ppv);
}

static void WINAPI srvstub_DebugServerRelease(IRpcStubBuffer *iface, void *pv)
{
    IRpcStubBuffer_DebugServerRelease(impl_from_IRpcStubBuffer(iface)->inner, pv);
}

static const IRpcStubBufferVtbl srvstub_vtbl =
{
    srvstub_QueryInterface, srvstub_AddRef, srvstub_Release, srvstub_Connect, srvstub_Disconnect,
    srvstub_Invoke, srvstub_IsIIDSupported, srvstub_CountRefs, srvstub_DebugServerQueryInterface,
    srvstub_DebugServerRelease,
};

HRESULT srvstub_wrap(IRpcStubBuffer **stub, IUnknown *server, const struct async_interface *info)
{
    struct srvstub *wrapper;

    if (!(wrapper = calloc(1, sizeof(*wrapper)))) return E_OUTOFMEMORY;
    wrapper->IRpcStubBuffer_iface.lpVtbl = &srvstub_vtbl;
    wrapper->refcount = 1;
    wrapper->inner = *stub;
    wrapper->server = server;
    wrapper->sync_methods = info->sync_methods;
    wrapper->sync_iid = info->sync_iid;
    /* NDR's interpreter only: MIDL's dispatch table for AsyncIFoo names
     * NdrDcomAsyncStubCall, which Wine does not implement */
    wrapper->async_vtbl.header = *info->async_header;
    wrapper->async_vtbl.header.pDispatchTable = NULL;
    *stub = &wrapper->IRpcStubBuffer_iface;
    return S_OK;
}

IRpcStubBuffer *srvstub_unwrap(IRpcStubBuffer *stub)
{
    if (stub->lpVtbl != &srvstub_vtbl) return stub;
    return impl_from_IRpcStubBuffer(stub)->inner;
}
