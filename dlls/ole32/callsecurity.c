/*
 * olecancel: IClientSecurity of a call object: it applies to the caller's proxy
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

static inline struct call_security *impl_from_IClientSecurity(IClientSecurity *iface)
{
    return CONTAINING_RECORD(iface, struct call_security, IClientSecurity_iface);
}

static HRESULT WINAPI call_security_QueryInterface(IClientSecurity *iface, REFIID riid, void **ppv)
{
    struct call_security *sec = impl_from_IClientSecurity(iface);
    return IUnknown_QueryInterface(sec->outer, riid, ppv);
}

static ULONG WINAPI call_security_AddRef(IClientSecurity *iface)
{
    struct call_security *sec = impl_from_IClientSecurity(iface);
    return IUnknown_AddRef(sec->outer);
}

static ULONG WINAPI call_security_Release(IClientSecurity *iface)
{
    struct call_security *sec = impl_from_IClientSecurity(iface);
    return IUnknown_Release(sec->outer);
}

static HRESULT get_proxy_security(struct call_security *sec, IClientSecurity **security)
{
    return IUnknown_QueryInterface(sec->proxy, &IID_IClientSecurity, (void **)security);
}

static HRESULT WINAPI call_security_QueryBlanket(IClientSecurity *iface, IUnknown *proxy, DWORD *authn,
        DWORD *authz, OLECHAR **server_princ, DWORD *authn_level, DWORD *imp_level, void **auth_info, DWORD *caps)
{
    struct call_security *sec = impl_from_IClientSecurity(iface);
    IClientSecurity *security;
    HRESULT hr;

    TRACE("%p, %p\n", sec, proxy);
    if (FAILED(hr = get_proxy_security(sec, &security))) return hr;
    hr = IClientSecurity_QueryBlanket(security, sec->proxy, authn, authz, server_princ,
                                      authn_level, imp_level, auth_info, caps);
    IClientSecurity_Release(security);
    return hr;
}

static HRESULT WINAPI call_security_SetBlanket(IClientSecurity *iface, IUnknown *proxy, DWORD authn,
        DWORD authz, OLECHAR *server_princ, DWORD authn_level, DWORD imp_level, void *auth_info, DWORD caps)
{
    struct call_security *sec = impl_from_IClientSecurity(iface);
    IClientSecurity *security;
    HRESULT hr;

    TRACE("%p, %p, %lu, %lu\n", sec, proxy, authn, authn_level);
    FIXME("the blanket is set on the caller's proxy, not on the MTA proxy that carries the call\n");
    if (FAILED(hr = get_proxy_security(sec, &security))) return hr;
    hr = IClientSecurity_SetBlanket(security, sec->proxy, authn, authz, server_princ,
                                    authn_level, imp_level, auth_info, caps);
    IClientSecurity_Release(security);
    return hr;
}

static HRESULT WINAPI call_security_CopyProxy(IClientSecurity *iface, IUnknown *proxy, IUnknown **copy)
{
    struct call_security *sec = impl_from_IClientSecurity(iface);
    TRACE("%p, %p, %p\n", sec, proxy, copy);
    if (copy) *copy = NULL;
    return E_NOTIMPL;
}

static const IClientSecurityVtbl call_security_vtbl =
{
    call_security_QueryInterface,
    call_security_AddRef,
    call_security_Release,
    call_security_QueryBlanket,
    call_security_SetBlanket,
    call_security_CopyProxy,
};

void call_security_init(struct call_security *security, IUnknown *outer, IUnknown *proxy)
{
    security->IClientSecurity_iface.lpVtbl = &call_security_vtbl;
    security->outer = outer;
    security->proxy = proxy;
}
