/*
 * olecancel: DllMain
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * DllMain does no COM work, and neither does COM initialisation: what
 * olecancel adds starts when a process first needs it (features.c).  The
 * one thing done at load is pointing combase's stubs of the cancel API at
 * olecancel's functions, for programs that reach them there
 * (combasepatch.c).
 */

#include "olecancel_private.h"

HINSTANCE olecancel_instance;

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, void *reserved)
{
    switch (reason)
    {
    case DLL_PROCESS_ATTACH:
        olecancel_instance = instance;
        combase_patch_stubs();
        break;
    case DLL_THREAD_DETACH:
        olecancel_thread_detach(TRUE);
        break;
    case DLL_PROCESS_DETACH:
        if (reserved) break;
        /* unloaded while the process goes on: combase must not jump here */
        combase_unpatch_stubs();
        olecancel_thread_detach(FALSE);
        break;
    }
    return TRUE;
}
