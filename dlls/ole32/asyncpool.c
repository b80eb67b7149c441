/*
 * olecancel: a small bounded pool of multithreaded-apartment workers that
 * execute asynchronous calls
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
 * Each worker is a thread in the process's MTA.  Threads are created when
 * work arrives and no worker is idle, up to ASYNCPOOL_MAX_THREADS; beyond
 * that, work queues in FIFO order.  Idle workers above ASYNCPOOL_MIN_THREADS
 * exit after ASYNCPOOL_IDLE_MS.  The minimum workers never exit: they keep
 * the MTA (and the MTA proxies the call objects cache) alive.
 */

#include "async_private.h"

#define ASYNCPOOL_MIN_THREADS 2
#define ASYNCPOOL_IDLE_MS     20000

struct pool_work
{
    struct pool_work *next;
    asyncpool_func func;
    void *context;
};

static SRWLOCK pool_lock = SRWLOCK_INIT;
static CONDITION_VARIABLE pool_cond = CONDITION_VARIABLE_INIT;
static struct pool_work *pool_head, *pool_tail;
static LONG pool_threads, pool_idle, pool_busy, pool_queued;

static DWORD WINAPI pool_worker(void *arg)
{
    struct pool_work *work;
    HRESULT hr;

    hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    TRACE("worker %04lx started, CoInitializeEx %#lx\n", GetCurrentThreadId(), hr);

    AcquireSRWLockExclusive(&pool_lock);
    for (;;)
    {
        while (!pool_head)
        {
            BOOL woke;
            pool_idle++;
            woke = SleepConditionVariableSRW(&pool_cond, &pool_lock, ASYNCPOOL_IDLE_MS, 0);
            pool_idle--;
            if (!woke && !pool_head && pool_threads > ASYNCPOOL_MIN_THREADS) goto done;
        }
        work = pool_head;
        if (!(pool_head = work->next)) pool_tail = NULL;
        pool_queued--;
        pool_busy++;
        ReleaseSRWLockExclusive(&pool_lock);

        work->func(work->context);
        free(work);

        AcquireSRWLockExclusive(&pool_lock);
        pool_busy--;
    }
done:
    pool_threads--;
    ReleaseSRWLockExclusive(&pool_lock);
    TRACE("worker %04lx exits\n", GetCurrentThreadId());
    if (SUCCEEDED(hr)) CoUninitialize();
    return 0;
}

/* Queues work; a new thread only when every existing worker is taken.
 * Urgent work (short MTA chores a caller waits for) goes first and may take
 * a thread beyond the limit: every worker may be busy with a long call. */
static HRESULT enqueue(asyncpool_func func, void *context, BOOL urgent)
{
    struct pool_work *work;
    BOOL spawn = FALSE;
    HANDLE thread;

    if (!(work = malloc(sizeof(*work)))) return E_OUTOFMEMORY;
    work->func = func;
    work->context = context;

    AcquireSRWLockExclusive(&pool_lock);
    if (urgent)
    {
        work->next = pool_head;
        pool_head = work;
        if (!pool_tail) pool_tail = work;
    }
    else
    {
        work->next = NULL;
        if (pool_tail) pool_tail->next = work;
        else pool_head = work;
        pool_tail = work;
    }
    pool_queued++;
    if (pool_queued > pool_idle && (urgent || pool_threads < ASYNCPOOL_MAX_THREADS))
    {
        pool_threads++;
        spawn = TRUE;
    }
    ReleaseSRWLockExclusive(&pool_lock);
    WakeConditionVariable(&pool_cond);

    if (spawn)
    {
        if ((thread = CreateThread(NULL, 0, pool_worker, NULL, 0, NULL))) CloseHandle(thread);
        else
        {
            WARN("CreateThread failed: %lu\n", GetLastError());
            AcquireSRWLockExclusive(&pool_lock);
            pool_threads--;
            ReleaseSRWLockExclusive(&pool_lock);
            /* the work stays queued for the existing workers */
            if (!pool_threads) ERR("no worker can run the queued call\n");
        }
    }
    return S_OK;
}

HRESULT asyncpool_submit(asyncpool_func func, void *context)
{
    return enqueue(func, context, FALSE);
}

struct sync_work
{
    asyncpool_func func;
    void *context;
    HANDLE done;
};

static void run_sync_proc(void *arg)
{
    struct sync_work *work = arg;
    work->func(work->context);
    SetEvent(work->done);
}

HRESULT asyncpool_run_sync(asyncpool_func func, void *context)
{
    struct sync_work work;
    HRESULT hr;

    work.func = func;
    work.context = context;
    if (!(work.done = CreateEventW(NULL, TRUE, FALSE, NULL))) return HRESULT_FROM_WIN32(GetLastError());
    /* the caller may be an STA the work needs a call into */
    if (SUCCEEDED(hr = enqueue(run_sync_proc, &work, TRUE)) && FAILED(com_wait(work.done, 0, INFINITE)))
        WaitForSingleObject(work.done, INFINITE);   /* the work uses this frame */
    CloseHandle(work.done);
    return hr;
}

void asyncpool_get_stats(LONG *threads, LONG *busy, LONG *queued)
{
    AcquireSRWLockShared(&pool_lock);
    if (threads) *threads = pool_threads;
    if (busy) *busy = pool_busy;
    if (queued) *queued = pool_queued;
    ReleaseSRWLockShared(&pool_lock);
}
