/*
 * olecancel: the MTA view of a caller's proxy, shared by the call objects on it
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
 * Pool workers run in the MTA; the caller's proxy belongs to the caller's
 * apartment.  One view per (proxy identity, synchronous IID) is listed
 * while call objects use it and kept alive by queued work after that
 * (fire and forget); it is released on the pool, in the MTA.
 */

#include "async_private.h"

struct async_target
{
    struct async_target *next;
    LONG refcount;          /* users + queued work */
    LONG users;             /* call objects; the table entry lives as long as they do */
    IUnknown *identity;     /* key only: the users hold the caller's proxy, so
                             * its address cannot be reused while listed */
    IID iid;
    IUnknown *mta_iface;    /* the interface, usable from the MTA */
    /* what CreateCall looked up for the asynchronous interface of iid */
    IID async_iid;
    IPSFactoryBuffer *ps;   /* NULL until remembered */
};

static SRWLOCK targets_lock = SRWLOCK_INIT;
static struct async_target *targets;

struct unmarshal_ctx
{
    IStream *stream;
    REFIID iid;
    IUnknown *iface;
    HRESULT hr;
};

static void target_unmarshal_proc(void *arg)
{
    struct unmarshal_ctx *ctx = arg;
    LARGE_INTEGER zero = {{0}};

    IStream_Seek(ctx->stream, zero, STREAM_SEEK_SET, NULL);
    ctx->hr = combase_unmarshal_interface(ctx->stream, ctx->iid, (void **)&ctx->iface);
}

/* An STA caller's proxy, made usable from the MTA.  Table-weak marshaling
 * carries no references of its own, so it cannot leak any: in Wine 8.0 a
 * normally marshaled proxy unmarshaled (or released) in the apartment of the
 * object itself keeps the references it carries when the object's interface
 * was table-marshaled, and the object is never freed.  Table-weak data is
 * only valid while the caller's proxy lives, hence the synchronous
 * unmarshal on a worker, once per proxy. */
static HRESULT proxy_to_mta(IUnknown *sync, REFIID iid, IUnknown **mta_iface)
{
    struct unmarshal_ctx ctx = { NULL, iid, NULL, E_FAIL };
    HRESULT hr;

    if (FAILED(hr = CreateStreamOnHGlobal(NULL, TRUE, &ctx.stream))) return hr;
    if (SUCCEEDED(hr = combase_marshal_interface(ctx.stream, iid, sync, MSHCTX_INPROC, NULL, MSHLFLAGS_TABLEWEAK)))
    {
        if (SUCCEEDED(hr = asyncpool_run_sync(target_unmarshal_proc, &ctx))) hr = ctx.hr;
    }
    IStream_Release(ctx.stream);
    if (SUCCEEDED(hr)) *mta_iface = ctx.iface;
    else WARN("cannot make the proxy available to the MTA: %#lx\n", hr);
    return hr;
}

static void target_destroy_proc(void *arg)
{
    struct async_target *target = arg;

    TRACE("target %p\n", target);
    if (target->mta_iface) IUnknown_Release(target->mta_iface);
    if (target->ps) IPSFactoryBuffer_Release(target->ps);
    free(target);
}

HRESULT async_target_get(IUnknown *sync, REFIID iid, struct async_target **ret)
{
    struct async_target *target, *other;
    APTTYPEQUALIFIER qualifier;
    IUnknown *identity;
    APTTYPE type;
    HRESULT hr;

    if (FAILED(hr = IUnknown_QueryInterface(sync, &IID_IUnknown, (void **)&identity))) return hr;
    IUnknown_Release(identity);

    AcquireSRWLockExclusive(&targets_lock);
    for (target = targets; target; target = target->next)
    {
        if (target->identity == identity && IsEqualIID(&target->iid, iid))
        {
            InterlockedIncrement(&target->refcount);
            target->users++;
            ReleaseSRWLockExclusive(&targets_lock);
            *ret = target;
            return S_OK;
        }
    }
    ReleaseSRWLockExclusive(&targets_lock);

    if (!(target = calloc(1, sizeof(*target)))) return E_OUTOFMEMORY;
    target->refcount = 1;
    target->users = 1;
    target->identity = identity;
    target->iid = *iid;

    if (FAILED(CoGetApartmentType(&type, &qualifier))) type = APTTYPE_MTA;
    if (type == APTTYPE_MTA)
    {
        /* the workers share the caller's apartment */
        target->mta_iface = sync;
        IUnknown_AddRef(sync);
    }
    else if (FAILED(hr = proxy_to_mta(sync, iid, &target->mta_iface)))
    {
        free(target);
        return hr;
    }

    AcquireSRWLockExclusive(&targets_lock);
    /* the caller's apartment is single-threaded; still, never keep two */
    for (other = targets; other; other = other->next)
        if (other->identity == identity && IsEqualIID(&other->iid, iid)) break;
    if (other)
    {
        InterlockedIncrement(&other->refcount);
        other->users++;
        ReleaseSRWLockExclusive(&targets_lock);
        if (FAILED(asyncpool_submit(target_destroy_proc, target))) target_destroy_proc(target);
        *ret = other;
        return S_OK;
    }
    target->next = targets;
    targets = target;
    ReleaseSRWLockExclusive(&targets_lock);
    TRACE("new target %p for proxy %p %s, apartment type %d\n", target, identity, debugstr_guid(iid), type);
    *ret = target;
    return S_OK;
}

/* Finding the proxy/stub factory and the synchronous interface costs a
 * CreateCall several registry reads (about 80 us under Wine 8.0, against
 * 10 us for the rest of it: docs/async.md, "Where the time goes"); the call objects
 * on one proxy share them while any of them lives.  The factory is held no
 * longer than those call objects hold it themselves. */
void async_target_remember(struct async_target *target, REFIID async_iid, IPSFactoryBuffer *ps)
{
    AcquireSRWLockExclusive(&targets_lock);
    if (!target->ps)
    {
        target->async_iid = *async_iid;
        target->ps = ps;
        IPSFactoryBuffer_AddRef(ps);
    }
    ReleaseSRWLockExclusive(&targets_lock);
}

BOOL async_target_lookup(IUnknown *proxy, REFIID async_iid, IID *sync_iid, IPSFactoryBuffer **ps)
{
    struct async_target *target;
    IUnknown *identity;

    if (FAILED(IUnknown_QueryInterface(proxy, &IID_IUnknown, (void **)&identity))) return FALSE;
    IUnknown_Release(identity);
    *ps = NULL;
    AcquireSRWLockShared(&targets_lock);
    for (target = targets; target; target = target->next)
    {
        if (target->identity == identity && target->ps && IsEqualIID(&target->async_iid, async_iid))
        {
            *sync_iid = target->iid;
            *ps = target->ps;
            IPSFactoryBuffer_AddRef(*ps);
            break;
        }
    }
    ReleaseSRWLockShared(&targets_lock);
    return *ps != NULL;
}

/* worker side: the interface in the MTA */
HRESULT async_target_iface(struct async_target *target, IUnknown **iface)
{
    if (!(*iface = target->mta_iface)) return CO_E_OBJNOTCONNECTED;
    IUnknown_AddRef(*iface);
    return S_OK;
}

void async_target_addref(struct async_target *target)
{
    InterlockedIncrement(&target->refcount);
}

void async_target_release(struct async_target *target)
{
    APTTYPEQUALIFIER qualifier;
    APTTYPE type;

    if (InterlockedDecrement(&target->refcount)) return;
    /* MTA proxies are released from the MTA: at once on an MTA thread, so
     * that the object's last reference goes when the program's does (a
     * process may exit just after, and nothing would send it later) */
    if (SUCCEEDED(CoGetApartmentType(&type, &qualifier)) && type == APTTYPE_MTA) target_destroy_proc(target);
    else if (FAILED(asyncpool_submit(target_destroy_proc, target))) target_destroy_proc(target);
}

void async_target_put(struct async_target *target)
{
    struct async_target **entry;

    AcquireSRWLockExclusive(&targets_lock);
    if (!--target->users)
    {
        for (entry = &targets; *entry; entry = &(*entry)->next)
        {
            if (*entry == target)
            {
                *entry = target->next;
                break;
            }
        }
    }
    ReleaseSRWLockExclusive(&targets_lock);
    async_target_release(target);
}
