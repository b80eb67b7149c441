/*
 * olecancel: the part of a call object that does not depend on what it
 * calls (shared by callobj.c, asyncunk.c and asyncmqi.c)
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
 * A call core holds the inner unknown's slot, the ISynchronize,
 * ISynchronizeHandle and ICancelMethodCalls of a call object, its event,
 * lock and state.  The object embeds it and keeps what it calls and what a
 * completed call carries (a reply, a marshaled interface) itself.
 */

#include "async_private.h"

static inline struct call_core *impl_from_IUnknown(IUnknown *iface)
{
    return CONTAINING_RECORD(iface, struct call_core, IUnknown_inner);
}

static inline struct call_core *impl_from_ICancelMethodCalls(ICancelMethodCalls *iface)
{
    return CONTAINING_RECORD(iface, struct call_core, ICancelMethodCalls_iface);
}

/* ---- life ---- */

HRESULT callcore_init(struct call_core *core, const IUnknownVtbl *inner_vtbl,
                      const ICancelMethodCallsVtbl *cancel_vtbl, IUnknown *outer)
{
    HRESULT hr;

    core->IUnknown_inner.lpVtbl = inner_vtbl;
    core->ICancelMethodCalls_iface.lpVtbl = cancel_vtbl;
    core->refcount = 1;
    core->internal = 1;
    core->outer = outer ? outer : &core->IUnknown_inner;
    InitializeCriticalSection(&core->cs);
    InitializeConditionVariable(&core->signal_done);
    if (FAILED(hr = event_sync_init(&core->sync, core->outer)))
    {
        DeleteCriticalSection(&core->cs);
        return hr;
    }
    return S_OK;
}

void callcore_cleanup(struct call_core *core)
{
    DeleteCriticalSection(&core->cs);
    event_sync_cleanup(&core->sync);
}

/* what an object that reaches its proxy's object through the MTA view
 * keeps: the proxy's identity and the view (asyncunk.c, asyncmqi.c) */
HRESULT callcore_attach(IUnknown *proxy, IUnknown **identity, struct async_target **target)
{
    HRESULT hr;

    if (FAILED(hr = IUnknown_QueryInterface(proxy, &IID_IUnknown, (void **)identity))) return hr;
    if (FAILED(hr = async_target_get(*identity, &IID_IUnknown, target))) IUnknown_Release(*identity);
    return hr;
}

void callcore_detach(IUnknown *identity, struct async_target *target)
{
    async_target_put(target);
    IUnknown_Release(identity);
}

/* CreateCall's answer for a new object: the inner unknown when aggregated,
 * else riid of it; the creation's reference is handed over or dropped */
HRESULT callcore_hand_out(struct call_core *core, REFIID riid, void **ppv)
{
    HRESULT hr;

    if (core->outer != &core->IUnknown_inner)
    {
        *ppv = &core->IUnknown_inner;
        return S_OK;
    }
    hr = IUnknown_QueryInterface(&core->IUnknown_inner, riid, ppv);
    IUnknown_Release(&core->IUnknown_inner);
    return hr;
}

/* the interfaces of the core, or NULL */
void *callcore_query_interface(struct call_core *core, REFIID riid)
{
    if (IsEqualIID(riid, &IID_IUnknown)) return &core->IUnknown_inner;
    if (IsEqualIID(riid, &IID_ISynchronize)) return &core->sync.ISynchronize_iface;
    if (IsEqualIID(riid, &IID_ISynchronizeHandle)) return &core->sync.ISynchronizeHandle_iface;
    if (IsEqualIID(riid, &IID_ICancelMethodCalls)) return &core->ICancelMethodCalls_iface;
    return NULL;
}

ULONG WINAPI callcore_inner_AddRef(IUnknown *iface)
{
    struct call_core *core = impl_from_IUnknown(iface);
    ULONG ref = InterlockedIncrement(&core->refcount);
    TRACE("%p, refcount %lu\n", core, ref);
    return ref;
}

/* The last COM reference is gone: whatever completes now is discarded.
 * A Signal of the controlling unknown's ISynchronize already under way
 * (callcore_leave) is waited for, so that the controlling unknown, which
 * releases us while it goes, outlives that call; unless it is this very
 * thread's Signal that released the object. */
void callcore_set_released(struct call_core *core)
{
    EnterCriticalSection(&core->cs);
    core->released = TRUE;
    core->outer_sync = NULL;
    core->signal_sync = NULL;
    if (core->state == ASYNC_PENDING) TRACE("%p released with a pending call: it runs on\n", core);
    while (core->signalling && core->signal_tid != GetCurrentThreadId())
        SleepConditionVariableCS(&core->signal_done, &core->cs, INFINITE);
    LeaveCriticalSection(&core->cs);
}

/* ---- state machine ---- */

/* Begin_, once the call left ASYNC_IDLE: completion is reported through the
 * controlling unknown's ISynchronize when it is not ours.  On failure the
 * call is idle again. */
HRESULT callcore_begin_notify(struct call_core *core)
{
    ISynchronize *sync;
    HRESULT hr;

    core->outer_sync = NULL;
    if (core->outer != &core->IUnknown_inner &&
        SUCCEEDED(IUnknown_QueryInterface(core->outer, &IID_ISynchronize, (void **)&sync)))
    {
        if (sync != &core->sync.ISynchronize_iface) core->outer_sync = sync;
        ISynchronize_Release(sync);
    }
    ResetEvent(core->sync.event);
    if (core->outer_sync && FAILED(hr = ISynchronize_Reset(core->outer_sync)))
    {
        WARN("outer Reset failed: %#lx\n", hr);
        EnterCriticalSection(&core->cs);
        core->state = ASYNC_IDLE;
        core->outer_sync = NULL;
        LeaveCriticalSection(&core->cs);
        return hr;
    }
    return S_OK;
}

/* idle -> beginning -> pending.  The event is reset (and the controlling
 * unknown's ISynchronize with it) while the call is still "beginning", so
 * that a Cancel in that window finds no pending call to complete: once it
 * is pending, only a completion sets the event. */
HRESULT callcore_begin(struct call_core *core, int method, LONG *generation)
{
    HRESULT hr;

    EnterCriticalSection(&core->cs);
    if (core->state != ASYNC_IDLE)
    {
        LeaveCriticalSection(&core->cs);
        return RPC_S_CALLPENDING;
    }
    core->state = ASYNC_BEGINNING;
    core->method = method;
    core->cancelled = FALSE;
    core->generation++;
    if (generation) *generation = core->generation;
    LeaveCriticalSection(&core->cs);

    if (FAILED(hr = callcore_begin_notify(core))) return hr;
    EnterCriticalSection(&core->cs);
    core->state = ASYNC_PENDING;
    LeaveCriticalSection(&core->cs);
    return S_OK;
}

/* Finish_: S_OK with cs held once the call of this method has completed */
HRESULT callcore_finish_wait(struct call_core *core, int method)
{
    HRESULT hr;

    EnterCriticalSection(&core->cs);
    hr = core->state == ASYNC_IDLE || core->method != method ? RPC_E_CALL_COMPLETE : S_OK;
    LeaveCriticalSection(&core->cs);
    if (FAILED(hr)) return hr;

    if (FAILED(hr = com_wait(core->sync.event, 0, INFINITE))) return hr;

    EnterCriticalSection(&core->cs);
    if (core->state != ASYNC_COMPLETED || core->method != method)
    {
        LeaveCriticalSection(&core->cs);
        return RPC_E_CALL_COMPLETE;
    }
    return S_OK;
}

/* Unmarshaled here and released, rather than CoReleaseMarshalData: Wine's
 * CoReleaseMarshalData only knows objects of this process (for any other
 * it fails with RPC_E_INVALID_OBJREF and the references stay with the
 * server), while the proxy an unmarshal makes gives them back when it goes. */
static void release_marshaled_proc(void *arg)
{
    IStream *stream = arg;
    LARGE_INTEGER zero = {{0}};
    IUnknown *unk;
    HRESULT hr;

    IStream_Seek(stream, zero, STREAM_SEEK_SET, NULL);
    if (SUCCEEDED(hr = combase_unmarshal_interface(stream, &IID_IUnknown, (void **)&unk))) IUnknown_Release(unk);
    else WARN("an abandoned answer could not be unmarshaled: %#lx; its references stay\n", hr);
    IStream_Release(stream);
}

/* the data was marshaled in the MTA, where it is unmarshaled */
void callcore_drop_marshaled(IStream *stream)
{
    if (stream && FAILED(asyncpool_submit(release_marshaled_proc, stream))) release_marshaled_proc(stream);
}

/* With cs held: TRUE while the call of this generation is pending and the
 * object is alive (a completion is still wanted). */
BOOL callcore_is_current(struct call_core *core, LONG generation)
{
    return core->generation == generation && core->state == ASYNC_PENDING && !core->released;
}

/* With cs held: moves a pending call to completed.  Without a controlling
 * unknown of the program's the event is set at once.  Otherwise its
 * ISynchronize::Signal, program code, is left to callcore_leave, which
 * calls it after leaving cs and sets the event only then: Finish_ (which
 * waits for the event) cannot take the result before a failing Signal has
 * turned it into that failure. */
void callcore_complete(struct call_core *core, HRESULT result)
{
    core->state = ASYNC_COMPLETED;
    core->result = result;
    if (core->outer_sync) core->signal_sync = core->outer_sync;
    else SetEvent(core->sync.event);
}

/* Leaves cs; then signals the controlling unknown's ISynchronize for a
 * call completed meanwhile.  While that Signal runs the object counts it
 * (callcore_set_released waits for it).  When it fails, the call fails
 * with its error: Finish_ cannot have taken the result yet, the event is
 * set only afterwards, and it drops what a failed call carries. */
void callcore_leave(struct call_core *core)
{
    ISynchronize *sync = core->signal_sync;
    LONG generation = core->generation;
    DWORD prev_tid;
    HRESULT hr;

    if (!sync)
    {
        LeaveCriticalSection(&core->cs);
        return;
    }
    core->signal_sync = NULL;
    core->signalling++;
    prev_tid = core->signal_tid;
    core->signal_tid = GetCurrentThreadId();
    LeaveCriticalSection(&core->cs);

    hr = ISynchronize_Signal(sync);

    EnterCriticalSection(&core->cs);
    if (FAILED(hr))
    {
        WARN("outer Signal failed: %#lx; the call fails\n", hr);
        if (core->generation == generation && core->state == ASYNC_COMPLETED) core->result = hr;
    }
    SetEvent(core->sync.event);
    core->signal_tid = prev_tid;
    if (!--core->signalling) WakeAllConditionVariable(&core->signal_done);
    LeaveCriticalSection(&core->cs);
}

/* with cs held: Finish_ took the result */
void callcore_finished(struct call_core *core)
{
    core->state = ASYNC_IDLE;
    core->outer_sync = NULL;
}

/* ---- ICancelMethodCalls ---- */

HRESULT WINAPI callcore_cancel_QueryInterface(ICancelMethodCalls *iface, REFIID riid, void **ppv)
{
    return IUnknown_QueryInterface(impl_from_ICancelMethodCalls(iface)->outer, riid, ppv);
}

ULONG WINAPI callcore_cancel_AddRef(ICancelMethodCalls *iface)
{
    return IUnknown_AddRef(impl_from_ICancelMethodCalls(iface)->outer);
}

ULONG WINAPI callcore_cancel_Release(ICancelMethodCalls *iface)
{
    return IUnknown_Release(impl_from_ICancelMethodCalls(iface)->outer);
}

/* With cs held: S_OK when the call is pending, else what Cancel returns. */
HRESULT callcore_cancel_check(struct call_core *core)
{
    if (core->state == ASYNC_PENDING) return S_OK;
    return core->state == ASYNC_COMPLETED && core->cancelled ? RPC_E_CALL_CANCELED : RPC_E_CALL_COMPLETE;
}

/* Cancel's grace period: lets the call complete on its own */
void callcore_cancel_wait(struct call_core *core, ULONG seconds)
{
    if (seconds)
        com_wait(core->sync.event, 0, seconds == RPC_C_CANCEL_INFINITE_TIMEOUT || seconds >= MAXDWORD / 1000
                                   ? INFINITE : seconds * 1000);
}

/* With cs held, after the wait: a call of this generation still pending is
 * completed as cancelled (leave cs with callcore_leave). */
HRESULT callcore_cancel_finish(struct call_core *core, LONG generation)
{
    if (core->generation == generation && core->state == ASYNC_PENDING)
    {
        core->cancelled = TRUE;
        callcore_complete(core, RPC_E_CALL_CANCELED);
        return S_OK;
    }
    if (core->generation == generation && core->state == ASYNC_COMPLETED && core->cancelled)
        return RPC_E_CALL_CANCELED;
    return RPC_E_CALL_COMPLETE;
}

/* Cancel for a call object whose calls have nothing of their own to tell */
static HRESULT WINAPI callcore_cancel_Cancel(ICancelMethodCalls *iface, ULONG seconds)
{
    struct call_core *core = impl_from_ICancelMethodCalls(iface);
    LONG generation;
    HRESULT hr;

    TRACE("%p, %lu\n", core, seconds);
    EnterCriticalSection(&core->cs);
    if ((hr = callcore_cancel_check(core)) != S_OK)
    {
        LeaveCriticalSection(&core->cs);
        return hr;
    }
    generation = core->generation;
    LeaveCriticalSection(&core->cs);

    callcore_cancel_wait(core, seconds);

    EnterCriticalSection(&core->cs);
    hr = callcore_cancel_finish(core, generation);
    callcore_leave(core);
    return hr;
}

HRESULT WINAPI callcore_cancel_TestCancel(ICancelMethodCalls *iface)
{
    struct call_core *core = impl_from_ICancelMethodCalls(iface);
    HRESULT hr;

    EnterCriticalSection(&core->cs);
    if (core->state == ASYNC_PENDING) hr = RPC_S_CALLPENDING;
    else if (core->state == ASYNC_COMPLETED) hr = core->cancelled ? RPC_E_CALL_CANCELED : RPC_S_CALLPENDING;
    else hr = RPC_E_CALL_COMPLETE;
    LeaveCriticalSection(&core->cs);
    TRACE("%p: %#lx\n", core, hr);
    return hr;
}

const ICancelMethodCallsVtbl callcore_cancel_vtbl =
{
    callcore_cancel_QueryInterface,
    callcore_cancel_AddRef,
    callcore_cancel_Release,
    callcore_cancel_Cancel,
    callcore_cancel_TestCancel,
};
