/*
 * Tests for AsyncIMultiQI on a proxy to an object in this process's MTA
 * (STA client): the worker asks the object itself, which has no IMultiQI
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
#include "wine_test.h"
#include "test_util.h"
#include "async_util.h"

#define BOUND 20000   /* ms: the longest any single wait in these tests may take */
#include "mta_host.h"

/* the MTA object's QueryInterface for IPersist waits while the gate is
 * closed (and says so); it supports nothing but IUnknown */
static HANDLE gate, entered;

static HRESULT gated_query(REFIID riid)
{
    if (IsEqualIID(riid, &IID_IPersist) && WaitForSingleObject(gate, 0) != WAIT_OBJECT_0)
    {
        SetEvent(entered);
        WaitForSingleObject(gate, BOUND);
    }
    return E_NOINTERFACE;
}

static const IID * const query_iids[] = { &IID_IPersist, &IID_IUnknown, &IID_IStream, &IID_IMarshal };
#define NQUERY ARRAY_SIZE(query_iids)

static void test_inproc(void)
{
    MULTI_QI sync[NQUERY], async[NQUERY];
    AsyncIMultiQI *call;
    IUnknown *proxy;
    IMultiQI *multi;
    HRESULT hr, sync_hr;
    ULONG i;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (!(proxy = mta_proxy())) goto done;
    memset(sync, 0, sizeof(sync));
    memset(async, 0, sizeof(async));
    for (i = 0; i < NQUERY; i++) sync[i].pIID = async[i].pIID = query_iids[i];

    hr = IUnknown_QueryInterface(proxy, &IID_IMultiQI, (void **)&multi);
    ok(hr == S_OK, "QI(IMultiQI): %#lx\n", hr);
    sync_hr = IMultiQI_QueryMultipleInterfaces(multi, NQUERY, sync);
    IMultiQI_Release(multi);
    ok(sync_hr == S_FALSE, "synchronous QueryMultipleInterfaces: %#lx\n", sync_hr);

    hr = create_call(proxy, &IID_AsyncIMultiQI, (void **)&call);
    ok(hr == S_OK, "CreateCall(AsyncIMultiQI): %#lx\n", hr);
    if (FAILED(hr)) goto release;
    hr = AsyncIMultiQI_Begin_QueryMultipleInterfaces(call, NQUERY, async);
    ok(hr == S_OK, "Begin_: %#lx\n", hr);
    hr = AsyncIMultiQI_Finish_QueryMultipleInterfaces(call, async);
    ok(hr == sync_hr, "Finish_: %#lx, synchronous %#lx\n", hr, sync_hr);
    for (i = 0; i < NQUERY; i++)
    {
        ok(async[i].hr == sync[i].hr && !async[i].pItf == !sync[i].pItf, "entry %lu: %#lx %p, synchronous %#lx %p\n",
           i, async[i].hr, async[i].pItf, sync[i].hr, sync[i].pItf);
        if (async[i].pItf) IUnknown_Release(async[i].pItf);
        async[i].pItf = NULL;
    }

    /* cancelled while the object's QueryInterface holds the query */
    ResetEvent(gate);
    hr = AsyncIMultiQI_Begin_QueryMultipleInterfaces(call, NQUERY, async);
    ok(hr == S_OK, "Begin_: %#lx\n", hr);
    ok(wait_bounded(entered, BOUND, "the object's QueryInterface"), "query never reached the object\n");
    hr = call_cancel(call, 0);
    ok(hr == S_OK, "Cancel(0): %#lx\n", hr);
    hr = AsyncIMultiQI_Finish_QueryMultipleInterfaces(call, async);
    ok(hr == RPC_E_CALL_CANCELED, "Finish_ of the cancelled call: %#lx\n", hr);
    for (i = 0; i < NQUERY; i++)
        ok(!async[i].pItf && async[i].hr == RPC_E_CALL_CANCELED, "entry %lu: %p, %#lx\n", i, async[i].pItf, async[i].hr);
    SetEvent(gate);
    ok(AsyncIMultiQI_Release(call) == 0, "call object not released\n");

release:
    for (i = 0; i < NQUERY; i++) if (sync[i].pItf) IUnknown_Release(sync[i].pItf);
    IUnknown_Release(proxy);
done:
    CoUninitialize();
}

START_TEST(async_mqi_inproc)
{
    DWORD start;

    gate = CreateEventW(NULL, TRUE, TRUE, NULL);
    entered = CreateEventW(NULL, FALSE, FALSE, NULL);
    mta_query_hook = gated_query;
    if (!mta_host_start()) skip("no MTA object\n");
    else
    {
        run_subtest(test_inproc);
        mta_host_stop();
    }
    /* the pool lets go of the object's MTA view after the call object went */
    start = GetTickCount();
    while (mta_refs != 1 && GetTickCount() - start < BOUND) Sleep(20);
    ok(mta_refs == 1, "MTA object: %ld references\n", mta_refs);
    CloseHandle(gate);
    CloseHandle(entered);
}
