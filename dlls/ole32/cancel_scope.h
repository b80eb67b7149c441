/*
 * olecancel: cancelling the calls a thread makes on behalf of a call it
 * does not own
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * An asynchronous call's pool worker makes the real, synchronous call for
 * it.  A Cancel of the asynchronous call can come at any moment: before
 * the worker has started the real call, while the channel hook is giving
 * that call its cancel object, while it is on the wire.  A scope belongs to
 * one asynchronous call; the worker enters it on its thread around the
 * stub's Invoke, and the channel hook (chanhook.c) reports the cancellable
 * calls started and ended in it.  Cancelling the scope and starting a call
 * in it take the scope's lock, so either the Cancel finds the call and
 * cancels it, or the call finds the scope cancelled and is cancelled as
 * it starts, before anything is sent.
 */

#ifndef OLECANCEL_CANCEL_SCOPE_H
#define OLECANCEL_CANCEL_SCOPE_H

#include <objidl.h>

struct cancel_scope;
struct call_cancel;

/* cancelscope.c */

/* a scope with one reference; NULL when out of memory */
struct cancel_scope *cancel_scope_create(void);
void cancel_scope_addref(struct cancel_scope *scope);
void cancel_scope_release(struct cancel_scope *scope);
/* the call context of the thread in the scope: a method run on that very
 * thread (an MTA object of this process) asks CoTestCancel, and the scope
 * answers */
IUnknown *cancel_scope_context(struct cancel_scope *scope);
/* Cancel(seconds) of the call being made in the scope now, and of every
 * call started in it from now on, with what is left of the time (none
 * left: given up on before it is sent).  Returns at once: a wait for the
 * server runs on the thread pool. */
void cancel_scope_cancel(struct cancel_scope *scope, ULONG seconds);
/* TRUE once a Cancel gave up on a call made in the scope (that call then
 * returned RPC_E_CALL_CANCELED, which is no reply) */
BOOL cancel_scope_abandoned(struct cancel_scope *scope);

/* chanhook.c calls these on the thread in the scope.  started: TRUE when
 * the scope now follows the call (it is the outermost of the scope) and
 * ended must be called for it; a call started in a cancelled scope is
 * given up on at once. */
BOOL cancel_scope_call_started(struct cancel_scope *scope, struct call_cancel *call);
void cancel_scope_call_ended(struct cancel_scope *scope, struct call_cancel *call);

/* chanhook.c: the calling thread enters a scope (no reference taken: the
 * caller holds one until it leaves) and leaves it for the one it was in.
 * S_FALSE: no channel hook in this process, so no call to follow. */
HRESULT chanhook_enter_scope(struct cancel_scope *scope, struct cancel_scope **prev);
void chanhook_leave_scope(struct cancel_scope *prev);

#endif /* OLECANCEL_CANCEL_SCOPE_H */
