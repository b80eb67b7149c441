/*
 * olecancel: releasing what a never-executed asynchronous request holds
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
 * A request cancelled while queued still holds its marshaled [in] values,
 * among them references on the interface pointers it carries.  Only the
 * interface's stub knows how to free them: the request is unmarshaled by a
 * stub of the synchronous interface whose server object is the drain object
 * below.  Every method of the drain object answers RPC_E_CALL_CANCELED
 * without touching its arguments; the stub then frees the [in] values, which
 * releases the references.
 *
 * One function must serve as every method, whatever its arguments.  On x64
 * the caller cleans the stack, so that is always safe.  On i686 methods are
 * stdcall: the callee pops its arguments, and a function that pops the
 * wrong number corrupts a caller that trusts esp after the call.  rpcrt4's
 * interpreter (NdrStubCall2) does not: it calls the server method from a
 * frame whose esp it restores from its frame pointer afterwards, so there a
 * cdecl method, popping nothing, is harmless.  A compiled stub (MIDL /Os)
 * calls the method from its own code and relies on the pop: for such a stub
 * nothing is drained and the references leak (a WARN says so).
 *
 * The stub made for the drain object may be srvstub.c's wrapper, since
 * the interface has an asynchronous version.  The drain object is no
 * server that could process the call asynchronously, so the request goes
 * to the standard stub inside, which is also the only one whose dispatch
 * can be checked on i686.
 */

#include "async_private.h"
#include "server_async.h"

static HRESULT WINAPI drain_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    *ppv = iface;
    return S_OK;
}

static ULONG WINAPI drain_AddRef(IUnknown *iface) { return 2; }
static ULONG WINAPI drain_Release(IUnknown *iface) { return 1; }

/* every method after IUnknown's: pops nothing (see above) */
static HRESULT __cdecl drain_method(void)
{
    return RPC_E_CALL_CANCELED;
}

static void *drain_vtbl[1024];
static IUnknown drain_object = { (IUnknownVtbl *)drain_vtbl };
static INIT_ONCE drain_once = INIT_ONCE_STATIC_INIT;

static BOOL WINAPI drain_init(INIT_ONCE *once, void *param, void **context)
{
    int i;
    drain_vtbl[0] = (void *)drain_QueryInterface;
    drain_vtbl[1] = (void *)drain_AddRef;
    drain_vtbl[2] = (void *)drain_Release;
    for (i = 3; i < ARRAY_SIZE(drain_vtbl); i++) drain_vtbl[i] = (void *)drain_method;
    return TRUE;
}

#ifndef _WIN64

/* Whether the stub made for sync_iid runs method opnum through rpcrt4's
 * interpreter.  The stub must be rpcrt4's CStdStubBuffer: its Invoke is
 * rpcrt4's CStdStubBuffer_Invoke, and its vtable is then the Vtbl member
 * of the proxy DLL's CInterfaceStubVtbl (rpcrt4 builds the stub that way),
 * whose header says how each method is dispatched: no dispatch table (widl
 * -Oif, MIDL /Oicf) or an entry of NdrStubCall2 means interpreted. */
static BOOL stub_is_interpreted(IRpcStubBuffer *stub, REFIID sync_iid, ULONG opnum)
{
    static const void *std_invoke, *stub_call;
    HMODULE rpcrt4 = image_rpcrt4();
    const CInterfaceStubVtbl *vtbl;

    /* a proxy DLL's stub vtable names rpcrt4's functions through its
     * import table, so its entries may be the DLL's jump thunks */
    if (!std_invoke && rpcrt4) std_invoke = (const void *)GetProcAddress(rpcrt4, "CStdStubBuffer_Invoke");
    if (!stub_call && rpcrt4) stub_call = (const void *)GetProcAddress(rpcrt4, "NdrStubCall2");
    if (!std_invoke || !stub_call) return FALSE;
    if (image_follow_import_thunk((const void *)stub->lpVtbl->Invoke) != std_invoke) return FALSE;
    vtbl = CONTAINING_RECORD(stub->lpVtbl, CInterfaceStubVtbl, Vtbl);
    if (!vtbl->header.piid || !IsEqualIID(vtbl->header.piid, sync_iid)) return FALSE;
    if (opnum < 3 || opnum >= vtbl->header.DispatchTableCount) return FALSE;
    if (!vtbl->header.pDispatchTable) return TRUE;
    return image_follow_import_thunk((const void *)vtbl->header.pDispatchTable[opnum]) == stub_call;
}

#endif

HRESULT drain_request(IPSFactoryBuffer *factory, REFIID sync_iid, ULONG opnum,
                      void *request, ULONG request_len, IRpcChannelBuffer *channel)
{
    RPCOLEMESSAGE msg;
    IRpcStubBuffer *stub, *standard;
    HRESULT hr;

    InitOnceExecuteOnce(&drain_once, drain_init, NULL, NULL);
    if (FAILED(hr = IPSFactoryBuffer_CreateStub(factory, sync_iid, &drain_object, &stub)))
        return hr;
    standard = srvstub_unwrap(stub);
#ifndef _WIN64
    if (!stub_is_interpreted(standard, sync_iid, opnum))
    {
        WARN("stub of %s is not interpreted; request of opnum %lu dropped, interface references it holds leak\n",
             debugstr_guid(sync_iid), opnum);
        IRpcStubBuffer_Disconnect(stub);
        IRpcStubBuffer_Release(stub);
        return S_OK;
    }
#endif
    memset(&msg, 0, sizeof(msg));
    msg.dataRepresentation = NDR_LOCAL_DATA_REPRESENTATION;
    msg.Buffer = request;
    msg.cbBuffer = request_len;
    msg.iMethod = opnum;
    hr = IRpcStubBuffer_Invoke(standard, &msg, channel);
    if (SUCCEEDED(hr) && msg.Buffer != request) HeapFree(GetProcessHeap(), 0, msg.Buffer);
    IRpcStubBuffer_Disconnect(stub);
    IRpcStubBuffer_Release(stub);
    TRACE("drained opnum %lu: %#lx\n", opnum, hr);
    return hr;
}
