/*
 * olecancel-smoke-server: a tiny out-of-process COM server for the prefix
 * smoke test (tools/smoke.js).  One IDispatch object with a Pid property
 * and an Add(a, b) method, implemented by hand (no type library).
 *
 * Copyright 2026 the olecancel developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <windows.h>
#include <objbase.h>
#include <oleauto.h>
#include "static_factory.h"

static const CLSID CLSID_SmokeServer =
    { 0x5c3a5d2e, 0x7f4b, 0x4a51, { 0x9a, 0x0e, 0x0c, 0x1e, 0x5a, 0x0c, 0x2b, 0x11 } };

static LONG objects;
static HANDLE done;

struct smoke
{
    IDispatch IDispatch_iface;
    LONG refs;
};

static HRESULT WINAPI smoke_QueryInterface(IDispatch *iface, REFIID riid, void **ppv)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_IDispatch))
    {
        *ppv = iface;
        IDispatch_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI smoke_AddRef(IDispatch *iface)
{
    return InterlockedIncrement(&CONTAINING_RECORD(iface, struct smoke, IDispatch_iface)->refs);
}

static ULONG WINAPI smoke_Release(IDispatch *iface)
{
    struct smoke *obj = CONTAINING_RECORD(iface, struct smoke, IDispatch_iface);
    LONG refs = InterlockedDecrement(&obj->refs);
    if (!refs)
    {
        HeapFree(GetProcessHeap(), 0, obj);
        if (!InterlockedDecrement(&objects)) SetEvent(done);
    }
    return refs;
}

static HRESULT WINAPI smoke_GetTypeInfoCount(IDispatch *iface, UINT *count)
{
    *count = 0;
    return S_OK;
}

static HRESULT WINAPI smoke_GetTypeInfo(IDispatch *iface, UINT index, LCID lcid, ITypeInfo **info)
{
    *info = NULL;
    return DISP_E_BADINDEX;
}

static HRESULT WINAPI smoke_GetIDsOfNames(IDispatch *iface, REFIID riid, LPOLESTR *names, UINT count,
                                          LCID lcid, DISPID *ids)
{
    UINT i;
    HRESULT hr = S_OK;
    for (i = 0; i < count; i++)
    {
        if (!lstrcmpiW(names[i], L"Pid")) ids[i] = 1;
        else if (!lstrcmpiW(names[i], L"Add")) ids[i] = 2;
        else { ids[i] = DISPID_UNKNOWN; hr = DISP_E_UNKNOWNNAME; }
    }
    return hr;
}

static HRESULT WINAPI smoke_Invoke(IDispatch *iface, DISPID id, REFIID riid, LCID lcid, WORD flags,
                                   DISPPARAMS *params, VARIANT *result, EXCEPINFO *excep, UINT *arg_err)
{
    VARIANT a, b;
    HRESULT hr;

    if (id == 1 && (flags & DISPATCH_PROPERTYGET))
    {
        if (!result) return E_INVALIDARG;
        V_VT(result) = VT_I4;
        V_I4(result) = GetCurrentProcessId();
        return S_OK;
    }
    if (id == 2 && (flags & DISPATCH_METHOD))
    {
        if (params->cArgs != 2) return DISP_E_BADPARAMCOUNT;
        VariantInit(&a);
        VariantInit(&b);
        /* arguments arrive last first */
        if (FAILED(hr = VariantChangeType(&a, &params->rgvarg[1], 0, VT_I4))) return hr;
        if (FAILED(hr = VariantChangeType(&b, &params->rgvarg[0], 0, VT_I4))) return hr;
        if (result)
        {
            V_VT(result) = VT_I4;
            V_I4(result) = V_I4(&a) + V_I4(&b);
        }
        return S_OK;
    }
    return DISP_E_MEMBERNOTFOUND;
}

static const IDispatchVtbl smoke_vtbl =
{
    smoke_QueryInterface, smoke_AddRef, smoke_Release, smoke_GetTypeInfoCount,
    smoke_GetTypeInfo, smoke_GetIDsOfNames, smoke_Invoke
};

static HRESULT WINAPI factory_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    struct smoke *obj;
    HRESULT hr;

    *ppv = NULL;
    if (outer) return CLASS_E_NOAGGREGATION;
    if (!(obj = HeapAlloc(GetProcessHeap(), 0, sizeof(*obj)))) return E_OUTOFMEMORY;
    obj->IDispatch_iface.lpVtbl = &smoke_vtbl;
    obj->refs = 1;
    InterlockedIncrement(&objects);
    hr = IDispatch_QueryInterface(&obj->IDispatch_iface, riid, ppv);
    IDispatch_Release(&obj->IDispatch_iface);
    return hr;
}

static const IClassFactoryVtbl factory_vtbl =
{
    static_cf_QueryInterface, static_cf_AddRef, static_cf_Release, factory_CreateInstance, static_cf_LockServer
};
static IClassFactory factory = { &factory_vtbl };

int wmain(void)
{
    DWORD cookie;
    HRESULT hr;

    done = CreateEventW(NULL, TRUE, FALSE, NULL);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoRegisterClassObject(&CLSID_SmokeServer, (IUnknown *)&factory, CLSCTX_LOCAL_SERVER,
                               REGCLS_MULTIPLEUSE, &cookie);
    if (FAILED(hr)) return 1;
    /* the client has 60 s to create and release its object */
    WaitForSingleObject(done, 60000);
    CoRevokeClassObject(cookie);
    CoUninitialize();
    return 0;
}
