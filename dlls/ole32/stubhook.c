/*
 * olecancel: server-side asynchronous calls: the hook on rpcrt4's stub factory
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
 * Wine's COM asks an interface's proxy/stub factory for the stub of each
 * interface it exports; every NDR proxy DLL's factory (widl's and MIDL's)
 * is rpcrt4's CStdPSFactoryBuffer, whose vtable rpcrt4 shares among them.
 * Replacing that vtable's CreateStub, once, is the one patch of Wine this
 * feature needs: the stub of an interface that has an asynchronous version
 * in the same proxy DLL is wrapped (srvstub.c); every other stub, Wine's
 * own interfaces included, is returned untouched.
 *
 * The vtable is found through NdrDllGetClassObject on an empty proxy file
 * list (rpcrt4 fills in its factory as for any proxy DLL).  Checks before
 * anything is written: the vtable and its CreateStub lie inside rpcrt4,
 * VirtualProtect succeeds.  If rpcrt4 implements NdrDcomAsyncStubCall,
 * Wine may serve such calls itself and nothing is patched.
 */

#include "server_async.h"
#include "ps_files.h"

typedef HRESULT (STDMETHODCALLTYPE *create_stub_fn)(IPSFactoryBuffer *, REFIID, IUnknown *, IRpcStubBuffer **);

static create_stub_fn real_create_stub;
static BOOL active;

static BOOL async_interface_of(IPSFactoryBuffer *factory, REFIID iid, struct async_interface *info)
{
    const ProxyFileInfo * const *files = ps_proxy_files(factory);
    struct ps_interface sync, async;
    char name[128];

    if (!ps_find_iid(files, iid, &sync) || strlen(sync.name) + 6 > sizeof(name)) return FALSE;
    strcpy(name, "Async");
    strcat(name, sync.name);
    if (!ps_find_name(files, name, &async) || !ps_methods_match(sync.header, async.header)) return FALSE;
    info->async_header = async.header;
    info->sync_methods = sync.header->DispatchTableCount;
    info->sync_iid = sync.header->piid;
    return TRUE;
}

static HRESULT STDMETHODCALLTYPE hook_CreateStub(IPSFactoryBuffer *factory, REFIID riid, IUnknown *server,
                                                 IRpcStubBuffer **stub)
{
    HRESULT hr = real_create_stub(factory, riid, server, stub);
    struct async_interface info;

    if (hr == S_OK && riid && server && stub && *stub && async_interface_of(factory, riid, &info))
    {
        TRACE("%s has %s: server objects may process its calls asynchronously\n",
              debugstr_guid(riid), debugstr_guid(info.async_header->piid));
        if (FAILED(srvstub_wrap(stub, server, &info))) WARN("no memory: %s stays synchronous\n", debugstr_guid(riid));
    }
    return hr;
}

static BOOL CALLBACK install_once(INIT_ONCE *once, void *param, void **context)
{
    /* a class id of our own: rpcrt4 hands back the factory it filled in */
    static const CLSID probe_clsid = {0x6f1c0a10,0x5b1e,0x4c61,{0x9a,0x57,0x0c,0x7e,0x0a,0x5f,0x01,0x00}};
    static const ProxyFileInfo *no_files[] = { NULL };
    static CStdPSFactoryBuffer probe;
    HMODULE rpcrt4 = image_rpcrt4();
    IPSFactoryBuffer *factory;
    void **vtbl;
    DWORD old;

    if (wine_implementation(L"rpcrt4.dll", "NdrDcomAsyncStubCall"))
    {
        TRACE("Wine's rpcrt4 implements NdrDcomAsyncStubCall: leaving its stubs alone\n");
        return TRUE;
    }
    if (!rpcrt4 || FAILED(NdrDllGetClassObject(&probe_clsid, &IID_IPSFactoryBuffer, (void **)&factory,
                                               no_files, &probe_clsid, &probe)))
    {
        olecancel_feature_off(OLECANCEL_FEATURE_SERVER_ASYNC, "rpcrt4 gives no proxy/stub factory");
        return TRUE;
    }
    IPSFactoryBuffer_Release(factory);
    vtbl = (void **)probe.lpVtbl;
    if (!image_contains(rpcrt4, vtbl, 1) || !image_contains(rpcrt4, vtbl[4], 1))
    {
        olecancel_feature_off(OLECANCEL_FEATURE_SERVER_ASYNC, "rpcrt4's stub factory is not where expected");
        return TRUE;
    }
    if (!VirtualProtect(&vtbl[4], sizeof(void *), PAGE_READWRITE, &old))
    {
        olecancel_feature_off(OLECANCEL_FEATURE_SERVER_ASYNC, "rpcrt4's stub factory cannot be written (%lu)",
                              GetLastError());
        return TRUE;
    }
    real_create_stub = (create_stub_fn)vtbl[4];
    InterlockedExchangePointer(&vtbl[4], (void *)hook_CreateStub);
    VirtualProtect(&vtbl[4], sizeof(void *), old, &old);
    active = TRUE;
    TRACE("hooked CreateStub of rpcrt4's factory vtable %p\n", vtbl);
    return TRUE;
}

void stubhook_install(void)
{
    static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    InitOnceExecuteOnce(&once, install_once, NULL, NULL);
}

BOOL stubhook_active(void)
{
    return active;
}
