/*
 * olecancel: the channel hook that gives every outgoing call its cancel
 * object and every incoming call a call context
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
 * Client side (calling thread): ClientGetSize pushes a frame for every
 * call; when the thread had cancellation enabled the frame owns a
 * call_cancel object, pushed on the thread's cancel-object stack
 * (cancelstate.c) and announced to the server in our ORPC extension.
 * Wine calls ClientNotify only for calls that succeeded, so a frame is
 * popped either there or, for calls that failed or were cancelled, when
 * the proxy frees the message buffer (rpchook.c sees I_RpcGetBuffer and
 * I_RpcFreeBuffer on the calling thread and reports them here).
 *
 * Server side: Wine calls ServerNotify only when the request carries
 * extensions, so every client with this hook sends one (8 bytes for a
 * plain call): the method then always has a call context, and
 * CoTestCancel answers RPC_S_CALLPENDING.  The context is put back in
 * ServerGetSize, which Wine runs when the stub asks for the reply buffer.
 *
 * A frame is known by the call's own state in Wine: every hook method gets
 * riid pointing into combase's per-call message state, one heap block from
 * the channel's GetBuffer (client) or the start of the dispatch (server) to
 * the end of the call.  Combase frees that block on every path -- replied,
 * rejected by the message filter, failed in the stub, posted to an STA of
 * this process, failed while marshaling -- so rpchook.c reports combase's
 * frees (free() in Wine 8.0, HeapFree in other versions) here and the frame
 * whose state is being freed ends with its call, whichever hooks Wine
 * skipped.
 */

#include "sync_cancel.h"
#include "cancel_ext.h"
#include "cancel_scope.h"
#include "cancel_private.h"

/* {6d1f3c2a-9b47-4e58-a1c3-5f0e2d7b9a41}: our ORPC extension */
static const GUID cancel_ext_id =
    { 0x6d1f3c2a, 0x9b47, 0x4e58, { 0xa1, 0xc3, 0x5f, 0x0e, 0x2d, 0x7b, 0x9a, 0x41 } };

#define MAX_FRAMES 64

struct client_frame
{
    const void *state;          /* riid: inside combase's message state */
    struct call_cancel *call;   /* NULL: not cancellable */
    BOOL pushed;                /* a cancel object is on the API's stack */
    RPC_MESSAGE *msg;           /* the rpcrt4 message, once known */
    struct cancel_scope *scope; /* the scope following this call (a reference), or NULL */
};

struct server_frame
{
    const void *state;          /* riid: inside combase's message state */
    IUnknown *prev;             /* the context we replaced */
    IUnknown *ctx;              /* ours, one reference */
};

struct hook_thread
{
    struct client_frame *pending;   /* between ClientGetSize and I_RpcGetBuffer */
    struct cancel_scope *scope;     /* the scope the thread's calls are made in (cancel_scope.h) */
    unsigned int client_depth;
    unsigned int server_depth;
    struct client_frame client[MAX_FRAMES];
    struct server_frame server[MAX_FRAMES];
};

static DWORD hook_fls = FLS_OUT_OF_INDEXES;

static void WINAPI hook_thread_free(void *data)
{
    /* thread exit: frames still here belong to calls that can no longer
     * return; the per-thread API state (cancelstate.c) releases the pushed
     * cancel objects, we release our own references */
    struct hook_thread *t = data;
    unsigned int i;

    if (!t) return;
    for (i = 0; i < t->client_depth; i++)
    {
        if (!t->client[i].call) continue;
        if (t->client[i].scope)
        {
            cancel_scope_call_ended(t->client[i].scope, t->client[i].call);
            cancel_scope_release(t->client[i].scope);
        }
        rpchook_unregister_call(t->client[i].call);
        call_cancel_release(t->client[i].call);
    }
    HeapFree(GetProcessHeap(), 0, t);
}

static struct hook_thread *get_hook_thread(BOOL create)
{
    struct hook_thread *t;

    if (hook_fls == FLS_OUT_OF_INDEXES) return NULL;
    if (!(t = FlsGetValue(hook_fls)) && create)
    {
        if (!(t = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*t)))) return NULL;
        FlsSetValue(hook_fls, t);
    }
    return t;
}

/* ---- client frames ----------------------------------------------------- */

static void client_pop(struct hook_thread *t)
{
    struct client_frame frame = t->client[--t->client_depth];

    if (t->pending == &t->client[t->client_depth]) t->pending = NULL;
    if (frame.pushed) cancel_pop();
    if (!frame.call) return;
    rpchook_unregister_call(frame.call);
    /* a call that never reached rpcrt4 (posted to an STA of this process)
     * is finished once it returns here */
    if (!call_cancel_has_left(frame.call)) call_cancel_finished(frame.call);
    if (frame.scope)
    {
        cancel_scope_call_ended(frame.scope, frame.call);
        cancel_scope_release(frame.scope);
    }
    call_cancel_release(frame.call);
}

/* index + 1 of the frame of the call whose state riid points into, 0 if
 * that call is not tracked */
static unsigned int find_client_frame(const struct hook_thread *t, const void *state)
{
    unsigned int i = t->client_depth;

    while (i && t->client[i - 1].state != state) i--;
    return i;
}

/* the call of frame "depth" ended: frames above it belong to calls nested
 * in it that ended without being seen, they go too */
static void client_end(struct hook_thread *t, unsigned int depth)
{
    if (t->client_depth > depth) WARN("%u stale client frames\n", t->client_depth - depth);
    while (t->client_depth >= depth && t->client_depth) client_pop(t);
}

static void client_got_buffer(RPC_MESSAGE *msg, RPC_STATUS status)
{
    struct hook_thread *t = get_hook_thread(FALSE);

    /* Wine asks for the buffer between ClientGetSize and ClientFillBuffer;
     * the frame stays pending until ClientFillBuffer */
    if (!t || !t->pending || t->pending->msg) return;
    if (status == RPC_S_OK) t->pending->msg = msg;
    else if (t->client_depth && t->pending == &t->client[t->client_depth - 1])
    {
        t->pending = NULL;
        client_pop(t);   /* no buffer, no call */
    }
}

static void client_freeing_buffer(RPC_MESSAGE *msg)
{
    struct hook_thread *t = get_hook_thread(FALSE);

    /* only the failure paths get here with the frame still up: success
     * popped it in ClientNotify */
    if (!t || !t->client_depth || t->client[t->client_depth - 1].msg != msg) return;
    TRACE("call with msg %p failed or was cancelled\n", msg);
    client_pop(t);
}

/* a cancel gave up on the call: whoever carries it lets its caller go */
static void abort_call(struct call_cancel *call)
{
    if (!posted_call_abort(call)) rpchook_abort_call(call);
}

/* combase posts a call of this thread to an STA of this process: if it is
 * the thread's cancellable call of the top frame, the call is carried so
 * that a cancel can end the wait */
static BOOL client_posting_call(HWND hwnd, void *params, BOOL *posted)
{
    struct hook_thread *t = get_hook_thread(FALSE);
    struct client_frame *frame;
    ULONG_PTR offset;

    if (!t || !t->client_depth) return FALSE;
    frame = &t->client[t->client_depth - 1];
    /* the dispatch parameters sit in the same message state as the hook
     * info the frame was started with */
    offset = (const char *)params - (const char *)frame->state;
    if (!frame->call || offset >= 256) return FALSE;
    return posted_call_carry(frame->call, hwnd, params, posted);
}

HRESULT chanhook_enter_scope(struct cancel_scope *scope, struct cancel_scope **prev)
{
    struct hook_thread *t;

    *prev = NULL;
    if (hook_fls == FLS_OUT_OF_INDEXES) return S_FALSE;
    if (!(t = get_hook_thread(TRUE))) return E_OUTOFMEMORY;
    *prev = t->scope;
    t->scope = scope;
    return S_OK;
}

void chanhook_leave_scope(struct cancel_scope *prev)
{
    struct hook_thread *t = get_hook_thread(FALSE);

    if (t) t->scope = prev;
}

/* ---- server frames ------------------------------------------------------ */

static unsigned int find_server_frame(const struct hook_thread *t, const void *state)
{
    unsigned int i = t->server_depth;

    while (i && t->server[i - 1].state != state) i--;
    return i;
}

/* puts back the context each frame from the top down to "depth" replaced */
static void server_end(struct hook_thread *t, unsigned int depth)
{
    if (t->server_depth > depth) WARN("%u stale server frames\n", t->server_depth - depth);
    while (t->server_depth >= depth && t->server_depth)
    {
        struct server_frame *frame = &t->server[--t->server_depth];
        IUnknown *cur = NULL;

        CoSwitchCallContext(frame->prev, &cur);
        if (cur != frame->ctx) WARN("call context %p replaced by %p during the call\n", frame->ctx, cur);
        IUnknown_Release(frame->ctx);
    }
}

/* does the block being freed hold this frame's message state? */
static BOOL frame_state_in(const void *state, const struct freed_block *freed)
{
    ULONG_PTR offset = (const char *)state - (const char *)freed->block;
    SIZE_T size;

    /* the hook info sits a few pointers into combase's message state; a
     * block starting further before it cannot be that state */
    if (offset >= 256) return FALSE;
    size = freed->msize ? freed->msize(freed->block) : HeapSize(freed->heap, 0, freed->block);
    return size != (SIZE_T)-1 && offset < size;
}

static void call_state_freeing(const struct freed_block *freed)
{
    struct hook_thread *t = get_hook_thread(FALSE);
    unsigned int i;

    if (!t) return;
    for (i = t->server_depth; i; i--)
    {
        if (!frame_state_in(t->server[i - 1].state, freed)) continue;
        TRACE("server call of frame %u ended without a reply\n", i);
        server_end(t, i);
        break;
    }
    for (i = t->client_depth; i; i--)
    {
        if (!frame_state_in(t->client[i - 1].state, freed)) continue;
        TRACE("client call of frame %u ended without a reply\n", i);
        client_end(t, i);
        break;
    }
}

/* ---- IChannelHook -------------------------------------------------------- */

static HRESULT WINAPI hook_QueryInterface(IChannelHook *iface, REFIID riid, void **ppv)
{
    TRACE("(%p, %s, %p)\n", iface, debugstr_guid(riid), ppv);

    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IChannelHook))
    {
        *ppv = iface;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI hook_AddRef(IChannelHook *iface)
{
    return 2;
}

static ULONG WINAPI hook_Release(IChannelHook *iface)
{
    return 1;
}

static void WINAPI hook_ClientGetSize(IChannelHook *iface, REFGUID ext, REFIID riid, ULONG *size)
{
    struct hook_thread *t = get_hook_thread(TRUE);
    struct client_frame *frame;
    struct call_cancel *call = NULL;
    BOOL pushed = FALSE;

    *size = CANCEL_EXT_PLAIN_SIZE;
    if (!t) return;
    t->pending = NULL;
    if (t->client_depth == MAX_FRAMES)
    {
        /* nested too deep, or frames of paths we did not see end: this
         * call is not tracked (nor cancellable) */
        WARN("client frame stack full\n");
        InterlockedIncrement(&sync_cancel_stats.stale_frames);
        return;
    }

    if (rpchook_active() && cancel_thread_enabled() && (call = call_cancel_create(TRUE, abort_call)))
    {
        if (FAILED(cancel_push(call_cancel_iface(call))))
        {
            WARN("cancel_push failed; call %s not cancellable\n", debugstr_guid(riid));
            call_cancel_release(call);
            call = NULL;
        }
        else
        {
            rpchook_register_call(call);
            *size = CANCEL_EXT_CANCEL_SIZE;
            pushed = TRUE;
        }
    }
    /* so that CoCancelCall answers CO_E_CANCEL_DISABLED for this call */
    if (!call) pushed = SUCCEEDED(cancel_push(call_cancel_disabled()));
    frame = &t->client[t->client_depth++];
    frame->state = riid;
    frame->call = call;
    frame->pushed = pushed;
    frame->msg = NULL;
    frame->scope = NULL;
    /* after the push: a Cancel of the scope from now on finds this call */
    if (call && t->scope && cancel_scope_call_started(t->scope, call))
    {
        cancel_scope_addref(t->scope);
        frame->scope = t->scope;
    }
    t->pending = frame;
    TRACE("%s: frame %u call %p\n", debugstr_guid(riid), t->client_depth, call);
}

static void WINAPI hook_ClientFillBuffer(IChannelHook *iface, REFGUID ext, REFIID riid,
                                         ULONG *size, void *buffer)
{
    struct hook_thread *t = get_hook_thread(FALSE);
    struct call_cancel *call = t && t->pending ? t->pending->call : NULL;

    *size = cancel_ext_write(buffer, *size, call ? (const unsigned char *)call_cancel_id(call) : NULL);
    if (t) t->pending = NULL;
}

static void WINAPI hook_ClientNotify(IChannelHook *iface, REFGUID ext, REFIID riid,
                                     ULONG size, void *buffer, DWORD rep, HRESULT fault)
{
    struct hook_thread *t = get_hook_thread(FALSE);
    unsigned int depth;

    if (!t) return;
    t->pending = NULL;
    if ((depth = find_client_frame(t, riid))) client_end(t, depth);
}

static void WINAPI hook_ServerNotify(IChannelHook *iface, REFGUID ext, REFIID riid,
                                     ULONG size, void *buffer, DWORD rep)
{
    struct hook_thread *t = get_hook_thread(TRUE);
    struct server_frame *frame;
    unsigned char id[16];
    IUnknown *ctx;

    if (!t) return;
    t->pending = NULL;
    if (t->server_depth == MAX_FRAMES)
    {
        WARN("server frame stack full\n");
        return;
    }
    switch (cancel_ext_parse(buffer, size, rep, id))
    {
    case CANCEL_EXT_CANCEL:
        ctx = server_ctx_create(id);
        break;
    case CANCEL_EXT_INVALID:
        WARN("ignoring malformed cancel extension (%lu bytes, rep %#lx) on %s\n",
             size, rep, debugstr_guid(riid));
        /* fall through: still a standard-marshaled call */
    default:
        ctx = server_ctx_create(NULL);
        break;
    }
    frame = &t->server[t->server_depth++];
    frame->state = riid;
    frame->ctx = ctx;
    frame->prev = NULL;
    if (FAILED(CoSwitchCallContext(ctx, &frame->prev)))
    {
        WARN("CoSwitchCallContext failed\n");
        t->server_depth--;
        IUnknown_Release(ctx);
        return;
    }
    TRACE("%s: server frame %u ctx %p\n", debugstr_guid(riid), t->server_depth, ctx);
}

static void WINAPI hook_ServerGetSize(IChannelHook *iface, REFGUID ext, REFIID riid,
                                      HRESULT fault, ULONG *size)
{
    struct hook_thread *t = get_hook_thread(FALSE);
    unsigned int depth;

    *size = 0;
    if (!t) return;
    t->pending = NULL;
    /* a reply to a call we did not see (no extension at all) has no frame
     * and must not take the context of the call it is nested in */
    if ((depth = find_server_frame(t, riid))) server_end(t, depth);
}

static void WINAPI hook_ServerFillBuffer(IChannelHook *iface, REFGUID ext, REFIID riid,
                                         ULONG *size, void *buffer, HRESULT fault)
{
    *size = 0;
}

static const IChannelHookVtbl hook_vtbl =
{
    hook_QueryInterface,
    hook_AddRef,
    hook_Release,
    hook_ClientGetSize,
    hook_ClientFillBuffer,
    hook_ClientNotify,
    hook_ServerNotify,
    hook_ServerGetSize,
    hook_ServerFillBuffer,
};

static IChannelHook channel_hook = { &hook_vtbl };

HRESULT chanhook_register(void)
{
    HRESULT hr;

    if ((hook_fls = FlsAlloc(hook_thread_free)) == FLS_OUT_OF_INDEXES)
        return HRESULT_FROM_WIN32(GetLastError());
    hr = CoRegisterChannelHook(&cancel_ext_id, &channel_hook);
    if (FAILED(hr)) WARN("CoRegisterChannelHook failed: %#lx\n", hr);
    return hr;
}

/* ---- entry point ---------------------------------------------------------- */

/* what the client side needs to hear of combase's rpcrt4 calls */
static const struct rpchook_client rpchook_client =
{
    &cancel_ext_id,
    client_got_buffer,
    client_freeing_buffer,
    call_state_freeing,
    client_posting_call,
};

static BOOL sync_refuse_for_tests;

void sync_cancel_refuse_for_tests(void)
{
    sync_refuse_for_tests = TRUE;
}

static BOOL CALLBACK sync_cancel_init_once(INIT_ONCE *once, void *param, void **ctx)
{
    HRESULT *hr = param;
    HMODULE self;

    *hr = E_FAIL;
    if (sync_refuse_for_tests)
    {
        olecancel_feature_off(OLECANCEL_FEATURE_SYNC, "the self-check was told to refuse (diagnostics export)");
        *hr = E_ABORT;
        return TRUE;
    }
    /* combase keeps our hook, its import slots point at us, and threads
     * hold our FLS callback: this module must never be unloaded again */
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                            (const WCHAR *)sync_cancel_init_once, &self))
    {
        olecancel_feature_off(OLECANCEL_FEATURE_SYNC, "the module cannot be pinned (error %lu)", GetLastError());
        return TRUE;
    }

    /* the channel hook alone still gives servers their call contexts */
    if (FAILED(rpchook_install(&rpchook_client)))
        olecancel_feature_off(OLECANCEL_FEATURE_SYNC, "combase's rpcrt4 imports are not what olecancel expects; "
                              "blocked calls of this process cannot be ended");
    if (FAILED(*hr = chanhook_register()))
        olecancel_feature_off(OLECANCEL_FEATURE_SYNC, "CoRegisterChannelHook failed (%#lx); no cancel objects "
                              "for outgoing calls, no call contexts for incoming ones", *hr);
    return TRUE;
}

HRESULT sync_cancel_init(void)
{
    static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    static HRESULT result;

    InitOnceExecuteOnce(&once, sync_cancel_init_once, &result, NULL);
    return result;
}
