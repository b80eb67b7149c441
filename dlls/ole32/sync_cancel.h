/*
 * olecancel: cancelling synchronous calls on standard proxies
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Where a cancel travels, each file using only the ones below it:
 *   chanhook.c   channel hook: one cancel object per outgoing call (client),
 *                a call context for every incoming call (server); starts
 *                the path (sync_cancel_init)
 *   postcall.c   carries a cancellable call a thread makes to an STA of
 *                the same process, which combase posts instead of sending
 *   rpchook.c    the only code that patches Wine: combase's imports of
 *                I_RpcGetBuffer / I_RpcSendReceive / I_RpcFreeBuffer, of its
 *                frees and of PostMessageW; it reports them through the
 *                callbacks chanhook.c installs it with
 *   callcontext.c the call context of an incoming call (CoTestCancel)
 *   callcancel.c the ICancelMethodCalls object of one outgoing call; the
 *                function that makes its carrier give up is given at
 *                creation (rpchook_abort_call)
 *   cancel_ext.c the wire format of our ORPC extension (no Windows deps)
 */

#ifndef OLECANCEL_SYNC_CANCEL_H
#define OLECANCEL_SYNC_CANCEL_H

#ifndef CONST_VTABLE
#define CONST_VTABLE
#endif
#include "olecancel_private.h"
#include <wchar.h>
#include <stdio.h>
#include <rpc.h>
#include <rpcndr.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* registers the channel hook and hooks combase's rpcrt4 imports, once;
 * features.c calls it when the process starts remoting (remoting.c) or
 * uses the cancel API; a refused self-check is said once */
HRESULT sync_cancel_init(void);
/* diagnostics: make the self-check refuse */
void sync_cancel_refuse_for_tests(void);

/* ---- callcancel.c ---------------------------------------------------- */

struct call_cancel;

/* abort: makes the thread carrying the call give up (called on Cancel) */
struct call_cancel *call_cancel_create(BOOL cancellable, void (*abort)(struct call_cancel *call));
/* the shared object pushed for calls started with cancellation disabled */
ICancelMethodCalls *call_cancel_disabled(void);
ICancelMethodCalls *call_cancel_iface(struct call_cancel *call);
void call_cancel_addref(struct call_cancel *call);
void call_cancel_release(struct call_cancel *call);
const GUID *call_cancel_id(const struct call_cancel *call);
/* the call has left the wire (or finished on a path we do not see);
 * returns TRUE when a cancel won and the result must be RPC_E_CALL_CANCELED */
BOOL call_cancel_finished(struct call_cancel *call);
BOOL call_cancel_is_abandoned(const struct call_cancel *call);
BOOL call_cancel_has_left(const struct call_cancel *call);
/* waits (bounded) until call_cancel_finished ran; TRUE if it did */
BOOL call_cancel_wait_left(struct call_cancel *call, DWORD ms);
/* diagnostics: server events of finished calls kept open for a while */
LONG call_cancel_events_kept(void);
/* the per-call slot rpchook.c uses to find the worker thread */
LONG *call_cancel_worker_slot(struct call_cancel *call);
/* the per-call slot postcall.c uses to find the carrier of a posted call */
void **call_cancel_carrier_slot(struct call_cancel *call);
/* the name of the event that tells the server a call is cancelled */
void server_ctx_name(const GUID *call_id, WCHAR *name, size_t len);

/* test/diagnostic counters */
struct sync_cancel_stats
{
    LONG cancel_thread_retries;   /* RpcCancelThread calls that had to be repeated */
    LONG calls_abandoned;
    LONG calls_not_sent;          /* abandoned before the worker sent them */
    LONG stale_frames;            /* client frames cleaned up lazily */
};
extern struct sync_cancel_stats sync_cancel_stats;

/* ---- callcontext.c --------------------------------------------------- */

/* the call context of an incoming call; id16: the call id of a
 * cancellable call, NULL for the shared uncancellable context */
IUnknown *server_ctx_create(const unsigned char *id16);

/* ---- chanhook.c ------------------------------------------------------ */

HRESULT chanhook_register(void);

/* ---- postcall.c ------------------------------------------------------ */

/* combase posts the cancellable call "call" of this thread to an STA
 * window of this process (params: combase's dispatch parameters): carries
 * it and waits until the STA ran it or a cancel abandoned it.  FALSE when
 * it cannot (the post is left to combase); else *posted is what
 * PostMessageW returns */
BOOL posted_call_carry(struct call_cancel *call, HWND hwnd, void *params, BOOL *posted);
/* the cancel gave up on "call": ends its caller's wait if it is carried
 * here; FALSE when it is not */
BOOL posted_call_abort(struct call_cancel *call);
/* diagnostics: calls carried so far; abandoned ones the STA has not
 * finished yet */
LONG posted_calls_carried(void);
LONG posted_calls_orphaned(void);

/* ---- rpchook.c ------------------------------------------------------- */

/* a block combase frees */
struct freed_block
{
    void *block;
    HANDLE heap;                              /* HeapFree's heap, or */
    size_t (__cdecl *msize)(void *block);     /* the C runtime's _msize */
};
/* what the hooks report, on the thread where combase makes the call */
struct rpchook_client
{
    const GUID *ext_id;   /* the ORPC extension that names a cancellable call */
    /* the client channel's buffer life */
    void (*got_buffer)(RPC_MESSAGE *msg, RPC_STATUS status);
    void (*freeing_buffer)(RPC_MESSAGE *msg);
    /* combase is freeing a block: if it is the message state of a call
     * with a frame, that call has ended */
    void (*call_state_freeing)(const struct freed_block *freed);
    /* combase posts a call to an STA of this process (params: its
     * dispatch parameters); TRUE when the client carried the call itself,
     * *posted then being what PostMessageW returns */
    BOOL (*posting_call)(HWND hwnd, void *params, BOOL *posted);
};
/* hooks combase's imports, once; the first caller's client is kept */
HRESULT rpchook_install(const struct rpchook_client *client);
/* the self-check alone, on any module (tests) */
HRESULT rpchook_check_module(HMODULE module);
BOOL rpchook_active(void);
/* combase's HeapFree is watched: frames end with their calls on every path */
BOOL rpchook_sees_call_end(void);
/* a cancellable call about to be sent from this thread */
void rpchook_register_call(struct call_cancel *call);
void rpchook_unregister_call(struct call_cancel *call);
/* diagnostics: calls registered and not yet taken by a worker or ended */
LONG rpchook_pending_calls(void);
/* makes the worker carrying the call give up, without waiting for it to
 * leave (a thread-pool thread repeats the cancel until it has) */
void rpchook_abort_call(struct call_cancel *call);
/* what combase's imports pointed to: the real PostMessageW, and the C
 * runtime's heap combase allocates its message buffers from */
BOOL rpchook_post_message(HWND hwnd, UINT msg, WPARAM wparam, LPARAM lparam);
void *rpchook_combase_malloc(size_t size);
void rpchook_combase_free(void *block);
/* diagnostics: a worker holds each reply of a cancellable call ms
 * milliseconds before it looks whether a cancel won (0: not at all) */
void rpchook_hold_replies(DWORD ms);

#endif /* OLECANCEL_SYNC_CANCEL_H */
