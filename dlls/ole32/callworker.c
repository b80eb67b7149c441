/*
 * olecancel: the real call of an asynchronous one, made by a pool worker
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
 * A pool worker in the MTA replays the request Begin_ marshaled through an
 * IRpcStubBuffer for IFoo over the MTA view of the object: the stub
 * unmarshals the [in] values, makes the real (synchronous) call and
 * marshals the reply into a buffer of the reply channel.
 */

#include "async_private.h"
#include "cancel_scope.h"
#include "cancel_private.h"

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
    cancel_enable();
    hr = IRpcStubBuffer_Invoke(stub, msg, channel);
    cancel_disable();
    CoSwitchCallContext(prev, &ignored);
    chanhook_leave_scope(prev_scope);
    return hr;
}

HRESULT call_request_execute(const struct call_request *req, void **reply, ULONG *reply_len)
{
    IRpcChannelBuffer channel = { &reply_channel_vtbl };
    IRpcStubBuffer *stub = NULL;
    IUnknown *iface = NULL;
    RPCOLEMESSAGE msg;
    HRESULT hr;

    *reply = NULL;
    *reply_len = 0;
    if (FAILED(hr = async_target_iface(req->target, &iface))) return hr;
    if (SUCCEEDED(hr = IPSFactoryBuffer_CreateStub(req->factory, &req->sync_iid, iface, &stub)))
    {
        memset(&msg, 0, sizeof(msg));
        msg.dataRepresentation = NDR_LOCAL_DATA_REPRESENTATION;
        msg.Buffer = req->request;
        msg.cbBuffer = req->request_len;
        msg.iMethod = req->opnum;
        hr = run_in_scope(req->scope, stub, &msg, &channel);
        if (msg.Buffer != req->request)
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

/* a request cancelled before it ran: its [in] values are freed through the
 * stub (drain.c), which gives back the references it holds */
HRESULT call_request_drain(const struct call_request *req)
{
    IRpcChannelBuffer channel = { &reply_channel_vtbl };
    return drain_request(req->factory, &req->sync_iid, req->opnum, req->request, req->request_len, &channel);
}

void call_request_cleanup(struct call_request *req)
{
    HeapFree(GetProcessHeap(), 0, req->request);
    cancel_scope_release(req->scope);
    async_target_release(req->target);
    IPSFactoryBuffer_Release(req->factory);
}
