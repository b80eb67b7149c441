/*
 * olecancel: the ICancelMethodCalls object of one outgoing synchronous call
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
 * One object describes one call.  Its state only moves forward:
 *
 *   PENDING --Cancel--> CANCEL_REQUESTED --timeout--> ABANDONED
 *      |                      |
 *      +-------finished-------+-----------------> COMPLETED
 *
 * Every move is one InterlockedCompareExchange, so "completed" (the real
 * result is delivered) and "abandoned" (the caller gets RPC_E_CALL_CANCELED)
 * exclude each other whatever the threads do.  CANCEL_REQUESTED means the
 * server has been told and the canceller waits for the real result.
 */

#include "sync_cancel.h"
#include <sddl.h>

enum call_state
{
    CALLSTATE_PENDING,
    CALLSTATE_CANCEL_REQUESTED,
    CALLSTATE_ABANDONED,
    CALLSTATE_COMPLETED,
};

struct call_cancel
{
    ICancelMethodCalls ICancelMethodCalls_iface;
    LONG refcount;
    BOOL cancellable;
    LONG state;             /* enum call_state */
    LONG cancel_requested;  /* a Cancel got past the state check once */
    LONG left;              /* call_cancel_finished ran */
    HANDLE left_event;      /* created only when somebody waits */
    HANDLE server_event;    /* named event telling the server, created on cancel */
    LONG worker_tid;        /* owned by rpchook.c */
    void *carrier;          /* owned by postcall.c */
    void (*abort)(struct call_cancel *call);   /* makes the carrier give up */
    GUID id;                /* random, sent to the server */
};

struct sync_cancel_stats sync_cancel_stats;

void server_ctx_name(const GUID *id, WCHAR *name, size_t len)
{
    memset(name, 0, len * sizeof(WCHAR));
    _snwprintf(name, len - 1, L"Local\\olecancel-call-%08lx-%04x-%04x-%02x%02x%02x%02x%02x%02x%02x%02x",
             id->Data1, id->Data2, id->Data3, id->Data4[0], id->Data4[1], id->Data4[2],
             id->Data4[3], id->Data4[4], id->Data4[5], id->Data4[6], id->Data4[7]);
}

static inline struct call_cancel *impl_from_ICancelMethodCalls(ICancelMethodCalls *iface)
{
    return CONTAINING_RECORD(iface, struct call_cancel, ICancelMethodCalls_iface);
}

/* ---- the named event that tells the server -------------------------- */

/* Abandoned calls release their object at once, maybe before the server
 * even received the request: the event must outlive the object for a while
 * or the server would never see it.  Handles wait here for GRAVE_MS. */
#define GRAVE_SLOTS 64
#define GRAVE_MS    60000
static struct { HANDLE handle; DWORD tick; } graveyard[GRAVE_SLOTS];
static SRWLOCK graveyard_lock = SRWLOCK_INIT;

static void graveyard_add(HANDLE handle)
{
    DWORD now = GetTickCount();
    HANDLE close_me = NULL;
    unsigned int i, oldest = 0;

    AcquireSRWLockExclusive(&graveyard_lock);
    for (i = 0; i < GRAVE_SLOTS; i++)
    {
        if (graveyard[i].handle && now - graveyard[i].tick > GRAVE_MS)
        {
            CloseHandle(graveyard[i].handle);
            graveyard[i].handle = NULL;
        }
        if (!graveyard[i].handle) oldest = i;
        else if (graveyard[oldest].handle && now - graveyard[i].tick > now - graveyard[oldest].tick)
            oldest = i;
    }
    close_me = graveyard[oldest].handle;
    graveyard[oldest].handle = handle;
    graveyard[oldest].tick = now;
    ReleaseSRWLockExclusive(&graveyard_lock);
    if (close_me) CloseHandle(close_me);
}

/* diagnostics: the handles kept here right now (the tests subtract them
 * when they look for leaked handles) */
LONG call_cancel_events_kept(void)
{
    unsigned int i;
    LONG n = 0;

    AcquireSRWLockShared(&graveyard_lock);
    for (i = 0; i < GRAVE_SLOTS; i++) if (graveyard[i].handle) n++;
    ReleaseSRWLockShared(&graveyard_lock);
    return n;
}

/* only the current user may open the event (the client and a server
 * running as the same user); a NULL descriptor would inherit the default */
static SECURITY_ATTRIBUTES *user_only_sa(void)
{
    static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    static SECURITY_ATTRIBUTES sa;
    BOOL pending;

    if (InitOnceBeginInitialize(&once, 0, &pending, NULL) && pending)
    {
        HANDLE token;
        char buf[256];
        TOKEN_USER *user = (TOKEN_USER *)buf;
        DWORD len;
        WCHAR *sid_str = NULL, sddl[256] = {0};
        PSECURITY_DESCRIPTOR sd = NULL;

        if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token))
        {
            if (GetTokenInformation(token, TokenUser, buf, sizeof(buf), &len)
                    && ConvertSidToStringSidW(user->User.Sid, &sid_str))
            {
                _snwprintf(sddl, ARRAY_SIZE(sddl) - 1, L"D:P(A;;GA;;;%s)", sid_str);
                if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL))
                    sd = NULL;
                LocalFree(sid_str);
            }
            CloseHandle(token);
        }
        if (!sd) WARN("no user-only security descriptor (error %lu); using the default\n", GetLastError());
        sa.nLength = sizeof(sa);
        sa.lpSecurityDescriptor = sd;
        sa.bInheritHandle = FALSE;
        InitOnceComplete(&once, 0, NULL);
    }
    return sa.lpSecurityDescriptor ? &sa : NULL;
}

static void tell_server(struct call_cancel *call)
{
    WCHAR name[80];
    HANDLE event;

    server_ctx_name(&call->id, name, ARRAY_SIZE(name));
    event = CreateEventW(user_only_sa(), TRUE, TRUE, name);
    if (!event)
    {
        WARN("cannot create %s: %lu; the server will not see the cancel\n", debugstr_w(name), GetLastError());
        return;
    }
    SetEvent(event);
    if (InterlockedCompareExchangePointer(&call->server_event, event, NULL))
        CloseHandle(event);
}

/* ---- waiting for the call to leave ----------------------------------- */

BOOL call_cancel_wait_left(struct call_cancel *call, DWORD ms)
{
    HANDLE event;

    if (call->left) return TRUE;
    if (!(event = call->left_event))
    {
        if (!(event = CreateEventW(NULL, TRUE, FALSE, NULL))) return call->left;
        if (InterlockedCompareExchangePointer(&call->left_event, event, NULL))
        {
            CloseHandle(event);
            event = call->left_event;
        }
    }
    /* the event is published before "left" is read again; the finisher sets
     * "left" before it reads the event: one of us sees the other */
    if (InterlockedCompareExchange(&call->left, 0, 0)) return TRUE;
    /* the server may call back into the canceller's STA before it returns */
    com_wait(event, 0, ms);
    return InterlockedCompareExchange(&call->left, 0, 0) != 0;
}

BOOL call_cancel_finished(struct call_cancel *call)
{
    BOOL abandoned = FALSE;
    HANDLE event;
    LONG state;

    for (;;)
    {
        state = call->state;
        if (state == CALLSTATE_ABANDONED) { abandoned = TRUE; break; }
        if (state == CALLSTATE_COMPLETED) break;
        if (InterlockedCompareExchange(&call->state, CALLSTATE_COMPLETED, state) == state) break;
    }
    InterlockedExchange(&call->left, 1);
    if ((event = InterlockedCompareExchangePointer(&call->left_event, NULL, NULL)))
        SetEvent(event);
    TRACE("call %p %s\n", call, abandoned ? "abandoned" : "completed");
    return abandoned;
}

BOOL call_cancel_is_abandoned(const struct call_cancel *call)
{
    return call->state == CALLSTATE_ABANDONED;
}

BOOL call_cancel_has_left(const struct call_cancel *call)
{
    return call->left != 0;
}

/* ---- ICancelMethodCalls ----------------------------------------------- */

/* QueryInterface of every object of ours that is only an ICancelMethodCalls
 * (this file's, the server contexts of chanhook.c, the cancel scopes of
 * cancelscope.c) */
HRESULT WINAPI cancel_object_QueryInterface(ICancelMethodCalls *iface, REFIID riid, void **ppv)
{
    TRACE("(%p, %s, %p)\n", iface, debugstr_guid(riid), ppv);

    if (!ppv) return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_ICancelMethodCalls))
    {
        *ppv = iface;
        ICancelMethodCalls_AddRef(iface);
        return S_OK;
    }
    TRACE("no interface %s\n", debugstr_guid(riid));
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI call_cancel_AddRef(ICancelMethodCalls *iface)
{
    struct call_cancel *call = impl_from_ICancelMethodCalls(iface);
    ULONG ref = InterlockedIncrement(&call->refcount);
    TRACE("(%p) ref %lu\n", call, ref);
    return ref;
}

static ULONG WINAPI call_cancel_Release(ICancelMethodCalls *iface)
{
    struct call_cancel *call = impl_from_ICancelMethodCalls(iface);
    ULONG ref = InterlockedDecrement(&call->refcount);

    TRACE("(%p) ref %lu\n", call, ref);
    if (!ref)
    {
        if (call->left_event) CloseHandle(call->left_event);
        if (call->server_event)
        {
            /* a call that completed has been answered: no server will look
             * for its event again; only abandoned calls need the grace time */
            if (call->state == CALLSTATE_COMPLETED) CloseHandle(call->server_event);
            else graveyard_add(call->server_event);
        }
        HeapFree(GetProcessHeap(), 0, call);
    }
    return ref;
}

static HRESULT WINAPI call_cancel_Cancel(ICancelMethodCalls *iface, ULONG seconds)
{
    struct call_cancel *call = impl_from_ICancelMethodCalls(iface);
    LONG prev;

    TRACE("(%p, %lu)\n", call, seconds);

    if (!call->cancellable) return CO_E_CANCEL_DISABLED;

    /* with no time to wait, give up on the call before telling the server,
     * so that a server reacting at once cannot turn S_OK into
     * RPC_E_CALL_COMPLETE */
    prev = InterlockedCompareExchange(&call->state, seconds ? CALLSTATE_CANCEL_REQUESTED : CALLSTATE_ABANDONED,
                                      CALLSTATE_PENDING);
    if (prev == CALLSTATE_COMPLETED) return RPC_E_CALL_COMPLETE;
    if (prev != CALLSTATE_PENDING) return RPC_E_CALL_CANCELED;
    InterlockedExchange(&call->cancel_requested, 1);

    /* the server learns at once, whatever the timeout */
    tell_server(call);

    if (!seconds)
    {
        InterlockedIncrement(&sync_cancel_stats.calls_abandoned);
        call->abort(call);
        TRACE("(%p) abandoned\n", call);
        return S_OK;
    }
    if (seconds == RPC_C_CANCEL_INFINITE_TIMEOUT)
    {
        while (!call_cancel_wait_left(call, INFINITE)) ;
        TRACE("(%p) server returned\n", call);
        return RPC_E_CALL_COMPLETE;
    }
    if (call_cancel_wait_left(call, seconds > MAXDWORD / 1000 ? MAXDWORD - 1 : seconds * 1000)
            && call->state == CALLSTATE_COMPLETED)
        return RPC_E_CALL_COMPLETE;

    prev = InterlockedCompareExchange(&call->state, CALLSTATE_ABANDONED, CALLSTATE_CANCEL_REQUESTED);
    if (prev == CALLSTATE_COMPLETED)
    {
        TRACE("(%p) completion won the race\n", call);
        return RPC_E_CALL_COMPLETE;
    }
    InterlockedIncrement(&sync_cancel_stats.calls_abandoned);
    call->abort(call);
    TRACE("(%p) abandoned\n", call);
    return S_OK;
}

static HRESULT WINAPI call_cancel_TestCancel(ICancelMethodCalls *iface)
{
    struct call_cancel *call = impl_from_ICancelMethodCalls(iface);

    TRACE("(%p)\n", call);

    if (call->cancel_requested) return RPC_E_CALL_CANCELED;
    /* inferred: a call that finished uncancelled is no longer pending */
    if (call->state == CALLSTATE_COMPLETED) return RPC_E_CALL_COMPLETE;
    return RPC_S_CALLPENDING;
}

static const ICancelMethodCallsVtbl call_cancel_vtbl =
{
    cancel_object_QueryInterface,
    call_cancel_AddRef,
    call_cancel_Release,
    call_cancel_Cancel,
    call_cancel_TestCancel,
};

/* Calls started with cancellation disabled all share this object: it only
 * has to answer CO_E_CANCEL_DISABLED, and costs no allocation per call. */
static ULONG WINAPI disabled_AddRef(ICancelMethodCalls *iface) { return 2; }
static ULONG WINAPI disabled_Release(ICancelMethodCalls *iface) { return 1; }

static HRESULT WINAPI disabled_Cancel(ICancelMethodCalls *iface, ULONG seconds)
{
    TRACE("(%p, %lu)\n", iface, seconds);
    return CO_E_CANCEL_DISABLED;
}

static HRESULT WINAPI disabled_TestCancel(ICancelMethodCalls *iface)
{
    TRACE("(%p)\n", iface);
    return RPC_S_CALLPENDING;
}

static const ICancelMethodCallsVtbl disabled_vtbl =
{
    cancel_object_QueryInterface,
    disabled_AddRef,
    disabled_Release,
    disabled_Cancel,
    disabled_TestCancel,
};

static ICancelMethodCalls disabled_call = { &disabled_vtbl };

ICancelMethodCalls *call_cancel_disabled(void)
{
    return &disabled_call;
}

struct call_cancel *call_cancel_create(BOOL cancellable, void (*abort)(struct call_cancel *call))
{
    struct call_cancel *call;

    if (!(call = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*call)))) return NULL;
    call->ICancelMethodCalls_iface.lpVtbl = &call_cancel_vtbl;
    call->refcount = 1;
    call->cancellable = cancellable;
    call->abort = abort;
    call->state = CALLSTATE_PENDING;
    /* UuidCreate gives 122 random bits: the server-side name cannot be guessed */
    if (UuidCreate(&call->id) != RPC_S_OK)
    {
        HeapFree(GetProcessHeap(), 0, call);
        return NULL;
    }
    TRACE("call %p id %s cancellable %d\n", call, debugstr_guid(&call->id), cancellable);
    return call;
}

ICancelMethodCalls *call_cancel_iface(struct call_cancel *call)
{
    return &call->ICancelMethodCalls_iface;
}

void call_cancel_addref(struct call_cancel *call)
{
    ICancelMethodCalls_AddRef(&call->ICancelMethodCalls_iface);
}

void call_cancel_release(struct call_cancel *call)
{
    ICancelMethodCalls_Release(&call->ICancelMethodCalls_iface);
}

const GUID *call_cancel_id(const struct call_cancel *call)
{
    return &call->id;
}

LONG *call_cancel_worker_slot(struct call_cancel *call)
{
    return &call->worker_tid;
}

void **call_cancel_carrier_slot(struct call_cancel *call)
{
    return &call->carrier;
}
