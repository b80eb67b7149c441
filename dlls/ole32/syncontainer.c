/*
 * olecancel: CLSID_SynchronizeContainer (ISynchronizeContainer), which
 * Wine 8.0 does not provide
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
 * A container of unsignalled synchronization objects: AddSynchronize
 * keeps a reference to an object and its handle (ISynchronizeHandle);
 * WaitMultiple waits (CoWaitForMultipleHandles: the COM modal loop in an
 * STA) for the first of them to be signalled, takes it out of the
 * container and hands the caller the container's reference, so that the
 * next WaitMultiple waits for the others.  Documented: at most 63 objects
 * (RPC_E_OUT_OF_RESOURCES for one more, the limit of a wait on handles),
 * RPC_E_NO_SYNC when empty, RPC_E_TIMEOUT on timeout, COWAIT_WAITALL and a
 * NULL ppSync refused.  Inferred: an object without ISynchronizeHandle
 * cannot be waited for (E_NOINTERFACE), NULL gives E_INVALIDARG, and the
 * container is not aggregatable.
 *
 * Nothing of it exists before a program asks for the class: remoting.c
 * creates one only when combase says CLSID_SynchronizeContainer is not
 * registered (a Wine that has it keeps its own).
 */

#include "olecancel_private.h"
#include <objidl.h>

#define SYNC_MAX 63

const CLSID olecancel_clsid_synchronize_container =
    {0x0000032d, 0x0000, 0x0000, {0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46}};

struct sync_container
{
    ISynchronizeContainer ISynchronizeContainer_iface;
    LONG refcount;
    CRITICAL_SECTION cs;
    ULONG count;
    ISynchronize *objects[SYNC_MAX];
    HANDLE handles[SYNC_MAX];
};

static inline struct sync_container *impl_from_ISynchronizeContainer(ISynchronizeContainer *iface)
{
    return CONTAINING_RECORD(iface, struct sync_container, ISynchronizeContainer_iface);
}

static HRESULT WINAPI container_QueryInterface(ISynchronizeContainer *iface, REFIID riid, void **ppv)
{
    if (!ppv) return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_ISynchronizeContainer))
    {
        *ppv = iface;
        ISynchronizeContainer_AddRef(iface);
        return S_OK;
    }
    WARN("%s not supported\n", debugstr_guid(riid));
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI container_AddRef(ISynchronizeContainer *iface)
{
    struct sync_container *container = impl_from_ISynchronizeContainer(iface);
    ULONG ref = InterlockedIncrement(&container->refcount);
    TRACE("%p, refcount %lu\n", iface, ref);
    return ref;
}

static ULONG WINAPI container_Release(ISynchronizeContainer *iface)
{
    struct sync_container *container = impl_from_ISynchronizeContainer(iface);
    ULONG ref = InterlockedDecrement(&container->refcount), i;

    TRACE("%p, refcount %lu\n", iface, ref);
    if (!ref)
    {
        for (i = 0; i < container->count; i++) ISynchronize_Release(container->objects[i]);
        DeleteCriticalSection(&container->cs);
        free(container);
    }
    return ref;
}

static HRESULT WINAPI container_AddSynchronize(ISynchronizeContainer *iface, ISynchronize *sync)
{
    struct sync_container *container = impl_from_ISynchronizeContainer(iface);
    ISynchronizeHandle *handle_iface;
    HANDLE handle = NULL;
    HRESULT hr;

    TRACE("%p, %p\n", iface, sync);
    if (!sync) return E_INVALIDARG;
    if (FAILED(hr = ISynchronize_QueryInterface(sync, &IID_ISynchronizeHandle, (void **)&handle_iface)))
        return E_NOINTERFACE;
    hr = ISynchronizeHandle_GetHandle(handle_iface, &handle);
    ISynchronizeHandle_Release(handle_iface);
    if (FAILED(hr)) return hr;

    EnterCriticalSection(&container->cs);
    if (container->count == SYNC_MAX) hr = RPC_E_OUT_OF_RESOURCES;
    else
    {
        ISynchronize_AddRef(sync);
        container->objects[container->count] = sync;
        container->handles[container->count++] = handle;
    }
    LeaveCriticalSection(&container->cs);
    return hr;
}

static HRESULT WINAPI container_WaitMultiple(ISynchronizeContainer *iface, DWORD flags, DWORD timeout,
                                             ISynchronize **ppsync)
{
    struct sync_container *container = impl_from_ISynchronizeContainer(iface);
    HANDLE handles[SYNC_MAX];
    ULONG count, i;
    DWORD index;
    HRESULT hr;

    TRACE("%p, %#lx, %lu, %p\n", iface, flags, timeout, ppsync);
    if (!ppsync || (flags & COWAIT_WAITALL)) return E_INVALIDARG;
    *ppsync = NULL;

    /* the handles stay valid while we wait: only WaitMultiple removes an
     * object, and a caller waits on one container from one thread at a time */
    EnterCriticalSection(&container->cs);
    count = container->count;
    memcpy(handles, container->handles, count * sizeof(*handles));
    LeaveCriticalSection(&container->cs);
    if (!count) return RPC_E_NO_SYNC;

    hr = CoWaitForMultipleHandles(flags, timeout, count, handles, &index);
    if (hr == RPC_S_CALLPENDING) return RPC_E_TIMEOUT;
    if (FAILED(hr)) return hr;
    if (index >= count) return E_FAIL;

    EnterCriticalSection(&container->cs);
    for (i = 0; i < container->count; i++)
        if (container->handles[i] == handles[index]) break;
    if (i < container->count)
    {
        *ppsync = container->objects[i];
        container->count--;
        memmove(&container->objects[i], &container->objects[i + 1], (container->count - i) * sizeof(*container->objects));
        memmove(&container->handles[i], &container->handles[i + 1], (container->count - i) * sizeof(*container->handles));
    }
    else hr = E_FAIL;
    LeaveCriticalSection(&container->cs);
    return hr;
}

static const ISynchronizeContainerVtbl container_vtbl =
{
    container_QueryInterface,
    container_AddRef,
    container_Release,
    container_AddSynchronize,
    container_WaitMultiple,
};

static HRESULT create_container(IUnknown *outer, REFIID riid, void **ppv)
{
    struct sync_container *container;
    HRESULT hr;

    *ppv = NULL;
    if (outer) return CLASS_E_NOAGGREGATION;
    if (!(container = calloc(1, sizeof(*container)))) return E_OUTOFMEMORY;
    container->ISynchronizeContainer_iface.lpVtbl = &container_vtbl;
    container->refcount = 1;
    InitializeCriticalSection(&container->cs);
    hr = container_QueryInterface(&container->ISynchronizeContainer_iface, riid, ppv);
    container_Release(&container->ISynchronizeContainer_iface);
    return hr;
}

/* ---- its class factory (static: nothing to free) ---- */

static HRESULT WINAPI factory_QueryInterface(IClassFactory *iface, REFIID riid, void **ppv)
{
    if (!ppv) return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IClassFactory))
    {
        *ppv = iface;
        return S_OK;
    }
    WARN("%s not supported\n", debugstr_guid(riid));
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI factory_AddRef(IClassFactory *iface) { return 2; }
static ULONG WINAPI factory_Release(IClassFactory *iface) { return 1; }

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    TRACE("%p, %s\n", outer, debugstr_guid(riid));
    if (!ppv) return E_POINTER;
    return create_container(outer, riid, ppv);
}

static HRESULT WINAPI factory_LockServer(IClassFactory *iface, BOOL lock) { return S_OK; }

static const IClassFactoryVtbl factory_vtbl =
{
    factory_QueryInterface, factory_AddRef, factory_Release, factory_CreateInstance, factory_LockServer,
};
static IClassFactory container_factory = { &factory_vtbl };

HRESULT syncontainer_get_class_object(REFIID riid, void **ppv)
{
    return factory_QueryInterface(&container_factory, riid, ppv);
}
