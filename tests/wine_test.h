/*
 * olecancel test harness: a small, from-scratch equivalent of Wine's
 * winetest framework (ok, todo_wine, broken, skip, win_skip, trace).
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Each test program is one .c file that includes this header once and
 * defines its body with START_TEST(name).  The program prints
 *   name: N tests executed (T marked as todo, X failures), S skipped.
 * and exits with the number of failures (capped at 255).
 *
 * Environment:
 *   WINETEST_DEBUG=N           trace() output when N > 0 (default 1)
 *   WINETEST_REPORT_SUCCESS=1  print every passing ok() as well
 *   OLECANCEL_TEST_FILTER=sub  run only subtests (see run_subtest) whose
 *                              name contains "sub" (sub,sub2: either)
 */

#ifndef OLECANCEL_WINE_TEST_H
#define OLECANCEL_WINE_TEST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#ifdef __GNUC__
# define WINETEST_PRINTF_ATTR(f, a) __attribute__((format(printf, f, a)))
# define WINETEST_UNUSED __attribute__((unused))
#else
# define WINETEST_PRINTF_ATTR(f, a)
# define WINETEST_UNUSED
#endif

#ifndef ARRAY_SIZE
# define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#endif

extern const char *winetest_testname;
int winetest_debug = 1;
int winetest_report_success;
int winetest_interactive;
static int winetest_argc;
static char **winetest_argv;

static LONG winetest_successes;
static LONG winetest_failures;
static LONG winetest_todo_successes;
static LONG winetest_todo_failures;
static LONG winetest_skipped;
static int winetest_on_wine = -1;

/* per-thread location and todo state */
struct winetest_thread_data
{
    const char *file;
    int line;
    int todo_level;        /* bit mask of nested todo blocks */
    int todo_do_loop;
    char context[8][128];
    int context_count;
};

static DWORD winetest_tls = TLS_OUT_OF_INDEXES;

static WINETEST_UNUSED struct winetest_thread_data *winetest_get_thread_data(void)
{
    struct winetest_thread_data *data;
    DWORD err = GetLastError();

    if (!(data = TlsGetValue(winetest_tls)))
    {
        data = calloc(1, sizeof(*data));
        data->file = "";
        TlsSetValue(winetest_tls, data);
    }
    SetLastError(err);
    return data;
}

static WINETEST_UNUSED const char *winetest_basename(const char *file)
{
    const char *p = strrchr(file, '/'), *q = strrchr(file, '\\');
    if (q > p) p = q;
    return p ? p + 1 : file;
}

static WINETEST_UNUSED void winetest_set_location(const char *file, int line)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    data->file = winetest_basename(file);
    data->line = line;
}

static WINETEST_UNUSED int winetest_platform_is_wine(void)
{
    if (winetest_on_wine < 0)
        winetest_on_wine = GetProcAddress(GetModuleHandleA("ntdll.dll"), "wine_get_version") != NULL;
    return winetest_on_wine;
}

/* One line of output leaves in one write: stdout is unbuffered, and a line
 * printed piecewise can be cut by another thread's line or by Wine's debug
 * output on the same file (a summary line cut that way is not found). */
static WINETEST_UNUSED void winetest_print_line(struct winetest_thread_data *data, const char *kind,
                                                const char *msg, va_list args)
{
    char line[2048];
    size_t len;
    int i, n;

    n = snprintf(line, sizeof(line), "%s:%d: ", data->file, data->line);
    len = n > 0 ? (size_t)n : 0;
    for (i = 0; i < data->context_count && i < 8 && len < sizeof(line); i++)
        if ((n = snprintf(line + len, sizeof(line) - len, "%s: ", data->context[i])) > 0) len += n;
    if (len < sizeof(line) && (n = snprintf(line + len, sizeof(line) - len, "%s", kind)) > 0) len += n;
    if (len < sizeof(line) && (n = vsnprintf(line + len, sizeof(line) - len, msg, args)) > 0) len += n;
    if (len >= sizeof(line)) len = sizeof(line) - 1;
    fwrite(line, 1, len, stdout);
    fflush(stdout);
}

static WINETEST_UNUSED void winetest_push_context(const char *fmt, ...) WINETEST_PRINTF_ATTR(1, 2);
static WINETEST_UNUSED void winetest_push_context(const char *fmt, ...)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    va_list args;
    if (data->context_count < 8)
    {
        va_start(args, fmt);
        vsnprintf(data->context[data->context_count], sizeof(data->context[0]), fmt, args);
        va_end(args);
    }
    data->context_count++;
}

static WINETEST_UNUSED void winetest_pop_context(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    if (data->context_count) data->context_count--;
}

static WINETEST_UNUSED int winetest_vok(int condition, const char *msg, va_list args)
{
    struct winetest_thread_data *data = winetest_get_thread_data();

    if (data->todo_level)
    {
        if (condition)
        {
            winetest_print_line(data, "Test succeeded inside todo block: ", msg, args);
            InterlockedIncrement(&winetest_todo_failures);
            return 0;
        }
        if (winetest_debug > 0)
        {
            winetest_print_line(data, "Test marked todo: ", msg, args);
        }
        InterlockedIncrement(&winetest_todo_successes);
        return 1;
    }
    if (!condition)
    {
        winetest_print_line(data, "Test failed: ", msg, args);
        InterlockedIncrement(&winetest_failures);
        return 0;
    }
    if (winetest_report_success)
    {
        winetest_print_line(data, "Test succeeded: ", msg, args);
    }
    InterlockedIncrement(&winetest_successes);
    return 1;
}

static WINETEST_UNUSED int winetest_ok(int condition, const char *msg, ...) WINETEST_PRINTF_ATTR(2, 3);
static WINETEST_UNUSED int winetest_ok(int condition, const char *msg, ...)
{
    va_list args;
    int ret;
    va_start(args, msg);
    ret = winetest_vok(condition, msg, args);
    va_end(args);
    return ret;
}

static WINETEST_UNUSED void winetest_trace(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
static WINETEST_UNUSED void winetest_trace(const char *msg, ...)
{
    va_list args;
    if (winetest_debug <= 0) return;
    va_start(args, msg);
    winetest_print_line(winetest_get_thread_data(), "", msg, args);
    va_end(args);
}

static WINETEST_UNUSED void winetest_skip(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
static WINETEST_UNUSED void winetest_skip(const char *msg, ...)
{
    va_list args;
    va_start(args, msg);
    winetest_print_line(winetest_get_thread_data(), "Tests skipped: ", msg, args);
    va_end(args);
    InterlockedIncrement(&winetest_skipped);
}

/* win_skip: a skip on Windows, a failure on Wine (Wine must not lack it) */
static WINETEST_UNUSED void winetest_win_skip(const char *msg, ...) WINETEST_PRINTF_ATTR(1, 2);
static WINETEST_UNUSED void winetest_win_skip(const char *msg, ...)
{
    va_list args;
    va_start(args, msg);
    if (winetest_platform_is_wine()) winetest_vok(0, msg, args);
    else
    {
        winetest_print_line(winetest_get_thread_data(), "Tests skipped: ", msg, args);
        InterlockedIncrement(&winetest_skipped);
    }
    va_end(args);
}

static WINETEST_UNUSED void winetest_start_todo(int is_todo)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    data->todo_level = (data->todo_level << 1) | (is_todo != 0);
    data->todo_do_loop = 1;
}

static WINETEST_UNUSED int winetest_loop_todo(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    int do_loop = data->todo_do_loop;
    data->todo_do_loop = 0;
    return do_loop;
}

static WINETEST_UNUSED void winetest_end_todo(void)
{
    struct winetest_thread_data *data = winetest_get_thread_data();
    data->todo_level >>= 1;
}

/* broken(): accepted on Windows only, never on Wine */
static WINETEST_UNUSED int winetest_broken(int condition)
{
    return condition && !winetest_platform_is_wine();
}

static WINETEST_UNUSED int winetest_get_mainargs(char ***argv)
{
    *argv = winetest_argv;
    return winetest_argc;
}

/* Runs a child copy of this test program and waits for it, bounded.
 * Returns the child's exit code, or -1 after killing it on timeout. */
static WINETEST_UNUSED int winetest_run_child(const char *args, DWORD timeout_ms)
{
    char cmdline[MAX_PATH * 2];
    STARTUPINFOA si = { sizeof(si) };
    PROCESS_INFORMATION pi;
    DWORD code = (DWORD)-1;

    snprintf(cmdline, sizeof(cmdline), "\"%s\" %s", winetest_argv[0], args);
    if (!CreateProcessA(NULL, cmdline, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
    {
        winetest_ok(0, "CreateProcess(%s) failed: %lu\n", cmdline, GetLastError());
        return -1;
    }
    if (WaitForSingleObject(pi.hProcess, timeout_ms) != WAIT_OBJECT_0)
    {
        winetest_ok(0, "child \"%s\" did not exit within %lu ms; killed\n", args, timeout_ms);
        TerminateProcess(pi.hProcess, 255);
        WaitForSingleObject(pi.hProcess, 5000);
    }
    else GetExitCodeProcess(pi.hProcess, &code);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    return (int)code;
}

/* Waits on a handle with a bound; a timeout is a reported failure. */
#define wait_bounded(h, ms, what) \
    (winetest_set_location(__FILE__, __LINE__), winetest_wait_bounded((h), (ms), (what)))
static WINETEST_UNUSED BOOL winetest_wait_bounded(HANDLE h, DWORD ms, const char *what)
{
    DWORD ret = WaitForSingleObject(h, ms);
    winetest_ok(ret == WAIT_OBJECT_0, "waiting for %s: got %#lx after %lu ms bound\n", what, ret, ms);
    return ret == WAIT_OBJECT_0;
}

/* Runs one named part of a test file unless OLECANCEL_TEST_FILTER excludes it. */
static WINETEST_UNUSED void winetest_run_subtest(const char *name, void (*func)(void))
{
    const char *filter = getenv("OLECANCEL_TEST_FILTER"), *next;
    BOOL match;

    /* comma-separated: any one of them */
    for (match = !filter || !*filter; !match && filter; filter = next ? next + 1 : NULL)
    {
        char part[64];
        size_t len;

        next = strchr(filter, ',');
        len = next ? (size_t)(next - filter) : strlen(filter);
        if (!len || len >= sizeof(part)) continue;
        memcpy(part, filter, len);
        part[len] = 0;
        match = strstr(name, part) != NULL;
    }
    if (!match) return;
    if (winetest_debug > 1) printf("%s: running %s\n", winetest_testname, name);
    func();
}
#define run_subtest(f) winetest_run_subtest(#f, f)

/* the line tools/run-tests looks for, in one write like every other line */
static WINETEST_UNUSED void winetest_print_summary(void)
{
    char line[256];
    int n = snprintf(line, sizeof(line), "%s: %ld tests executed (%ld marked as todo, %ld failures), %ld skipped.\n",
                     winetest_testname,
                     winetest_successes + winetest_failures + winetest_todo_successes + winetest_todo_failures,
                     winetest_todo_successes, winetest_failures + winetest_todo_failures, winetest_skipped);
    if (n > 0) fwrite(line, 1, min((size_t)n, sizeof(line) - 1), stdout);
    fflush(stdout);
}

#define ok_(file, line)    (winetest_set_location(file, line), 0) ? (void)0 : (void)winetest_ok
#define ok                 ok_(__FILE__, __LINE__)
#define trace              (winetest_set_location(__FILE__, __LINE__), 0) ? (void)0 : winetest_trace
#define skip               (winetest_set_location(__FILE__, __LINE__), 0) ? (void)0 : winetest_skip
#define win_skip           (winetest_set_location(__FILE__, __LINE__), 0) ? (void)0 : winetest_win_skip
#define broken(c)          winetest_broken(c)
#define todo_if(c)         for (winetest_start_todo(c); winetest_loop_todo(); winetest_end_todo())
#define todo_wine          todo_if(winetest_platform_is_wine())
#define todo_wine_if(c)    todo_if(winetest_platform_is_wine() && (c))
#define wait_child_process(h) winetest_wait_bounded((h), 30000, "child process")

#define START_TEST(name) \
    static void func_##name(void); \
    const char *winetest_testname = #name; \
    int main(int argc, char **argv) \
    { \
        const char *p; \
        winetest_argc = argc; \
        winetest_argv = argv; \
        winetest_tls = TlsAlloc(); \
        if ((p = getenv("WINETEST_DEBUG"))) winetest_debug = atoi(p); \
        if ((p = getenv("WINETEST_INTERACTIVE"))) winetest_interactive = atoi(p); \
        if ((p = getenv("WINETEST_REPORT_SUCCESS"))) winetest_report_success = atoi(p); \
        setvbuf(stdout, NULL, _IONBF, 0); \
        func_##name(); \
        winetest_print_summary(); \
        return (int)min(winetest_failures + winetest_todo_failures, 255); \
    } \
    static void func_##name(void)

#endif /* OLECANCEL_WINE_TEST_H */
