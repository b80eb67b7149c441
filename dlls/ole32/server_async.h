/*
 * olecancel: declarations shared by the server-side asynchronous call
 * files (stubhook.c, srvstub.c, srvcall.c)
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

#ifndef OLECANCEL_SERVER_ASYNC_H
#define OLECANCEL_SERVER_ASYNC_H

#include <stdlib.h>
#include <string.h>
#include "olecancel_private.h"
#include <objidl.h>
#include <rpcproxy.h>

/* ---- stubhook.c (the only patch of Wine internals for this feature) ----- */

/* Hooks the CreateStub of rpcrt4's standard proxy/stub factory, once:
 * stubs of interfaces with an asynchronous version in the same proxy DLL
 * are wrapped by srvstub.c.  Cheap after the first call. */
void stubhook_install(void);
BOOL stubhook_active(void);

/* ---- srvstub.c ---------------------------------------------------------- */

/* what the proxy DLL says about IFoo's asynchronous version */
struct async_interface
{
    const CInterfaceStubHeader *async_header;   /* AsyncIFoo's stub header */
    const IID *sync_iid;                        /* IFoo's, from its stub header */
    ULONG sync_methods;                         /* IFoo's method count */
};

/* Wraps the standard stub of an interface with an asynchronous version:
 * each call is offered to the server object's ICallFactory first.  On
 * success *stub is replaced (the wrapper owns the original). */
HRESULT srvstub_wrap(IRpcStubBuffer **stub, IUnknown *server, const struct async_interface *info);
/* the standard stub a wrapper holds; any other stub is returned as it is */
IRpcStubBuffer *srvstub_unwrap(IRpcStubBuffer *stub);

/* ---- srvcall.c ---------------------------------------------------------- */

struct server_call;

/* COM's side of one server call object: the controlling unknown handed to
 * ICallFactory::CreateCall, with ISynchronize (Signal), ISynchronizeHandle
 * and ICancelMethodCalls (TestCancel answers for the incoming call, given
 * as context, may be NULL). */
struct server_call *server_call_create(ICancelMethodCalls *context);
IUnknown *server_call_outer(struct server_call *call);
/* the server's call object (its non-delegating unknown; the reference is taken over) */
void server_call_set_inner(struct server_call *call, IUnknown *inner);
/* waits, pumping in an STA, until the server signals; TRUE if it did.
 * A cancel of the incoming call ends the wait after a grace period. */
BOOL server_call_wait(struct server_call *call, BOOL *cancelled);
void server_call_release(struct server_call *call);

#endif /* OLECANCEL_SERVER_ASYNC_H */
