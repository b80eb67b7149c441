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
 * This is the only place where olecancel changes Wine's own code paths.
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
 * The vtable is found by unmarshaling a private object in another apartment.
 * Before anything is written the self-check requires: the interface pointer
 * is the proxy's identity (QI(IUnknown) == QI(IMultiQI)); the vtable and its
 * four used slots lie inside combase's image; the pages can be made
 * writable.  Otherwise the feature stays off with a WARN.
 */

#include "async_private.h"

typedef HRESULT (STDMETHODCALLTYPE *multiqi_qi_fn)(IMultiQI *iface, REFIID riid, void **ppv);
typedef HRESULT (STDMETHODCALLTYPE *multiqi_qmi_fn)(IMultiQI *iface, ULONG count, MULTI_QI *mqi);

static multiqi_qi_fn orig_query_interface;
static multiqi_qmi_fn orig_query_multiple;
static void **patched_vtbl;

static HRESULT STDMETHODCALLTYPE hook_QueryInterface(IMultiQI *iface, REFIID riid, void **ppv)
{
    if (ppv && riid && IsEqualIID(riid, &IID_ICallFactory))
    {
        TRACE("proxy %p, ICallFactory\n", iface);
        return callfactory_create((IUnknown *)iface, ppv);
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
    if (i == count) return orig_query_multiple(iface, count, mqis);

    TRACE("proxy %p, %lu interfaces, ICallFactory among them\n", iface, count);
    if (!(rest = malloc(count * sizeof(*rest)))) return E_OUTOFMEMORY;
    for (i = 0; i < count; i++)
    {
        if (mqis[i].pIID && IsEqualIID(mqis[i].pIID, &IID_ICallFactory))
        {
            mqis[i].hr = callfactory_create((IUnknown *)iface, (void **)&mqis[i].pItf);
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
    else if (ok) hr = CO_S_NOTALLINTERFACES;
    else hr = E_NOINTERFACE;
    return hr;
}

/* a minimal object owned by the helper MTA thread */
static HRESULT STDMETHODCALLTYPE probe_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown)) { *ppv = iface; return S_OK; }
    *ppv = NULL;
    return E_NOINTERFACE;
}
static ULONG STDMETHODCALLTYPE probe_AddRef(IUnknown *iface) { return 2; }
static ULONG STDMETHODCALLTYPE probe_Release(IUnknown *iface) { return 1; }
static const IUnknownVtbl probe_vtbl = { probe_QueryInterface, probe_AddRef, probe_Release };
static IUnknown probe_object = { &probe_vtbl };

/* Reached through combase directly so that helper threads never re-enter
 * the DLL's own CoInitialize wrappers (which call async_init). */
typedef HRESULT (WINAPI *coinit_fn)(void *reserved, DWORD flags);
typedef void (WINAPI *couninit_fn)(void);

/* Shared by the installer and its two helper threads; whoever finishes last
 * frees it, so a helper that outlives a timed-out wait touches live memory. */
struct probe_ctx
{
    LONG refs;
    coinit_fn coinit;
    couninit_fn couninit;
    IStream *stream;
    HANDLE marshaled, done;
    HRESULT hr;
    void **vtbl;
    BOOL identity_ok;
};

static void probe_ctx_release(struct probe_ctx *ctx)
{
    if (InterlockedDecrement(&ctx->refs)) return;
    CloseHandle(ctx->marshaled);
    CloseHandle(ctx->done);
    IStream_Release(ctx->stream);
    HeapFree(GetProcessHeap(), 0, ctx);
}

static DWORD WINAPI probe_owner_thread(void *arg)
{
    struct probe_ctx *ctx = arg;
    HRESULT hr = ctx->coinit(NULL, COINIT_MULTITHREADED);
    if (SUCCEEDED(hr))
    {
        ctx->hr = CoMarshalInterface(ctx->stream, &IID_IUnknown, &probe_object, MSHCTX_INPROC, NULL, MSHLFLAGS_NORMAL);
        SetEvent(ctx->marshaled);
        WaitForSingleObject(ctx->done, 10000);
        ctx->couninit();
    }
    else
    {
        ctx->hr = hr;
        SetEvent(ctx->marshaled);
    }
    probe_ctx_release(ctx);
    return 0;
}

static DWORD WINAPI probe_client_thread(void *arg)
{
    struct probe_ctx *ctx = arg;
    IUnknown *unk, *unk2, *mqi;
    LARGE_INTEGER zero = {{0}};
    HRESULT hr = ctx->coinit(NULL, COINIT_APARTMENTTHREADED);

    if (FAILED(hr))
    {
        ctx->hr = hr;
        probe_ctx_release(ctx);
        return 0;
    }
    IStream_Seek(ctx->stream, zero, STREAM_SEEK_SET, NULL);
    if (SUCCEEDED(ctx->hr = CoUnmarshalInterface(ctx->stream, &IID_IUnknown, (void **)&unk)))
    {
        ctx->vtbl = *(void ***)unk;
        if (SUCCEEDED(IUnknown_QueryInterface(unk, &IID_IMultiQI, (void **)&mqi)))
        {
            if (SUCCEEDED(IUnknown_QueryInterface(unk, &IID_IUnknown, (void **)&unk2)))
            {
                ctx->identity_ok = (unk2 == mqi && unk2 == unk);
                IUnknown_Release(unk2);
            }
            IUnknown_Release(mqi);
        }
        IUnknown_Release(unk);
    }
    ctx->couninit();
    probe_ctx_release(ctx);
    return 0;
}

static BOOL in_image(HMODULE module, const void *ptr)
{
    const IMAGE_DOS_HEADER *dos = (const IMAGE_DOS_HEADER *)module;
    const IMAGE_NT_HEADERS *nt = (const IMAGE_NT_HEADERS *)((const char *)module + dos->e_lfanew);
    return (const char *)ptr >= (const char *)module &&
           (const char *)ptr < (const char *)module + nt->OptionalHeader.SizeOfImage;
}

static HRESULT find_proxy_vtable(void ***vtbl)
{
    struct probe_ctx *ctx;
    HMODULE combase = GetModuleHandleW(L"combase.dll");
    HANDLE threads[2] = {0};
    HRESULT hr = E_FAIL;

    if (!combase) return E_FAIL;
    if (!(ctx = HeapAlloc(GetProcessHeap(), HEAP_ZERO_MEMORY, sizeof(*ctx)))) return E_OUTOFMEMORY;
    ctx->coinit = (coinit_fn)GetProcAddress(combase, "CoInitializeEx");
    ctx->couninit = (couninit_fn)GetProcAddress(combase, "CoUninitialize");
    if (!ctx->coinit || !ctx->couninit || FAILED(hr = CreateStreamOnHGlobal(NULL, TRUE, &ctx->stream)))
    {
        HeapFree(GetProcessHeap(), 0, ctx);
        return FAILED(hr) ? hr : E_FAIL;
    }
    ctx->marshaled = CreateEventW(NULL, TRUE, FALSE, NULL);
    ctx->done = CreateEventW(NULL, TRUE, FALSE, NULL);
    ctx->refs = 1;

    InterlockedIncrement(&ctx->refs);
    if (!(threads[0] = CreateThread(NULL, 0, probe_owner_thread, ctx, 0, NULL))) InterlockedDecrement(&ctx->refs);
    if (threads[0] && WaitForSingleObject(ctx->marshaled, 10000) == WAIT_OBJECT_0 && SUCCEEDED(ctx->hr))
    {
        InterlockedIncrement(&ctx->refs);
        if (!(threads[1] = CreateThread(NULL, 0, probe_client_thread, ctx, 0, NULL))) InterlockedDecrement(&ctx->refs);
        if (threads[1] && WaitForSingleObject(threads[1], 10000) != WAIT_OBJECT_0)
        {
            WARN("the probe's client thread did not finish within 10 s\n");
            ctx->hr = E_FAIL;
        }
    }
    else if (threads[0]) ctx->hr = FAILED(ctx->hr) ? ctx->hr : E_FAIL;
    SetEvent(ctx->done);
    if (threads[0]) WaitForSingleObject(threads[0], 10000);
    hr = ctx->hr;
    if (SUCCEEDED(hr) && !ctx->identity_ok) hr = E_UNEXPECTED;
    if (SUCCEEDED(hr)) *vtbl = ctx->vtbl;

    if (threads[0]) CloseHandle(threads[0]);
    if (threads[1]) CloseHandle(threads[1]);
    probe_ctx_release(ctx);
    return hr;
}

HRESULT proxyhook_install(void)
{
    HMODULE combase = GetModuleHandleW(L"combase.dll");
    void **vtbl = NULL;
    DWORD old;
    HRESULT hr;
    int i;

    TRACE("()\n");
    if (patched_vtbl) return S_OK;
    if (FAILED(hr = find_proxy_vtable(&vtbl)))
    {
        WARN("could not reach a proxy manager (%#lx); asynchronous calls disabled\n", hr);
        return hr;
    }
    if (!combase || !in_image(combase, vtbl) || !in_image(combase, vtbl + 3))
    {
        WARN("proxy vtable %p is not in combase %p; asynchronous calls disabled\n", vtbl, combase);
        return E_UNEXPECTED;
    }
    for (i = 0; i < 4; i++)
    {
        if (!in_image(combase, vtbl[i]))
        {
            WARN("proxy vtable slot %d (%p) is not in combase; asynchronous calls disabled\n", i, vtbl[i]);
            return E_UNEXPECTED;
        }
    }
    if (!VirtualProtect(vtbl, 4 * sizeof(void *), PAGE_READWRITE, &old))
    {
        WARN("VirtualProtect(%p) failed: %lu; asynchronous calls disabled\n", vtbl, GetLastError());
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

BOOL proxyhook_active(void)
{
    return patched_vtbl != NULL;
}
