/*
 * olecancel: when olecancel's machinery starts in a process, and saying
 * so when a part of it turns itself off
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Nothing starts at load time or at CoInitialize: a process that never
 * marshals, never unmarshals, never obtains a proxy and never calls the
 * cancel API runs exactly Wine's code (docs/startup.md).
 *   - the synchronous cancel path (channel hook, combase's rpcrt4 imports)
 *     starts when the process first takes part in remoting: it obtains a
 *     standard proxy or unmarshals anything (client side), marshals an
 *     object or registers a class object (server side: before the first
 *     incoming call can arrive), or calls the cancel API;
 *   - ICallFactory on proxies starts at the first standard proxy one of
 *     ole32's exports hands out (proxyhook.c), before the program has it.
 * Where Wine's combase implements the cancel API itself, olecancel uses
 * Wine's and starts neither the cancel path nor its API (wineimpl.c).
 */

#include <stdio.h>
#include "olecancel_private.h"
#include "async_private.h"
#include "sync_cancel.h"

static const char * const feature_names[OLECANCEL_FEATURE_COUNT] =
{
    "cancelling standard-marshaled calls (CoCancelCall, CoTestCancel in servers)",
    "asynchronous calls (ICallFactory on standard proxies)",
    "the cancel API reached through combase.dll and api-ms-win-core-com-l1-1-0",
};

static LONG feature_said[OLECANCEL_FEATURE_COUNT];
static LONG feature_lines[OLECANCEL_FEATURE_COUNT];   /* said, for the tests */

void olecancel_feature_off(enum olecancel_feature feature, const char *fmt, ...)
{
    char reason[512];
    va_list args;

    if (feature >= OLECANCEL_FEATURE_COUNT || InterlockedExchange(&feature_said[feature], 1)) return;
    va_start(args, fmt);
    vsnprintf(reason, sizeof(reason), fmt, args);
    va_end(args);
    InterlockedIncrement(&feature_lines[feature]);
    FIXME("%s: off in this process: %s\n", feature_names[feature], reason);
}

static volatile LONG sync_started;

void olecancel_remoting_started(void)
{
    if (sync_started) return;
    if (wine_has_cancel_api())
    {
        if (!InterlockedExchange(&sync_started, 1))
            TRACE("Wine's combase implements the cancel API: olecancel leaves its calls alone\n");
        return;
    }
    sync_cancel_init();
    InterlockedExchange(&sync_started, 1);
}

void olecancel_object_obtained(IUnknown *obj)
{
    if (!obj || !proxyhook_pending()) return;
    /* a proxy (hooked or refused): the program's first call on it is
     * already one the cancel path must see */
    if (proxyhook_try(obj) != S_FALSE) olecancel_remoting_started();
}

BOOL olecancel_watching_proxies(void)
{
    return proxyhook_pending();
}

ULONG olecancel_started(void)
{
    ULONG mask = 0;
    if (sync_started) mask |= 1 << OLECANCEL_FEATURE_SYNC;
    if (proxyhook_active()) mask |= 1 << OLECANCEL_FEATURE_ASYNC;
    return mask;
}

LONG olecancel_feature_lines(ULONG feature)
{
    return feature < OLECANCEL_FEATURE_COUNT ? feature_lines[feature] : 0;
}

void olecancel_refuse_for_tests(void)
{
    sync_cancel_refuse_for_tests();
    proxyhook_refuse_for_tests();
}
