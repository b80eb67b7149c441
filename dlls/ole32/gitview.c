/*
 * olecancel: the global interface table, seen while the process has no
 * proxy yet
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * The GIT hands out proxies that combase unmarshals inside, where no ole32
 * export sees them; a process whose first proxy came from it would get no
 * ICallFactory on it.  So until the first standard proxy has been seen,
 * CoCreateInstance(Ex) of CLSID_StdGlobalInterfaceTable hands out a view
 * of Wine's table instead of the table itself: every method is Wine's
 * (AddRef and Release answer what Wine's answer), and what
 * GetInterfaceFromGlobal returns goes to olecancel_object_obtained before
 * the caller gets it.  Like Wine's table, the view is one object that lives
 * as long as the process.  Once a proxy was seen (or the hook refused), the
 * table is handed out as it is, so the view costs nothing afterwards.  The
 * only difference a program could notice: the table obtained before the
 * first proxy and the one obtained after it are different pointers.
 *
 * The running object table gets no view: Wine's own tests check that
 * IBindCtx::GetRunningObjectTable and GetRunningObjectTable give the same
 * pointer, and a bind context gets the table inside Wine's ole32.
 */

#include "olecancel_private.h"

static IGlobalInterfaceTable *wine_git;   /* set at the first view, one reference */

static HRESULT WINAPI view_QueryInterface(IGlobalInterfaceTable *iface, REFIID riid, void **ppv)
{
    if (!ppv) return E_POINTER;
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IGlobalInterfaceTable))
    {
        *ppv = iface;
        IGlobalInterfaceTable_AddRef(wine_git);
        return S_OK;
    }
    return IGlobalInterfaceTable_QueryInterface(wine_git, riid, ppv);
}

static ULONG WINAPI view_AddRef(IGlobalInterfaceTable *iface)
{
    return IGlobalInterfaceTable_AddRef(wine_git);
}

static ULONG WINAPI view_Release(IGlobalInterfaceTable *iface)
{
    return IGlobalInterfaceTable_Release(wine_git);
}

static HRESULT WINAPI view_RegisterInterfaceInGlobal(IGlobalInterfaceTable *iface, IUnknown *unk, REFIID riid,
                                                     DWORD *cookie)
{
    return IGlobalInterfaceTable_RegisterInterfaceInGlobal(wine_git, unk, riid, cookie);
}

static HRESULT WINAPI view_RevokeInterfaceFromGlobal(IGlobalInterfaceTable *iface, DWORD cookie)
{
    return IGlobalInterfaceTable_RevokeInterfaceFromGlobal(wine_git, cookie);
}

static HRESULT WINAPI view_GetInterfaceFromGlobal(IGlobalInterfaceTable *iface, DWORD cookie, REFIID riid,
                                                  void **ppv)
{
    HRESULT hr = IGlobalInterfaceTable_GetInterfaceFromGlobal(wine_git, cookie, riid, ppv);
    if (SUCCEEDED(hr) && ppv) olecancel_object_obtained(*ppv);
    return hr;
}

static const IGlobalInterfaceTableVtbl view_vtbl =
{
    view_QueryInterface, view_AddRef, view_Release,
    view_RegisterInterfaceInGlobal, view_RevokeInterfaceFromGlobal, view_GetInterfaceFromGlobal,
};

static IGlobalInterfaceTable git_view = { &view_vtbl };

void gitview_created(REFCLSID clsid, REFIID riid, void **ppv)
{
    IGlobalInterfaceTable *git;
    void *view;

    if (!olecancel_watching_proxies() || !IsEqualCLSID(clsid, &CLSID_StdGlobalInterfaceTable)) return;
    /* the caller may have asked for IUnknown: the view is Wine's table's
     * interface, then asked for what the caller wanted */
    if (FAILED(IUnknown_QueryInterface((IUnknown *)*ppv, &IID_IGlobalInterfaceTable, (void **)&git))) return;
    /* Wine's table is one object: the view keeps the first reference */
    if (InterlockedCompareExchangePointer((void **)&wine_git, git, NULL))
    {
        IGlobalInterfaceTable_Release(git);
        if (wine_git != git)
        {
            WARN("a second global interface table %p (first %p): not viewed\n", git, wine_git);
            return;
        }
    }
    if (FAILED(view_QueryInterface(&git_view, riid, &view))) return;
    TRACE("%p seen through view %p until the first proxy\n", wine_git, &git_view);
    IUnknown_Release((IUnknown *)*ppv);
    *ppv = view;
}
