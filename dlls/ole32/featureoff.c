/*
 * olecancel: saying that a part of olecancel turned itself off
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Every self-check that refuses reports here, from whichever layer it
 * runs in; this file uses nothing of olecancel but its debug channel.
 */

#include <stdio.h>
#include "olecancel_private.h"

static const char * const feature_names[OLECANCEL_FEATURE_COUNT] =
{
    "cancelling standard-marshaled calls (CoCancelCall, CoTestCancel in servers)",
    "asynchronous calls (ICallFactory on standard proxies)",
    "server-side asynchronous calls (ICallFactory on server objects)",
    "the cancel API reached through combase.dll and api-ms-win-core-com-l1-1-0",
    "ending an MTA caller's wait for an STA object of its own process (CoCancelCall)",
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

LONG olecancel_feature_lines(ULONG feature)
{
    return feature < OLECANCEL_FEATURE_COUNT ? feature_lines[feature] : 0;
}
