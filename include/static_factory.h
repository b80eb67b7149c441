/*
 * olecancel: the IUnknown and LockServer methods of a local server's class
 * factory that lives as long as the process (a static object: there are no
 * references to count).  The program supplies CreateInstance.
 *
 * Copyright 2026 the olecancel developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef OLECANCEL_STATIC_FACTORY_H
#define OLECANCEL_STATIC_FACTORY_H

#include <objbase.h>

static inline HRESULT WINAPI static_cf_QueryInterface(IClassFactory *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IClassFactory))
    {
        *ppv = iface;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static inline ULONG WINAPI static_cf_AddRef(IClassFactory *iface) { return 2; }
static inline ULONG WINAPI static_cf_Release(IClassFactory *iface) { return 1; }
static inline HRESULT WINAPI static_cf_LockServer(IClassFactory *iface, BOOL lock) { return S_OK; }

#endif /* OLECANCEL_STATIC_FACTORY_H */
