/*
 * olecancel conformance tests: the cancel API reached through combase
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * A Windows program may take the six functions from combase.dll with
 * GetProcAddress, or import them from api-ms-win-core-com-l1-1-0 (this
 * program does both; tests/apiset_com.def).  Either way they must behave
 * as ole32's do and share their state: one counter, one cancel-object
 * stack per thread.  On stock Wine four of them are winebuild stubs and
 * this program ends at its first call of one ("unimplemented function").
 */

#include <windows.h>
#include <objbase.h>
#include <psapi.h>
#include "wine_test.h"
#include "test_util.h"
#include "mta_host.h"
#include "apiset_com.h"
#include "test_cancel_object.h"

#define BOUND 10000        /* ms, for what must happen */

struct cancel_api
{
    const char *how;
    HRESULT (WINAPI *cancel_call)(DWORD, ULONG);
    HRESULT (WINAPI *test_cancel)(void);
    HRESULT (WINAPI *set_cancel_object)(IUnknown *);
    HRESULT (WINAPI *get_cancel_object)(DWORD, REFIID, void **);
    HRESULT (WINAPI *enable)(void *);
    HRESULT (WINAPI *disable)(void *);
};

static struct cancel_api by_name = { "GetProcAddress(combase)" };
static const struct cancel_api apiset =
{
    "api-ms-win-core-com-l1-1-0",
    apiset_CoCancelCall, apiset_CoTestCancel, apiset_CoSetCancelObject, apiset_CoGetCancelObject,
    apiset_CoEnableCallCancellation, apiset_CoDisableCallCancellation,
};

static BOOL get_by_name(void)
{
    HMODULE combase = GetModuleHandleA("combase.dll");

    ok(combase != NULL, "combase is not loaded\n");
    if (!combase) return FALSE;
    by_name.cancel_call = (void *)GetProcAddress(combase, "CoCancelCall");
    by_name.test_cancel = (void *)GetProcAddress(combase, "CoTestCancel");
    by_name.set_cancel_object = (void *)GetProcAddress(combase, "CoSetCancelObject");
    by_name.get_cancel_object = (void *)GetProcAddress(combase, "CoGetCancelObject");
    by_name.enable = (void *)GetProcAddress(combase, "CoEnableCallCancellation");
    by_name.disable = (void *)GetProcAddress(combase, "CoDisableCallCancellation");
    ok(by_name.cancel_call && by_name.test_cancel && by_name.set_cancel_object && by_name.get_cancel_object
       && by_name.enable && by_name.disable, "combase lacks one of the six exports\n");
    return by_name.cancel_call && by_name.test_cancel && by_name.set_cancel_object && by_name.get_cancel_object
           && by_name.enable && by_name.disable;
}

/* the API-set imports were bound to combase's exports, as on Windows */
static void test_apiset_is_combase(void)
{
    ok(apiset.cancel_call == by_name.cancel_call, "CoCancelCall: import %p, combase %p\n",
       apiset.cancel_call, by_name.cancel_call);
    ok(apiset.enable == by_name.enable, "CoEnableCallCancellation: import %p, combase %p\n",
       apiset.enable, by_name.enable);
    ok(apiset.test_cancel == by_name.test_cancel, "CoTestCancel: import %p, combase %p\n",
       apiset.test_cancel, by_name.test_cancel);
}

/* where the jump olecancel writes at a stub's entry goes, or NULL:
 * x86_64 "jmp *0(%rip)" and an absolute address, i386 "jmp rel32" */
static const void *jump_target(const void *entry)
{
    const unsigned char *code = entry;
#ifdef _WIN64
    ULONG_PTR address;

    if (code[0] != 0xff || code[1] != 0x25 || *(const INT32 *)(code + 2)) return NULL;
    memcpy(&address, code + 6, sizeof(address));
    return (const void *)address;
#else
    if (code[0] != 0xe9) return NULL;
    return code + 5 + *(const INT32 *)(code + 1);
#endif
}

static BOOL in_module(HMODULE module, const void *ptr)
{
    MODULEINFO info;

    if (!ptr || !GetModuleInformation(GetCurrentProcess(), module, &info, sizeof(info))) return FALSE;
    return (const char *)ptr >= (const char *)info.lpBaseOfDll
           && (const char *)ptr < (const char *)info.lpBaseOfDll + info.SizeOfImage;
}

/* combase's stubs now go to ole32; Wine's real functions are untouched */
static void test_patched_entries(void)
{
    HMODULE ole32 = GetModuleHandleA("ole32.dll");

    ok(jump_target(by_name.cancel_call) == (void *)CoCancelCall, "combase's CoCancelCall goes to %p, ole32's is %p\n",
       jump_target(by_name.cancel_call), CoCancelCall);
    ok(jump_target(by_name.get_cancel_object) == (void *)CoGetCancelObject,
       "combase's CoGetCancelObject goes to %p, ole32's is %p\n", jump_target(by_name.get_cancel_object),
       CoGetCancelObject);
    /* Wine 8.0 and 10.0 implement these two: they stay Wine's */
    ok(!in_module(ole32, jump_target(by_name.enable)), "combase's CoEnableCallCancellation was redirected\n");
    ok(!in_module(ole32, jump_target(by_name.disable)), "combase's CoDisableCallCancellation was redirected\n");
}

/* with nothing registered, on a fresh thread: the answers ole32's give */
static DWORD CALLBACK fresh_thread(void *arg)
{
    const struct cancel_api *api = arg;
    void *got = (void *)(ULONG_PTR)0xdeadbeef;
    HRESULT hr;

    hr = api->cancel_call(0, 0);
    ok(hr == E_NOINTERFACE, "%s: CoCancelCall with no call got %#lx\n", api->how, hr);
    hr = api->cancel_call(GetCurrentThreadId(), 5);
    ok(hr == E_NOINTERFACE, "%s: CoCancelCall(own tid) with no call got %#lx\n", api->how, hr);
    hr = api->test_cancel();
    ok(hr == RPC_E_CALL_COMPLETE, "%s: CoTestCancel outside a call got %#lx\n", api->how, hr);
    hr = api->get_cancel_object(0, &IID_ICancelMethodCalls, &got);
    ok(hr == E_NOINTERFACE && !got, "%s: CoGetCancelObject with nothing registered got %#lx, %p\n",
       api->how, hr, got);
    hr = api->get_cancel_object(0, &IID_ICancelMethodCalls, NULL);
    ok(hr == E_INVALIDARG, "%s: CoGetCancelObject(NULL ppv) got %#lx\n", api->how, hr);
    hr = api->disable(NULL);
    ok(hr == CO_E_CANCEL_DISABLED, "%s: Disable on a fresh thread got %#lx\n", api->how, hr);

    /* one counter whichever DLL changes it */
    hr = api->enable(NULL);
    ok(hr == S_OK, "%s: Enable got %#lx\n", api->how, hr);
    hr = CoDisableCallCancellation(NULL);
    ok(hr == S_OK, "%s: ole32's Disable after combase's Enable got %#lx\n", api->how, hr);
    hr = api->disable(NULL);
    ok(hr == CO_E_CANCEL_DISABLED, "%s: Disable past zero got %#lx\n", api->how, hr);
    hr = CoEnableCallCancellation(NULL);
    ok(hr == S_OK, "ole32's Enable got %#lx\n", hr);
    hr = api->disable(NULL);
    ok(hr == S_OK, "%s: Disable after ole32's Enable got %#lx\n", api->how, hr);
    hr = CoDisableCallCancellation(NULL);
    ok(hr == CO_E_CANCEL_DISABLED, "%s: ole32's Disable past zero got %#lx\n", api->how, hr);
    return 0;
}

/* one stack whichever DLL pushes, looks up, cancels or pops */
static void test_shared_stack(const struct cancel_api *api)
{
    struct test_cancel obj;
    ICancelMethodCalls *got = NULL;
    HRESULT hr;

    init_cancel(&obj, S_OK);

    hr = api->set_cancel_object((IUnknown *)&obj.ICancelMethodCalls_iface);
    ok(hr == S_OK, "%s: CoSetCancelObject got %#lx\n", api->how, hr);
    ok(obj.refs == 2, "%s: refs %ld after the push, expected 2\n", api->how, obj.refs);
    hr = CoGetCancelObject(0, &IID_ICancelMethodCalls, (void **)&got);
    ok(hr == S_OK && got == &obj.ICancelMethodCalls_iface, "%s: ole32's Get got %#lx, %p\n", api->how, hr, got);
    if (got) ICancelMethodCalls_Release(got);
    hr = api->cancel_call(GetCurrentThreadId(), 7);
    ok(hr == S_OK, "%s: CoCancelCall got %#lx\n", api->how, hr);
    ok(obj.cancels == 1 && obj.last_timeout == 7, "%s: %ld cancels, timeout %lu\n", api->how, obj.cancels,
       obj.last_timeout);
    hr = CoSetCancelObject(NULL);
    ok(hr == S_OK, "ole32's pop got %#lx\n", hr);
    ok(obj.refs == 1, "%s: refs %ld after the pop, expected 1\n", api->how, obj.refs);

    hr = CoSetCancelObject((IUnknown *)&obj.ICancelMethodCalls_iface);
    ok(hr == S_OK, "ole32's push got %#lx\n", hr);
    got = NULL;
    hr = api->get_cancel_object(0, &IID_ICancelMethodCalls, (void **)&got);
    ok(hr == S_OK && got == &obj.ICancelMethodCalls_iface, "%s: Get got %#lx, %p\n", api->how, hr, got);
    if (got) ICancelMethodCalls_Release(got);
    hr = api->set_cancel_object(NULL);
    ok(hr == S_OK, "%s: pop got %#lx\n", api->how, hr);
    ok(obj.refs == 1, "%s: refs %ld after the pop, expected 1\n", api->how, obj.refs);
    hr = CoGetCancelObject(0, &IID_ICancelMethodCalls, (void **)&got);
    ok(hr == E_NOINTERFACE, "%s: the stack is not empty after the pop: %#lx\n", api->how, hr);
}

static void run_on_fresh_thread(const struct cancel_api *api)
{
    HANDLE thread = CreateThread(NULL, 0, fresh_thread, (void *)api, 0, NULL);

    ok(thread != NULL, "CreateThread failed %lu\n", GetLastError());
    if (!thread) return;
    wait_bounded(thread, BOUND, "test thread");
    CloseHandle(thread);
}

static void test_by_name(void)
{
    run_on_fresh_thread(&by_name);
    test_shared_stack(&by_name);
}

static void test_apiset(void)
{
    run_on_fresh_thread(&apiset);
    test_shared_stack(&apiset);
}

/* A real cancel, the API taken through the API set only: an STA calls the
 * MTA object (a remote QueryInterface) with cancellation enabled there;
 * the object waits until it sees the cancel, then holds the call until
 * the caller is back: only the cancel can have released it. */
static HANDLE server_entered, server_release, server_done;
static HRESULT server_saw;

static HRESULT server_query(REFIID riid)
{
    DWORD start = GetTickCount();

    if (!IsEqualIID(riid, &IID_IPersist)) return E_NOINTERFACE;
    SetEvent(server_entered);
    while ((server_saw = apiset_CoTestCancel()) != RPC_E_CALL_CANCELED && GetTickCount() - start < BOUND)
        Sleep(10);
    WaitForSingleObject(server_release, BOUND);
    SetEvent(server_done);
    return E_NOINTERFACE;
}

struct caller
{
    HRESULT enabled, call, disabled;
};

static DWORD WINAPI caller_thread(void *arg)
{
    struct caller *caller = arg;
    IUnknown *proxy;
    void *unused;

    CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if ((proxy = mta_proxy()))
    {
        caller->enabled = apiset_CoEnableCallCancellation(NULL);
        caller->call = IUnknown_QueryInterface(proxy, &IID_IPersist, &unused);
        caller->disabled = CoDisableCallCancellation(NULL);
        IUnknown_Release(proxy);
    }
    CoUninitialize();
    return 0;
}

static void test_cancel_blocked_call(void)
{
    static struct caller caller = { E_FAIL, E_FAIL, E_FAIL };   /* outlives a stuck caller */
    HANDLE thread;
    DWORD tid;
    HRESULT hr;

    server_entered = CreateEventW(NULL, TRUE, FALSE, NULL);
    server_release = CreateEventW(NULL, TRUE, FALSE, NULL);
    server_done = CreateEventW(NULL, TRUE, FALSE, NULL);
    server_saw = E_FAIL;
    thread = CreateThread(NULL, 0, caller_thread, &caller, 0, &tid);
    ok(thread != NULL, "CreateThread failed %lu\n", GetLastError());
    if (!thread) return;
    ok(WaitForSingleObject(server_entered, BOUND) == WAIT_OBJECT_0, "the server never got the call\n");
    hr = apiset_CoCancelCall(tid, 0);
    ok(hr == S_OK, "CoCancelCall through the API set got %#lx\n", hr);
    ok(WaitForSingleObject(thread, BOUND) == WAIT_OBJECT_0, "the cancelled call did not end\n");
    ok(WaitForSingleObject(server_done, 0) == WAIT_TIMEOUT, "the server let the call go: no cancel needed\n");
    SetEvent(server_release);
    wait_bounded(thread, 3 * BOUND, "caller thread");
    CloseHandle(thread);
    ok(caller.enabled == S_OK, "Enable through the API set got %#lx\n", caller.enabled);
    /* Wine's proxy manager answers E_NOINTERFACE for any failed remote QueryInterface */
    ok(caller.call == E_NOINTERFACE, "the cancelled call returned %#lx\n", caller.call);
    ok(caller.disabled == S_OK, "ole32's Disable after the call got %#lx\n", caller.disabled);
    ok(WaitForSingleObject(server_done, BOUND) == WAIT_OBJECT_0, "the server did not return\n");
    ok(server_saw == RPC_E_CALL_CANCELED, "the server's CoTestCancel (API set) got %#lx\n", server_saw);
    CloseHandle(server_entered);
    CloseHandle(server_release);
    CloseHandle(server_done);
}

START_TEST(combase_api)
{
    if (!get_by_name()) return;
    run_subtest(test_apiset_is_combase);
    run_subtest(test_patched_entries);
    run_subtest(test_by_name);
    run_subtest(test_apiset);
    mta_query_hook = server_query;
    if (!mta_host_start())
    {
        skip("no MTA object\n");
        return;
    }
    run_subtest(test_cancel_blocked_call);
    /* The MTA is left to the process's exit.  Its CoUninitialize right after
     * the cancelled call's dispatch ended hung in 2 of 6 runs (Wine 8.0):
     * RpcServerUnregisterIf(IRemUnknown, wait for calls) never returned
     * although the dispatch's reply had been sent (and failed: the caller
     * had gone).  Nothing of the test depends on that teardown. */
}
