/*
 * A test server's guard against a lost wake-up in Wine's RPC runtime
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
 * When the last stub of an interface goes away, Wine's combase unregisters
 * the interface with RpcServerUnregisterIf(..., WaitForCallsToComplete =
 * TRUE) while it holds its lock of registered interfaces.  Wine's rpcrt4
 * decides whether to wake that wait when a call on the interface ends
 * without taking the lock the unregistering thread set the wait up under,
 * so a call ending in that window leaves the unregistering thread waiting
 * for good, and every later marshal in the process (rpc_register_interface)
 * waits behind it.  A local server handing objects to one client after
 * another meets the window whenever a client's final Release arrives while
 * the reply of its last call is still leaving: the next client's
 * CoCreateInstance then never returns.  Stock Wine has the same race.
 *
 * A server that keeps one stub of each interface its clients use for its
 * whole life never unregisters them while it serves, so the window is
 * never opened.  The kept stubs belong to objects of their own, so the
 * server's counts of its objects and their references are untouched; they
 * are released before CoUninitialize, when no call is running.
 */

#ifndef OLECANCEL_KEPT_STUBS_H
#define OLECANCEL_KEPT_STUBS_H

#include <windows.h>
#include <objbase.h>

/* an object of no class that answers one interface besides IUnknown: it
 * only has to give the stub a pointer, since no client ever gets a
 * reference to call through; the server's own objects and their counts
 * stay out of it */
struct kept_stub
{
    IUnknown IUnknown_iface;
    const IID *iid;
    IStream *marshaled;
};

struct kept_stubs
{
    struct kept_stub stub[4];
    unsigned int count;
};

static HRESULT WINAPI kept_stub_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    struct kept_stub *stub = CONTAINING_RECORD(iface, struct kept_stub, IUnknown_iface);

    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, stub->iid))
    {
        *ppv = iface;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

/* the object lives as long as its struct kept_stubs */
static ULONG WINAPI kept_stub_AddRef(IUnknown *iface) { return 2; }
static ULONG WINAPI kept_stub_Release(IUnknown *iface) { return 1; }

static const IUnknownVtbl kept_stub_vtbl = { kept_stub_QueryInterface, kept_stub_AddRef, kept_stub_Release };

/* a stub for iid, marshaled table-strong in the current apartment; a
 * failure only leaves the guard off for that interface */
static WINETEST_UNUSED void kept_stubs_add(struct kept_stubs *kept, REFIID iid)
{
    struct kept_stub *stub;

    if (kept->count == ARRAY_SIZE(kept->stub)) return;
    stub = &kept->stub[kept->count];
    stub->IUnknown_iface.lpVtbl = &kept_stub_vtbl;
    stub->iid = iid;
    if (FAILED(CreateStreamOnHGlobal(NULL, TRUE, &stub->marshaled))) return;
    if (SUCCEEDED(CoMarshalInterface(stub->marshaled, iid, &stub->IUnknown_iface, MSHCTX_LOCAL, NULL,
                                     MSHLFLAGS_TABLESTRONG)))
        kept->count++;
    else
        IStream_Release(stub->marshaled);
}

static WINETEST_UNUSED void kept_stubs_release(struct kept_stubs *kept)
{
    static const LARGE_INTEGER start;

    while (kept->count)
    {
        struct kept_stub *stub = &kept->stub[--kept->count];
        IStream_Seek(stub->marshaled, start, STREAM_SEEK_SET, NULL);
        CoReleaseMarshalData(stub->marshaled);
        IStream_Release(stub->marshaled);
    }
}

#endif /* OLECANCEL_KEPT_STUBS_H */
