/*
 * olecancel-probe: says which ole32.dll this process loaded.
 *
 * Copyright 2026 the olecancel developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <windows.h>
#include <objbase.h>

static BOOL product_name(const WCHAR *path, char *out, DWORD size)
{
    DWORD len = GetFileVersionInfoSizeW(path, NULL);
    char *data, *value;
    UINT value_len;
    BOOL ret = FALSE;

    if (!len || !(data = malloc(len))) return FALSE;
    if (GetFileVersionInfoW(path, 0, len, data) &&
        VerQueryValueA(data, "\\StringFileInfo\\040904b0\\ProductName", (void **)&value, &value_len))
    {
        lstrcpynA(out, value, size);
        ret = TRUE;
    }
    free(data);
    return ret;
}

int wmain(void)
{
    HMODULE ole32 = LoadLibraryW(L"ole32.dll");
    WCHAR path[MAX_PATH];
    char name[64] = "";

    if (!ole32 || !GetModuleFileNameW(ole32, path, MAX_PATH))
    {
        printf("no ole32.dll\n");
        return 1;
    }
    IUnknown *git = NULL;
    HRESULT hr;

    /* a forwarded call must reach the builtin: COM has to work */
    hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (SUCCEEDED(hr))
        hr = CoCreateInstance(&CLSID_StdGlobalInterfaceTable, NULL, CLSCTX_INPROC_SERVER,
                              &IID_IGlobalInterfaceTable, (void **)&git);
    if (git) IUnknown_Release(git);
    CoUninitialize();
    if (!product_name(path, name, sizeof(name)) || strcmp(name, "olecancel"))
    {
        printf("Wine's builtin ole32 (%ls), COM %s (%#lx)\n", path, SUCCEEDED(hr) ? "works" : "FAILS", hr);
        return 2;
    }
    printf("olecancel (%ls), COM %s (%#lx)\n", path, SUCCEEDED(hr) ? "works" : "FAILS", hr);
    return SUCCEEDED(hr) ? 0 : 3;
}
