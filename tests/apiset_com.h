/*
 * olecancel tests: the cancel API imported from api-ms-win-core-com-l1-1-0
 * (import library from tests/apiset_com.def)
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * The names are prefixed so that they do not clash with ole32's in a
 * program that imports both; the names imported are the real ones.
 */

#ifndef OLECANCEL_APISET_COM_H
#define OLECANCEL_APISET_COM_H

#include <objbase.h>

DECLSPEC_IMPORT HRESULT WINAPI apiset_CoCancelCall(DWORD tid, ULONG timeout);
DECLSPEC_IMPORT HRESULT WINAPI apiset_CoTestCancel(void);
DECLSPEC_IMPORT HRESULT WINAPI apiset_CoSetCancelObject(IUnknown *unk);
DECLSPEC_IMPORT HRESULT WINAPI apiset_CoGetCancelObject(DWORD tid, REFIID riid, void **ppv);
DECLSPEC_IMPORT HRESULT WINAPI apiset_CoEnableCallCancellation(void *reserved);
DECLSPEC_IMPORT HRESULT WINAPI apiset_CoDisableCallCancellation(void *reserved);

#endif
