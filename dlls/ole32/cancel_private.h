/*
 * olecancel: the per-thread cancellation state behind the public API
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef OLECANCEL_CANCEL_PRIVATE_H
#define OLECANCEL_CANCEL_PRIVATE_H

/* cancelstate.c */
/* the calling thread's CoEnableCallCancellation counter, mirrored into
 * combase's */
HRESULT cancel_enable(void);
HRESULT cancel_disable(void);              /* CO_E_CANCEL_DISABLED at 0 */
HRESULT cancel_push(ICancelMethodCalls *object);
BOOL cancel_pop(void);                     /* FALSE when the stack is empty */
/* QI of the top of thread tid's stack; E_NOINTERFACE when it is empty */
HRESULT cancel_get_top(DWORD tid, REFIID riid, void **ppv);

#endif
