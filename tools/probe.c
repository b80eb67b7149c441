/*
 * olecancel-probe: says which ole32.dll this process loaded.
 *
 * Copyright 2026 the olecancel developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <stdio.h>
#include <windows.h>

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
    if (!product_name(path, name, sizeof(name)) || strcmp(name, "olecancel"))
    {
        printf("Wine's builtin ole32 (%ls)\n", path);
        return 2;
    }
    printf("olecancel (%ls)\n", path);
    return 0;
}
