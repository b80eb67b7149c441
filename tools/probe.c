/*
 * olecancel-probe: says which ole32.dll this process loaded and, with the
 * argument "features", which of olecancel's features work in it.
 *
 * Copyright 2026 the olecancel developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each feature is tried for real, as a program would use it: a COM object
 * lives in a multithreaded apartment of this process and the main thread,
 * a single-threaded apartment, calls it through a standard proxy (Wine
 * sends such calls through RPC, as between processes).  Output, one line
 * each: "version: V", then "feature NAME: on" or "feature NAME: off (why)".
 */

#include <stdio.h>
#include <windows.h>
#include <objbase.h>

static BOOL version_string(const WCHAR *path, const char *field, char *out, DWORD size)
{
    DWORD len = GetFileVersionInfoSizeW(path, NULL);
    char *data, *value, query[80];
    UINT value_len;
    BOOL ret = FALSE;

    if (!len || !(data = malloc(len))) return FALSE;
    snprintf(query, sizeof(query), "\\StringFileInfo\\040904b0\\%s", field);
    if (GetFileVersionInfoW(path, 0, len, data) && VerQueryValueA(data, query, (void **)&value, &value_len))
    {
        lstrcpynA(out, value, size);
        ret = TRUE;
    }
    free(data);
    return ret;
}

/* ---- the cancellation API, looked up by name: stock Wine lacks it ---------- */

static HRESULT (WINAPI *pCoTestCancel)(void);
static HRESULT (WINAPI *pCoCancelCall)(DWORD, ULONG);
static HRESULT (WINAPI *pCoEnableCallCancellation)(void *);
static HRESULT (WINAPI *pCoDisableCallCancellation)(void *);

static const char *cancel_api_names[] =
{
    "CoCancelCall", "CoTestCancel", "CoSetCancelObject", "CoGetCancelObject",
    "CoEnableCallCancellation", "CoDisableCallCancellation",
};

static void probe_cancel_api(HMODULE ole32)
{
    unsigned int i;
    HRESULT hr;

    for (i = 0; i < ARRAYSIZE(cancel_api_names); i++)
        if (!GetProcAddress(ole32, cancel_api_names[i]))
        {
            printf("feature cancel-api: off (ole32 does not export %s)\n", cancel_api_names[i]);
            return;
        }
    pCoTestCancel = (void *)GetProcAddress(ole32, "CoTestCancel");
    pCoCancelCall = (void *)GetProcAddress(ole32, "CoCancelCall");
    pCoEnableCallCancellation = (void *)GetProcAddress(ole32, "CoEnableCallCancellation");
    pCoDisableCallCancellation = (void *)GetProcAddress(ole32, "CoDisableCallCancellation");
    if ((hr = pCoTestCancel()) != RPC_E_CALL_COMPLETE)
    {
        printf("feature cancel-api: off (CoTestCancel outside a call returned %#lx, not RPC_E_CALL_COMPLETE)\n", hr);
        pCoTestCancel = NULL;
        return;
    }
    printf("feature cancel-api: on\n");
}

/* ---- the object: an IClassFactory whose CreateInstance observes the call --- */

static HANDLE ev_entered, ev_left;
static LONG seen_context_hr, seen_cancel;

static HRESULT WINAPI cf_QueryInterface(IClassFactory *iface, REFIID riid, void **ppv)
{
    if (IsEqualIID(riid, &IID_IUnknown) || IsEqualIID(riid, &IID_IClassFactory))
    {
        *ppv = iface;
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI cf_AddRef(IClassFactory *iface) { return 2; }
static ULONG WINAPI cf_Release(IClassFactory *iface) { return 1; }

/* Wine's proxy stubs out LockServer: CreateInstance carries the probes.
 * For IID_IUnknown it records whether the call has a cancellable call
 * context; for IID_IClassFactory it waits, up to 5 s, to be cancelled.
 * It creates nothing. */
static HRESULT WINAPI cf_CreateInstance(IClassFactory *iface, IUnknown *outer, REFIID riid, void **ppv)
{
    ICancelMethodCalls *calls = NULL;
    DWORD start = GetTickCount();

    *ppv = NULL;
    if (IsEqualIID(riid, &IID_IUnknown))
    {
        seen_context_hr = CoGetCallContext(&IID_ICancelMethodCalls, (void **)&calls);
        if (calls) ICancelMethodCalls_Release(calls);
        return E_NOTIMPL;
    }
    SetEvent(ev_entered);
    while (GetTickCount() - start < 5000)
    {
        if (pCoTestCancel && pCoTestCancel() == RPC_E_CALL_CANCELED)
        {
            seen_cancel = TRUE;
            break;
        }
        Sleep(5);
    }
    SetEvent(ev_left);
    return E_NOTIMPL;
}

static HRESULT WINAPI cf_LockServer(IClassFactory *iface, BOOL lock)
{
    return S_OK;
}

static const IClassFactoryVtbl cf_vtbl =
{
    cf_QueryInterface, cf_AddRef, cf_Release, cf_CreateInstance, cf_LockServer,
};
static IClassFactory server_cf = { (IClassFactoryVtbl *)&cf_vtbl };

static HANDLE ev_ready, ev_quit;
static IStream *server_stream;
static HRESULT server_hr;

static DWORD WINAPI server_thread(void *arg)
{
    server_hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (SUCCEEDED(server_hr))
        server_hr = CoMarshalInterThreadInterfaceInStream(&IID_IClassFactory, (IUnknown *)&server_cf, &server_stream);
    SetEvent(ev_ready);
    if (SUCCEEDED(server_hr)) WaitForSingleObject(ev_quit, 60000);
    CoUninitialize();
    return 0;
}

static DWORD caller_tid;
static HRESULT cancel_hr = E_PENDING;

static DWORD WINAPI canceller_thread(void *arg)
{
    if (WaitForSingleObject(ev_entered, 5000)) return 0;
    cancel_hr = pCoCancelCall(caller_tid, 0);
    return 0;
}

static void probe_calls(void)
{
    IClassFactory *proxy = NULL;
    IUnknown *factory = NULL, *created = NULL;
    HANDLE server, canceller;
    DWORD start, elapsed;
    HRESULT hr;

    ev_ready = CreateEventW(NULL, TRUE, FALSE, NULL);
    ev_quit = CreateEventW(NULL, TRUE, FALSE, NULL);
    ev_entered = CreateEventW(NULL, TRUE, FALSE, NULL);
    ev_left = CreateEventW(NULL, TRUE, FALSE, NULL);
    server = CreateThread(NULL, 0, server_thread, NULL, 0, NULL);
    if (WaitForSingleObject(ev_ready, 10000) || FAILED(server_hr) ||
        FAILED(hr = CoGetInterfaceAndReleaseStream(server_stream, &IID_IClassFactory, (void **)&proxy)))
    {
        printf("feature call-context: off (no proxy to an object in this process: %#lx)\n", server_hr);
        printf("feature call-factory: off (no proxy to an object in this process: %#lx)\n", server_hr);
        printf("feature sync-cancel: off (no proxy to an object in this process: %#lx)\n", server_hr);
        goto done;
    }

    seen_context_hr = E_PENDING;
    hr = IClassFactory_CreateInstance(proxy, NULL, &IID_IUnknown, (void **)&created);
    if (hr != E_NOTIMPL) printf("feature call-context: off (the call did not reach the object: %#lx)\n", hr);
    else if (seen_context_hr != S_OK)
        printf("feature call-context: off (the server's CoGetCallContext(IID_ICancelMethodCalls) returned %#lx)\n",
               seen_context_hr);
    else printf("feature call-context: on\n");

    hr = IClassFactory_QueryInterface(proxy, &IID_ICallFactory, (void **)&factory);
    if (hr == S_OK) printf("feature call-factory: on\n");
    else printf("feature call-factory: off (the proxy does not answer ICallFactory: %#lx)\n", hr);
    if (factory) IUnknown_Release(factory);

    if (!pCoCancelCall)
    {
        printf("feature sync-cancel: off (no cancel API)\n");
        goto done;
    }
    caller_tid = GetCurrentThreadId();
    pCoEnableCallCancellation(NULL);
    canceller = CreateThread(NULL, 0, canceller_thread, NULL, 0, NULL);
    start = GetTickCount();
    hr = IClassFactory_CreateInstance(proxy, NULL, &IID_IClassFactory, (void **)&created);
    elapsed = GetTickCount() - start;
    pCoDisableCallCancellation(NULL);
    WaitForSingleObject(canceller, 10000);
    CloseHandle(canceller);
    /* the object may still be in the call it was cancelled out of */
    WaitForSingleObject(ev_left, 10000);
    if (hr == RPC_E_CALL_CANCELED)
        printf("feature sync-cancel: on (CoCancelCall ended the call after %lu ms; the server %s the cancel)\n",
               elapsed, seen_cancel ? "saw" : "did not see");
    else
        printf("feature sync-cancel: off (CoCancelCall returned %#lx; the call returned %#lx after %lu ms)\n",
               cancel_hr, hr, elapsed);

done:
    if (created) IUnknown_Release(created);
    if (proxy) IClassFactory_Release(proxy);
    SetEvent(ev_quit);
    WaitForSingleObject(server, 10000);
    CloseHandle(server);
    CloseHandle(ev_ready);
    CloseHandle(ev_quit);
    CloseHandle(ev_entered);
    CloseHandle(ev_left);
}

int wmain(int argc, WCHAR **argv)
{
    HMODULE ole32 = LoadLibraryW(L"ole32.dll");
    BOOL features = argc > 1 && !wcscmp(argv[1], L"features");
    WCHAR path[MAX_PATH];
    char name[64] = "", version[64] = "";
    IUnknown *git = NULL;
    BOOL ours;
    HRESULT hr;

    if (!ole32 || !GetModuleFileNameW(ole32, path, MAX_PATH))
    {
        printf("no ole32.dll\n");
        return 1;
    }

    /* a forwarded call must reach the builtin: COM has to work */
    hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
    if (SUCCEEDED(hr))
        hr = CoCreateInstance(&CLSID_StdGlobalInterfaceTable, NULL, CLSCTX_INPROC_SERVER,
                              &IID_IGlobalInterfaceTable, (void **)&git);
    if (git) IUnknown_Release(git);
    ours = version_string(path, "ProductName", name, sizeof(name)) && !strcmp(name, "olecancel");
    if (ours) printf("olecancel (%ls), COM %s (%#lx)\n", path, SUCCEEDED(hr) ? "works" : "FAILS", hr);
    else printf("Wine's builtin ole32 (%ls), COM %s (%#lx)\n", path, SUCCEEDED(hr) ? "works" : "FAILS", hr);

    if (features && SUCCEEDED(hr))
    {
        if (ours && version_string(path, "ProductVersion", version, sizeof(version)))
            printf("version: %s\n", version);
        else printf("version: none (not olecancel)\n");
        probe_cancel_api(ole32);
        probe_calls();
    }
    fflush(stdout);
    CoUninitialize();
    if (!ours) return 2;
    return SUCCEEDED(hr) ? 0 : 3;
}
