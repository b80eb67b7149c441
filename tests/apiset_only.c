/*
 * olecancel conformance tests: a program whose cancel API comes from the
 * API set alone
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This program imports nothing from ole32: only the six functions from
 * api-ms-win-core-com-l1-1-0, which Wine resolves to combase.  Wine's
 * combase imports ole32 itself, so olecancel's ole32 is loaded (and has
 * redirected combase's stubs) before this program's first instruction.
 */

#include <windows.h>
#include <objbase.h>
#include "wine_test.h"
#include "test_util.h"
#include "apiset_com.h"

START_TEST(apiset_only)
{
    void *got = (void *)(ULONG_PTR)0xdeadbeef;
    HRESULT hr;

    ok(GetModuleHandleA("ole32.dll") != NULL, "ole32 is not loaded\n");
    ok(get_olecancel_diag() != NULL, "the ole32 loaded is not olecancel's\n");

    hr = apiset_CoCancelCall(0, 0);
    ok(hr == E_NOINTERFACE, "CoCancelCall with no call got %#lx\n", hr);
    hr = apiset_CoTestCancel();
    ok(hr == RPC_E_CALL_COMPLETE, "CoTestCancel outside a call got %#lx\n", hr);
    hr = apiset_CoGetCancelObject(0, &IID_ICancelMethodCalls, &got);
    ok(hr == E_NOINTERFACE && !got, "CoGetCancelObject with nothing registered got %#lx, %p\n", hr, got);
    hr = apiset_CoSetCancelObject(NULL);
    ok(hr == S_OK, "CoSetCancelObject(NULL) on an empty stack got %#lx\n", hr);
    hr = apiset_CoDisableCallCancellation(NULL);
    ok(hr == CO_E_CANCEL_DISABLED, "Disable at zero got %#lx\n", hr);
    hr = apiset_CoEnableCallCancellation(NULL);
    ok(hr == S_OK, "Enable got %#lx\n", hr);
    hr = apiset_CoDisableCallCancellation(NULL);
    ok(hr == S_OK, "Disable got %#lx\n", hr);
}
