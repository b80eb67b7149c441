/*
 * olecancel: ICallFactory of standard proxies
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

#include "async_private.h"
#include "ps_files.h"

struct call_factory
{
    ICallFactory ICallFactory_iface;
    LONG refcount;
    IUnknown *proxy;    /* the proxy manager's controlling unknown */
};

static inline struct call_factory *impl_from_ICallFactory(ICallFactory *iface)
{
    return CONTAINING_RECORD(iface, struct call_factory, ICallFactory_iface);
}

static HRESULT WINAPI callfactory_QueryInterface(ICallFactory *iface, REFIID riid, void **ppv)
{
    struct call_factory *factory = impl_from_ICallFactory(iface);

    if (IsEqualIID(riid, &IID_ICallFactory))
    {
        *ppv = iface;
        ICallFactory_AddRef(iface);
        return S_OK;
    }
    /* everything else, IUnknown included, is the proxy's: identity intact */
    return IUnknown_QueryInterface(factory->proxy, riid, ppv);
}

static ULONG WINAPI callfactory_AddRef(ICallFactory *iface)
{
    struct call_factory *factory = impl_from_ICallFactory(iface);
    ULONG ref = InterlockedIncrement(&factory->refcount);
    TRACE("%p, refcount %lu\n", iface, ref);
    return ref;
}

static ULONG WINAPI callfactory_Release(ICallFactory *iface)
{
    struct call_factory *factory = impl_from_ICallFactory(iface);
    ULONG ref = InterlockedDecrement(&factory->refcount);

    TRACE("%p, refcount %lu\n", iface, ref);
    if (!ref)
    {
        IUnknown_Release(factory->proxy);
        free(factory);
    }
    return ref;
}

/* the proxy DLL's own AsyncIFoo names IFoo (ps_files.h) */
static HRESULT sync_iid_from_proxy_files(IPSFactoryBuffer *factory, REFIID async_iid, IID *sync_iid)
{
    const ProxyFileInfo * const *files = ps_proxy_files(factory);
    struct ps_interface async, sync;

    if (!ps_find_iid(files, async_iid, &async) || strncmp(async.name, "Async", 5) || !async.name[5] ||
        !ps_find_name(files, async.name + 5, &sync))
        return E_NOINTERFACE;
    if (!ps_methods_match(sync.header, async.header))
    {
        WARN("%s: %lu methods, %s has %lu\n", async.name, async.header->DispatchTableCount,
             sync.name, sync.header->DispatchTableCount);
        return E_NOINTERFACE;
    }
    *sync_iid = *sync.header->piid;
    return S_OK;
}

/* Windows programs' installers may record the pair in the registry. */
static HRESULT sync_iid_from_registry(REFIID async_iid, IID *sync_iid)
{
    WCHAR key[80], value[40];
    LONG len = sizeof(value);

    swprintf(key, ARRAY_SIZE(key), L"Interface\\{%08lX-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}\\SynchronousInterface",
             async_iid->Data1, async_iid->Data2, async_iid->Data3, async_iid->Data4[0], async_iid->Data4[1],
             async_iid->Data4[2], async_iid->Data4[3], async_iid->Data4[4], async_iid->Data4[5],
             async_iid->Data4[6], async_iid->Data4[7]);
    if (RegQueryValueW(HKEY_CLASSES_ROOT, key, value, &len)) return E_NOINTERFACE;
    return IIDFromString(value, sync_iid);
}

static HRESULT get_ps_factory(REFIID iid, IPSFactoryBuffer **factory)
{
    CLSID clsid;
    HRESULT hr;

    if (FAILED(hr = CoGetPSClsid(iid, &clsid))) return hr;
    return combase_get_class_object(&clsid, CLSCTX_INPROC_SERVER, NULL, &IID_IPSFactoryBuffer, (void **)factory);
}

static HRESULT WINAPI callfactory_CreateCall(ICallFactory *iface, REFIID riid, IUnknown *outer,
                                             REFIID riid2, IUnknown **ppv)
{
    struct call_factory *factory = impl_from_ICallFactory(iface);
    IPSFactoryBuffer *ps = NULL;
    IUnknown *sync = NULL;
    IID sync_iid;
    HRESULT hr;

    TRACE("%p, %s, %p, %s, %p\n", iface, debugstr_guid(riid), outer, debugstr_guid(riid2), ppv);

    if (!ppv || !riid || !riid2) return E_INVALIDARG;
    *ppv = NULL;
    if (outer && !IsEqualIID(riid2, &IID_IUnknown)) return CLASS_E_NOAGGREGATION;

    if (IsEqualIID(riid, &IID_AsyncIUnknown))
        return asyncunk_create(factory->proxy, outer, outer ? &IID_IUnknown : riid2, (void **)ppv);
    if (IsEqualIID(riid, &IID_AsyncIMultiQI))
        return asyncmqi_create(factory->proxy, outer, outer ? &IID_IUnknown : riid2, (void **)ppv);

    if (!async_target_lookup(factory->proxy, riid, &sync_iid, &ps))
    {
        if (FAILED(get_ps_factory(riid, &ps)))
        {
            TRACE("no proxy/stub factory for %s\n", debugstr_guid(riid));
            return E_NOINTERFACE;
        }
        if (FAILED(sync_iid_from_registry(riid, &sync_iid)) &&
            FAILED(sync_iid_from_proxy_files(ps, riid, &sync_iid)))
        {
            TRACE("%s is not an asynchronous interface\n", debugstr_guid(riid));
            IPSFactoryBuffer_Release(ps);
            return E_NOINTERFACE;
        }
    }
    /* the object behind the proxy must support the synchronous interface */
    if (FAILED(hr = IUnknown_QueryInterface(factory->proxy, &sync_iid, (void **)&sync)))
    {
        TRACE("proxy does not support %s: %#lx\n", debugstr_guid(&sync_iid), hr);
        IPSFactoryBuffer_Release(ps);
        return E_NOINTERFACE;
    }
    hr = callobj_create(sync, riid, &sync_iid, ps, outer, riid2, (void **)ppv);
    IUnknown_Release(sync);
    IPSFactoryBuffer_Release(ps);
    return hr;
}

static const ICallFactoryVtbl callfactory_vtbl =
{
    callfactory_QueryInterface,
    callfactory_AddRef,
    callfactory_Release,
    callfactory_CreateCall,
};

HRESULT callfactory_create(IUnknown *proxy, void **ppv)
{
    struct call_factory *factory;

    if (!(factory = calloc(1, sizeof(*factory))))
    {
        *ppv = NULL;
        return E_OUTOFMEMORY;
    }
    factory->ICallFactory_iface.lpVtbl = &callfactory_vtbl;
    factory->refcount = 1;
    factory->proxy = proxy;
    IUnknown_AddRef(proxy);
    *ppv = &factory->ICallFactory_iface;
    return S_OK;
}
