/*
 * olecancel: the exports where a process starts taking part in remoting
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Each one runs Wine's function unchanged, then tells features.c what the
 * process did: every object handed out goes to olecancel_object_obtained
 * (which starts ICallFactory and the cancel path at the first standard
 * proxy, by addresses only, see proxyhook.c); unmarshaling and marshaling
 * start the cancel path (a server must have its channel hook before the
 * first incoming call).  The global interface table is handed out as a
 * view until the first proxy (gitview.c).  Once both have started, each is one test more
 * than Wine's function.  rpcrt4 reaches CoUnmarshalInterface and
 * CoMarshalInterface of the ole32 module it loads by name, so interface
 * pointers passed as parameters come through here as well.
 */

#include "olecancel_private.h"

/* the implementation behind us, looked up once */
#define REAL(from, name) \
    static typeof(name) *real; \
    if (!real && !(real = (typeof(name) *)from(#name))) return E_UNEXPECTED

static void objects_obtained(MULTI_QI *results, ULONG count)
{
    ULONG i;
    for (i = 0; i < count; i++)
        if (SUCCEEDED(results[i].hr)) olecancel_object_obtained(results[i].pItf);
}

static void objects_created(REFCLSID clsid, MULTI_QI *results, ULONG count)
{
    ULONG i;
    for (i = 0; i < count; i++)
        if (SUCCEEDED(results[i].hr)) gitview_created(clsid, results[i].pIID, (void **)&results[i].pItf);
    objects_obtained(results, count);
}

HRESULT WINAPI CoUnmarshalInterface(IStream *stream, REFIID riid, void **ppv)
{
    HRESULT hr;
    REAL(combase_proc, CoUnmarshalInterface);

    olecancel_remoting_started();
    hr = real(stream, riid, ppv);
    if (SUCCEEDED(hr) && ppv) olecancel_object_obtained(*ppv);
    return hr;
}

HRESULT WINAPI CoGetInterfaceAndReleaseStream(IStream *stream, REFIID riid, void **ppv)
{
    HRESULT hr;
    REAL(combase_proc, CoGetInterfaceAndReleaseStream);

    olecancel_remoting_started();
    hr = real(stream, riid, ppv);
    if (SUCCEEDED(hr) && ppv) olecancel_object_obtained(*ppv);
    return hr;
}

/* Classes of COM itself that Wine lacks, answered only once combase has
 * said it does not know them (a Wine that has them keeps its own). */
static BOOL own_class(REFCLSID clsid, DWORD context, HRESULT hr)
{
    return hr == REGDB_E_CLASSNOTREG && clsid && (context & CLSCTX_INPROC_SERVER) &&
           IsEqualCLSID(clsid, &olecancel_clsid_synchronize_container);
}

static HRESULT create_own(REFCLSID clsid, IUnknown *outer, REFIID riid, void **ppv)
{
    IClassFactory *factory;
    HRESULT hr;

    TRACE("%s, not registered: olecancel's\n", debugstr_guid(clsid));
    if (FAILED(hr = syncontainer_get_class_object(&IID_IClassFactory, (void **)&factory))) return hr;
    hr = IClassFactory_CreateInstance(factory, outer, riid, ppv);
    IClassFactory_Release(factory);
    return hr;
}

HRESULT WINAPI CoCreateInstance(REFCLSID clsid, IUnknown *outer, DWORD context, REFIID riid, void **ppv)
{
    HRESULT hr;
    REAL(combase_proc, CoCreateInstance);

    hr = real(clsid, outer, context, riid, ppv);
    if (own_class(clsid, context, hr) && ppv) return create_own(clsid, outer, riid, ppv);
    if (SUCCEEDED(hr) && ppv)
    {
        gitview_created(clsid, riid, ppv);
        olecancel_object_obtained(*ppv);
    }
    return hr;
}

HRESULT WINAPI CoCreateInstanceEx(REFCLSID clsid, IUnknown *outer, DWORD context, COSERVERINFO *server,
                                  ULONG count, MULTI_QI *results)
{
    HRESULT hr;
    REAL(combase_proc, CoCreateInstanceEx);

    hr = real(clsid, outer, context, server, count, results);
    if (own_class(clsid, context, hr) && !server && count && results)
    {
        ULONG i, got = 0;
        IUnknown *obj;

        if (FAILED(hr = create_own(clsid, outer, &IID_IUnknown, (void **)&obj))) return hr;
        for (i = 0; i < count; i++)
            if (SUCCEEDED(results[i].hr = IUnknown_QueryInterface(obj, results[i].pIID, (void **)&results[i].pItf)))
                got++;
        IUnknown_Release(obj);
        return got == count ? S_OK : got ? CO_S_NOTALLINTERFACES : E_NOINTERFACE;
    }
    if (SUCCEEDED(hr) && results) objects_created(clsid, results, count);
    return hr;
}

HRESULT WINAPI CoGetClassObject(REFCLSID clsid, DWORD context, void *server, REFIID riid, void **ppv)
{
    HRESULT hr;
    REAL(combase_proc, CoGetClassObject);

    hr = real(clsid, context, server, riid, ppv);
    if (own_class(clsid, context, hr) && ppv) return syncontainer_get_class_object(riid, ppv);
    if (SUCCEEDED(hr) && ppv) olecancel_object_obtained(*ppv);
    return hr;
}

HRESULT WINAPI CoGetInstanceFromFile(COSERVERINFO *server, CLSID *clsid, IUnknown *outer, DWORD context,
                                     DWORD mode, OLECHAR *name, DWORD count, MULTI_QI *results)
{
    HRESULT hr;
    REAL(combase_proc, CoGetInstanceFromFile);

    hr = real(server, clsid, outer, context, mode, name, count, results);
    if (SUCCEEDED(hr) && results) objects_obtained(results, count);
    return hr;
}

HRESULT WINAPI CoGetInstanceFromIStorage(COSERVERINFO *server, CLSID *clsid, IUnknown *outer, DWORD context,
                                         IStorage *storage, DWORD count, MULTI_QI *results)
{
    HRESULT hr;
    REAL(combase_proc, CoGetInstanceFromIStorage);

    hr = real(server, clsid, outer, context, storage, count, results);
    if (SUCCEEDED(hr) && results) objects_obtained(results, count);
    return hr;
}

HRESULT WINAPI CoGetObject(LPCWSTR name, BIND_OPTS *options, REFIID riid, void **ppv)
{
    HRESULT hr;
    REAL(olecancel_builtin_proc, CoGetObject);

    hr = real(name, options, riid, ppv);
    if (SUCCEEDED(hr) && ppv) olecancel_object_obtained(*ppv);
    return hr;
}

HRESULT WINAPI BindMoniker(IMoniker *moniker, DWORD options, REFIID riid, void **ppv)
{
    HRESULT hr;
    REAL(olecancel_builtin_proc, BindMoniker);

    hr = real(moniker, options, riid, ppv);
    if (SUCCEEDED(hr) && ppv) olecancel_object_obtained(*ppv);
    return hr;
}

/* ---- server side: the process makes its objects reachable ------------- */

HRESULT WINAPI CoMarshalInterface(IStream *stream, REFIID riid, IUnknown *unk, DWORD dest_context,
                                  void *dest_context_data, DWORD flags)
{
    REAL(combase_proc, CoMarshalInterface);

    olecancel_remoting_started();
    return real(stream, riid, unk, dest_context, dest_context_data, flags);
}

HRESULT WINAPI CoMarshalInterThreadInterfaceInStream(REFIID riid, IUnknown *unk, IStream **stream)
{
    REAL(combase_proc, CoMarshalInterThreadInterfaceInStream);

    olecancel_remoting_started();
    return real(riid, unk, stream);
}

HRESULT WINAPI CoRegisterClassObject(REFCLSID clsid, IUnknown *object, DWORD context, DWORD flags, DWORD *cookie)
{
    REAL(combase_proc, CoRegisterClassObject);

    /* only a local server's class object is reachable from outside */
    if (context & (CLSCTX_LOCAL_SERVER | CLSCTX_REMOTE_SERVER)) olecancel_remoting_started();
    return real(clsid, object, context, flags, cookie);
}

HRESULT WINAPI CoGetStandardMarshal(REFIID riid, IUnknown *unk, DWORD dest_context, void *dest_context_data,
                                    DWORD flags, IMarshal **marshal)
{
    REAL(combase_proc, CoGetStandardMarshal);

    olecancel_remoting_started();
    return real(riid, unk, dest_context, dest_context_data, flags, marshal);
}
