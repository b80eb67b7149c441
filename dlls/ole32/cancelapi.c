/*
 * olecancel: the cancellation API (CoEnableCallCancellation,
 * CoDisableCallCancellation, CoSetCancelObject, CoGetCancelObject,
 * CoCancelCall, CoTestCancel)
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Contracts: shared/spec/behaviour.md "Per-thread cancellation state";
 * choices where Windows' contract is silent are listed in docs/cancel.md.
 */

#include "olecancel_private.h"
#include "cancel_private.h"

/* the counter is combase's where Wine implements it (cancelstate.c) */
static HRESULT change_counter(void *reserved, HRESULT (*change)(void))
{
    if (reserved) return E_INVALIDARG;
    return change();
}

HRESULT WINAPI CoEnableCallCancellation(void *reserved)
{
    HRESULT hr = change_counter(reserved, cancel_enable);

    /* this thread's next calls are cancellable: the cancel path must see them */
    if (SUCCEEDED(hr)) olecancel_remoting_started();
    TRACE("(%p) -> %#lx\n", reserved, hr);
    return hr;
}

HRESULT WINAPI CoDisableCallCancellation(void *reserved)
{
    HRESULT hr = change_counter(reserved, cancel_disable);
    TRACE("(%p) -> %#lx\n", reserved, hr);
    return hr;
}

HRESULT WINAPI CoSetCancelObject(IUnknown *unk)
{
    ICancelMethodCalls *cancel;
    HRESULT hr;
    typeof(CoSetCancelObject) *wine;

    if ((wine = wine_cancel_api("CoSetCancelObject"))) return wine(unk);

    if (!unk)
    {
        /* popping an empty stack is harmless; Windows' answer is not
         * documented (docs/cancel.md) */
        BOOL popped = cancel_pop();
        TRACE("(NULL) -> popped %d\n", popped);
        return S_OK;
    }
    hr = IUnknown_QueryInterface(unk, &IID_ICancelMethodCalls, (void **)&cancel);
    if (FAILED(hr))
    {
        TRACE("(%p) -> no ICancelMethodCalls, %#lx\n", unk, hr);
        return hr;
    }
    hr = cancel_push(cancel);
    ICancelMethodCalls_Release(cancel);
    TRACE("(%p) -> %#lx\n", unk, hr);
    return hr;
}

HRESULT WINAPI CoGetCancelObject(DWORD tid, REFIID riid, void **ppv)
{
    HRESULT hr;
    typeof(CoGetCancelObject) *wine;

    if ((wine = wine_cancel_api("CoGetCancelObject"))) return wine(tid, riid, ppv);

    if (!ppv)
    {
        TRACE("(%lu, %s, NULL) -> E_INVALIDARG\n", tid, debugstr_guid(riid));
        return E_INVALIDARG;
    }
    *ppv = NULL;
    if (!riid)
    {
        TRACE("(%lu, NULL, %p) -> E_INVALIDARG\n", tid, ppv);
        return E_INVALIDARG;
    }
    hr = cancel_get_top(tid ? tid : GetCurrentThreadId(), riid, ppv);
    TRACE("(%lu, %s, %p) -> %#lx, %p\n", tid, debugstr_guid(riid), ppv, hr, *ppv);
    return hr;
}

HRESULT WINAPI CoCancelCall(DWORD tid, ULONG timeout)
{
    ICancelMethodCalls *cancel;
    HRESULT hr;
    typeof(CoCancelCall) *wine;

    if ((wine = wine_cancel_api("CoCancelCall"))) return wine(tid, timeout);

    hr = cancel_get_top(tid ? tid : GetCurrentThreadId(), &IID_ICancelMethodCalls, (void **)&cancel);
    if (SUCCEEDED(hr))
    {
        hr = ICancelMethodCalls_Cancel(cancel, timeout);
        ICancelMethodCalls_Release(cancel);
    }
    TRACE("(%lu, %lu) -> %#lx\n", tid, timeout, hr);
    return hr;
}

HRESULT WINAPI CoTestCancel(void)
{
    ICancelMethodCalls *cancel;
    HRESULT hr;
    typeof(CoTestCancel) *wine;

    if ((wine = wine_cancel_api("CoTestCancel"))) return wine();

    /* outside an incoming call CoGetCallContext fails with
     * RPC_E_CALL_COMPLETE, which is what we return (docs/cancel.md) */
    hr = CoGetCallContext(&IID_ICancelMethodCalls, (void **)&cancel);
    if (SUCCEEDED(hr))
    {
        hr = ICancelMethodCalls_TestCancel(cancel);
        ICancelMethodCalls_Release(cancel);
    }
    TRACE("() -> %#lx\n", hr);
    return hr;
}
