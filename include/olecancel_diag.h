/*
 * olecancel: test-only diagnostics, ole32.dll ordinal 1000 (no name)
 *
 * Copyright 2026 the olecancel developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef OLECANCEL_DIAG_H
#define OLECANCEL_DIAG_H

#include <stddef.h>   /* offsetof: callers check a field is within size */

#define OLECANCEL_DIAG_ORDINAL 1000

struct olecancel_diag
{
    ULONG size;
    /* worker pool: threads alive, busy, requests queued */
    void (*pool_stats)(LONG *threads, LONG *busy, LONG *queued);
    LONG pool_max_threads;
    /* rpchook.c's self-check, run on any module: S_OK if it imports the
     * rpcrt4 functions olecancel hooks, in the shape it expects */
    HRESULT (*rpchook_check_module)(HMODULE module);
    /* named events of cancelled calls kept open so that a server can still
     * see the cancel (callcancel.c): handles held on purpose, for a while */
    LONG (*cancel_events_kept)(void);
    /* what has started in this process: bit 0 the synchronous cancel path,
     * bit 1 ICallFactory on proxies (nothing until the process needs it) */
    ULONG (*started)(void);
    /* every self-check that has not run yet refuses (its feature is then
     * off, said once by a fixme line) */
    void (*refuse_self_checks)(void);
    /* Wine's export of that name in dll, or NULL when absent or a stub */
    void *(*wine_implementation)(const WCHAR *dll, const char *name);
    /* times feature n was said to be off, on a "fixme:olecancel:" line
     * (printed unless WINEDEBUG turns fixme lines off): 0 or 1 */
    LONG (*feature_off_lines)(ULONG feature);
    /* cancellable calls registered by their callers and not yet taken
     * by a worker or ended (rpchook.c) */
    LONG (*pending_calls)(void);
    /* the I_RpcSendReceive hook holds each reply of a cancellable call
     * ms milliseconds before it looks whether a cancel won (0: off), so a
     * test can cancel a call whose reply has arrived */
    void (*hold_replies)(DWORD ms);
    /* interfaces found in dropped replies, unmarshaled and released */
    LONG (*dropped_refs_released)(void);
    /* what Wine's proxy manager answered to QI(ICallFactory) is Wine's own
     * implementation (code inside module wine), so olecancel defers to it */
    BOOL (*wine_answers_call_factory)(HRESULT hr, IUnknown *factory, HMODULE wine);
    /* calls of MTA threads to STAs of this process carried by postcall.c,
     * and those of them abandoned whose STA has not finished them yet */
    LONG (*posted_calls_carried)(void);
    LONG (*posted_calls_orphaned)(void);
};

typedef const struct olecancel_diag * (WINAPI *olecancel_get_diag_func)(void);

#endif
