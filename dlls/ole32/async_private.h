/*
 * olecancel: declarations shared by the asynchronous-call files
 * (proxyhook.c, callfactory.c, callobj.c, asyncpool.c)
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

/* The one entry point: installs the ICallFactory hook on Wine's proxy
 * managers and prepares the worker pool.  Idempotent and thread-safe; the
 * DLL calls it on the first CoInitialize/CoInitializeEx/OleInitialize. */
HRESULT async_init(void);

/* Answers QI(IID_ICallFactory) on a standard proxy; proxy is the proxy
 * manager's controlling IUnknown. */
HRESULT callfactory_create(IUnknown *proxy, void **ppv);

/* ---- proxyhook.c (the only patch of Wine internals) --------------------- */

/* Patches the IMultiQI vtable shared by combase's proxy managers so that
 * QueryInterface/QueryMultipleInterfaces for IID_ICallFactory reach
 * callfactory_create.  Returns S_OK, or an error after a WARN when the
 * self-check fails (the feature is then off and nothing is patched). */
HRESULT proxyhook_install(void);
/* TRUE when the hook is active */
BOOL proxyhook_active(void);

/* ---- callobj.c ---------------------------------------------------------- */

/* Creates a call object for async_iid on the proxy `proxy` (an interface of a
 * standard proxy that supports sync_iid).  outer: controlling unknown or
 * NULL; riid: the interface returned in *ppv (the inner IUnknown when
 * aggregated). */
HRESULT callobj_create(IUnknown *proxy, REFIID async_iid, REFIID sync_iid,
                       IPSFactoryBuffer *factory, IUnknown *outer, REFIID riid, void **ppv);

/* The MTA view of a caller's proxy (one per proxy and interface, shared by
 * call objects).  A call object gets it with async_target_get (it must hold
 * the caller's proxy meanwhile) and gives it back with async_target_put;
 * queued work holds it with addref/release.  iface returns the interface
 * usable from MTA workers (AddRef'd).  Any apartment may put/release. */
struct async_target;
HRESULT async_target_get(IUnknown *proxy, REFIID iid, struct async_target **target);
void async_target_put(struct async_target *target);
HRESULT async_target_iface(struct async_target *target, IUnknown **iface);
void async_target_addref(struct async_target *target);
void async_target_release(struct async_target *target);

/* waits with the COM modal loop in an STA, plainly elsewhere;
 * RPC_S_CALLPENDING on timeout */
HRESULT async_wait(HANDLE event, DWORD flags, DWORD ms);

/* cancelapi.c: declared without the SDK's dllimport, it lives in this DLL */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wattributes"
HRESULT WINAPI CoGetCancelObject(DWORD tid, REFIID riid, void **ppv);
#pragma GCC diagnostic pop
/* callcancel.c: TRUE when iface is a synchronous call's cancel object and a
 * Cancel gave up on that call (its caller then got RPC_E_CALL_CANCELED) */
BOOL call_cancel_iface_abandoned(ICancelMethodCalls *iface);

/* ---- asyncunk.c --------------------------------------------------------- */

/* CreateCall(IID_AsyncIUnknown) on a standard proxy */
HRESULT asyncunk_create(IUnknown *proxy, IUnknown *outer, REFIID riid, void **ppv);

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
