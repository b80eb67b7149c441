/*
 * olecancel conformance tests: a cancel object a test registers itself
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * An ICancelMethodCalls that counts its references, its Cancel and
 * TestCancel calls, records the last Cancel's timeout and answers Cancel
 * with a result the test chooses.  It lives in the test's storage: the
 * last Release frees nothing, so a test can read the counts afterwards.
 */

#ifndef OLECANCEL_TEST_CANCEL_OBJECT_H
#define OLECANCEL_TEST_CANCEL_OBJECT_H

#include <string.h>
#include <windows.h>
#include <objbase.h>

struct test_cancel
{
    ICancelMethodCalls ICancelMethodCalls_iface;
    LONG refs;
    LONG cancels;
    LONG tests;
    ULONG last_timeout;
    HRESULT cancel_result;
};

static inline struct test_cancel *test_cancel_from_iface(ICancelMethodCalls *iface)
{
    return CONTAINING_RECORD(iface, struct test_cancel, ICancelMethodCalls_iface);
}

static HRESULT WINAPI test_cancel_QueryInterface(ICancelMethodCalls *iface, REFIID riid, void **ppv)
{
    if (IsEqualGUID(riid, &IID_IUnknown) || IsEqualGUID(riid, &IID_ICancelMethodCalls))
    {
        *ppv = iface;
        ICancelMethodCalls_AddRef(iface);
        return S_OK;
    }
    *ppv = NULL;
    return E_NOINTERFACE;
}

static ULONG WINAPI test_cancel_AddRef(ICancelMethodCalls *iface)
{
    return InterlockedIncrement(&test_cancel_from_iface(iface)->refs);
}

static ULONG WINAPI test_cancel_Release(ICancelMethodCalls *iface)
{
    return InterlockedDecrement(&test_cancel_from_iface(iface)->refs);
}

static HRESULT WINAPI test_cancel_Cancel(ICancelMethodCalls *iface, ULONG timeout)
{
    struct test_cancel *obj = test_cancel_from_iface(iface);
    obj->last_timeout = timeout;
    InterlockedIncrement(&obj->cancels);
    return obj->cancel_result;
}

static HRESULT WINAPI test_cancel_TestCancel(ICancelMethodCalls *iface)
{
    InterlockedIncrement(&test_cancel_from_iface(iface)->tests);
    return RPC_S_CALLPENDING;
}

static const ICancelMethodCallsVtbl test_cancel_vtbl =
{
    test_cancel_QueryInterface, test_cancel_AddRef, test_cancel_Release,
    test_cancel_Cancel, test_cancel_TestCancel
};

/* one reference, the test's; Cancel answers cancel_result */
static inline void init_cancel(struct test_cancel *obj, HRESULT cancel_result)
{
    memset(obj, 0, sizeof(*obj));
    obj->ICancelMethodCalls_iface.lpVtbl = &test_cancel_vtbl;
    obj->refs = 1;
    obj->cancel_result = cancel_result;
}

#endif /* OLECANCEL_TEST_CANCEL_OBJECT_H */
