/*
 * olecancel: waiting the way COM waits
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
 * A thread that waits for something another apartment does must, in an
 * STA, keep serving calls into its apartment meanwhile: the other side may
 * need one of them before it can finish.  CoWaitForMultipleHandles is that
 * wait (the COM modal loop in an STA, a plain wait in the MTA).
 */

#include "olecancel_private.h"

HRESULT com_wait(HANDLE event, DWORD flags, DWORD ms)
{
    DWORD index, ret;
    HRESULT hr = CoWaitForMultipleHandles(flags, ms, 1, &event, &index);

    if (hr != CO_E_NOTINITIALIZED) return hr;
    ret = WaitForSingleObject(event, ms);
    return ret == WAIT_OBJECT_0 ? S_OK : ret == WAIT_TIMEOUT ? RPC_S_CALLPENDING : HRESULT_FROM_WIN32(GetLastError());
}
