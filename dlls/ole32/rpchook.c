/*
 * olecancel: the one place that patches Wine -- combase's imports of
 * rpcrt4's I_RpcGetBuffer, I_RpcSendReceive and I_RpcFreeBuffer
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
 * Wine 8.0's client channel sends a call from a thread-pool worker with
 * I_RpcSendReceive while the caller waits for an event.  The only way to
 * end that wait early is to make I_RpcSendReceive return: RpcCancelThread
 * on the worker does it.  So:
 *   - chanhook.c registers each cancellable call with its random id;
 *   - the I_RpcSendReceive hook (on the worker) finds the call by that id,
 *     read back from our extension in the request (the ORPCTHIS cid would
 *     also do, but a causality id is shared by nested calls of other
 *     threads; the call id is not), records the worker, and after the real
 *     call returns decides, through call_cancel_finished, whether the real
 *     result or RPC_E_CALL_CANCELED goes back to the proxy;
 *   - rpchook_abort_call cancels the worker at once and, because a
 *     cancel that lands before rpcrt4 waits is dropped, repeats it on a
 *     thread-pool thread until the worker has left (the canceller does not
 *     wait).
 * I_RpcGetBuffer/I_RpcFreeBuffer run on the calling thread and tell
 * chanhook.c which message belongs to which call (Wine skips ClientNotify
 * for failed calls, so the free is where those are popped).
 *
 * combase's import of kernel32's HeapFree is patched too, on its own
 * self-check: combase frees its per-call message state on every path a
 * call can end by (chanhook.c), and that is the one point where a frame
 * can be known to be over when Wine skipped ServerGetSize or ClientNotify.
 *
 * combase's import of user32's PostMessageW is patched on a third
 * self-check: a call to an STA of this process is posted to the STA's
 * window instead of going through rpcrt4, and the client
 * (postcall.c) carries such a call itself so that a cancel can end the
 * caller's wait.
 *
 * Nothing is patched unless combase looks exactly as expected.
 */

#include "sync_cancel.h"
#include "cancel_ext.h"
#include "drop_reply.h"

typedef RPC_STATUS (WINAPI *rpc_msg_func)(RPC_MESSAGE *msg);

static rpc_msg_func real_get_buffer, real_send_receive, real_free_buffer;
static BOOL hook_active;
static const struct rpchook_client *client;   /* given at install */

typedef BOOL (WINAPI *heap_free_func)(HANDLE heap, DWORD flags, void *block);
typedef void (__cdecl *crt_free_func)(void *block);
typedef size_t (__cdecl *crt_msize_func)(void *block);
static heap_free_func real_heap_free;
static crt_free_func real_crt_free;
static crt_msize_func real_crt_msize;
static BOOL call_end_active;

typedef BOOL (WINAPI *post_message_func)(HWND hwnd, UINT msg, WPARAM wparam, LPARAM lparam);
typedef void *(__cdecl *crt_malloc_func)(size_t size);
static post_message_func real_post_message;
static crt_malloc_func combase_malloc;
static crt_free_func combase_free;

/* cancellable calls sent but not yet picked up by a worker */
struct pending_call
{
    struct pending_call *next;
    struct call_cancel *call;
};

/* diagnostics: how long a worker holds a reply before it decides between
 * it and a cancel, so that tests can land a cancel in that window */
static DWORD reply_hold_ms;

void rpchook_hold_replies(DWORD ms)
{
    reply_hold_ms = ms;
}

static SRWLOCK calls_lock = SRWLOCK_INIT;
static struct pending_call *pending_calls;
static volatile LONG pending_count;

BOOL rpchook_active(void)
{
    return hook_active;
}

BOOL rpchook_sees_call_end(void)
{
    return call_end_active;
}

void rpchook_register_call(struct call_cancel *call)
{
    struct pending_call *entry;

    if (!(entry = HeapAlloc(GetProcessHeap(), 0, sizeof(*entry)))) return;
    call_cancel_addref(call);
    entry->call = call;
    AcquireSRWLockExclusive(&calls_lock);
    entry->next = pending_calls;
    pending_calls = entry;
    InterlockedIncrement(&pending_count);
    ReleaseSRWLockExclusive(&calls_lock);
}

static struct call_cancel *take_call(BOOL (*match)(struct pending_call *, const void *), const void *arg)
{
    struct pending_call **p, *entry = NULL;
    struct call_cancel *call = NULL;

    for (p = &pending_calls; *p; p = &(*p)->next)
    {
        if (!match(*p, arg)) continue;
        entry = *p;
        *p = entry->next;
        InterlockedDecrement(&pending_count);
        break;
    }
    if (entry)
    {
        call = entry->call;
        HeapFree(GetProcessHeap(), 0, entry);
    }
    return call;
}

static BOOL match_call(struct pending_call *entry, const void *call)
{
    return entry->call == call;
}

static BOOL match_id(struct pending_call *entry, const void *id)
{
    return IsEqualGUID(call_cancel_id(entry->call), id);
}

void rpchook_unregister_call(struct call_cancel *call)
{
    struct call_cancel *found;

    if (!pending_count) return;
    AcquireSRWLockExclusive(&calls_lock);
    found = take_call(match_call, call);
    ReleaseSRWLockExclusive(&calls_lock);
    if (found) call_cancel_release(found);
}

LONG rpchook_pending_calls(void)
{
    return pending_count;
}

/* RpcCancelThread on the call's worker, if it has one: FALSE when no
 * worker has claimed the call (it will see the call abandoned and not send
 * it, or the call never goes through rpcrt4) */
static BOOL cancel_worker(struct call_cancel *call)
{
    LONG *slot = call_cancel_worker_slot(call);
    HANDLE thread;
    LONG tid;

    /* the worker clears its slot under this lock before it leaves the
     * hook, so the cancel can never hit the worker's next call */
    AcquireSRWLockExclusive(&calls_lock);
    if ((tid = *slot))
    {
        if ((thread = OpenThread(THREAD_QUERY_INFORMATION | THREAD_SET_CONTEXT, FALSE, tid)))
        {
            RPC_STATUS status = RpcCancelThread(thread);
            if (status != RPC_S_OK) WARN("RpcCancelThread(%04lx) failed: %ld\n", tid, status);
            CloseHandle(thread);
        }
        else WARN("OpenThread(%04lx) failed: %lu\n", tid, GetLastError());
    }
    ReleaseSRWLockExclusive(&calls_lock);
    return tid != 0;
}

/* a cancel that lands before rpcrt4 waits is dropped: repeated (1, 2, 4
 * ... 32 ms) until the worker has left, for up to 10 s */
static void CALLBACK abort_call_proc(TP_CALLBACK_INSTANCE *instance, void *context)
{
    struct call_cancel *call = context;
    DWORD start = GetTickCount(), delay = 1;

    while (!call_cancel_wait_left(call, delay) && cancel_worker(call))
    {
        InterlockedIncrement(&sync_cancel_stats.cancel_thread_retries);
        if (delay < 32) delay *= 2;
        if (GetTickCount() - start > 10000)
        {
            WARN("the worker of call %p did not leave it within 10 s; giving up\n", call);
            break;
        }
    }
    call_cancel_release(call);
}

void rpchook_abort_call(struct call_cancel *call)
{
    if (!cancel_worker(call) || call_cancel_has_left(call)) return;
    /* the canceller does not wait for the worker: its caller's wait ends
     * when the worker returns */
    call_cancel_addref(call);
    if (TrySubmitThreadpoolCallback(abort_call_proc, call, NULL)) return;
    WARN("no thread-pool thread: the canceller repeats the cancel itself\n");
    abort_call_proc(NULL, call);
}

static RPC_STATUS WINAPI hook_I_RpcGetBuffer(RPC_MESSAGE *msg)
{
    RPC_STATUS status = real_get_buffer(msg);
    client->got_buffer(msg, status);
    return status;
}

static RPC_STATUS WINAPI hook_I_RpcFreeBuffer(RPC_MESSAGE *msg)
{
    client->freeing_buffer(msg);
    return real_free_buffer(msg);
}

static RPC_STATUS WINAPI hook_I_RpcSendReceive(RPC_MESSAGE *msg)
{
    struct call_cancel *call;
    RPC_STATUS status;
    LONG *slot;
    GUID id;

    if (!pending_count) return real_send_receive(msg);
    if (cancel_ext_find_in_request(msg->Buffer, msg->BufferLength, (const unsigned char *)client->ext_id,
                                   (unsigned char *)&id) != CANCEL_EXT_CANCEL)
        return real_send_receive(msg);

    AcquireSRWLockExclusive(&calls_lock);
    if ((call = take_call(match_id, &id)))
    {
        slot = call_cancel_worker_slot(call);
        if (!call_cancel_is_abandoned(call)) *slot = GetCurrentThreadId();
    }
    ReleaseSRWLockExclusive(&calls_lock);

    if (!call) return real_send_receive(msg);

    if (!*slot)
    {
        /* cancelled (and given up on) before we could send it */
        call_cancel_finished(call);
        call_cancel_release(call);
        InterlockedIncrement(&sync_cancel_stats.calls_not_sent);
        TRACE("call %p abandoned before sending\n", call);
        return RPC_E_CALL_CANCELED;
    }

    status = real_send_receive(msg);

    AcquireSRWLockExclusive(&calls_lock);
    *slot = 0;
    ReleaseSRWLockExclusive(&calls_lock);
    if (reply_hold_ms && status == RPC_S_OK) Sleep(reply_hold_ms);

    if (call_cancel_finished(call))
    {
        TRACE("call %p: real status %ld replaced by RPC_E_CALL_CANCELED\n", call, status);
        /* a reply that raced in is never unmarshaled (the proxy's
         * FreeBuffer frees its bytes): the interfaces in it give their
         * references back */
        if (status == RPC_S_OK) drop_reply(msg->Buffer, msg->BufferLength);
        status = RPC_E_CALL_CANCELED;
    }
    call_cancel_release(call);
    return status;
}

static BOOL WINAPI hook_HeapFree(HANDLE heap, DWORD flags, void *block)
{
    if (block)
    {
        struct freed_block freed = { block, heap, NULL };
        DWORD err = GetLastError();
        client->call_state_freeing(&freed);
        SetLastError(err);
    }
    return real_heap_free(heap, flags, block);
}

static void __cdecl hook_crt_free(void *block)
{
    if (block)
    {
        struct freed_block freed = { block, NULL, real_crt_msize };
        DWORD err = GetLastError();
        client->call_state_freeing(&freed);
        SetLastError(err);
    }
    real_crt_free(block);
}

/* combase's message to an apartment window that runs a call (WM_USER + 0,
 * wparam 0, lparam its dispatch parameters) */
#define WINE_DM_EXECUTERPC WM_USER

static BOOL WINAPI hook_PostMessageW(HWND hwnd, UINT msg, WPARAM wparam, LPARAM lparam)
{
    BOOL posted;

    if (msg == WINE_DM_EXECUTERPC && !wparam && lparam &&
        client->posting_call(hwnd, (void *)lparam, &posted))
        return posted;
    return real_post_message(hwnd, msg, wparam, lparam);
}

BOOL rpchook_post_message(HWND hwnd, UINT msg, WPARAM wparam, LPARAM lparam)
{
    return real_post_message(hwnd, msg, wparam, lparam);
}

void *rpchook_combase_malloc(size_t size)
{
    return combase_malloc(size);
}

void rpchook_combase_free(void *block)
{
    combase_free(block);
}

/* ---- patching ---------------------------------------------------------------- */

static void **find_import_slot(HMODULE module, const char *dll, const char *name)
{
    BYTE *base = (BYTE *)module;
    IMAGE_DOS_HEADER *dos = (IMAGE_DOS_HEADER *)base;
    IMAGE_NT_HEADERS *nt;
    IMAGE_DATA_DIRECTORY *dir;
    IMAGE_IMPORT_DESCRIPTOR *desc;

    if (dos->e_magic != IMAGE_DOS_SIGNATURE) return NULL;
    nt = (IMAGE_NT_HEADERS *)(base + dos->e_lfanew);
    if (nt->Signature != IMAGE_NT_SIGNATURE) return NULL;
    if (nt->OptionalHeader.Magic != IMAGE_NT_OPTIONAL_HDR_MAGIC) return NULL;
    if (nt->OptionalHeader.NumberOfRvaAndSizes <= IMAGE_DIRECTORY_ENTRY_IMPORT) return NULL;
    dir = &nt->OptionalHeader.DataDirectory[IMAGE_DIRECTORY_ENTRY_IMPORT];
    if (!dir->VirtualAddress || !dir->Size) return NULL;

    for (desc = (IMAGE_IMPORT_DESCRIPTOR *)(base + dir->VirtualAddress); desc->Name; desc++)
    {
        IMAGE_THUNK_DATA *names, *slots;

        if (_stricmp((const char *)base + desc->Name, dll)) continue;
        /* without the name table we cannot tell the slots apart */
        if (!desc->OriginalFirstThunk || !desc->FirstThunk) return NULL;
        names = (IMAGE_THUNK_DATA *)(base + desc->OriginalFirstThunk);
        slots = (IMAGE_THUNK_DATA *)(base + desc->FirstThunk);
        for (; names->u1.AddressOfData; names++, slots++)
        {
            IMAGE_IMPORT_BY_NAME *by_name;
            if (IMAGE_SNAP_BY_ORDINAL(names->u1.Ordinal)) continue;
            by_name = (IMAGE_IMPORT_BY_NAME *)(base + names->u1.AddressOfData);
            if (!strcmp((const char *)by_name->Name, name)) return (void **)&slots->u1.Function;
        }
    }
    return NULL;
}

static BOOL write_slot(void **slot, void *value)
{
    DWORD old;

    if (!VirtualProtect(slot, sizeof(*slot), PAGE_READWRITE, &old)) return FALSE;
    InterlockedExchangePointer(slot, value);
    VirtualProtect(slot, sizeof(*slot), old, &old);
    FlushInstructionCache(GetCurrentProcess(), slot, sizeof(*slot));
    return TRUE;
}

static const char *const hooked_names[] = { "I_RpcGetBuffer", "I_RpcSendReceive", "I_RpcFreeBuffer" };
static void *const hooks[] = { hook_I_RpcGetBuffer, hook_I_RpcSendReceive, hook_I_RpcFreeBuffer };
static rpc_msg_func *const reals[] = { &real_get_buffer, &real_send_receive, &real_free_buffer };

/* checks that "module" imports the three functions from rpcrt4 and that its
 * slots hold rpcrt4's exports (or our hooks); fills slots[] */
static HRESULT check_imports(HMODULE module, HMODULE rpcrt4, void **slots[3])
{
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(hooked_names); i++)
    {
        void *export = GetProcAddress(rpcrt4, hooked_names[i]);

        if (!export || !(slots[i] = find_import_slot(module, "rpcrt4.dll", hooked_names[i])))
        {
            WARN("%p does not import rpcrt4.%s\n", module, hooked_names[i]);
            return E_FAIL;
        }
        /* somebody else hooked it, or Wine changed: leave it alone */
        if (*slots[i] != export && *slots[i] != hooks[i])
        {
            WARN("%p's import of %s points to %p, not rpcrt4's %p\n", module, hooked_names[i], *slots[i], export);
            return E_FAIL;
        }
    }
    return S_OK;
}

HRESULT rpchook_check_module(HMODULE module)
{
    HMODULE rpcrt4 = image_rpcrt4();
    void **slots[3];

    if (!module || !rpcrt4) return E_FAIL;
    return check_imports(module, rpcrt4, slots);
}

/* one import of combase's, checked and patched on its own; *real gets
 * the export it pointed to */
static BOOL patch_import(HMODULE combase, const WCHAR *dll, const char *dll_a, const char *name,
                              void *hook, void **real)
{
    HMODULE module = GetModuleHandleW(dll);
    void *export = module ? (void *)GetProcAddress(module, name) : NULL;
    void **slot = find_import_slot(combase, dll_a, name);

    if (!slot) return FALSE;   /* this Wine frees its call state otherwise */
    if (!export || (*slot != export && *slot != hook))
    {
        ERR("combase's import of %s points to %p, not %p\n", name, *slot, export);
        return FALSE;
    }
    *real = export;
    if (!write_slot(slot, hook))
    {
        ERR("cannot patch combase's import of %s (error %lu)\n", name, GetLastError());
        return FALSE;
    }
    TRACE("combase's %s import hooked\n", name);
    return TRUE;
}

/* combase's frees (the C runtime's in Wine 8.0, HeapFree elsewhere):
 * without them the frames of calls Wine ends without a reply stay until
 * thread exit */
static void install_call_end_hook(HMODULE combase)
{
    HMODULE ucrtbase = GetModuleHandleW(L"ucrtbase.dll");
    BOOL crt = FALSE, heap;

    if (ucrtbase && (real_crt_msize = (crt_msize_func)GetProcAddress(ucrtbase, "_msize")))
        crt = patch_import(combase, L"ucrtbase.dll", "ucrtbase.dll", "free", hook_crt_free,
                                (void **)&real_crt_free);
    heap = patch_import(combase, L"kernel32.dll", "kernel32.dll", "HeapFree", hook_HeapFree,
                             (void **)&real_heap_free);
    if (crt || heap) call_end_active = TRUE;
    else ERR("combase's frees cannot be watched: the call state of rejected or failed calls stays\n");
}

/* combase's posted calls: the client swaps message buffers of combase's
 * heap, so combase must allocate them with the C runtime's malloc */
static void install_post_hook(HMODULE combase)
{
    HMODULE ucrtbase = GetModuleHandleW(L"ucrtbase.dll");
    void **malloc_slot = find_import_slot(combase, "ucrtbase.dll", "malloc");
    void **free_slot = find_import_slot(combase, "ucrtbase.dll", "free");
    void *crt_malloc = ucrtbase ? (void *)GetProcAddress(ucrtbase, "malloc") : NULL;
    void *crt_free = ucrtbase ? (void *)GetProcAddress(ucrtbase, "free") : NULL;

    if (!malloc_slot || !free_slot || !crt_malloc || !crt_free || *malloc_slot != crt_malloc ||
        (*free_slot != crt_free && *free_slot != (void *)hook_crt_free))
    {
        olecancel_feature_off(OLECANCEL_FEATURE_POSTED, "combase does not allocate its messages with "
                              "ucrtbase's malloc; a cancel does not end the wait");
        return;
    }
    combase_malloc = crt_malloc;
    combase_free = crt_free;
    if (!patch_import(combase, L"user32.dll", "user32.dll", "PostMessageW", hook_PostMessageW,
                      (void **)&real_post_message))
    {
        olecancel_feature_off(OLECANCEL_FEATURE_POSTED, "combase's import of PostMessageW cannot be hooked; "
                              "a cancel does not end the wait");
        return;
    }
}

static BOOL CALLBACK install_once(INIT_ONCE *once, void *param, void **ctx)
{
    HRESULT *hr = param;
    HMODULE combase = image_combase(), rpcrt4 = image_rpcrt4();
    void **slots[3];
    unsigned int i, done;

    *hr = E_FAIL;
    if (!combase || !rpcrt4)
    {
        WARN("combase %p rpcrt4 %p not loaded; cancellation of synchronous calls disabled\n", combase, rpcrt4);
        return TRUE;
    }
    if (FAILED(check_imports(combase, rpcrt4, slots)))
    {
        WARN("combase is not what we expect; cancellation of synchronous calls disabled\n");
        return TRUE;
    }
    for (i = 0; i < ARRAY_SIZE(hooked_names); i++)
        *reals[i] = (rpc_msg_func)GetProcAddress(rpcrt4, hooked_names[i]);
    for (done = 0; done < ARRAY_SIZE(hooked_names); done++)
        if (!write_slot(slots[done], hooks[done])) break;
    if (done < ARRAY_SIZE(hooked_names))
    {
        WARN("cannot write combase's import table (error %lu); cancellation disabled\n", GetLastError());
        while (done--) write_slot(slots[done], *reals[done]);
        return TRUE;
    }
    hook_active = TRUE;
    *hr = S_OK;
    TRACE("combase's rpcrt4 imports hooked\n");
    install_call_end_hook(combase);
    install_post_hook(combase);
    return TRUE;
}

HRESULT rpchook_install(const struct rpchook_client *hook_client)
{
    static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
    static HRESULT result;

    TRACE("(%p)\n", hook_client);
    if (!client) client = hook_client;
    InitOnceExecuteOnce(&once, install_once, &result, NULL);
    return result;
}
