/*
 * olecancel: the channel a worker's stub writes its reply into
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
 * A stub's Invoke needs a channel for its reply buffer only; this one
 * lives on the worker's stack for the duration of Invoke (or of a drain).
 * The methods that do not depend on what a channel carries serve the call
 * object's loopback channel too (callobj.c).
 */

#include "async_private.h"

/* the methods of both channels that do not depend on what they carry */
HRESULT WINAPI reply_channel_QueryInterface(IRpcChannelBuffer *iface, REFIID riid, void **ppv)
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
ULONG WINAPI reply_channel_AddRef(IRpcChannelBuffer *iface) { return 2; }
ULONG WINAPI reply_channel_Release(IRpcChannelBuffer *iface) { return 1; }

HRESULT WINAPI reply_channel_GetBuffer(IRpcChannelBuffer *iface, RPCOLEMESSAGE *msg, REFIID riid)
{
    if (!(msg->Buffer = HeapAlloc(GetProcessHeap(), 0, msg->cbBuffer ? msg->cbBuffer : 1))) return E_OUTOFMEMORY;
    return S_OK;
}

HRESULT WINAPI reply_channel_SendReceive(IRpcChannelBuffer *iface, RPCOLEMESSAGE *msg, ULONG *status)
{
    return E_NOTIMPL;
}

HRESULT WINAPI reply_channel_FreeBuffer(IRpcChannelBuffer *iface, RPCOLEMESSAGE *msg)
{
    HeapFree(GetProcessHeap(), 0, msg->Buffer);
    msg->Buffer = NULL;
    return S_OK;
}

HRESULT WINAPI reply_channel_GetDestCtx(IRpcChannelBuffer *iface, DWORD *context, void **data)
{
    /* the reply is unmarshaled by Finish_ in this process, the request by a
     * worker of this process */
    *context = MSHCTX_INPROC;
    if (data) *data = NULL;
    return S_OK;
}

HRESULT WINAPI reply_channel_IsConnected(IRpcChannelBuffer *iface)
{
    return S_OK;
}

const IRpcChannelBufferVtbl reply_channel_vtbl =
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
