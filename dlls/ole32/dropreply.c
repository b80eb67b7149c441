/*
 * olecancel: the interface references in a reply nobody will unmarshal
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
 * A reply that is dropped because a cancel won -- on the synchronous path
 * one that arrived as its call was abandoned, on the asynchronous path one
 * that came after Cancel or after the call object was released -- may carry
 * [out] interface pointers.  Each is an OBJREF holding public references
 * the server's stub manager gave away when it marshaled the reply; Wine has
 * no pinging, so unless somebody unmarshals them the object lives as long
 * as its server.
 *
 * The method's format strings are not at hand where the reply is dropped,
 * so the NDR cannot be walked.  The reply is searched instead for what
 * rpcrt4's interface-pointer marshaler writes: at a 4-byte boundary a byte
 * count, then that many bytes holding a standard OBJREF ("MEOW",
 * OBJREF_STANDARD, the IID, a STDOBJREF with public references, a string
 * binding that fits).  Each one found is unmarshaled in the MTA, on a
 * thread-pool thread, and released: the references go back the ordinary
 * way (RemRelease, or the stub manager's own count for an object of this
 * process).  Custom and handler OBJREFs are left alone: unmarshaling them
 * would create an object of a class the reply names.  Bytes of some other
 * [out] value that happen to look exactly like a standard OBJREF would be
 * unmarshaled and released as well; a server can hand out such references
 * in a real [out] interface pointer just as easily.
 */

#include "olecancel_private.h"
#include "drop_reply.h"

#define OBJREF_SIGNATURE 0x574f454d   /* "MEOW" */
#define OBJREF_STANDARD  1
/* signature, flags, iid, STDOBJREF (flags, cPublicRefs, oxid, oid, ipid),
 * the string array's two counts */
#define OBJREF_MIN_SIZE  (4 + 4 + 16 + 4 + 4 + 8 + 8 + 16 + 2 + 2)
#define OBJREF_REFS_AT   (4 + 4 + 16 + 4)
#define OBJREF_DSA_AT    (4 + 4 + 16 + 40)

struct found_refs
{
    ULONG count;
    struct { ULONG offset, size; } ref[16];
    unsigned char data[1];
};

static LONG refs_released;

LONG drop_reply_refs_released(void)
{
    return refs_released;
}

static ULONG read_ulong(const unsigned char *p)
{
    ULONG v;
    memcpy(&v, p, sizeof(v));
    return v;
}

static USHORT read_ushort(const unsigned char *p)
{
    USHORT v;
    memcpy(&v, p, sizeof(v));
    return v;
}

/* a standard OBJREF with references to give back, exactly size bytes */
static BOOL is_standard_objref(const unsigned char *p, ULONG size)
{
    USHORT entries, security;

    if (size < OBJREF_MIN_SIZE) return FALSE;
    if (read_ulong(p) != OBJREF_SIGNATURE || read_ulong(p + 4) != OBJREF_STANDARD) return FALSE;
    if (!read_ulong(p + OBJREF_REFS_AT)) return FALSE;
    entries = read_ushort(p + OBJREF_DSA_AT);
    security = read_ushort(p + OBJREF_DSA_AT + 2);
    if (security > entries) return FALSE;
    return OBJREF_DSA_AT + 4 + (ULONG)entries * 2 <= size;
}

static void release_one(const unsigned char *objref, ULONG size)
{
    HGLOBAL global;
    IStream *stream;
    IUnknown *unk;
    HRESULT hr;

    if (!(global = GlobalAlloc(GMEM_MOVEABLE, size))) return;
    memcpy(GlobalLock(global), objref, size);
    GlobalUnlock(global);
    if (FAILED(hr = CreateStreamOnHGlobal(global, TRUE, &stream)))
    {
        GlobalFree(global);
        return;
    }
    if (SUCCEEDED(hr = combase_unmarshal_interface(stream, &IID_IUnknown, (void **)&unk)))
    {
        IUnknown_Release(unk);
        InterlockedIncrement(&refs_released);
        TRACE("references of a dropped reply given back\n");
    }
    else WARN("cannot unmarshal an interface of a dropped reply: %#lx; its references stay\n", hr);
    IStream_Release(stream);
}

static void CALLBACK release_proc(TP_CALLBACK_INSTANCE *instance, void *context)
{
    struct found_refs *found = context;
    HRESULT init = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    ULONG i;

    for (i = 0; i < found->count; i++)
        release_one(found->data + found->ref[i].offset, found->ref[i].size);
    if (SUCCEEDED(init)) CoUninitialize();
    HeapFree(GetProcessHeap(), 0, found);
}

void drop_reply(const void *buffer, ULONG len)
{
    const unsigned char *bytes = buffer;
    struct found_refs *found;
    ULONG pos, count = 0, size;

    if (!bytes || len < 4 + OBJREF_MIN_SIZE) return;
    /* the reply's own buffer goes back to rpcrt4 when this returns: keep a copy */
    if (!(found = HeapAlloc(GetProcessHeap(), 0, FIELD_OFFSET(struct found_refs, data[len]))))
    {
        WARN("out of memory: the references of a dropped reply stay\n");
        return;
    }
    memcpy(found->data, bytes, len);
    /* rpcrt4 aligns the count to 4 from the buffer's start; the buffer itself is 8-aligned */
    for (pos = 0; pos + 4 + OBJREF_MIN_SIZE <= len; pos += 4)
    {
        size = read_ulong(bytes + pos);
        if (size > len - pos - 4 || !is_standard_objref(bytes + pos + 4, size)) continue;
        if (count == sizeof(found->ref) / sizeof(found->ref[0]))
        {
            WARN("more than %lu interfaces in a dropped reply: the rest keep their references\n", count);
            break;
        }
        found->ref[count].offset = pos + 4;
        found->ref[count].size = size;
        count++;
        pos += (size + 3) & ~3u;
    }
    found->count = count;
    if (!count)
    {
        HeapFree(GetProcessHeap(), 0, found);
        return;
    }
    TRACE("dropped reply of %lu bytes holds %lu interface(s)\n", len, count);
    if (!TrySubmitThreadpoolCallback(release_proc, found, NULL))
    {
        WARN("no thread-pool thread: the references of a dropped reply stay\n");
        HeapFree(GetProcessHeap(), 0, found);
    }
}
