/*
 * olecancel: declarations shared by the files of the drop-in ole32.dll
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 */

#ifndef OLECANCEL_PRIVATE_H
#define OLECANCEL_PRIVATE_H

#include <stdarg.h>
#ifndef COBJMACROS
#define COBJMACROS
#endif
#include <windows.h>
#include <objbase.h>

/* ---- debug.c: Wine debug channel "olecancel" -------------------------- */

enum olecancel_dbcl { DBCL_FIXME, DBCL_ERR, DBCL_WARN, DBCL_TRACE };

/* true when WINEDEBUG enables the class on the olecancel channel */
BOOL olecancel_dbg_on(enum olecancel_dbcl cls);
void olecancel_dbg_log(enum olecancel_dbcl cls, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* formats into a small per-thread ring, valid until a few calls later */
const char *debugstr_guid(const GUID *guid);
const char *debugstr_w(const WCHAR *str);

#define OLECANCEL_LOG(cls, ...) \
    do { if (olecancel_dbg_on(cls)) olecancel_dbg_log(cls, __func__, __VA_ARGS__); } while (0)
#define TRACE(...) OLECANCEL_LOG(DBCL_TRACE, __VA_ARGS__)
#define WARN(...)  OLECANCEL_LOG(DBCL_WARN, __VA_ARGS__)
#define FIXME(...) OLECANCEL_LOG(DBCL_FIXME, __VA_ARGS__)
#define ERR(...)   OLECANCEL_LOG(DBCL_ERR, __VA_ARGS__)

/* ---- forward.c: the builtin ole32 behind us ---------------------------- */

/* the module of Wine's builtin ole32 (loaded on first use), or NULL */
HMODULE olecancel_builtin_module(void);
/* a function of the builtin by name, or NULL */
void *olecancel_builtin_proc(const char *name);
extern HINSTANCE olecancel_instance;

/* ---- features.c: when olecancel starts in a process --------------------- */

enum olecancel_feature
{
    OLECANCEL_FEATURE_SYNC,     /* the synchronous cancel path */
    OLECANCEL_FEATURE_ASYNC,    /* ICallFactory on proxies */
    OLECANCEL_FEATURE_SERVER_ASYNC, /* server objects' ICallFactory */
    OLECANCEL_FEATURE_COMBASE,  /* the cancel API through combase's exports */
    OLECANCEL_FEATURE_POSTED,   /* cancels ending waits for STA objects of this process */
    OLECANCEL_FEATURE_COUNT
};

/* featureoff.c: a feature turned itself off: one fixme line per feature
 * and process, naming it and the reason */
void olecancel_feature_off(enum olecancel_feature feature, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* diagnostics: times a feature was said to be off (0 or 1) */
LONG olecancel_feature_lines(ULONG feature);

/* the process marshals, unmarshals or enables call cancellation: start the
 * synchronous cancel path (once; cheap afterwards) */
void olecancel_remoting_started(void);
/* an export is about to hand out obj: at the first standard proxy start
 * ICallFactory and the cancel path (cheap once started) */
void olecancel_object_obtained(IUnknown *obj);
/* no standard proxy has been seen yet, and the hook has not refused: what
 * hands out proxies unseen must show them to olecancel_object_obtained */
BOOL olecancel_watching_proxies(void);

/* syncontainer.c: CLSID_SynchronizeContainer's class object, for
 * remoting.c to hand out when combase does not know the class */
extern const CLSID olecancel_clsid_synchronize_container;
HRESULT syncontainer_get_class_object(REFIID riid, void **ppv);
/* diagnostics: bit n set when feature n has started */
ULONG olecancel_started(void);
/* diagnostics: make every self-check not yet run refuse */
void olecancel_refuse_for_tests(void);

/* ---- combase.c: Wine's remoting functions, for olecancel's own work ---- */

/* a function of combase by name, or NULL (said with an ERR) */
void *combase_proc(const char *name);
/* combase's CoMarshalInterface, CoUnmarshalInterface and CoGetClassObject:
 * what olecancel marshals for itself is not the program taking part in
 * remoting, and runs only after that has started (remoting.c) */
HRESULT combase_marshal_interface(IStream *stream, REFIID riid, IUnknown *unk, DWORD dest_context,
                                  void *dest_context_data, DWORD flags);
HRESULT combase_unmarshal_interface(IStream *stream, REFIID riid, void **ppv);
HRESULT combase_get_class_object(REFCLSID clsid, DWORD context, void *server, REFIID riid, void **ppv);

/* ---- gitview.c: the GIT seen until the first proxy ------------------- */

/* CoCreateInstance(Ex) gave *ppv (riid) for clsid: the GIT becomes a view */
void gitview_created(REFCLSID clsid, REFIID riid, void **ppv);

/* ---- image.c: which loaded image an address lies in ------------------- */

/* [ptr, ptr + len) lies inside the mapped image of module (NULL: no) */
BOOL image_contains(HMODULE module, const void *ptr, SIZE_T len);
/* the image ptr lies in (NULL: none) */
HMODULE image_of(const void *ptr);
/* where code leads when it is an import thunk ("jmp *[slot]"); code otherwise */
const void *image_follow_import_thunk(const void *code);
/* this DLL, combase.dll, rpcrt4.dll */
HMODULE image_self(void);
HMODULE image_combase(void);
HMODULE image_rpcrt4(void);

/* ---- wineimpl.c: features Wine may have itself -------------------------- */

/* Wine's function, when the DLL exports it and it is not a "@ stub" */
void *wine_implementation(const WCHAR *dll, const char *name);
/* the length of a winebuild stub's code at entry, up to and including its
 * call (it exports name from module), or 0 when entry is no such stub */
SIZE_T wine_stub_length(HMODULE module, const void *entry, const char *name);
/* combase implements all four of CoCancelCall, CoTestCancel,
 * CoSetCancelObject and CoGetCancelObject */
BOOL wine_has_cancel_api(void);
/* Wine's function of that name when wine_has_cancel_api(), else NULL */
void *wine_cancel_api(const char *name);
/* hr and factory are what Wine's proxy manager answered to
 * QI(ICallFactory): TRUE when that is an implementation of Wine's own
 * (its code inside the module wine), not a remote interface */
BOOL wine_answers_call_factory(HRESULT hr, IUnknown *factory, HMODULE wine);

/* ---- combasepatch.c: combase's stubs of the cancel API ------------------ */

/* at process attach: combase's winebuild stubs of the cancel API jump to
 * olecancel's functions (each one checked first; none written otherwise) */
void combase_patch_stubs(void);
/* when ole32 is unloaded while the process goes on: the stubs back as they were */
void combase_unpatch_stubs(void);

/* ---- comwait.c --------------------------------------------------------- */

/* waits for event with the COM modal loop in an STA, plainly elsewhere;
 * RPC_S_CALLPENDING on timeout */
HRESULT com_wait(HANDLE event, DWORD flags, DWORD ms);

/* ---- eventsync.c: ISynchronize(Handle) over a manual-reset event ------- */

struct event_sync
{
    ISynchronize ISynchronize_iface;
    ISynchronizeHandle ISynchronizeHandle_iface;
    IUnknown *outer;        /* the embedding object's controlling unknown */
    HANDLE event;           /* set by Signal */
};

HRESULT event_sync_init(struct event_sync *sync, IUnknown *outer);
void event_sync_cleanup(struct event_sync *sync);

/* ---- cancelstate.c: per-thread cancellation state ---------------------- */

/* the calling thread's CoEnableCallCancellation counter is above zero */
BOOL cancel_thread_enabled(void);
/* frees the calling thread's state (thread_exit: DLL_THREAD_DETACH, where
 * what it holds is released later, outside the loader lock; else process
 * detach) */
void olecancel_thread_detach(BOOL thread_exit);

/* callcancel.c: QueryInterface of objects that are only an ICancelMethodCalls */
HRESULT WINAPI cancel_object_QueryInterface(ICancelMethodCalls *iface, REFIID riid, void **ppv);

#endif /* OLECANCEL_PRIVATE_H */
