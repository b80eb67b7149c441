/*
 * Declarations mingw-w64's C headers lack for widl-generated C proxies
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef OLECANCEL_PS_COMPAT_H
#define OLECANCEL_PS_COMPAT_H

/* widl -Oif output is stubless; mingw's rpcproxy.h needs this before it is included */
#ifndef USE_STUBLESS_PROXY
#define USE_STUBLESS_PROXY
#endif
#include <rpcproxy.h>
#include <unknwn.h>

#ifndef __cplusplus
/* mingw declares these only for C++; the stubless proxy vtables use them */
HRESULT STDMETHODCALLTYPE IUnknown_QueryInterface_Proxy(IUnknown *This, REFIID riid, void **ppv);
ULONG STDMETHODCALLTYPE IUnknown_AddRef_Proxy(IUnknown *This);
ULONG STDMETHODCALLTYPE IUnknown_Release_Proxy(IUnknown *This);
#endif

#endif
