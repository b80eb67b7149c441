/*
 * olecancel: cancellable calls from an MTA thread to an STA of the same
 * process, which Wine posts to the apartment's window
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
 * For such a call combase's client channel fills a set of dispatch
 * parameters inside its message state, posts them to the STA's window
 * and waits for their event; the STA runs the call on the message in
 * place.  No rpcrt4 worker exists that a cancel could stop, and the
 * parameters, the message and its buffer are the caller's: once the
 * caller's wait ended, the STA would write into memory that is gone.
 *
 * So a cancellable call is carried (rpchook.c hands us the post): the
 * carrier copies the parameters and the message, holds its own
 * references on the stub and the server channel, signals its own event,
 * and posts that copy.  The caller waits here, in the post, for the STA
 * to finish or the cancel to abandon the call:
 *   - finished, no cancel won: the message (with the reply buffer) goes
 *     back to the caller and the post returns as if the STA had run the
 *     original, whose event is set;
 *   - abandoned: the caller's message gets a buffer of its own (combase
 *     frees it with the call), the result is RPC_E_CALL_CANCELED, and
 *     the carrier is left to the STA; when the STA is done with it, a
 *     thread-pool wait gives back the references of the reply
 *     (drop_reply) and frees the reply and the carrier.
 * The caller waits as combase would have: in an STA, the COM modal loop.
 */

#include "sync_cancel.h"
#include "drop_reply.h"

/* combase's dispatch parameters (rpc.c, the same in Wine 8.0 and 10.0) */
struct wine_dispatch
{
    RPCOLEMESSAGE *msg;
    IRpcStubBuffer *stub;
    IRpcChannelBuffer *chan;
    IID iid;
    IUnknown *iface;
    HANDLE handle;
    BOOL bypass_rpcrt;
    RPC_STATUS status;
    HRESULT hr;
};

struct carrier
{
    SLIST_ENTRY entry;             /* in the pool */
    struct wine_dispatch params;   /* what the STA runs: ours */
    RPCOLEMESSAGE msg;             /* params.msg */
    HANDLE done;                   /* params.handle, auto-reset: the STA finished */
    HANDLE abandoned;              /* auto-reset: the cancel gave up on the call */
    TP_WAIT *orphan;               /* waits for the STA after an abandon */
};

/* carriers between calls, with their events: creating and closing two
 * events is four wineserver round trips, most of what carrying costs */
#define POOL_MAX 8
static SLIST_HEADER pool;
static INIT_ONCE pool_once = INIT_ONCE_STATIC_INIT;

static SRWLOCK carrier_lock = SRWLOCK_INIT;
static volatile LONG calls_carried, calls_orphaned;

LONG posted_calls_orphaned(void)
{
    return calls_orphaned;
}

LONG posted_calls_carried(void)
{
    return calls_carried;
}

static BOOL CALLBACK pool_init(INIT_ONCE *once, void *param, void **ctx)
{
    InitializeSListHead(&pool);
    return TRUE;
}

static struct carrier *carrier_get(void)
{
    struct carrier *c;

    InitOnceExecuteOnce(&pool_once, pool_init, NULL, NULL);
    if ((c = (struct carrier *)InterlockedPopEntrySList(&pool))) return c;
    if (!(c = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*c)))) return NULL;
    c->done = CreateEventW(NULL, FALSE, FALSE, NULL);
    c->abandoned = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (c->done && c->abandoned) return c;
    if (c->done) CloseHandle(c->done);
    if (c->abandoned) CloseHandle(c->abandoned);
    HeapFree(GetProcessHeap(), 0, c);
    return NULL;
}

/* back to the pool; its events must be unsignalled */
static void carrier_put(struct carrier *c)
{
    if (QueryDepthSList(&pool) < POOL_MAX)
    {
        InterlockedPushEntrySList(&pool, &c->entry);
        return;
    }
    CloseHandle(c->done);
    CloseHandle(c->abandoned);
    HeapFree(GetProcessHeap(), 0, c);
}

static void carrier_release_call(struct carrier *c)
{
    IRpcStubBuffer_Release(c->params.stub);
    IRpcChannelBuffer_Release(c->params.chan);
}

/* the STA is done with a call nobody waits for (its done event has been
 * consumed): the reply's interfaces give their references back, then the
 * reply goes */
static void carrier_discard(struct carrier *c)
{
    if (c->params.hr == S_OK && c->params.status == RPC_S_OK && c->msg.Buffer)
        drop_reply(c->msg.Buffer, c->msg.cbBuffer);
    rpchook_combase_free(c->msg.Buffer);
    carrier_release_call(c);
    ResetEvent(c->abandoned);
    c->orphan = NULL;
    carrier_put(c);
}

static void CALLBACK orphan_done(TP_CALLBACK_INSTANCE *instance, void *context, TP_WAIT *wait, TP_WAIT_RESULT result)
{
    struct carrier *c = context;

    TRACE("abandoned posted call %p finished in the STA\n", c);
    CloseThreadpoolWait(wait);
    carrier_discard(c);
    InterlockedDecrement(&calls_orphaned);
}

BOOL posted_call_abort(struct call_cancel *call)
{
    struct carrier *c;

    AcquireSRWLockShared(&carrier_lock);
    if ((c = *call_cancel_carrier_slot(call))) SetEvent(c->abandoned);
    ReleaseSRWLockShared(&carrier_lock);
    return c != NULL;
}

/* the caller's wait is over, the cancel won: the STA keeps the carrier
 * unless it is done already (sta_done: the wait consumed its event) */
static void leave_to_sta(struct carrier *c, BOOL sta_done)
{
    if (sta_done || !WaitForSingleObject(c->done, 0))
    {
        carrier_discard(c);
        return;
    }
    InterlockedIncrement(&calls_orphaned);
    if ((c->orphan = CreateThreadpoolWait(orphan_done, c, NULL)))
    {
        SetThreadpoolWait(c->orphan, c->done, NULL);
        return;
    }
    /* no thread pool: the memory the STA writes to must stay */
    WARN("no thread-pool wait: abandoned posted call %p is kept for good\n", c);
}

static void set_result(struct wine_dispatch *orig, HRESULT hr)
{
    orig->status = RPC_S_OK;
    orig->hr = hr;
    SetEvent(orig->handle);
}

BOOL posted_call_carry(struct call_cancel *call, HWND hwnd, void *params, BOOL *posted)
{
    struct wine_dispatch *orig = params;
    RPCOLEMESSAGE *msg = orig->msg;
    void **slot = call_cancel_carrier_slot(call);
    HANDLE waits[2];
    DWORD index;
    HRESULT hr;
    struct carrier *c;
    void *spare;
    BOOL abandoned;

    /* what combase's client channel gives a posted call */
    if (!msg || !orig->stub || !orig->chan || !orig->handle || !orig->bypass_rpcrt)
    {
        olecancel_feature_off(OLECANCEL_FEATURE_POSTED, "combase's posted call is not laid out as olecancel "
                              "expects; a cancel does not end the wait");
        return FALSE;
    }
    if (!(c = carrier_get())) return FALSE;
    /* the caller's message gets it if the call is abandoned: combase
     * frees the buffer of a failed call */
    if (!(spare = rpchook_combase_malloc(1)))
    {
        carrier_put(c);
        return FALSE;
    }
    c->params = *orig;
    c->msg = *msg;
    c->params.msg = &c->msg;
    c->params.handle = c->done;
    IRpcStubBuffer_AddRef(c->params.stub);
    IRpcChannelBuffer_AddRef(c->params.chan);

    /* from here a cancel finds the carrier; one that came before is seen
     * by the check after it */
    AcquireSRWLockExclusive(&carrier_lock);
    *slot = c;
    ReleaseSRWLockExclusive(&carrier_lock);
    if (call_cancel_is_abandoned(call) || !rpchook_post_message(hwnd, WM_USER, 0, (LPARAM)&c->params))
    {
        DWORD err = GetLastError();

        AcquireSRWLockExclusive(&carrier_lock);
        *slot = NULL;
        ReleaseSRWLockExclusive(&carrier_lock);
        rpchook_combase_free(spare);
        carrier_release_call(c);
        /* a cancel that came meanwhile may have signalled the event */
        ResetEvent(c->abandoned);
        carrier_put(c);
        if (!call_cancel_finished(call))
        {
            /* the post failed: as combase would say it */
            SetLastError(err);
            *posted = FALSE;
            return TRUE;
        }
        InterlockedIncrement(&sync_cancel_stats.calls_not_sent);
        set_result(orig, RPC_E_CALL_CANCELED);
        *posted = TRUE;
        return TRUE;
    }
    InterlockedIncrement(&calls_carried);

    /* as combase's own wait: an STA caller keeps serving its apartment */
    waits[0] = c->done;
    waits[1] = c->abandoned;
    if ((hr = CoWaitForMultipleHandles(0, INFINITE, 2, waits, &index)) != S_OK)
    {
        WARN("wait for posted call %p failed (%#lx): waiting for the STA alone\n", c, hr);
        WaitForSingleObject(c->done, INFINITE);
        index = 0;
    }

    AcquireSRWLockExclusive(&carrier_lock);
    *slot = NULL;
    ReleaseSRWLockExclusive(&carrier_lock);
    abandoned = call_cancel_finished(call);

    if (!abandoned)
    {
        /* only an abandon signals the other event */
        if (index) WaitForSingleObject(c->done, INFINITE);
        /* the STA finished: its message is the caller's, as if it had run
         * that one */
        *msg = c->msg;
        orig->status = c->params.status;
        orig->hr = c->params.hr;
        rpchook_combase_free(spare);
        carrier_release_call(c);
        /* no cancel can come now (the call is complete): both events are
         * unsignalled, the wait consumed the STA's */
        carrier_put(c);
        SetEvent(orig->handle);
        *posted = TRUE;
        return TRUE;
    }

    TRACE("posted call %p abandoned\n", c);
    /* the request buffer belongs to the STA now */
    msg->Buffer = spare;
    msg->cbBuffer = 0;
    leave_to_sta(c, index == 0);
    set_result(orig, RPC_E_CALL_CANCELED);
    *posted = TRUE;
    return TRUE;
}
