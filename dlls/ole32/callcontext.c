/*
 * olecancel: the call context of an incoming standard-marshaled call, the
 * object behind a server's CoTestCancel
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
 * A call whose client sent our extension with a call id gets an object of
 * its own: TestCancel looks for the named event the client creates when it
 * cancels (callcancel.c) and latches what it finds.  Every other call
 * shares one static object that answers RPC_S_CALLPENDING.
 */

#include "sync_cancel.h"

struct server_ctx
{
    ICancelMethodCalls ICancelMethodCalls_iface;
    LONG refcount;
    BOOL cancellable;
    LONG cancelled;
    GUID id;
};

static inline struct server_ctx *impl_from_ICancelMethodCalls(ICancelMethodCalls *iface)
{
    return CONTAINING_RECORD(iface, struct server_ctx, ICancelMethodCalls_iface);
}

static ULONG WINAPI server_ctx_AddRef(ICancelMethodCalls *iface)
{
    struct server_ctx *ctx = impl_from_ICancelMethodCalls(iface);
    if (!ctx->cancellable) return 2;   /* the shared static context */
    return InterlockedIncrement(&ctx->refcount);
}

static ULONG WINAPI server_ctx_Release(ICancelMethodCalls *iface)
{
    struct server_ctx *ctx = impl_from_ICancelMethodCalls(iface);
    ULONG ref;

    if (!ctx->cancellable) return 1;
    if (!(ref = InterlockedDecrement(&ctx->refcount))) HeapFree(GetProcessHeap(), 0, ctx);
    return ref;
}

static HRESULT WINAPI server_ctx_Cancel(ICancelMethodCalls *iface, ULONG seconds)
{
    /* inferred: the server cannot cancel the call it is serving */
    TRACE("(%p, %lu)\n", iface, seconds);
    return CO_E_CANCEL_DISABLED;
}

static HRESULT WINAPI server_ctx_TestCancel(ICancelMethodCalls *iface)
{
    struct server_ctx *ctx = impl_from_ICancelMethodCalls(iface);
    WCHAR name[80];
    HANDLE event;

    TRACE("(%p)\n", ctx);

    if (!ctx->cancellable) return RPC_S_CALLPENDING;
    if (ctx->cancelled) return RPC_E_CALL_CANCELED;
    /* the client creates the event, signalled, only when it cancels */
    server_ctx_name(&ctx->id, name, ARRAY_SIZE(name));
    if ((event = OpenEventW(SYNCHRONIZE, FALSE, name)))
    {
        if (!WaitForSingleObject(event, 0)) InterlockedExchange(&ctx->cancelled, 1);
        CloseHandle(event);
    }
    return ctx->cancelled ? RPC_E_CALL_CANCELED : RPC_S_CALLPENDING;
}

static const ICancelMethodCallsVtbl server_ctx_vtbl =
{
    cancel_object_QueryInterface,
    server_ctx_AddRef,
    server_ctx_Release,
    server_ctx_Cancel,
    server_ctx_TestCancel,
};

/* every uncancellable incoming call shares this one: no allocation */
static struct server_ctx plain_ctx = { { &server_ctx_vtbl }, 1, FALSE };

IUnknown *server_ctx_create(const unsigned char *id16)
{
    struct server_ctx *ctx;

    if (!id16 || !(ctx = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*ctx))))
        return (IUnknown *)&plain_ctx.ICancelMethodCalls_iface;
    ctx->ICancelMethodCalls_iface.lpVtbl = &server_ctx_vtbl;
    ctx->refcount = 1;
    ctx->cancellable = TRUE;
    memcpy(&ctx->id, id16, sizeof(ctx->id));
    return (IUnknown *)&ctx->ICancelMethodCalls_iface;
}
