/*
 * olecancel: ISynchronize and ISynchronizeHandle over one manual-reset event
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
 * A client's call object (callcore.c) and the controlling unknown COM gives
 * a server's call object (srvcall.c) both signal completion the same way:
 * Signal sets the event, Wait waits for it as COM's waits do (an STA keeps
 * serving its messages), GetHandle hands it out.  Both embed this part;
 * its IUnknown methods are those of the object that embeds it.
 */

#include "olecancel_private.h"

static inline struct event_sync *impl_from_ISynchronize(ISynchronize *iface)
{
    return CONTAINING_RECORD(iface, struct event_sync, ISynchronize_iface);
}

static inline struct event_sync *impl_from_ISynchronizeHandle(ISynchronizeHandle *iface)
{
    return CONTAINING_RECORD(iface, struct event_sync, ISynchronizeHandle_iface);
}

static HRESULT WINAPI sync_QueryInterface(ISynchronize *iface, REFIID riid, void **ppv)
{
    return IUnknown_QueryInterface(impl_from_ISynchronize(iface)->outer, riid, ppv);
}

static ULONG WINAPI sync_AddRef(ISynchronize *iface)
{
    return IUnknown_AddRef(impl_from_ISynchronize(iface)->outer);
}

static ULONG WINAPI sync_Release(ISynchronize *iface)
{
    return IUnknown_Release(impl_from_ISynchronize(iface)->outer);
}

static HRESULT WINAPI sync_Wait(ISynchronize *iface, DWORD flags, DWORD ms)
{
    struct event_sync *sync = impl_from_ISynchronize(iface);
    TRACE("%p, %#lx, %lu\n", sync, flags, ms);
    return com_wait(sync->event, flags, ms);
}

static HRESULT WINAPI sync_Signal(ISynchronize *iface)
{
    struct event_sync *sync = impl_from_ISynchronize(iface);
    TRACE("%p\n", sync);
    SetEvent(sync->event);
    return S_OK;
}

static HRESULT WINAPI sync_Reset(ISynchronize *iface)
{
    struct event_sync *sync = impl_from_ISynchronize(iface);
    TRACE("%p\n", sync);
    ResetEvent(sync->event);
    return S_OK;
}

static const ISynchronizeVtbl sync_vtbl =
{
    sync_QueryInterface, sync_AddRef, sync_Release, sync_Wait, sync_Signal, sync_Reset
};

static HRESULT WINAPI handle_QueryInterface(ISynchronizeHandle *iface, REFIID riid, void **ppv)
{
    return IUnknown_QueryInterface(impl_from_ISynchronizeHandle(iface)->outer, riid, ppv);
}

static ULONG WINAPI handle_AddRef(ISynchronizeHandle *iface)
{
    return IUnknown_AddRef(impl_from_ISynchronizeHandle(iface)->outer);
}

static ULONG WINAPI handle_Release(ISynchronizeHandle *iface)
{
    return IUnknown_Release(impl_from_ISynchronizeHandle(iface)->outer);
}

static HRESULT WINAPI handle_GetHandle(ISynchronizeHandle *iface, HANDLE *handle)
{
    struct event_sync *sync = impl_from_ISynchronizeHandle(iface);
    TRACE("%p, %p\n", sync, handle);
    if (!handle) return E_INVALIDARG;
    *handle = sync->event;
    return S_OK;
}

static const ISynchronizeHandleVtbl handle_vtbl =
{
    handle_QueryInterface, handle_AddRef, handle_Release, handle_GetHandle
};

HRESULT event_sync_init(struct event_sync *sync, IUnknown *outer)
{
    if (!(sync->event = CreateEventW(NULL, TRUE, FALSE, NULL))) return HRESULT_FROM_WIN32(GetLastError());
    sync->ISynchronize_iface.lpVtbl = &sync_vtbl;
    sync->ISynchronizeHandle_iface.lpVtbl = &handle_vtbl;
    sync->outer = outer;
    return S_OK;
}

void event_sync_cleanup(struct event_sync *sync)
{
    CloseHandle(sync->event);
}
