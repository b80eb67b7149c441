/*
 * olecancel-bench: the figures behind `make bench`.
 *
 * Copyright 2026 the olecancel developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Run on stock Wine and with olecancel installed, in the same prefix and
 * the same `make bench` run, in alternating rounds; tools/bench-rounds
 * prints the ratios.  Each figure is the median of several rounds (the
 * best round for nanosecond loops).  Output lines:
 *   metric <TAB> value <TAB> unit
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#include <objbase.h>
#include <psapi.h>

static const CLSID CLSID_SmokeServer =
    { 0x5c3a5d2e, 0x7f4b, 0x4a51, { 0x9a, 0x0e, 0x0c, 0x1e, 0x5a, 0x0c, 0x2b, 0x11 } };

#define ROUNDS 7

static double now_us(void)
{
    static LARGE_INTEGER freq;
    LARGE_INTEGER t;
    if (!freq.QuadPart) QueryPerformanceFrequency(&freq);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart * 1e6 / (double)freq.QuadPart;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return v[n / 2];
}

static double best(double *v, int n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return v[0];
}

static void report(const char *metric, double value, const char *unit)
{
    printf("%s\t%.4f\t%s\n", metric, value, unit);
    fflush(stdout);
}

/* a cheap export the builtin implements itself: goes through our jump stub */
static void bench_forwarded_call(void)
{
    DWORD (WINAPI *build_version)(void) = (void *)GetProcAddress(GetModuleHandleA("ole32.dll"), "CoBuildVersion");
    DWORD (WINAPI *current_process)(void) = (void *)GetProcAddress(GetModuleHandleA("ole32.dll"), "CoGetCurrentProcess");
    double r[ROUNDS], t;
    volatile DWORD sink = 0;
    int i, j;

    for (j = 0; j < 2000000; j++) sink += build_version() + current_process();
    for (i = 0; i < ROUNDS; i++)
    {
        t = now_us();
        for (j = 0; j < 2000000; j++) sink += build_version();
        r[i] = (now_us() - t) * 1000.0 / 2000000;
    }
    report("forwarded call, jump stub (CoBuildVersion)", best(r, ROUNDS), "ns/call");
    for (i = 0; i < ROUNDS; i++)
    {
        t = now_us();
        for (j = 0; j < 2000000; j++) sink += current_process();
        r[i] = (now_us() - t) * 1000.0 / 2000000;
    }
    report("forwarded call, PE forwarder (CoGetCurrentProcess)", best(r, ROUNDS), "ns/call");
}

/* cross-process round trips through a standard proxy (IDispatch, oleaut32) */
static double time_calls(IDispatch *disp, int calls)
{
    UINT count;
    double t = now_us();
    int i;
    for (i = 0; i < calls; i++) IDispatch_GetTypeInfoCount(disp, &count);
    return (now_us() - t) / calls;
}

static void bench_cross_process(void)
{
    IDispatch *disp = NULL;
    double r[ROUNDS];
    HKEY key;
    WCHAR path[MAX_PATH], value[MAX_PATH + 2];
    HRESULT hr;
    int i;

    /* the smoke server lives beside this program */
    GetModuleFileNameW(NULL, path, MAX_PATH);
    lstrcpyW(wcsrchr(path, '\\') + 1, L"olecancel-smoke-server.exe");
    wsprintfW(value, L"\"%s\"", path);
    RegCreateKeyW(HKEY_CLASSES_ROOT, L"CLSID\\{5c3a5d2e-7f4b-4a51-9a0e-0c1e5a0c2b11}\\LocalServer32", &key);
    RegSetValueW(key, NULL, REG_SZ, value, (lstrlenW(value) + 1) * sizeof(WCHAR));
    RegCloseKey(key);

    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    hr = CoCreateInstance(&CLSID_SmokeServer, NULL, CLSCTX_LOCAL_SERVER, &IID_IDispatch, (void **)&disp);
    if (FAILED(hr))
    {
        fprintf(stderr, "bench: cannot start the local server: %#lx\n", hr);
        CoUninitialize();
        return;
    }
    time_calls(disp, 200);
    for (i = 0; i < ROUNDS; i++) r[i] = time_calls(disp, 1000);
    report("cross-process call, cancellation off", median(r, ROUNDS), "us/call");
    if (SUCCEEDED(CoEnableCallCancellation(NULL)))
    {
        for (i = 0; i < ROUNDS; i++) r[i] = time_calls(disp, 1000);
        report("cross-process call, cancellation on", median(r, ROUNDS), "us/call");
        CoDisableCallCancellation(NULL);
    }
    IDispatch_Release(disp);
    CoUninitialize();
}

static void bench_memory(void)
{
    PROCESS_MEMORY_COUNTERS_EX pmc = { sizeof(pmc) };
    GetProcessMemoryInfo(GetCurrentProcess(), (PROCESS_MEMORY_COUNTERS *)&pmc, sizeof(pmc));
    report("working set after the runs", pmc.WorkingSetSize / 1024.0, "KiB");
    report("committed memory after the runs", pmc.PagefileUsage / 1024.0, "KiB");
}

static SIZE_T working_set(void)
{
    PROCESS_MEMORY_COUNTERS pmc = { sizeof(pmc) };
    GetProcessMemoryInfo(GetCurrentProcess(), &pmc, sizeof(pmc));
    return pmc.WorkingSetSize;
}

/* a tiny COM program: what a process that only initialises COM pays */
static void bench_startup(void)
{
    SIZE_T ws = working_set();
    double t = now_us();
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    report("first CoInitializeEx of a process", (now_us() - t) / 1000.0, "ms");
    CoUninitialize();
    printf("working-set growth of CoInitializeEx+CoUninitialize\t%.1f\tKiB\n",
           ((double)working_set() - (double)ws) / 1024.0);
}

int main(int argc, char **argv)
{
    double t;

    if (argc >= 2 && !strcmp(argv[1], "startup"))
    {
        bench_startup();
        return 0;
    }
    /* first: what a process pays when COM starts */
    t = now_us();
    CoInitializeEx(NULL, COINIT_MULTITHREADED);
    report("first CoInitializeEx of a process", (now_us() - t) / 1000.0, "ms");
    CoUninitialize();
    bench_forwarded_call();
    bench_cross_process();
    bench_memory();
    return 0;
}
