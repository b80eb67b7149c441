/*
 * Tests for waiting on several asynchronous calls at once: an
 * ISynchronizeContainer (CLSID_SynchronizeContainer) holding the call
 * objects' ISynchronize, and CoWaitForMultipleHandles on their
 * ISynchronizeHandle handles.  STA client, calls to an object in the MTA.
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

#ifndef CONST_VTABLE
#define CONST_VTABLE
#endif
#include <windows.h>
#include <objbase.h>
#include <initguid.h>
#include "wine_test.h"
#include "test_util.h"
#include "async_util.h"

#define BOUND 20000   /* ms: the longest any single wait in these tests may take */
#include "mta_host.h"

/* mingw's libuuid lacks these */
DEFINE_GUID(CLSID_SynchronizeContainer_, 0x0000032d, 0x0000, 0x0000, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46);
DEFINE_GUID(CLSID_ManualResetEvent_, 0x0000032c, 0x0000, 0x0000, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x46);

/* The MTA object's QueryInterface for IID "gated n" waits until the test
 * opens gate n, then answers E_NOINTERFACE: each call lasts as long as
 * the test wants, and the test decides the order they finish in. */
#define NCALLS 3
static HANDLE gates[NCALLS];
static const GUID gated_base = {0x6f1c0a10, 0, 0x4c61, {0x9a, 0x57, 0x0c, 0x7e, 0x0a, 0x5f, 0x00, 0x30}};

static HRESULT gated_query(REFIID riid)
{
    GUID id = *riid;
    WORD n = id.Data2;

    id.Data2 = 0;
    if (IsEqualGUID(&id, &gated_base) && n < NCALLS) WaitForSingleObject(gates[n], BOUND);
    return E_NOINTERFACE;
}

struct calls
{
    AsyncIUnknown *call[NCALLS];
    ISynchronize *sync[NCALLS];
    HANDLE handle[NCALLS];
};

/* NCALLS AsyncIUnknown calls on the proxy, all begun and all held at their gate */
static BOOL begin_calls(IUnknown *proxy, struct calls *calls)
{
    ISynchronizeHandle *sh;
    HRESULT hr;
    GUID iid;
    int i;

    memset(calls, 0, sizeof(*calls));
    for (i = 0; i < NCALLS; i++)
    {
        ResetEvent(gates[i]);
        hr = create_call(proxy, &IID_AsyncIUnknown, (void **)&calls->call[i]);
        ok(hr == S_OK, "CreateCall(AsyncIUnknown): %#lx\n", hr);
        if (FAILED(hr)) return FALSE;
        AsyncIUnknown_QueryInterface(calls->call[i], &IID_ISynchronize, (void **)&calls->sync[i]);
        AsyncIUnknown_QueryInterface(calls->call[i], &IID_ISynchronizeHandle, (void **)&sh);
        ISynchronizeHandle_GetHandle(sh, &calls->handle[i]);
        ISynchronizeHandle_Release(sh);
        iid = gated_base;
        iid.Data2 = i;
        hr = AsyncIUnknown_Begin_QueryInterface(calls->call[i], &iid);
        ok(hr == S_OK, "Begin_QueryInterface %d: %#lx\n", i, hr);
    }
    return TRUE;
}

static void end_calls(struct calls *calls)
{
    IUnknown *unk;
    HRESULT hr;
    int i;

    for (i = 0; i < NCALLS; i++)
    {
        SetEvent(gates[i]);
        if (!calls->call[i]) continue;
        unk = (IUnknown *)0xdeadbeef;
        hr = AsyncIUnknown_Finish_QueryInterface(calls->call[i], (void **)&unk);
        ok(hr == E_NOINTERFACE && !unk, "Finish_QueryInterface %d: %#lx, %p\n", i, hr, unk);
        ISynchronize_Release(calls->sync[i]);
        ok(AsyncIUnknown_Release(calls->call[i]) == 0, "call object %d not released\n", i);
    }
}

/* the order the test opens the gates in: neither the order of Begin_ nor its reverse */
static const int order[NCALLS] = { 1, 2, 0 };

static void test_container(IUnknown *proxy)
{
    ISynchronizeContainer *container;
    ISynchronize *sync, *events[64];
    IClassFactory *factory;
    MULTI_QI mqi[2] = { { &IID_ISynchronizeContainer }, { &IID_ISynchronize } };
    IUnknown *unk;
    struct calls calls;
    HRESULT hr;
    int i;

    hr = CoGetClassObject(&CLSID_SynchronizeContainer_, CLSCTX_INPROC_SERVER, NULL, &IID_IClassFactory, (void **)&factory);
    ok(hr == S_OK, "CoGetClassObject(CLSID_SynchronizeContainer): %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        unk = (IUnknown *)0xdeadbeef;
        hr = IClassFactory_CreateInstance(factory, proxy, &IID_IUnknown, (void **)&unk);
        ok(hr == CLASS_E_NOAGGREGATION && !unk, "aggregated container: %#lx, %p\n", hr, unk);
        IClassFactory_Release(factory);
    }
    hr = CoCreateInstanceEx(&CLSID_SynchronizeContainer_, NULL, CLSCTX_INPROC_SERVER, NULL, 2, mqi);
    ok(hr == CO_S_NOTALLINTERFACES, "CoCreateInstanceEx(CLSID_SynchronizeContainer): %#lx\n", hr);
    ok(mqi[0].hr == S_OK && mqi[0].pItf && mqi[1].hr == E_NOINTERFACE && !mqi[1].pItf, "entries %#lx %p, %#lx %p\n",
       mqi[0].hr, mqi[0].pItf, mqi[1].hr, mqi[1].pItf);
    if (mqi[0].pItf) ok(IUnknown_Release(mqi[0].pItf) == 0, "container not released\n");

    hr = CoCreateInstance(&CLSID_SynchronizeContainer_, NULL, CLSCTX_INPROC_SERVER, &IID_ISynchronizeContainer,
                          (void **)&container);
    ok(hr == S_OK, "CoCreateInstance(CLSID_SynchronizeContainer): %#lx\n", hr);
    if (FAILED(hr)) return;

    sync = (ISynchronize *)0xdeadbeef;
    hr = ISynchronizeContainer_WaitMultiple(container, 0, 0, &sync);
    ok(hr == RPC_E_NO_SYNC && !sync, "WaitMultiple on an empty container: %#lx, %p\n", hr, sync);
    hr = ISynchronizeContainer_WaitMultiple(container, 0, 0, NULL);
    ok(hr == E_INVALIDARG, "WaitMultiple(NULL): %#lx\n", hr);
    hr = ISynchronizeContainer_AddSynchronize(container, NULL);
    ok(hr == E_INVALIDARG, "AddSynchronize(NULL): %#lx\n", hr);

    if (begin_calls(proxy, &calls))
    {
        for (i = 0; i < NCALLS; i++)
        {
            hr = ISynchronizeContainer_AddSynchronize(container, calls.sync[i]);
            ok(hr == S_OK, "AddSynchronize %d: %#lx\n", i, hr);
        }
        hr = ISynchronizeContainer_WaitMultiple(container, COWAIT_WAITALL, 0, &sync);
        ok(hr == E_INVALIDARG, "WaitMultiple(COWAIT_WAITALL): %#lx\n", hr);
        hr = ISynchronizeContainer_WaitMultiple(container, 0, 0, &sync);
        ok(hr == RPC_E_TIMEOUT, "WaitMultiple with every call pending: %#lx\n", hr);
        /* the first to finish, then the rest: each is taken out once signalled */
        for (i = 0; i < NCALLS; i++)
        {
            SetEvent(gates[order[i]]);
            sync = NULL;
            hr = ISynchronizeContainer_WaitMultiple(container, 0, BOUND, &sync);
            ok(hr == S_OK && sync == calls.sync[order[i]], "WaitMultiple %d: %#lx, %p, expected call %d (%p)\n",
               i, hr, sync, order[i], calls.sync[order[i]]);
            if (sync) ISynchronize_Release(sync);
        }
        hr = ISynchronizeContainer_WaitMultiple(container, 0, 0, &sync);
        ok(hr == RPC_E_NO_SYNC, "WaitMultiple once every call was returned: %#lx\n", hr);
    }
    end_calls(&calls);

    /* 63 objects at the most */
    for (i = 0; i < 64; i++)
    {
        events[i] = NULL;
        hr = CoCreateInstance(&CLSID_ManualResetEvent_, NULL, CLSCTX_INPROC_SERVER, &IID_ISynchronize, (void **)&events[i]);
        if (FAILED(hr)) break;
        hr = ISynchronizeContainer_AddSynchronize(container, events[i]);
        ok(hr == (i < 63 ? S_OK : RPC_E_OUT_OF_RESOURCES), "AddSynchronize of event %d: %#lx\n", i, hr);
    }
    ok(i == 64, "CoCreateInstance(CLSID_ManualResetEvent) %d: %#lx\n", i, hr);
    ok(ISynchronizeContainer_Release(container) == 0, "container not released\n");
    while (i--) ok(ISynchronize_Release(events[i]) == 0, "event %d kept\n", i);
}

/* the same wait on the call objects' handles, with COM's own wait */
static void test_wait_handles(IUnknown *proxy)
{
    struct calls calls;
    HANDLE left[NCALLS];
    DWORD index;
    HRESULT hr;
    int i, j, n;

    if (!begin_calls(proxy, &calls))
    {
        end_calls(&calls);
        return;
    }
    memcpy(left, calls.handle, sizeof(left));
    hr = CoWaitForMultipleHandles(0, 0, NCALLS, left, &index);
    ok(hr == RPC_S_CALLPENDING, "CoWaitForMultipleHandles with every call pending: %#lx\n", hr);
    for (i = 0, n = NCALLS; i < NCALLS; i++, n--)
    {
        SetEvent(gates[order[i]]);
        index = ~0u;
        hr = CoWaitForMultipleHandles(0, BOUND, n, left, &index);
        ok(hr == S_OK && index < n && left[index] == calls.handle[order[i]],
           "CoWaitForMultipleHandles %d: %#lx, index %lu, expected call %d\n", i, hr, index, order[i]);
        /* a completed call's event stays set until its next Begin_ */
        if (hr != S_OK || index >= n) break;
        for (j = index; j < n - 1; j++) left[j] = left[j + 1];
    }
    end_calls(&calls);
}

static void test_wait_many(void)
{
    IUnknown *proxy;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if ((proxy = mta_proxy()))
    {
        test_container(proxy);
        test_wait_handles(proxy);
        IUnknown_Release(proxy);
    }
    CoUninitialize();
}

START_TEST(wait_many)
{
    int i;

    for (i = 0; i < NCALLS; i++) gates[i] = CreateEventW(NULL, TRUE, TRUE, NULL);
    mta_query_hook = gated_query;
    if (!mta_host_start()) skip("no MTA object\n");
    else
    {
        run_subtest(test_wait_many);
        mta_host_stop();
    }
    ok(mta_refs == 1, "MTA object: %ld references\n", mta_refs);
    for (i = 0; i < NCALLS; i++) CloseHandle(gates[i]);
}
