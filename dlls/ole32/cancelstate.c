/*
 * olecancel: per-thread cancellation state
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Each thread that uses the API gets a record: its
 * CoEnableCallCancellation counter (touched only by the thread itself) and
 * its cancel-object stack (CoSetCancelObject), which other threads read
 * through CoGetCancelObject(tid).  Records live in one list under an SRW
 * lock.  No foreign object is ever called with the lock held: the stack
 * holds our own refcounted nodes, and a reader pins a node under the lock,
 * then AddRefs/QIs the object it holds after dropping the lock.
 *
 * Where Wine's combase implements CoEnableCallCancellation and
 * CoDisableCallCancellation itself (Wine 8.0 and 10.0 do), its counter is
 * the only one and the record's is unused: a program may call combase's
 * directly (an api-set import), and the answer must be the same whichever
 * DLL it went through.  Wine offers no way to read that counter, so "is it
 * above zero" is asked by disabling once and, when that succeeded,
 * enabling again: the counter is the calling thread's own, and Wine reads
 * it nowhere else.
 */

#include "olecancel_private.h"
#include "cancel_private.h"

struct cancel_node
{
    LONG refs;
    ICancelMethodCalls *object;   /* one reference, released with the node */
    struct cancel_node *next;     /* the entry below this one in the stack */
};

struct thread_state
{
    struct thread_state *prev, *next;
    DWORD tid;
    LONG enabled;                 /* CoEnableCallCancellation counter */
    struct cancel_node *top;
};

static SRWLOCK states_lock = SRWLOCK_INIT;
static struct thread_state *states;   /* all threads with a record */
static DWORD state_tls = TLS_OUT_OF_INDEXES;
static INIT_ONCE tls_once = INIT_ONCE_STATIC_INIT;

static BOOL CALLBACK alloc_tls(INIT_ONCE *once, void *param, void **context)
{
    state_tls = TlsAlloc();
    if (state_tls == TLS_OUT_OF_INDEXES) ERR("no TLS index left\n");
    return TRUE;
}

static struct thread_state *get_state(BOOL create)
{
    struct thread_state *state;
    DWORD err;

    InitOnceExecuteOnce(&tls_once, alloc_tls, NULL, NULL);
    if (state_tls == TLS_OUT_OF_INDEXES) return NULL;
    err = GetLastError();
    state = TlsGetValue(state_tls);
    SetLastError(err);
    if (state || !create) return state;

    if (!(state = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*state)))) return NULL;
    state->tid = GetCurrentThreadId();
    AcquireSRWLockExclusive(&states_lock);
    state->next = states;
    if (states) states->prev = state;
    states = state;
    ReleaseSRWLockExclusive(&states_lock);
    TlsSetValue(state_tls, state);
    return state;
}

static void release_node(struct cancel_node *node)
{
    if (InterlockedDecrement(&node->refs)) return;
    ICancelMethodCalls_Release(node->object);
    HeapFree(GetProcessHeap(), 0, node);
}

typedef HRESULT (WINAPI *counter_func)(void *);
static counter_func wine_enable, wine_disable;

static BOOL CALLBACK find_wine_counter(INIT_ONCE *once, void *param, void **context)
{
    counter_func enable = wine_implementation(L"combase.dll", "CoEnableCallCancellation");
    counter_func disable = wine_implementation(L"combase.dll", "CoDisableCallCancellation");

    /* both or neither: one counter */
    if (enable && disable)
    {
        wine_enable = enable;
        wine_disable = disable;
    }
    TRACE("the per-thread counter is %s\n", wine_enable ? "combase's" : "olecancel's");
    return TRUE;
}

static BOOL use_wine_counter(void)
{
    static INIT_ONCE once = INIT_ONCE_STATIC_INIT;

    InitOnceExecuteOnce(&once, find_wine_counter, NULL, NULL);
    return wine_enable != NULL;
}

BOOL cancel_thread_enabled(void)
{
    struct thread_state *state;

    if (use_wine_counter())
    {
        if (wine_disable(NULL) != S_OK) return FALSE;
        wine_enable(NULL);
        return TRUE;
    }
    state = get_state(FALSE);
    return state && state->enabled > 0;
}

/* Wine's combase keeps a counter of its own; code that reaches combase
 * directly must see the same answer, so every change is mirrored there. */
static void call_combase(const char *name)
{
    HMODULE combase = image_combase();
    HRESULT (WINAPI *func)(void *);

    if (!combase || !(func = (void *)GetProcAddress(combase, name))) return;
    func(NULL);
}

HRESULT cancel_enable(void)
{
    struct thread_state *state;

    if (use_wine_counter()) return wine_enable(NULL);
    if (!(state = get_state(TRUE))) return E_OUTOFMEMORY;
    state->enabled++;
    call_combase("CoEnableCallCancellation");
    return S_OK;
}

HRESULT cancel_disable(void)
{
    struct thread_state *state;

    if (use_wine_counter()) return wine_disable(NULL);
    state = get_state(FALSE);
    if (!state || state->enabled <= 0) return CO_E_CANCEL_DISABLED;
    state->enabled--;
    call_combase("CoDisableCallCancellation");
    return S_OK;
}

HRESULT cancel_push(ICancelMethodCalls *object)
{
    struct thread_state *state = get_state(TRUE);
    struct cancel_node *node;

    if (!state || !(node = HeapAlloc(GetProcessHeap(), 0, sizeof(*node)))) return E_OUTOFMEMORY;
    ICancelMethodCalls_AddRef(object);
    node->refs = 1;
    node->object = object;
    AcquireSRWLockExclusive(&states_lock);
    node->next = state->top;
    state->top = node;
    ReleaseSRWLockExclusive(&states_lock);
    return S_OK;
}

BOOL cancel_pop(void)
{
    struct thread_state *state = get_state(FALSE);
    struct cancel_node *node = NULL;

    if (!state) return FALSE;
    AcquireSRWLockExclusive(&states_lock);
    if ((node = state->top)) state->top = node->next;
    ReleaseSRWLockExclusive(&states_lock);
    if (!node) return FALSE;
    release_node(node);
    return TRUE;
}

HRESULT cancel_get_top(DWORD tid, REFIID riid, void **ppv)
{
    struct thread_state *state;
    struct cancel_node *node = NULL;
    HRESULT hr;

    AcquireSRWLockShared(&states_lock);
    for (state = states; state; state = state->next)
    {
        if (state->tid != tid) continue;
        if ((node = state->top)) InterlockedIncrement(&node->refs);
        break;
    }
    ReleaseSRWLockShared(&states_lock);

    if (!node) return E_NOINTERFACE;
    hr = ICancelMethodCalls_QueryInterface(node->object, riid, ppv);
    release_node(node);
    return hr;
}

static void release_nodes(struct cancel_node *node)
{
    struct cancel_node *next;

    for (; node; node = next)
    {
        next = node->next;
        release_node(node);
    }
}

static void CALLBACK release_nodes_proc(TP_CALLBACK_INSTANCE *instance, void *context)
{
    release_nodes(context);
}

/* DLL_THREAD_DETACH (thread_exit) runs under the loader lock, where no
 * program code may run: what the thread left pushed is released from a
 * thread-pool thread once the lock is free.  A FreeLibrary of ole32 (not
 * thread_exit) cannot hand work to code about to be unmapped, and releases
 * at once. */
void olecancel_thread_detach(BOOL thread_exit)
{
    struct thread_state *state = get_state(FALSE);
    struct cancel_node *node;

    if (!state) return;
    TlsSetValue(state_tls, NULL);
    AcquireSRWLockExclusive(&states_lock);
    if (state->prev) state->prev->next = state->next;
    else states = state->next;
    if (state->next) state->next->prev = state->prev;
    node = state->top;
    state->top = NULL;
    ReleaseSRWLockExclusive(&states_lock);

    if (node)
    {
        WARN("thread %lu exits with cancel objects still registered\n", state->tid);
        if (!thread_exit || !TrySubmitThreadpoolCallback(release_nodes_proc, node, NULL)) release_nodes(node);
    }
    HeapFree(GetProcessHeap(), 0, state);
}
