/*
 * olecancel: what an NDR proxy DLL says about its interfaces
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
 * An NDR proxy DLL's factory is the CStdPSFactoryBuffer of rpcproxy.h,
 * whose proxy file list names each interface with its stub header.  MIDL
 * and widl both name the asynchronous version of IFoo "AsyncIFoo" and
 * give it two methods (Begin_, Finish_) for each of IFoo's own.
 */

#include <string.h>
#include "olecancel_private.h"
#include "ps_files.h"

const ProxyFileInfo * const *ps_proxy_files(IPSFactoryBuffer *factory)
{
    const CStdPSFactoryBuffer *std = (const CStdPSFactoryBuffer *)factory;

    if (!factory || !image_contains(image_rpcrt4(), std->lpVtbl, sizeof(void *))) return NULL;
    return std->pProxyFileList;
}

BOOL ps_find_iid(const ProxyFileInfo * const *files, REFIID iid, struct ps_interface *found)
{
    int index, i;

    for (i = 0; files && files[i]; i++)
    {
        if (!files[i]->pIIDLookupRtn || !files[i]->pIIDLookupRtn(iid, &index) || !files[i]->pNamesArray) continue;
        found->name = files[i]->pNamesArray[index];
        found->header = &files[i]->pStubVtblList[index]->header;
        return found->name != NULL;
    }
    return FALSE;
}

BOOL ps_find_name(const ProxyFileInfo * const *files, const char *name, struct ps_interface *found)
{
    int i, j;

    for (i = 0; files && files[i]; i++)
    {
        for (j = 0; j < (int)files[i]->TableSize; j++)
        {
            if (!files[i]->pNamesArray[j] || strcmp(files[i]->pNamesArray[j], name)) continue;
            found->name = files[i]->pNamesArray[j];
            found->header = &files[i]->pStubVtblList[j]->header;
            return TRUE;
        }
    }
    return FALSE;
}

BOOL ps_methods_match(const CInterfaceStubHeader *sync, const CInterfaceStubHeader *async)
{
    return sync->DispatchTableCount >= 3 && 3 + 2 * (sync->DispatchTableCount - 3) == async->DispatchTableCount;
}
