/*
 * olecancel: declarations shared by the asynchronous-call files
 * (proxyhook.c, callfactory.c, callcore.c, callobj.c, callworker.c,
 * callsecurity.c, asynctarget.c, replychannel.c, drain.c, asyncunk.c,
 * asyncmqi.c, asyncpool.c)
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

#ifndef OLECANCEL_ASYNC_PRIVATE_H
#define OLECANCEL_ASYNC_PRIVATE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "olecancel_private.h"
#include <objidl.h>
#include <rpcproxy.h>

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

/* ---- callfactory.c ------------------------------------------------------ */

/* Answers QI(IID_ICallFactory) on a standard proxy; proxy is the proxy
 * manager's controlling IUnknown. */
HRESULT callfactory_create(IUnknown *proxy, void **ppv);

/* ---- proxyhook.c (the only patch of Wine internals) --------------------- */

/* Shown each object an export hands out while the hook is not in: when
 * it is a standard proxy (recognised by addresses, see proxyhook.c),
 * patches the IMultiQI vtable shared by combase's proxy managers so that
 * QueryInterface/QueryMultipleInterfaces for IID_ICallFactory reach
 * callfactory_create.  S_OK: the hook is in (now or before); S_FALSE: not
 * a proxy, still waiting; an error: the feature is off in this process
 * (said once).  Thread-safe. */
HRESULT proxyhook_try(IUnknown *obj);
/* TRUE while no proxy has been seen and the feature is not off */
BOOL proxyhook_pending(void);
/* TRUE when the hook is active */
BOOL proxyhook_active(void);
/* diagnostics: make the next self-check refuse */
void proxyhook_refuse_for_tests(void);

/* ---- callcore.c --------------------------------------------------------- */

/* States of a call object.  Only callobj.c's calls go through
 * ASYNC_BEGINNING (Begin_ is marshaling its request). */
enum call_state
{
    ASYNC_IDLE,
    ASYNC_BEGINNING,
    ASYNC_PENDING,       /* request queued or running */
    ASYNC_COMPLETED,     /* result ready, signalled */
};

/* What every call object has: embedded in struct call_object (callobj.c),
 * struct unk_call (asyncunk.c) and struct mqi_call (asyncmqi.c). */
struct call_core
{
    IUnknown IUnknown_inner;    /* vtable of the object that embeds the core */
    struct event_sync sync;     /* ISynchronize, ISynchronizeHandle; its event is */
                                /* manual reset, set when the call is completed */
    ICancelMethodCalls ICancelMethodCalls_iface;
    LONG refcount;          /* COM references of the inner unknown */
    LONG internal;          /* memory: 1 while COM-alive + 1 per queued request */
    IUnknown *outer;        /* controlling unknown */

    CRITICAL_SECTION cs;    /* protects everything below, and the object's own call state */
    enum call_state state;
    LONG generation;        /* increases with every Begin_ */
    BOOL released;          /* no COM references left: replies are discarded */
    BOOL cancelled;
    ISynchronize *outer_sync; /* the controlling unknown's ISynchronize when it is not ours */
    ISynchronize *signal_sync; /* completed: outer_sync is to be signalled by callcore_leave */
    LONG signalling;        /* outer Signals running outside cs */
    DWORD signal_tid;       /* the thread of the latest of them */
    CONDITION_VARIABLE signal_done; /* signalling dropped to 0 */
    HRESULT result;         /* what Finish_ returns */
    int method;             /* which method's call this is, for objects with several (callcore_begin) */
};

/* initializes everything but the state (the core must be zeroed); on
 * failure nothing is left to clean up */
HRESULT callcore_init(struct call_core *core, const IUnknownVtbl *inner_vtbl,
                      const ICancelMethodCallsVtbl *cancel_vtbl, IUnknown *outer);
struct async_target;
/* for objects that reach the proxy's object through its MTA view: QI for
 * the proxy's identity and get the view; detach gives both back */
HRESULT callcore_attach(IUnknown *proxy, IUnknown **identity, struct async_target **target);
void callcore_detach(IUnknown *identity, struct async_target *target);
/* CreateCall's answer: the inner unknown when aggregated, else riid of it;
 * the creation's reference goes with it */
HRESULT callcore_hand_out(struct call_core *core, REFIID riid, void **ppv);
/* frees what callcore_init created */
void callcore_cleanup(struct call_core *core);
/* IUnknown, ISynchronize, ISynchronizeHandle, ICancelMethodCalls of the core
 * (not AddRef'd), or NULL */
void *callcore_query_interface(struct call_core *core, REFIID riid);
ULONG WINAPI callcore_inner_AddRef(IUnknown *iface);
/* the inner unknown's last Release: completions are discarded from now on */
void callcore_set_released(struct call_core *core);

/* Begin_, after leaving ASYNC_IDLE: resets the event and the controlling
 * unknown's ISynchronize; on failure the call is ASYNC_IDLE again */
HRESULT callcore_begin_notify(struct call_core *core);
/* Begin_ of an object whose calls run entirely on a pool worker:
 * idle -> beginning (method recorded, generation advanced) -> notified ->
 * pending.  RPC_S_CALLPENDING when a call is under way; *generation (if
 * asked for) is the new call's. */
HRESULT callcore_begin(struct call_core *core, int method, LONG *generation);
/* Finish_ of such an object: RPC_E_CALL_COMPLETE when no call of that
 * method was begun; otherwise waits for completion (COM modal loop) and
 * returns S_OK with cs held: the caller takes what the call carries, then
 * calls callcore_finished and leaves cs. */
HRESULT callcore_finish_wait(struct call_core *core, int method);
/* an interface marshaled in the MTA for the caller (NORMAL, INPROC) that
 * the caller will not take: its references are given back from the MTA;
 * NULL is fine */
void callcore_drop_marshaled(IStream *stream);
/* with cs held: the call of this generation is pending and still wanted */
BOOL callcore_is_current(struct call_core *core, LONG generation);
/* with cs held: completes the call with result; the caller leaves cs with
 * callcore_leave, which signals the controlling unknown's ISynchronize
 * (program code) outside cs.  A failing Signal makes the result that
 * failure, and Finish_ then drops what the call carries. */
void callcore_complete(struct call_core *core, HRESULT result);
/* leaves cs, then signals what callcore_complete left to signal */
void callcore_leave(struct call_core *core);
/* with cs held: Finish_ took the result, the call is idle */
void callcore_finished(struct call_core *core);

/* ICancelMethodCalls: the vtable whose Cancel only waits and completes the
 * call as cancelled, and the parts of it for objects with their own Cancel */
extern const ICancelMethodCallsVtbl callcore_cancel_vtbl;
HRESULT WINAPI callcore_cancel_QueryInterface(ICancelMethodCalls *iface, REFIID riid, void **ppv);
ULONG WINAPI callcore_cancel_AddRef(ICancelMethodCalls *iface);
ULONG WINAPI callcore_cancel_Release(ICancelMethodCalls *iface);
HRESULT WINAPI callcore_cancel_TestCancel(ICancelMethodCalls *iface);
/* with cs held: S_OK when the call is pending, else what Cancel returns */
HRESULT callcore_cancel_check(struct call_core *core);
/* Cancel's wait of up to seconds for the call to complete on its own */
void callcore_cancel_wait(struct call_core *core, ULONG seconds);
/* with cs held, after the wait: completes a still pending call of this
 * generation as cancelled (S_OK), else what Cancel returns */
HRESULT callcore_cancel_finish(struct call_core *core, LONG generation);

/* ---- replychannel.c ----------------------------------------------------- */

/* the channel a worker's stub writes its reply into: on the stack, not
 * counted, GetBuffer allocates from the process heap */
extern const IRpcChannelBufferVtbl reply_channel_vtbl;
/* the methods any of our channels shares with it */
HRESULT WINAPI reply_channel_QueryInterface(IRpcChannelBuffer *iface, REFIID riid, void **ppv);
ULONG WINAPI reply_channel_AddRef(IRpcChannelBuffer *iface);
ULONG WINAPI reply_channel_Release(IRpcChannelBuffer *iface);
HRESULT WINAPI reply_channel_GetBuffer(IRpcChannelBuffer *iface, RPCOLEMESSAGE *msg, REFIID riid);
HRESULT WINAPI reply_channel_SendReceive(IRpcChannelBuffer *iface, RPCOLEMESSAGE *msg, ULONG *status);
HRESULT WINAPI reply_channel_FreeBuffer(IRpcChannelBuffer *iface, RPCOLEMESSAGE *msg);
HRESULT WINAPI reply_channel_GetDestCtx(IRpcChannelBuffer *iface, DWORD *context, void **data);
HRESULT WINAPI reply_channel_IsConnected(IRpcChannelBuffer *iface);

/* ---- callworker.c ------------------------------------------------------- */

struct async_target;
struct cancel_scope;

/* the request of one Begin_, as a pool worker replays it */
struct call_request
{
    struct async_target *target;    /* the object's MTA view (a reference) */
    IPSFactoryBuffer *factory;      /* a reference */
    struct cancel_scope *scope;     /* what the real call is cancelled through (a reference) */
    IID sync_iid;
    ULONG opnum;                    /* of sync_iid */
    void *request;                  /* the marshaled [in] values, process heap */
    ULONG request_len;
};

/* makes the real call; the reply (CRT heap) on success */
HRESULT call_request_execute(const struct call_request *req, void **reply, ULONG *reply_len);
/* a request that will never run: gives back what its [in] values hold */
HRESULT call_request_drain(const struct call_request *req);
/* frees the request and releases what it holds */
void call_request_cleanup(struct call_request *req);

/* ---- callsecurity.c ----------------------------------------------------- */

/* IClientSecurity of a call object, embedded in it: applies to the
 * caller's proxy; outer and proxy are the call object's (no references) */
struct call_security
{
    IClientSecurity IClientSecurity_iface;
    IUnknown *outer;
    IUnknown *proxy;
};
void call_security_init(struct call_security *security, IUnknown *outer, IUnknown *proxy);

/* ---- callobj.c ---------------------------------------------------------- */

/* Creates a call object for async_iid on the proxy `proxy` (an interface of a
 * standard proxy that supports sync_iid).  outer: controlling unknown or
 * NULL; riid: the interface returned in *ppv (the inner IUnknown when
 * aggregated). */
HRESULT callobj_create(IUnknown *proxy, REFIID async_iid, REFIID sync_iid,
                       IPSFactoryBuffer *factory, IUnknown *outer, REFIID riid, void **ppv);

/* drain.c: frees the [in] values of a request that will never run (opnum
 * of sync_iid, marshaled by factory's proxy) through the interface's stub;
 * channel takes the (empty) reply. */
HRESULT drain_request(IPSFactoryBuffer *factory, REFIID sync_iid, ULONG opnum,
                      void *request, ULONG request_len, IRpcChannelBuffer *channel);

/* asynctarget.c: the MTA view of a caller's proxy (one per proxy and interface, shared by
 * call objects).  A call object gets it with async_target_get (it must hold
 * the caller's proxy meanwhile) and gives it back with async_target_put;
 * queued work holds it with addref/release.  iface returns the interface
 * usable from MTA workers (AddRef'd).  Any apartment may put/release. */
HRESULT async_target_get(IUnknown *proxy, REFIID iid, struct async_target **target);
void async_target_put(struct async_target *target);
HRESULT async_target_iface(struct async_target *target, IUnknown **iface);
void async_target_addref(struct async_target *target);
void async_target_release(struct async_target *target);
/* the proxy/stub factory and synchronous IID a listed call object's
 * CreateCall found for async_iid on this proxy: remember, then look up
 * (the factory AddRef'd) */
void async_target_remember(struct async_target *target, REFIID async_iid, IPSFactoryBuffer *ps);
BOOL async_target_lookup(IUnknown *proxy, REFIID async_iid, IID *sync_iid, IPSFactoryBuffer **ps);

/* ---- asyncunk.c --------------------------------------------------------- */

/* CreateCall(IID_AsyncIUnknown) on a standard proxy */
HRESULT asyncunk_create(IUnknown *proxy, IUnknown *outer, REFIID riid, void **ppv);

/* ---- asyncmqi.c --------------------------------------------------------- */

/* CreateCall(IID_AsyncIMultiQI) on a standard proxy */
HRESULT asyncmqi_create(IUnknown *proxy, IUnknown *outer, REFIID riid, void **ppv);

/* ---- asyncpool.c -------------------------------------------------------- */

typedef void (*asyncpool_func)(void *context);

/* Queues func(context) on a multithreaded-apartment worker.  Workers are
 * created on demand up to the pool limit; excess work waits in FIFO order. */
HRESULT asyncpool_submit(asyncpool_func func, void *context);
/* Runs func(context) on a pool worker ahead of queued calls (beyond the
 * thread limit if need be) and waits for it: for short MTA-only chores. */
HRESULT asyncpool_run_sync(asyncpool_func func, void *context);
/* statistics for tests and benchmarks */
void asyncpool_get_stats(LONG *threads, LONG *busy, LONG *queued);
/* upper bound on concurrently running calls */
#define ASYNCPOOL_MAX_THREADS 32

#endif /* OLECANCEL_ASYNC_PRIVATE_H */
