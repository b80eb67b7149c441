/*
 * olecancel tests: an object in the MTA of the test process, reached from
 * STAs through a proxy (IUnknown only: no proxy/stub DLL needed)
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef OLECANCEL_MTA_HOST_H
#define OLECANCEL_MTA_HOST_H

/* what the object answers to any IID but IUnknown (E_NOINTERFACE if unset) */
static HRESULT (*mta_query_hook)(REFIID riid);

static HRESULT WINAPI mta_QueryInterface(IUnknown *iface, REFIID riid, void **ppv)
{
    *ppv = NULL;
    if (IsEqualIID(riid, &IID_IUnknown))
    {
        *ppv = iface;
        IUnknown_AddRef(iface);
        return S_OK;
    }
    return mta_query_hook ? mta_query_hook(riid) : E_NOINTERFACE;
}

static LONG mta_refs = 1;
static ULONG WINAPI mta_AddRef(IUnknown *iface) { return InterlockedIncrement(&mta_refs); }
static ULONG WINAPI mta_Release(IUnknown *iface) { return InterlockedDecrement(&mta_refs); }
static const IUnknownVtbl mta_vtbl = { mta_QueryInterface, mta_AddRef, mta_Release };
static IUnknown mta_object = { &mta_vtbl };

/* the MTA: a thread that stays initialized while the tests run */
static HANDLE mta_quit, mta_ready, mta_host;
static IStream *mta_stream;   /* mta_object marshaled TABLESTRONG */

static DWORD WINAPI mta_thread(void *arg)
{
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (SUCCEEDED(CreateStreamOnHGlobal(NULL, TRUE, &mta_stream))
            && FAILED(CoMarshalInterface(mta_stream, &IID_IUnknown, &mta_object, MSHCTX_INPROC, NULL,
                                         MSHLFLAGS_TABLESTRONG)))
    {
        IStream_Release(mta_stream);
        mta_stream = NULL;
    }
    SetEvent(mta_ready);
    WaitForSingleObject(mta_quit, INFINITE);
    if (mta_stream)
    {
        LARGE_INTEGER zero = {{0}};
        IStream_Seek(mta_stream, zero, STREAM_SEEK_SET, NULL);
        CoReleaseMarshalData(mta_stream);
        IStream_Release(mta_stream);
    }
    CoUninitialize();
    return 0;
}

/* FALSE if the object could not be marshaled */
static BOOL mta_host_start(void)
{
    mta_quit = CreateEventW(NULL, TRUE, FALSE, NULL);
    mta_ready = CreateEventW(NULL, TRUE, FALSE, NULL);
    mta_host = CreateThread(NULL, 0, mta_thread, NULL, 0, NULL);
    WaitForSingleObject(mta_ready, 10000);
    return mta_stream != NULL;
}

static WINETEST_UNUSED void mta_host_stop(void)
{
    SetEvent(mta_quit);
    wait_bounded(mta_host, 10000, "MTA thread");
    CloseHandle(mta_host);
    CloseHandle(mta_quit);
    CloseHandle(mta_ready);
}

/* a proxy to mta_object for the calling STA */
static IUnknown *mta_proxy(void)
{
    LARGE_INTEGER zero = {{0}};
    IUnknown *proxy = NULL;
    HRESULT hr;

    IStream_Seek(mta_stream, zero, STREAM_SEEK_SET, NULL);
    hr = CoUnmarshalInterface(mta_stream, &IID_IUnknown, (void **)&proxy);
    ok(hr == S_OK, "unmarshaling the MTA object: %#lx\n", hr);
    return proxy;
}

#endif /* OLECANCEL_MTA_HOST_H */
