/*
 * olecancel: what an NDR proxy DLL says about its interfaces (psfiles.c)
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef OLECANCEL_PS_FILES_H
#define OLECANCEL_PS_FILES_H

#include <windows.h>
#include <objidl.h>
#include <rpcproxy.h>

struct ps_interface
{
    const char *name;
    const CInterfaceStubHeader *header;
};

/* the proxy file list of an rpcrt4 factory (NdrDllGetClassObject's), or NULL */
const ProxyFileInfo * const *ps_proxy_files(IPSFactoryBuffer *factory);
BOOL ps_find_iid(const ProxyFileInfo * const *files, REFIID iid, struct ps_interface *found);
BOOL ps_find_name(const ProxyFileInfo * const *files, const char *name, struct ps_interface *found);
/* async has Begin_ and Finish_ for each of sync's own methods */
BOOL ps_methods_match(const CInterfaceStubHeader *sync, const CInterfaceStubHeader *async);

#endif
