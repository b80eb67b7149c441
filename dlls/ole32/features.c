/*
 * olecancel: the per-process machinery started by olecancel_ensure_init()
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#include "olecancel_private.h"
#include "async_private.h"
#include "sync_cancel.h"

void olecancel_features_init(void)
{
    HRESULT hr;

    /* CoCancelCall on standard-marshaled calls; call contexts on the server
     * side (chanhook.c, rpchook.c) */
    if (FAILED(hr = sync_cancel_init())) WARN("cancelling marshaled calls is off: %#lx\n", hr);

    /* ICallFactory on standard proxies (proxyhook.c, callfactory.c) */
    if (FAILED(hr = async_init())) WARN("asynchronous calls are off: %#lx\n", hr);
}
