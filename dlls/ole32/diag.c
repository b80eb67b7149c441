/*
 * olecancel: diagnostics for the conformance tests
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Exported by ordinal only (1000, no name), so nothing can find it by
 * name: the tests use it to wait until the worker pool is idle before
 * they count handles, to size the pool-saturation test, to run the
 * rpcrt4 hook's self-check on modules of their choice, and to tell the
 * handles the cancel path keeps on purpose from leaked ones.
 */

#include "olecancel_private.h"
#include "olecancel_diag.h"
#include "async_private.h"
#include "sync_cancel.h"
#include "drop_reply.h"

static const struct olecancel_diag diag =
{
    sizeof(diag),
    asyncpool_get_stats,
    ASYNCPOOL_MAX_THREADS,
    rpchook_check_module,
    call_cancel_events_kept,
    olecancel_started,
    olecancel_refuse_for_tests,
    wine_implementation,
    olecancel_feature_lines,
    rpchook_pending_calls,
    rpchook_hold_replies,
    drop_reply_refs_released,
    wine_answers_call_factory,
    posted_calls_carried,
    posted_calls_orphaned,
};

const struct olecancel_diag * WINAPI olecancel_get_diag(void)
{
    return &diag;
}
