/*
 * olecancel: ICallFactory on standard proxies, by patching the IMultiQI
 * vtable that combase's proxy managers share
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
 * This is the only place where olecancel changes Wine's proxies.
 *
 * Wine's proxy manager (combase marshal.c) answers QueryInterface locally
 * only for the interfaces it knows and turns every other IID into a remote
 * QueryInterface, so QI(IID_ICallFactory) on a proxy fails.  On Windows the
 * proxy manager itself implements ICallFactory.  Every interface of a Wine
 * proxy delegates QueryInterface to the proxy manager's controlling unknown,
 * which is its IMultiQI interface, and all proxy managers share one static
 * IMultiQI vtable in combase.  Replacing slot 0 (QueryInterface) and slot 3
 * (QueryMultipleInterfaces) of that vtable makes IID_ICallFactory reach
 * callfactory_create from any interface of any proxy while every other IID
 * still goes to Wine's functions, so COM identity is unchanged.
 *
 * Nothing is done until the process has a proxy of its own: the exports
 * that hand out objects (remoting.c) show us each object they return
 * until the hook is in.  An object is taken for a standard proxy only by
 * addresses, before anything of it is called: its QueryInterface is code
 * in combase (the proxy manager) or rpcrt4's IUnknown_QueryInterface_Proxy,
 * directly or through a one-instruction import thunk (an NDR interface
 * proxy, which delegates to its proxy manager).  Only then is it asked,
 * locally, for IMultiQI and IUnknown.  Before anything is written the
 * self-check requires: the two are the same pointer (the proxy's
 * identity); the vtable and its four used slots lie inside combase's
 * image; the pages can be made writable.  Otherwise the feature is off for
 * the process, said once by olecancel_feature_off.
 *
 * Should Wine's proxy manager implement ICallFactory itself, its own is
 * used: the first QI(ICallFactory) of the process goes to Wine's function
 * first, and wine_answers_call_factory (wineimpl.c) decides from what came
 * back; a TRACE says which one the process uses.
 */

#include "async_private.h"

typedef HRESULT (STDMETHODCALLTYPE *multiqi_qi_fn)(IMultiQI *iface, REFIID riid, void **ppv);
typedef HRESULT (STDMETHODCALLTYPE *multiqi_qmi_fn)(IMultiQI *iface, ULONG count, MULTI_QI *mqi);

static multiqi_qi_fn orig_query_interface;
static multiqi_qmi_fn orig_query_multiple;
static void **patched_vtbl;

/* Whose ICallFactory proxies answer with: found out at the first request
 * of the process, by asking Wine's proxy manager first (on a Wine without
 * one, a remote QueryInterface: one round trip, once per process). */
enum factory_owner { FACTORY_UNKNOWN, FACTORY_WINE, FACTORY_OURS };
static volatile LONG factory_owner = FACTORY_UNKNOWN;

static HRESULT call_factory(IMultiQI *iface, void **ppv)
{
    if (factory_owner == FACTORY_UNKNOWN)
    {
        /* Wine's QueryInterface goes through the vtable's (hooked)
         * QueryMultipleInterfaces: ask its own function directly */
        MULTI_QI mqi = { &IID_ICallFactory, NULL, E_NOINTERFACE };
        IUnknown *wine;
        HRESULT hr;

        orig_query_multiple(iface, 1, &mqi);
        hr = mqi.hr;
        wine = SUCCEEDED(hr) ? mqi.pItf : NULL;
        if (wine_answers_call_factory(hr, wine, image_combase()))
        {
            InterlockedExchange(&factory_owner, FACTORY_WINE);
            TRACE("Wine's proxy manager implements ICallFactory: using Wine's, not olecancel's\n");
            *ppv = wine;
            return hr;
        }
        if (SUCCEEDED(hr) && wine) IUnknown_Release(wine);
        InterlockedCompareExchange(&factory_owner, FACTORY_OURS, FACTORY_UNKNOWN);
        TRACE("Wine's proxy manager has no ICallFactory of its own (%#lx): using olecancel's\n", hr);
    }
    if (factory_owner == FACTORY_WINE) return orig_query_interface(iface, &IID_ICallFactory, ppv);
    return callfactory_create((IUnknown *)iface, ppv);
}

static HRESULT STDMETHODCALLTYPE hook_QueryInterface(IMultiQI *iface, REFIID riid, void **ppv)
{
    if (ppv && riid && IsEqualIID(riid, &IID_ICallFactory))
    {
        TRACE("proxy %p, ICallFactory\n", iface);
        return call_factory(iface, ppv);
    }
    return orig_query_interface(iface, riid, ppv);
}

static HRESULT STDMETHODCALLTYPE hook_QueryMultipleInterfaces(IMultiQI *iface, ULONG count, MULTI_QI *mqis)
{
    MULTI_QI *rest;
    ULONG i, j, nrest = 0, ok = 0;
    HRESULT hr;

    for (i = 0; i < count; i++)
        if (mqis[i].pIID && IsEqualIID(mqis[i].pIID, &IID_ICallFactory)) break;
    if (i == count || factory_owner == FACTORY_WINE) return orig_query_multiple(iface, count, mqis);

    TRACE("proxy %p, %lu interfaces, ICallFactory among them\n", iface, count);
    if (!(rest = malloc(count * sizeof(*rest)))) return E_OUTOFMEMORY;
    for (i = 0; i < count; i++)
    {
        if (mqis[i].pIID && IsEqualIID(mqis[i].pIID, &IID_ICallFactory))
        {
            mqis[i].hr = call_factory(iface, (void **)&mqis[i].pItf);
            if (SUCCEEDED(mqis[i].hr)) ok++;
        }
        else rest[nrest++] = mqis[i];
    }
    if (nrest) orig_query_multiple(iface, nrest, rest);
    for (i = 0, j = 0; i < count; i++)
    {
        if (mqis[i].pIID && IsEqualIID(mqis[i].pIID, &IID_ICallFactory)) continue;
        mqis[i] = rest[j++];
        if (SUCCEEDED(mqis[i].hr)) ok++;
    }
    free(rest);
    if (ok == count) hr = S_OK;
    else if (ok) hr = S_FALSE;   /* as Wine's own method and the documentation say */
    else hr = E_NOINTERFACE;
    return hr;
}

/* ---- recognising a standard proxy by addresses ------------------------- */

enum hook_state { HOOK_PENDING, HOOK_ACTIVE, HOOK_OFF };

static volatile LONG hook_state = HOOK_PENDING;
static SRWLOCK install_lock = SRWLOCK_INIT;

static BOOL in_image(HMODULE module, const void *ptr)
{
    return image_contains(module, ptr, 1);
}

/* the object's QueryInterface is Wine's proxy code: combase's, or rpcrt4's
 * interface-proxy delegation to the proxy manager */
static BOOL looks_like_proxy(IUnknown *obj, HMODULE combase)
{
    static const void *proxy_qi;
    const void *qi = (const void *)obj->lpVtbl->QueryInterface;

    if (!proxy_qi)
    {
        HMODULE rpcrt4 = image_rpcrt4();
        if (rpcrt4) proxy_qi = (const void *)GetProcAddress(rpcrt4, "IUnknown_QueryInterface_Proxy");
    }
    if (in_image(combase, qi)) return TRUE;
    if (!proxy_qi) return FALSE;
    return qi == proxy_qi || image_follow_import_thunk(qi) == proxy_qi;
}

/* the proxy manager's IMultiQI vtable behind a proxy, with the identity
 * check; S_FALSE when the object is Wine's but no proxy */
static HRESULT proxy_manager_vtable(IUnknown *obj, void ***vtbl)
{
    IUnknown *mqi, *unk;
    HRESULT hr;

    /* both answered by combase itself, without a call to the server */
    if (FAILED(IUnknown_QueryInterface(obj, &IID_IMultiQI, (void **)&mqi))) return S_FALSE;
    hr = IUnknown_QueryInterface(obj, &IID_IUnknown, (void **)&unk);
    if (SUCCEEDED(hr))
    {
        if (unk != mqi) hr = E_UNEXPECTED;
        IUnknown_Release(unk);
    }
    if (SUCCEEDED(hr)) *vtbl = *(void ***)mqi;
    IUnknown_Release(mqi);
    return hr;
}

static BOOL refuse_for_tests;

void proxyhook_refuse_for_tests(void)
{
    refuse_for_tests = TRUE;
}

/* the self-check and the patch, under install_lock */
static HRESULT install(void **vtbl, HMODULE combase)
{
    HMODULE self;
    DWORD old;
    int i;

    if (refuse_for_tests)
    {
        olecancel_feature_off(OLECANCEL_FEATURE_ASYNC, "the self-check was told to refuse (diagnostics export)");
        return E_ABORT;
    }
    if (!image_contains(combase, vtbl, 4 * sizeof(void *)))
    {
        olecancel_feature_off(OLECANCEL_FEATURE_ASYNC, "the proxy manager's vtable %p is not in combase %p", vtbl, combase);
        return E_UNEXPECTED;
    }
    for (i = 0; i < 4; i++)
    {
        if (!in_image(combase, vtbl[i]))
        {
            olecancel_feature_off(OLECANCEL_FEATURE_ASYNC, "proxy vtable slot %d (%p) is not in combase", i, vtbl[i]);
            return E_UNEXPECTED;
        }
    }
    /* combase's vtable will point into this module: never unload it */
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN,
                            (const WCHAR *)install, &self))
    {
        olecancel_feature_off(OLECANCEL_FEATURE_ASYNC, "the module cannot be pinned (error %lu)", GetLastError());
        return E_FAIL;
    }
    if (!VirtualProtect(vtbl, 4 * sizeof(void *), PAGE_READWRITE, &old))
    {
        olecancel_feature_off(OLECANCEL_FEATURE_ASYNC, "VirtualProtect(%p) failed with error %lu", vtbl, GetLastError());
        return HRESULT_FROM_WIN32(GetLastError());
    }
    orig_query_interface = (multiqi_qi_fn)vtbl[0];
    orig_query_multiple = (multiqi_qmi_fn)vtbl[3];
    InterlockedExchangePointer(&vtbl[0], (void *)hook_QueryInterface);
    InterlockedExchangePointer(&vtbl[3], (void *)hook_QueryMultipleInterfaces);
    VirtualProtect(vtbl, 4 * sizeof(void *), old, &old);
    FlushInstructionCache(GetCurrentProcess(), vtbl, 4 * sizeof(void *));
    patched_vtbl = vtbl;
    TRACE("patched proxy manager vtable %p in combase %p\n", vtbl, combase);
    return S_OK;
}

BOOL proxyhook_pending(void)
{
    return hook_state == HOOK_PENDING;
}

HRESULT proxyhook_try(IUnknown *obj)
{
    HMODULE combase;
    void **vtbl = NULL;
    HRESULT hr;

    if (hook_state != HOOK_PENDING) return hook_state == HOOK_ACTIVE ? S_OK : E_FAIL;
    combase = image_combase();
    if (!obj || !combase || !looks_like_proxy(obj, combase)) return S_FALSE;
    if ((hr = proxy_manager_vtable(obj, &vtbl)) == S_FALSE) return S_FALSE;

    AcquireSRWLockExclusive(&install_lock);
    if (hook_state == HOOK_PENDING)
    {
        if (FAILED(hr)) olecancel_feature_off(OLECANCEL_FEATURE_ASYNC, "a proxy's IUnknown is not its IMultiQI");
        else if (vtbl[0] == (void *)hook_QueryInterface) hr = S_OK;
        else hr = install(vtbl, combase);
        InterlockedExchange(&hook_state, SUCCEEDED(hr) ? HOOK_ACTIVE : HOOK_OFF);
    }
    else hr = hook_state == HOOK_ACTIVE ? S_OK : E_FAIL;
    ReleaseSRWLockExclusive(&install_lock);
    return hr;
}

BOOL proxyhook_active(void)
{
    return hook_state == HOOK_ACTIVE;
}
