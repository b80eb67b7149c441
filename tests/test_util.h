/*
 * olecancel tests: helpers more than one test program needs
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
 *
 * You should have received a copy of the GNU Lesser General Public
 * License along with this library; if not, write to the Free Software
 * Foundation, Inc., 51 Franklin St, Fifth Floor, Boston, MA 02110-1301, USA
 *
 * Include after wine_test.h.  Every helper is static; none of them calls
 * ok(): what a test checks stays in the test.
 */

#ifndef OLECANCEL_TEST_UTIL_H
#define OLECANCEL_TEST_UTIL_H

#ifndef OLECANCEL_WINE_TEST_H
# error "include wine_test.h before test_util.h"
#endif

#include <windows.h>
#include <objbase.h>
#include <tlhelp32.h>
#include <stdio.h>
#include "olecancel_diag.h"

/* Wine 8.0's GetProcessHandleCount answers 0: count valid handle values */
static WINETEST_UNUSED DWORD handle_count(void)
{
    DWORD n = 0, flags;
    UINT_PTR h;

    if (GetProcessHandleCount(GetCurrentProcess(), &n) && n) return n;
    for (h = 4; h < 0x10000; h += 4)
        if (GetHandleInformation((HANDLE)h, &flags)) n++;
    return n;
}

/* Win32 has no per-process thread count: walk a Toolhelp snapshot */
static WINETEST_UNUSED DWORD thread_count(void)
{
    THREADENTRY32 entry = { sizeof(entry) };
    HANDLE snap = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
    DWORD count = 0, pid = GetCurrentProcessId();

    if (snap == INVALID_HANDLE_VALUE) return 0;
    if (Thread32First(snap, &entry))
        do if (entry.th32OwnerProcessID == pid) count++; while (Thread32Next(snap, &entry));
    CloseHandle(snap);
    return count;
}

/* qsort order for latency samples, to read percentiles off the sorted array */
static WINETEST_UNUSED int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* GetTickCount moves in 10-16 ms steps: latencies want QueryPerformanceCounter, in ms */
static WINETEST_UNUSED double now_ms(void)
{
    LARGE_INTEGER f, c;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&c);
    return (double)c.QuadPart * 1000.0 / (double)f.QuadPart;
}

/* the same for two QueryPerformanceCounter readings taken elsewhere (another thread's) */
static WINETEST_UNUSED double ms_since(const LARGE_INTEGER *start, const LARGE_INTEGER *end)
{
    LARGE_INTEGER freq;
    QueryPerformanceFrequency(&freq);
    return (end->QuadPart - start->QuadPart) * 1000.0 / freq.QuadPart;
}

/* registry paths and command lines name a class as "{XXXXXXXX-...}" text (buf: 39 chars) */
static WINETEST_UNUSED void guid_str(const GUID *id, char *buf)
{
    sprintf(buf, "{%08lX-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}", id->Data1, id->Data2, id->Data3,
            id->Data4[0], id->Data4[1], id->Data4[2], id->Data4[3], id->Data4[4], id->Data4[5],
            id->Data4[6], id->Data4[7]);
}

/* servers are registered as an installer would: one REG_SZ value, its key created if missing */
static WINETEST_UNUSED LONG set_value(HKEY root, const char *path, const char *name, const char *value)
{
    HKEY key;
    LONG ret = RegCreateKeyExA(root, path, 0, NULL, 0, KEY_WRITE, NULL, &key, NULL);
    if (ret) return ret;
    ret = RegSetValueExA(key, name, 0, REG_SZ, (const BYTE *)value, strlen(value) + 1);
    RegCloseKey(key);
    return ret;
}

/* an STA serves incoming calls only while it dispatches messages: until `event` is set or `timeout` */
static WINETEST_UNUSED void pump_messages_until(HANDLE event, DWORD timeout)
{
    MSG msg;

    while (MsgWaitForMultipleObjects(1, &event, FALSE, timeout, QS_ALLINPUT) == WAIT_OBJECT_0 + 1)
        while (PeekMessageW(&msg, NULL, 0, 0, PM_REMOVE)) DispatchMessageW(&msg);
}

/* olecancel's test-only diagnostics: ole32 ordinal 1000, no name; NULL with any other ole32 */
static WINETEST_UNUSED const struct olecancel_diag *get_olecancel_diag(void)
{
    olecancel_get_diag_func get = (void *)GetProcAddress(GetModuleHandleA("ole32.dll"),
                                                         MAKEINTRESOURCEA(OLECANCEL_DIAG_ORDINAL));
    return get ? get() : NULL;
}

/* abandoned posted calls olecancel has left with their STA: polls (bounded,
 * ms) until there are "expected"; returns the last count, -1 when this
 * ole32 does not report them */
static WINETEST_UNUSED LONG wait_posted_orphans(LONG expected, DWORD ms)
{
    const struct olecancel_diag *diag = get_olecancel_diag();
    DWORD start = GetTickCount();
    LONG n;

    if (!diag || diag->size < offsetof(struct olecancel_diag, posted_calls_orphaned) + sizeof(void *))
        return -1;
    while ((n = diag->posted_calls_orphaned()) != expected && GetTickCount() - start < ms) Sleep(10);
    return n;
}

#include "static_factory.h"

#endif /* OLECANCEL_TEST_UTIL_H */
