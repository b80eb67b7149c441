/*
 * olecancel: a hostile client sending malformed cancel extensions (wrong
 * magic, unknown flags, truncated, odd sizes, another version, garbage) and
 * none at all: the server takes none of them for a cancel, and every call
 * still completes.  The client is a copy of this exe that runs on Wine's
 * builtin ole32 with its own channel hook; the server is this exe as a
 * local server (cancel_host.h).  Every wait is bounded.
 *
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * This library is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the GNU
 * Lesser General Public License for more details.
 */

#include <windows.h>
#include <objbase.h>
#include <stdio.h>

#include "wine_test.h"
#include "test_util.h"
#include "cancel_host.h"

/* our extension's id, {6d1f3c2a-9b47-4e58-a1c3-5f0e2d7b9a41} (chanhook.c): this
 * child does not install the real hook and sends what it likes under that id */
static const GUID cancel_ext_guid =
    { 0x6d1f3c2a, 0x9b47, 0x4e58, { 0xa1, 0xc3, 0x5f, 0x0e, 0x2d, 0x7b, 0x9a, 0x41 } };

static const struct
{
    ULONG size;
    unsigned char data[40];
    HRESULT expect;     /* the server's CoTestCancel */
}
hostile_cases[] =
{
    {  8, { 0 }, RPC_S_CALLPENDING },                                             /* wrong magic */
    { 24, { 'O','C','X','1', 1,0, 3,0 }, RPC_S_CALLPENDING },                     /* unknown flag */
    { 16, { 'O','C','X','1', 1,0, 1,0, 1,2,3,4,5,6,7,8 }, RPC_S_CALLPENDING },    /* truncated */
    { 13, { 'O','C','X','1', 1,0, 1,0, 1,2,3,4,5 }, RPC_S_CALLPENDING },          /* odd size */
    { 24, { 'O','C','X','1', 2,0, 1,0 }, RPC_S_CALLPENDING },                     /* version 2 */
    {  8, { 'O','C','X','1', 1,0, 0,0 }, RPC_S_CALLPENDING },                     /* valid plain */
    { 24, { 'O','C','X','1', 1,0, 1,0, 9,9,9,9,9,9,9,9,9,9,9,9,9,9,9,9 }, RPC_S_CALLPENDING }, /* valid */
    { 40, { 0xff,0xfe,0xfd,0xfc,0xfb,0xfa,0xf9,0xf8,0xf7,0xf6,0xf5 }, RPC_S_CALLPENDING }, /* garbage */
    {  0, { 0 }, RPC_E_CALL_COMPLETE },      /* no extension at all: a client without the DLL */
};
static unsigned int hostile_case;

static HRESULT WINAPI hostile_QueryInterface(IChannelHook *iface, REFIID riid, void **ppv)
{
    *ppv = iface;
    return S_OK;
}
static ULONG WINAPI hostile_AddRef(IChannelHook *iface) { return 2; }
static ULONG WINAPI hostile_Release(IChannelHook *iface) { return 1; }
static void WINAPI hostile_ClientGetSize(IChannelHook *iface, REFGUID ext, REFIID riid, ULONG *size)
{
    *size = hostile_cases[hostile_case].size;
}
static void WINAPI hostile_ClientFillBuffer(IChannelHook *iface, REFGUID ext, REFIID riid, ULONG *size, void *buf)
{
    *size = hostile_cases[hostile_case].size;
    memcpy(buf, hostile_cases[hostile_case].data, *size);
}
static void WINAPI hostile_ClientNotify(IChannelHook *iface, REFGUID ext, REFIID riid, ULONG size, void *buf,
                                        DWORD rep, HRESULT fault) {}
static void WINAPI hostile_ServerNotify(IChannelHook *iface, REFGUID ext, REFIID riid, ULONG size, void *buf,
                                        DWORD rep) {}
static void WINAPI hostile_ServerGetSize(IChannelHook *iface, REFGUID ext, REFIID riid, HRESULT fault,
                                         ULONG *size) { *size = 0; }
static void WINAPI hostile_ServerFillBuffer(IChannelHook *iface, REFGUID ext, REFIID riid, ULONG *size,
                                            void *buf, HRESULT fault) { *size = 0; }

static const IChannelHookVtbl hostile_vtbl =
{
    hostile_QueryInterface, hostile_AddRef, hostile_Release, hostile_ClientGetSize, hostile_ClientFillBuffer,
    hostile_ClientNotify, hostile_ServerNotify, hostile_ServerGetSize, hostile_ServerFillBuffer,
};
static IChannelHook hostile_hook = { (IChannelHookVtbl *)&hostile_vtbl };

/* child mode "hostile <owner pid>": never calls sync_cancel_init */
static void run_hostile(DWORD owner)
{
    LONG result, obs[6];
    ICancelTest *proxy;
    HRESULT hr;

    open_events(owner);
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoRegisterChannelHook(&cancel_ext_guid, &hostile_hook);
    ok(hr == S_OK, "CoRegisterChannelHook: %#lx\n", hr);
    hr = CoCreateInstance(&CLSID_CancelTestServer, NULL, CLSCTX_LOCAL_SERVER, &IID_ICancelTest, (void **)&proxy);
    ok(hr == S_OK, "CoCreateInstance: %#lx\n", hr);
    if (FAILED(hr)) return;
    for (hostile_case = 0; hostile_case < ARRAYSIZE(hostile_cases); hostile_case++)
    {
        hr = ICancelTest_Work(proxy, 0, 20, 0, &result);
        ok(hr == S_OK && result == 40, "case %u: Work: %#lx, %ld\n", hostile_case, hr, result);
        hr = ICancelTest_GetObs(proxy, &obs[0], &obs[1], &obs[2], &obs[3], &obs[4], &obs[5]);
        ok(hr == S_OK, "case %u: GetObs: %#lx\n", hostile_case, hr);
        ok(obs[0] == hostile_cases[hostile_case].expect, "case %u: server CoTestCancel %#lx, expected %#lx\n",
           hostile_case, obs[0], hostile_cases[hostile_case].expect);
    }
    ICancelTest_Release(proxy);
    CoUninitialize();
}

static void test_hostile_client(void)
{
    char args[96];
    int ret;

    char clsid[40];

    guid_str(&CLSID_CancelTestServer, clsid);
    sprintf(args, "hostile %lu %s", GetCurrentProcessId(), clsid);
#ifndef OLECANCEL_SPIKE
    {
        /* The hostile client must be a process without olecancel's own hook:
         * a copy of this exe for which Wine's per-program override picks the
         * builtin ole32 (it imports the cancellation API but never calls it). */
        static const char key_path[] = "Software\\Wine\\AppDefaults\\cancel_ext_hostile_client.exe\\DllOverrides";
        char exe[MAX_PATH], copy[MAX_PATH], cmd[MAX_PATH * 2], *p;
        STARTUPINFOA si = { sizeof(si) };
        PROCESS_INFORMATION pi;
        DWORD code = 255;
        HKEY key;

        GetModuleFileNameA(NULL, exe, sizeof(exe));
        strcpy(copy, exe);
        if ((p = strrchr(copy, '\\'))) strcpy(p + 1, "cancel_ext_hostile_client.exe");
        ok(CopyFileA(exe, copy, FALSE), "CopyFile: %lu\n", GetLastError());
        ok(!RegCreateKeyA(HKEY_CURRENT_USER, key_path, &key), "cannot create the override key\n");
        RegSetValueExA(key, "ole32", 0, REG_SZ, (const BYTE *)"builtin", 8);
        RegCloseKey(key);
        snprintf(cmd, sizeof(cmd), "\"%s\" %s", copy, args);
        ret = -1;
        if (CreateProcessA(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
        {
            if (wait_bounded(pi.hProcess, 60000, "hostile client")) GetExitCodeProcess(pi.hProcess, &code);
            else TerminateProcess(pi.hProcess, 255);
            ret = code;
            CloseHandle(pi.hProcess);
            CloseHandle(pi.hThread);
        }
        else ok(0, "CreateProcess(%s): %lu\n", cmd, GetLastError());
        RegDeleteTreeA(HKEY_CURRENT_USER, "Software\\Wine\\AppDefaults\\cancel_ext_hostile_client.exe");
        DeleteFileA(copy);
    }
#else
    ret = winetest_run_child(args, 60000);
#endif
    ok(ret == 0, "hostile client: %d failures\n", ret);
}

START_TEST(cancel_ext_hostile)
{
    char **argv;
    int argc = winetest_get_mainargs(&argv);

    cancel_host_serve_if_asked(argc, argv);
    if (argc >= 4 && !strcmp(argv[1], "hostile"))
    {
        parse_clsid(argv[3]);
        run_hostile(strtoul(argv[2], NULL, 10));
        return;
    }
    if (!cancel_host_start(TRUE)) return;
    run_subtest(test_hostile_client);
    cancel_host_stop();
}
