/*
 * olecancel: the cancel scope of an asynchronous call's worker
 * (cancel_scope.h says what a scope is for)
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
 */

#include <stdlib.h>
#include "sync_cancel.h"
#include "cancel_scope.h"

struct cancel_scope
{
    ICancelMethodCalls ICancelMethodCalls_iface;   /* the call context; its references are the scope's */
    LONG refcount;
    SRWLOCK lock;               /* protects what follows */
    BOOL cancelled;             /* calls started from now on are cancelled as they start... */
    ULONG seconds;              /* ...with what is left of this Cancel's time... */
    DWORD cancel_tick;          /* ...counted from then */
    BOOL abandoned;             /* a Cancel gave up on a call of the scope */
    struct call_cancel *call;   /* the outermost call being made in the scope (a reference) */
};

/* Cancel(seconds) of a call made in a scope: the server is told at once
 * (callcancel.c); with time to wait, the wait runs on the thread pool,
 * since neither the thread that cancels (a call object's Cancel waits
 * itself, with the COM modal loop) nor the thread starting a call in a
 * cancelled scope (the call must go on to be sent) may block on it. */
static void CALLBACK cancel_call_proc(TP_CALLBACK_INSTANCE *instance, void *context)
{
    struct { ICancelMethodCalls *cancel; ULONG seconds; } *args = context;
    HRESULT hr = ICancelMethodCalls_Cancel(args->cancel, args->seconds);
    TRACE("call %p: Cancel(%lu) -> %#lx\n", args->cancel, args->seconds, hr);
    ICancelMethodCalls_Release(args->cancel);
    free(args);
}

static void cancel_call(ICancelMethodCalls *cancel, ULONG seconds)
{
    struct { ICancelMethodCalls *cancel; ULONG seconds; } *args;
    HRESULT hr;

    if (seconds && (args = malloc(sizeof(*args))))
    {
        args->cancel = cancel;
        args->seconds = seconds;
        ICancelMethodCalls_AddRef(cancel);
        if (TrySubmitThreadpoolCallback(cancel_call_proc, args, NULL)) return;
        ICancelMethodCalls_Release(cancel);
        free(args);
    }
    hr = ICancelMethodCalls_Cancel(cancel, 0);
    TRACE("call %p: Cancel(0) -> %#lx\n", cancel, hr);
}

/* with the lock held: what is left now of the scope's Cancel time */
static ULONG seconds_left(const struct cancel_scope *scope)
{
    DWORD elapsed = GetTickCount() - scope->cancel_tick;
    ULONGLONG total;

    if (scope->seconds == RPC_C_CANCEL_INFINITE_TIMEOUT) return RPC_C_CANCEL_INFINITE_TIMEOUT;
    total = (ULONGLONG)scope->seconds * 1000;
    if (elapsed >= total) return 0;
    return (ULONG)((total - elapsed + 999) / 1000);
}

static inline struct cancel_scope *impl_from_ICancelMethodCalls(ICancelMethodCalls *iface)
{
    return CONTAINING_RECORD(iface, struct cancel_scope, ICancelMethodCalls_iface);
}

static ULONG WINAPI scope_AddRef(ICancelMethodCalls *iface)
{
    return InterlockedIncrement(&impl_from_ICancelMethodCalls(iface)->refcount);
}

static ULONG WINAPI scope_Release(ICancelMethodCalls *iface)
{
    struct cancel_scope *scope = impl_from_ICancelMethodCalls(iface);
    LONG ref = InterlockedDecrement(&scope->refcount);

    if (!ref)
    {
        if (scope->call) call_cancel_release(scope->call);
        free(scope);
    }
    return ref;
}

static HRESULT WINAPI scope_Cancel(ICancelMethodCalls *iface, ULONG seconds)
{
    /* as the call context of the method, the server side cannot cancel
     * its own caller */
    return E_NOTIMPL;
}

static HRESULT WINAPI scope_TestCancel(ICancelMethodCalls *iface)
{
    struct cancel_scope *scope = impl_from_ICancelMethodCalls(iface);
    BOOL cancelled;

    AcquireSRWLockShared(&scope->lock);
    cancelled = scope->cancelled;
    ReleaseSRWLockShared(&scope->lock);
    return cancelled ? RPC_E_CALL_CANCELED : RPC_S_CALLPENDING;
}

static const ICancelMethodCallsVtbl scope_vtbl =
{
    cancel_object_QueryInterface, scope_AddRef, scope_Release, scope_Cancel, scope_TestCancel
};

struct cancel_scope *cancel_scope_create(void)
{
    struct cancel_scope *scope;

    if (!(scope = calloc(1, sizeof(*scope)))) return NULL;
    scope->ICancelMethodCalls_iface.lpVtbl = &scope_vtbl;
    scope->refcount = 1;
    InitializeSRWLock(&scope->lock);
    return scope;
}

void cancel_scope_addref(struct cancel_scope *scope)
{
    scope_AddRef(&scope->ICancelMethodCalls_iface);
}

void cancel_scope_release(struct cancel_scope *scope)
{
    scope_Release(&scope->ICancelMethodCalls_iface);
}

IUnknown *cancel_scope_context(struct cancel_scope *scope)
{
    return (IUnknown *)&scope->ICancelMethodCalls_iface;
}

void cancel_scope_cancel(struct cancel_scope *scope, ULONG seconds)
{
    struct call_cancel *call;

    AcquireSRWLockExclusive(&scope->lock);
    /* the calls started later get the most urgent Cancel's time */
    if (!scope->cancelled || seconds_left(scope) > seconds)
    {
        scope->seconds = seconds;
        scope->cancel_tick = GetTickCount();
    }
    scope->cancelled = TRUE;
    if ((call = scope->call)) call_cancel_addref(call);
    ReleaseSRWLockExclusive(&scope->lock);
    TRACE("scope %p, %lu: call %p\n", scope, seconds, call);
    if (call)
    {
        cancel_call(call_cancel_iface(call), seconds);
        call_cancel_release(call);
    }
}

BOOL cancel_scope_abandoned(struct cancel_scope *scope)
{
    BOOL abandoned;

    AcquireSRWLockShared(&scope->lock);
    /* a call whose end the channel hook did not see still counts */
    abandoned = scope->abandoned || (scope->call && call_cancel_is_abandoned(scope->call));
    ReleaseSRWLockShared(&scope->lock);
    return abandoned;
}

BOOL cancel_scope_call_started(struct cancel_scope *scope, struct call_cancel *call)
{
    BOOL follow, cancelled;
    ULONG seconds = 0;

    AcquireSRWLockExclusive(&scope->lock);
    if ((cancelled = scope->cancelled)) seconds = seconds_left(scope);
    if ((follow = !scope->call))
    {
        call_cancel_addref(call);
        scope->call = call;
    }
    ReleaseSRWLockExclusive(&scope->lock);

    if (cancelled)
    {
        /* The Cancel came before this call: it gets the Cancel now, with
         * the time that Cancel has left.  With none, it is given up on
         * before it is sent (rpchook.c then never sends it; a call posted
         * to an STA of this process finds the cancel in its first
         * CoTestCancel); otherwise the server is told as it starts. */
        TRACE("scope %p: call %p started cancelled, %lu s left\n", scope, call, seconds);
        cancel_call(call_cancel_iface(call), seconds);
        if (call_cancel_is_abandoned(call))
        {
            AcquireSRWLockExclusive(&scope->lock);
            scope->abandoned = TRUE;
            ReleaseSRWLockExclusive(&scope->lock);
        }
    }
    return follow;
}

void cancel_scope_call_ended(struct cancel_scope *scope, struct call_cancel *call)
{
    BOOL was_current;

    AcquireSRWLockExclusive(&scope->lock);
    if ((was_current = scope->call == call)) scope->call = NULL;
    if (call_cancel_is_abandoned(call)) scope->abandoned = TRUE;
    ReleaseSRWLockExclusive(&scope->lock);
    if (was_current) call_cancel_release(call);
}
