/*
 * Tests for AsyncIMultiQI call objects on standard proxies: a local server
 * (child process, MTA), STA and MTA clients
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
#include "olecancel_test.h"
#include "mqi_test.h"
#include "wine_test.h"
#include "test_util.h"
#include "async_util.h"

#define BOUND 20000   /* ms: the longest any single wait in these tests may take */

static char exe_path[MAX_PATH];

#include "async_mqi_server.h"

/* ---------------------------------------------------------------------------
 * Client
 * ------------------------------------------------------------------------- */

static HANDLE client_gate, client_entered;

static IOcProbe *new_object(void)
{
    IOcProbe *probe = NULL;
    HRESULT hr = CoCreateInstance(&CLSID_OcMqiServer, NULL, CLSCTX_LOCAL_SERVER, &IID_IOcProbe, (void **)&probe);
    ok(hr == S_OK, "CoCreateInstance: %#lx\n", hr);
    return probe;
}

static LONG server_refs(IOcProbe *probe)
{
    LONG refs = -1, objects = -1;
    IOcProbe_GetRefs(probe, &refs, &objects);
    return refs;
}

/* bounded poll: the server object's references reach `target` (workers
 * and the MTA view of an STA caller's proxy let go after Finish_) */
static LONG wait_server_refs(IOcProbe *probe, LONG target)
{
    DWORD start = GetTickCount();
    LONG refs;
    while ((refs = server_refs(probe)) != target && GetTickCount() - start < BOUND) pump_sleep(20);
    return refs;
}

/* bounded poll: the server has `target` live objects (witness: one of them) */
static LONG wait_server_objects(IOcProbe *witness, LONG target)
{
    DWORD start = GetTickCount();
    LONG refs, objects = -1;
    for (;;)
    {
        IOcProbe_GetRefs(witness, &refs, &objects);
        if (objects == target || GetTickCount() - start >= BOUND) return objects;
        pump_sleep(20);
    }
}

/* An STA caller's call objects reach the object through an MTA view made
 * from table-weak marshal data of the caller's proxy (docs/async.md);
 * making that data leaves the server a stub for IUnknown.  A control
 * object queried synchronously gets the same stub by being marshaled for
 * IUnknown too (normally, and unmarshaled at once: the proxy takes the
 * references back), so that the two objects' references can be compared. */
static void add_view_stub(IOcProbe *control, BOOL sta)
{
    LARGE_INTEGER zero = {{0}};
    IStream *stream;
    IUnknown *unk;
    HRESULT hr;

    if (!sta) return;
    CreateStreamOnHGlobal(NULL, TRUE, &stream);
    hr = CoMarshalInterface(stream, &IID_IUnknown, (IUnknown *)control, MSHCTX_INPROC, NULL, MSHLFLAGS_NORMAL);
    ok(hr == S_OK, "marshaling the control: %#lx\n", hr);
    IStream_Seek(stream, zero, STREAM_SEEK_SET, NULL);
    hr = CoUnmarshalInterface(stream, &IID_IUnknown, (void **)&unk);
    ok(hr == S_OK, "unmarshaling the control: %#lx\n", hr);
    if (SUCCEEDED(hr)) IUnknown_Release(unk);
    IStream_Release(stream);
}

static void release_entries(MULTI_QI *mqis, ULONG count)
{
    ULONG i;
    for (i = 0; i < count; i++)
    {
        if (mqis[i].pItf) IUnknown_Release(mqis[i].pItf);
        mqis[i].pItf = NULL;
    }
}

static void test_create_call(IOcProbe *probe)
{
    static const IID *iids[] = { &IID_AsyncIMultiQI, &IID_ISynchronize, &IID_ISynchronizeHandle,
                                 &IID_ICancelMethodCalls, &IID_IUnknown };
    ICallFactory *factory;
    IUnknown *call, *unk, *itf;
    HRESULT hr;
    int i;

    hr = IOcProbe_QueryInterface(probe, &IID_ICallFactory, (void **)&factory);
    ok(hr == S_OK, "QI(ICallFactory): %#lx\n", hr);
    if (FAILED(hr)) return;
    call = (IUnknown *)0xdeadbeef;
    hr = ICallFactory_CreateCall(factory, &IID_AsyncIMultiQI, NULL, &IID_AsyncIMultiQI, &call);
    ok(hr == S_OK && call, "CreateCall(AsyncIMultiQI): %#lx, %p\n", hr, call);
    if (SUCCEEDED(hr))
    {
        IUnknown_QueryInterface(call, &IID_IUnknown, (void **)&unk);
        for (i = 0; i < ARRAY_SIZE(iids); i++)
        {
            hr = IUnknown_QueryInterface(call, iids[i], (void **)&itf);
            ok(hr == S_OK, "call object QI %d: %#lx\n", i, hr);
            if (SUCCEEDED(hr)) IUnknown_Release(itf);
        }
        itf = (IUnknown *)0xdeadbeef;
        hr = IUnknown_QueryInterface(call, &IID_IOcCallback, (void **)&itf);
        ok(hr == E_NOINTERFACE && !itf, "call object QI(IOcCallback): %#lx, %p\n", hr, itf);
        IUnknown_Release(unk);
        ok(IUnknown_Release(call) == 0, "call object not released\n");
    }
    call = (IUnknown *)0xdeadbeef;
    hr = ICallFactory_CreateCall(factory, &IID_AsyncIMultiQI, (IUnknown *)probe, &IID_AsyncIMultiQI, &call);
    ok(hr == CLASS_E_NOAGGREGATION && !call, "aggregated CreateCall for AsyncIMultiQI: %#lx, %p\n", hr, call);
    ICallFactory_Release(factory);
}

static void test_bad_input(IOcProbe *probe)
{
    MULTI_QI mqi[2], early = { &IID_IOcProbe, (IUnknown *)0xdeadbeef, 0x1234 };
    AsyncIMultiQI *call;
    HRESULT hr;

    hr = create_call((IUnknown *)probe, &IID_AsyncIMultiQI, (void **)&call);
    ok(hr == S_OK, "CreateCall(AsyncIMultiQI): %#lx\n", hr);
    if (FAILED(hr)) return;

    hr = AsyncIMultiQI_Finish_QueryMultipleInterfaces(call, &early);
    ok(hr == RPC_E_CALL_COMPLETE, "Finish_ before Begin_: %#lx\n", hr);
    ok(early.pItf == (IUnknown *)0xdeadbeef && early.hr == 0x1234, "Finish_ before Begin_ wrote %p, %#lx\n",
       early.pItf, early.hr);

    /* inferred, see asyncmqi.c: nothing to ask is refused at Begin_ */
    memset(mqi, 0, sizeof(mqi));
    mqi[0].pIID = &IID_IOcProbe;
    hr = AsyncIMultiQI_Begin_QueryMultipleInterfaces(call, 0, mqi);
    ok(hr == E_INVALIDARG, "Begin_(0 entries): %#lx\n", hr);
    hr = AsyncIMultiQI_Begin_QueryMultipleInterfaces(call, 1, NULL);
    ok(hr == E_INVALIDARG, "Begin_(NULL array): %#lx\n", hr);
    hr = AsyncIMultiQI_Begin_QueryMultipleInterfaces(call, 2, mqi);
    ok(hr == E_INVALIDARG, "Begin_(entry without IID): %#lx\n", hr);
    hr = AsyncIMultiQI_Finish_QueryMultipleInterfaces(call, &early);
    ok(hr == RPC_E_CALL_COMPLETE, "Finish_ after refused Begin_s: %#lx\n", hr);

    mqi[1].pIID = &IID_IOcCallback;
    hr = AsyncIMultiQI_Begin_QueryMultipleInterfaces(call, 2, mqi);
    ok(hr == S_OK, "Begin_: %#lx\n", hr);
    hr = AsyncIMultiQI_Begin_QueryMultipleInterfaces(call, 2, mqi);
    ok(hr == RPC_S_CALLPENDING, "second Begin_: %#lx\n", hr);
    /* inferred, as AsyncIUnknown's Finish_QueryInterface(NULL): the call stays to be finished */
    hr = AsyncIMultiQI_Finish_QueryMultipleInterfaces(call, NULL);
    ok(hr == E_POINTER, "Finish_(NULL): %#lx\n", hr);
    hr = AsyncIMultiQI_Finish_QueryMultipleInterfaces(call, mqi);
    ok(hr == S_OK, "Finish_: %#lx\n", hr);
    ok(mqi[0].hr == S_OK && mqi[0].pItf && mqi[1].hr == S_OK && mqi[1].pItf, "entries %#lx %p, %#lx %p\n",
       mqi[0].hr, mqi[0].pItf, mqi[1].hr, mqi[1].pItf);
    release_entries(mqi, 2);

    /* reusable */
    hr = AsyncIMultiQI_Begin_QueryMultipleInterfaces(call, 1, mqi);
    ok(hr == S_OK, "Begin_ after Finish_: %#lx\n", hr);
    hr = AsyncIMultiQI_Finish_QueryMultipleInterfaces(call, mqi);
    ok(hr == S_OK && mqi[0].pItf, "Finish_: %#lx, %p\n", hr, mqi[0].pItf);
    release_entries(mqi, 1);
    ok(AsyncIMultiQI_Release(call) == 0, "call object not released\n");
}

/* what both the synchronous and the asynchronous query ask for: local
 * interfaces of the proxy manager among remote ones, supported or not */
static const IID * const query_iids[] =
{
    &IID_IOcCallback, &IID_IUnknown, &IID_IStream, &IID_IOcProbe, &IID_IMarshal,
    &IID_IOcTest, &IID_IClientSecurity, &IID_ICallFactory,
};
#define NQUERY ARRAY_SIZE(query_iids)

static void test_matches_sync(IOcProbe *witness, BOOL sta)
{
    MULTI_QI sync[NQUERY], async[NQUERY], *begin;
    IOcProbe *a, *b;
    IUnknown *identity, *unk;
    IOcCallback *cb;
    AsyncIMultiQI *call;
    IMultiQI *multi;
    HANDLE handle = NULL;
    ISynchronizeHandle *sh;
    HRESULT hr, sync_hr;
    IID *copies;
    LONG refs_a, refs_b, value;
    ULONG i;

    memset(sync, 0, sizeof(sync));
    memset(async, 0, sizeof(async));
    if (!(a = new_object())) return;
    if (!(b = new_object()))
    {
        IOcProbe_Release(a);
        return;
    }

    for (i = 0; i < NQUERY; i++) sync[i].pIID = query_iids[i];
    hr = IOcProbe_QueryInterface(a, &IID_IMultiQI, (void **)&multi);
    ok(hr == S_OK, "QI(IMultiQI): %#lx\n", hr);
    sync_hr = IMultiQI_QueryMultipleInterfaces(multi, NQUERY, sync);
    IMultiQI_Release(multi);
    ok(sync_hr == S_FALSE, "synchronous QueryMultipleInterfaces: %#lx\n", sync_hr);

    hr = create_call((IUnknown *)b, &IID_AsyncIMultiQI, (void **)&call);
    ok(hr == S_OK, "CreateCall(AsyncIMultiQI): %#lx\n", hr);
    if (FAILED(hr)) goto done;
    /* Begin_'s array and the IIDs it points to are gone once Begin_ returns */
    begin = calloc(NQUERY, sizeof(*begin));
    copies = calloc(NQUERY, sizeof(*copies));
    for (i = 0; i < NQUERY; i++)
    {
        copies[i] = *query_iids[i];
        begin[i].pIID = &copies[i];
    }
    hr = AsyncIMultiQI_Begin_QueryMultipleInterfaces(call, NQUERY, begin);
    ok(hr == S_OK, "Begin_: %#lx\n", hr);
    memset(copies, 0xcc, NQUERY * sizeof(*copies));
    memset(begin, 0xcc, NQUERY * sizeof(*begin));
    free(copies);
    free(begin);

    hr = call_wait(call, BOUND);
    ok(hr == S_OK, "ISynchronize::Wait: %#lx\n", hr);
    hr = AsyncIMultiQI_QueryInterface(call, &IID_ISynchronizeHandle, (void **)&sh);
    ok(hr == S_OK, "QI(ISynchronizeHandle): %#lx\n", hr);
    if (SUCCEEDED(hr))
    {
        ISynchronizeHandle_GetHandle(sh, &handle);
        ok(WaitForSingleObject(handle, 0) == WAIT_OBJECT_0, "the call's handle is not signalled\n");
        ISynchronizeHandle_Release(sh);
    }

    /* Finish_'s own array: its pIIDs are the caller's business */
    for (i = 0; i < NQUERY; i++) async[i].pIID = query_iids[i];
    hr = AsyncIMultiQI_Finish_QueryMultipleInterfaces(call, async);
    ok(hr == sync_hr, "Finish_: %#lx, synchronous %#lx\n", hr, sync_hr);
    IOcProbe_QueryInterface(b, &IID_IUnknown, (void **)&identity);
    for (i = 0; i < NQUERY; i++)
    {
        winetest_push_context("entry %lu", i);
        ok(async[i].pIID == query_iids[i], "pIID changed\n");
        ok(async[i].hr == sync[i].hr, "hr %#lx, synchronous %#lx\n", async[i].hr, sync[i].hr);
        ok(!async[i].pItf == !sync[i].pItf, "pItf %p, synchronous %p\n", async[i].pItf, sync[i].pItf);
        if (async[i].pItf)
        {
            IUnknown_QueryInterface(async[i].pItf, &IID_IUnknown, (void **)&unk);
            ok(unk == identity, "identity %p, proxy %p\n", unk, identity);
            IUnknown_Release(unk);
        }
        winetest_pop_context();
    }
    IUnknown_Release(identity);
    ok(async[2].hr == E_NOINTERFACE && async[5].hr == E_NOINTERFACE, "unsupported: %#lx, %#lx\n",
       async[2].hr, async[5].hr);
    if ((cb = (IOcCallback *)async[0].pItf))
    {
        value = 0;
        hr = IOcCallback_Ping(cb, 1, &value);
        ok(hr == S_OK && value == 1001, "call on the answer: %#lx, %ld\n", hr, value);
    }
    ok(AsyncIMultiQI_Release(call) == 0, "call object not released\n");

    /* the same stubs on the server for both objects */
    add_view_stub(a, sta);
    refs_a = server_refs(a);
    refs_b = wait_server_refs(b, refs_a);
    ok(refs_b == refs_a, "server object's references %ld, after the synchronous query %ld\n", refs_b, refs_a);
    trace("server object's references after Finish_: %ld (synchronous query: %ld)\n", refs_b, refs_a);

done:
    release_entries(sync, NQUERY);
    release_entries(async, NQUERY);
    IOcProbe_Release(a);
    IOcProbe_Release(b);
    value = wait_server_objects(witness, 1);
    ok(value == 1, "server objects alive: %ld\n", value);
}

static void test_cancel(IOcProbe *witness, BOOL sta)
{
    MULTI_QI mqi[2], control[2];
    IOcProbe *c, *d;
    AsyncIMultiQI *call;
    IMultiQI *multi;
    LONG refs, value;
    HRESULT hr;
    ULONG i;

    if (!(d = new_object())) return;
    if (!(c = new_object()))
    {
        IOcProbe_Release(d);
        return;
    }
    memset(control, 0, sizeof(control));
    control[0].pIID = &IID_IOcCallback;
    control[1].pIID = &IID_IOcProbe;
    memcpy(mqi, control, sizeof(mqi));

    hr = create_call((IUnknown *)c, &IID_AsyncIMultiQI, (void **)&call);
    ok(hr == S_OK, "CreateCall(AsyncIMultiQI): %#lx\n", hr);
    if (FAILED(hr)) goto done;

    ResetEvent(client_gate);
    hr = AsyncIMultiQI_Begin_QueryMultipleInterfaces(call, 2, mqi);
    ok(hr == S_OK, "Begin_: %#lx\n", hr);
    ok(wait_bounded(client_entered, BOUND, "the server's QueryInterface"), "query never reached the server\n");
    hr = call_wait(call, 0);
    ok(hr == RPC_S_CALLPENDING, "Wait(0) while the server holds the query: %#lx\n", hr);
    hr = call_cancel(call, 0);
    ok(hr == S_OK, "Cancel(0): %#lx\n", hr);
    hr = call_wait(call, BOUND);
    ok(hr == S_OK, "Wait after Cancel: %#lx\n", hr);
    hr = call_cancel(call, 0);
    ok(hr == RPC_E_CALL_CANCELED, "second Cancel: %#lx\n", hr);
    /* returns while the server still holds the query (the gate is closed) */
    for (i = 0; i < 2; i++) mqi[i].pItf = (IUnknown *)0xdeadbeef, mqi[i].hr = 0x1234;
    hr = AsyncIMultiQI_Finish_QueryMultipleInterfaces(call, mqi);
    ok(hr == RPC_E_CALL_CANCELED, "Finish_ of the cancelled call: %#lx\n", hr);
    for (i = 0; i < 2; i++)
        ok(!mqi[i].pItf && mqi[i].hr == RPC_E_CALL_CANCELED, "entry %lu: %p, %#lx\n", i, mqi[i].pItf, mqi[i].hr);
    hr = call_cancel(call, 0);
    ok(hr == RPC_E_CALL_COMPLETE, "Cancel after Finish_: %#lx\n", hr);
    SetEvent(client_gate);

    /* the abandoned answer leaves exactly the stubs a synchronous query makes */
    hr = IOcProbe_QueryInterface(d, &IID_IMultiQI, (void **)&multi);
    ok(hr == S_OK, "QI(IMultiQI): %#lx\n", hr);
    hr = IMultiQI_QueryMultipleInterfaces(multi, 2, control);
    ok(hr == S_OK, "synchronous QueryMultipleInterfaces: %#lx\n", hr);
    IMultiQI_Release(multi);
    release_entries(control, 2);
    add_view_stub(d, sta);
    refs = wait_server_refs(c, server_refs(d));
    ok(refs == server_refs(d), "server object's references %ld after the cancelled call, %ld after a synchronous one\n",
       refs, server_refs(d));
    trace("server object's references after the cancelled call: %ld (synchronous query: %ld)\n", refs, server_refs(d));

    /* the call object works again, and a call released before Finish_ leaves nothing */
    hr = AsyncIMultiQI_Begin_QueryMultipleInterfaces(call, 2, mqi);
    ok(hr == S_OK, "Begin_ after the cancelled call: %#lx\n", hr);
    hr = AsyncIMultiQI_Finish_QueryMultipleInterfaces(call, mqi);
    ok(hr == S_OK && mqi[0].pItf && mqi[1].pItf, "Finish_: %#lx, %p, %p\n", hr, mqi[0].pItf, mqi[1].pItf);
    release_entries(mqi, 2);
    ResetEvent(client_gate);
    IOcProbe_Release(c);
    c = new_object();
    AsyncIMultiQI_Release(call);
    call = NULL;
    hr = c ? create_call((IUnknown *)c, &IID_AsyncIMultiQI, (void **)&call) : E_FAIL;
    if (SUCCEEDED(hr))
    {
        hr = AsyncIMultiQI_Begin_QueryMultipleInterfaces(call, 2, mqi);
        ok(hr == S_OK, "Begin_: %#lx\n", hr);
        ok(wait_bounded(client_entered, BOUND, "the server's QueryInterface"), "query never reached the server\n");
        ok(AsyncIMultiQI_Release(call) == 0, "call object released while pending not released\n");
    }
    SetEvent(client_gate);
    call = NULL;

done:
    if (call) AsyncIMultiQI_Release(call);
    if (c) IOcProbe_Release(c);
    IOcProbe_Release(d);
    value = wait_server_objects(witness, 1);
    ok(value == 1, "server objects alive: %ld\n", value);
}

static DWORD WINAPI client_thread(void *arg)
{
    BOOL sta = *(BOOL *)arg;
    IOcProbe *witness;

    CoInitializeEx(NULL, sta ? COINIT_APARTMENTTHREADED : COINIT_MULTITHREADED);
    winetest_push_context("%s client", sta ? "STA" : "MTA");
    if ((witness = new_object()))
    {
        test_create_call(witness);
        test_bad_input(witness);
        test_matches_sync(witness, sta);
        test_cancel(witness, sta);
        IOcProbe_Release(witness);
    }
    winetest_pop_context();
    CoUninitialize();
    return 0;
}

static void test_local(BOOL client_sta)
{
    char tag[32];
    HANDLE process, quit, thread;
    DWORD code;

    snprintf(tag, sizeof(tag), "%lx_%d", GetCurrentProcessId(), client_sta);
    if (!(process = local_server_start(exe_path, "olecancel_mqi", tag, &quit))) return;
    gate_events(tag, &client_gate, &client_entered);
    thread = CreateThread(NULL, 0, client_thread, &client_sta, 0, NULL);
    if (!wait_bounded(thread, 240000, "client thread")) TerminateThread(thread, 1);
    CloseHandle(thread);
    SetEvent(client_gate);
    code = local_server_stop(process, quit);
    ok(code == 0, "%s client: local server exit code %lu (server objects alive)\n", client_sta ? "STA" : "MTA", code);
    CloseHandle(client_gate);
    CloseHandle(client_entered);
}

START_TEST(async_mqi)
{
    HMODULE ps;
    char **argv;
    int argc = winetest_get_mainargs(&argv);

    GetModuleFileNameA(NULL, exe_path, sizeof(exe_path));
    if (argc >= 3 && !strcmp(argv[1], "server")) exit(run_server(argv[2]));
    if (!(ps = ps_dll_register(exe_path))) return;
    test_local(TRUE);
    test_local(FALSE);
    ps_dll_unregister(ps);
}
