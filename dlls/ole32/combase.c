/*
 * olecancel: Wine's own remoting functions, for olecancel's internal use
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * The exports of remoting.c are where a program takes part in remoting;
 * what olecancel marshals and unmarshals for its own work (a call object's
 * view of its proxy in the MTA, a dropped reply's references) runs only
 * once that has started, so it calls combase's functions directly.
 */

#include "olecancel_private.h"

void *combase_proc(const char *name)
{
    HMODULE combase = image_combase();
    void *proc = combase ? (void *)GetProcAddress(combase, name) : NULL;
    if (!proc) ERR("combase.dll has no %s\n", name);
    return proc;
}

/* combase's function, looked up once */
#define COMBASE(name) \
    static typeof(name) *real; \
    if (!real && !(real = (typeof(name) *)combase_proc(#name))) return E_UNEXPECTED

HRESULT combase_marshal_interface(IStream *stream, REFIID riid, IUnknown *unk, DWORD dest_context,
                                  void *dest_context_data, DWORD flags)
{
    COMBASE(CoMarshalInterface);
    return real(stream, riid, unk, dest_context, dest_context_data, flags);
}

HRESULT combase_unmarshal_interface(IStream *stream, REFIID riid, void **ppv)
{
    COMBASE(CoUnmarshalInterface);
    return real(stream, riid, ppv);
}

HRESULT combase_get_class_object(REFCLSID clsid, DWORD context, void *server, REFIID riid, void **ppv)
{
    COMBASE(CoGetClassObject);
    return real(clsid, context, server, riid, ppv);
}
