/*
 * midl_ps.dll, i686 (/env win32): the proxy/stub code of tests/midl/midl_work.idl,
 * written by hand in the layout Microsoft's MIDL /Oicf /robust emits
 * (MIDL 8.01.0622), for tests/midl_proxy.c.  midl_work_p.c (x64) is the same for the
 * other architecture; each compiles to nothing on the other one, as MIDL's
 * per-platform files do.
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
 * Comments marked "widl:" say where widl -Oif (the generator of every
 * other test proxy, build/idl/*_p.c) emits something else: those are the
 * conventions this DLL puts in front of olecancel.
 */

/* widl: no architecture guard (one output per -m32/-m64 run, #error inside) */
#if !defined(_M_IA64) && !defined(_M_AMD64) && !defined(_ARM_)

#define USE_STUBLESS_PROXY

/* widl: asks for rpcproxy.h version 475; MIDL 8 asks for 483 (mingw's is
 * older than both and does not check) */
#ifndef __REDQ_RPCPROXY_H_VERSION__
#define __REQUIRED_RPCPROXY_H_VERSION__ 483
#endif

#include "rpcproxy.h"
#ifndef __RPCPROXY_H_VERSION__
#error this stub requires an updated version of <rpcproxy.h>
#endif /* __RPCPROXY_H_VERSION__ */

#include "midl_work.h"

#define TYPE_FORMAT_STRING_SIZE   7
#define PROC_FORMAT_STRING_SIZE   259
/* widl: emits neither; MIDL always has an (empty) expression format string
 * and the tables' sizes */
#define EXPR_FORMAT_STRING_SIZE   1
#define TRANSMIT_AS_TABLE_SIZE    0
#define WIRE_MARSHAL_TABLE_SIZE   0

/* widl: the types are called MIDL_TYPE_FORMAT_STRING etc.; MIDL prefixes
 * the file's name */
typedef struct _midl_work_MIDL_TYPE_FORMAT_STRING
    {
    short          Pad;
    unsigned char  Format[ TYPE_FORMAT_STRING_SIZE ];
    } midl_work_MIDL_TYPE_FORMAT_STRING;

typedef struct _midl_work_MIDL_PROC_FORMAT_STRING
    {
    short          Pad;
    unsigned char  Format[ PROC_FORMAT_STRING_SIZE ];
    } midl_work_MIDL_PROC_FORMAT_STRING;

typedef struct _midl_work_MIDL_EXPR_FORMAT_STRING
    {
    long          Pad;
    unsigned char  Format[ EXPR_FORMAT_STRING_SIZE ];
    } midl_work_MIDL_EXPR_FORMAT_STRING;


static const RPC_SYNTAX_IDENTIFIER  _RpcTransferSyntax =
{{0x8A885D04,0x1CEB,0x11C9,{0x9F,0xE8,0x08,0x00,0x2B,0x10,0x48,0x60}},{2,0}};

/* MIDL declares these "extern" and defines them "static", which MSVC
 * accepts and gcc refuses: static here (no difference in the image) */
static const midl_work_MIDL_TYPE_FORMAT_STRING midl_work__MIDL_TypeFormatString;
static const midl_work_MIDL_PROC_FORMAT_STRING midl_work__MIDL_ProcFormatString;
static const midl_work_MIDL_EXPR_FORMAT_STRING midl_work__MIDL_ExprFormatString;

/* the same for these (MIDL: "extern const" forward declarations) */
static const MIDL_STUB_DESC Object_StubDesc;

static const MIDL_SERVER_INFO IOcMidlWork_ServerInfo;
static const MIDL_STUBLESS_PROXY_INFO IOcMidlWork_ProxyInfo;

static const MIDL_SERVER_INFO AsyncIOcMidlWork_ServerInfo;
static const MIDL_STUBLESS_PROXY_INFO AsyncIOcMidlWork_ProxyInfo;


#if !(TARGET_IS_NT50_OR_LATER)
#error You need Windows 2000 or later to run this stub because it uses these features:
#error   /robust command line switch.
#error However, your C/C++ compilation flags indicate you intend to run this app on earlier systems.
#error This app will fail with the RPC_X_WRONG_STUB_VERSION error.
#endif

/* widl: the same bytes except the extension flags (widl 0x0, MIDL /robust
 * 0x1 "new corr desc" on every procedure) and the constant buffer sizes:
 * widl counts 8 bytes for an [out] or [in] pointer to a LONG, MIDL 0x1c
 * (28) — these are sizing hints, larger than what is marshaled, so the
 * channels see buffers longer than their data.  The Begin_ and Finish_
 * procedures carry "has async uuid" (0x20) in both. */
static const midl_work_MIDL_PROC_FORMAT_STRING midl_work__MIDL_ProcFormatString =
    {
        0,
        {
	/* Procedure Add */
			0x33,		/* FC_AUTO_HANDLE */
			0x6c,		/* Old Flags:  object, Oi2 */
/*  2 */	NdrFcLong( 0x0 ),	/* 0 */
/*  6 */	NdrFcShort( 0x3 ),	/* 3 */
/*  8 */	NdrFcShort( 0x18 ),	/* x86 Stack size/offset = 24 */
/* 10 */	NdrFcShort( 0x10 ),	/* 16 */
/* 12 */	NdrFcShort( 0x40 ),	/* 64 */
/* 14 */	0x44,		/* Oi2 Flags:  has return, has ext, */
			0x5,		/* 5 */
/* 16 */	0x8,		/* 8 */
			0x1,		/* Ext Flags:  new corr desc, */
/* 18 */	NdrFcShort( 0x0 ),	/* 0 */
/* 20 */	NdrFcShort( 0x0 ),	/* 0 */
/* 22 */	NdrFcShort( 0x0 ),	/* 0 */
	/* Parameter a */
/* 24 */	NdrFcShort( 0x48 ),	/* Flags:  in, base type, */
/* 26 */	NdrFcShort( 0x4 ),	/* x86 Stack size/offset = 4 */
/* 28 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Parameter b */
/* 30 */	NdrFcShort( 0x48 ),	/* Flags:  in, base type, */
/* 32 */	NdrFcShort( 0x8 ),	/* x86 Stack size/offset = 8 */
/* 34 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Parameter sum */
/* 36 */	NdrFcShort( 0x2150 ),	/* Flags:  out, base type, simple ref, srv alloc size=8 */
/* 38 */	NdrFcShort( 0xc ),	/* x86 Stack size/offset = 12 */
/* 40 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Parameter served */
/* 42 */	NdrFcShort( 0x2150 ),	/* Flags:  out, base type, simple ref, srv alloc size=8 */
/* 44 */	NdrFcShort( 0x10 ),	/* x86 Stack size/offset = 16 */
/* 46 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Return value */
/* 48 */	NdrFcShort( 0x70 ),	/* Flags:  out, return, base type, */
/* 50 */	NdrFcShort( 0x14 ),	/* x86 Stack size/offset = 20 */
/* 52 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Procedure Work */
/* 54 */	0x33,		/* FC_AUTO_HANDLE */
			0x6c,		/* Old Flags:  object, Oi2 */
/* 56 */	NdrFcLong( 0x0 ),	/* 0 */
/* 60 */	NdrFcShort( 0x4 ),	/* 4 */
/* 62 */	NdrFcShort( 0x10 ),	/* x86 Stack size/offset = 16 */
/* 64 */	NdrFcShort( 0x24 ),	/* 36 */
/* 66 */	NdrFcShort( 0x24 ),	/* 36 */
/* 68 */	0x44,		/* Oi2 Flags:  has return, has ext, */
			0x3,		/* 3 */
/* 70 */	0x8,		/* 8 */
			0x1,		/* Ext Flags:  new corr desc, */
/* 72 */	NdrFcShort( 0x0 ),	/* 0 */
/* 74 */	NdrFcShort( 0x0 ),	/* 0 */
/* 76 */	NdrFcShort( 0x0 ),	/* 0 */
	/* Parameter ms */
/* 78 */	NdrFcShort( 0x48 ),	/* Flags:  in, base type, */
/* 80 */	NdrFcShort( 0x4 ),	/* x86 Stack size/offset = 4 */
/* 82 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Parameter value */
/* 84 */	NdrFcShort( 0x158 ),	/* Flags:  in, out, base type, simple ref, */
/* 86 */	NdrFcShort( 0x8 ),	/* x86 Stack size/offset = 8 */
/* 88 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Return value */
/* 90 */	NdrFcShort( 0x70 ),	/* Flags:  out, return, base type, */
/* 92 */	NdrFcShort( 0xc ),	/* x86 Stack size/offset = 12 */
/* 94 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Procedure Begin_Add */
/* 96 */	0x33,		/* FC_AUTO_HANDLE */
			0x6c,		/* Old Flags:  object, Oi2 */
/* 98 */	NdrFcLong( 0x0 ),	/* 0 */
/* 102 */	NdrFcShort( 0x3 ),	/* 3 */
/* 104 */	NdrFcShort( 0x10 ),	/* x86 Stack size/offset = 16 */
/* 106 */	NdrFcShort( 0x10 ),	/* 16 */
/* 108 */	NdrFcShort( 0x8 ),	/* 8 */
/* 110 */	0x64,		/* Oi2 Flags:  has return, has ext, has async uuid, */
			0x3,		/* 3 */
/* 112 */	0x8,		/* 8 */
			0x1,		/* Ext Flags:  new corr desc, */
/* 114 */	NdrFcShort( 0x0 ),	/* 0 */
/* 116 */	NdrFcShort( 0x0 ),	/* 0 */
/* 118 */	NdrFcShort( 0x0 ),	/* 0 */
	/* Parameter a */
/* 120 */	NdrFcShort( 0x48 ),	/* Flags:  in, base type, */
/* 122 */	NdrFcShort( 0x4 ),	/* x86 Stack size/offset = 4 */
/* 124 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Parameter b */
/* 126 */	NdrFcShort( 0x48 ),	/* Flags:  in, base type, */
/* 128 */	NdrFcShort( 0x8 ),	/* x86 Stack size/offset = 8 */
/* 130 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Return value */
/* 132 */	NdrFcShort( 0x70 ),	/* Flags:  out, return, base type, */
/* 134 */	NdrFcShort( 0xc ),	/* x86 Stack size/offset = 12 */
/* 136 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Procedure Finish_Add */
/* 138 */	0x33,		/* FC_AUTO_HANDLE */
			0x6c,		/* Old Flags:  object, Oi2 */
/* 140 */	NdrFcLong( 0x0 ),	/* 0 */
/* 144 */	NdrFcShort( 0x4 ),	/* 4 */
/* 146 */	NdrFcShort( 0x10 ),	/* x86 Stack size/offset = 16 */
/* 148 */	NdrFcShort( 0x0 ),	/* 0 */
/* 150 */	NdrFcShort( 0x40 ),	/* 64 */
/* 152 */	0x64,		/* Oi2 Flags:  has return, has ext, has async uuid, */
			0x3,		/* 3 */
/* 154 */	0x8,		/* 8 */
			0x1,		/* Ext Flags:  new corr desc, */
/* 156 */	NdrFcShort( 0x0 ),	/* 0 */
/* 158 */	NdrFcShort( 0x0 ),	/* 0 */
/* 160 */	NdrFcShort( 0x0 ),	/* 0 */
	/* Parameter sum */
/* 162 */	NdrFcShort( 0x2150 ),	/* Flags:  out, base type, simple ref, srv alloc size=8 */
/* 164 */	NdrFcShort( 0x4 ),	/* x86 Stack size/offset = 4 */
/* 166 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Parameter served */
/* 168 */	NdrFcShort( 0x2150 ),	/* Flags:  out, base type, simple ref, srv alloc size=8 */
/* 170 */	NdrFcShort( 0x8 ),	/* x86 Stack size/offset = 8 */
/* 172 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Return value */
/* 174 */	NdrFcShort( 0x70 ),	/* Flags:  out, return, base type, */
/* 176 */	NdrFcShort( 0xc ),	/* x86 Stack size/offset = 12 */
/* 178 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Procedure Begin_Work */
/* 180 */	0x33,		/* FC_AUTO_HANDLE */
			0x6c,		/* Old Flags:  object, Oi2 */
/* 182 */	NdrFcLong( 0x0 ),	/* 0 */
/* 186 */	NdrFcShort( 0x5 ),	/* 5 */
/* 188 */	NdrFcShort( 0x10 ),	/* x86 Stack size/offset = 16 */
/* 190 */	NdrFcShort( 0x24 ),	/* 36 */
/* 192 */	NdrFcShort( 0x8 ),	/* 8 */
/* 194 */	0x64,		/* Oi2 Flags:  has return, has ext, has async uuid, */
			0x3,		/* 3 */
/* 196 */	0x8,		/* 8 */
			0x1,		/* Ext Flags:  new corr desc, */
/* 198 */	NdrFcShort( 0x0 ),	/* 0 */
/* 200 */	NdrFcShort( 0x0 ),	/* 0 */
/* 202 */	NdrFcShort( 0x0 ),	/* 0 */
	/* Parameter ms */
/* 204 */	NdrFcShort( 0x48 ),	/* Flags:  in, base type, */
/* 206 */	NdrFcShort( 0x4 ),	/* x86 Stack size/offset = 4 */
/* 208 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Parameter value */
/* 210 */	NdrFcShort( 0x148 ),	/* Flags:  in, base type, simple ref, */
/* 212 */	NdrFcShort( 0x8 ),	/* x86 Stack size/offset = 8 */
/* 214 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Return value */
/* 216 */	NdrFcShort( 0x70 ),	/* Flags:  out, return, base type, */
/* 218 */	NdrFcShort( 0xc ),	/* x86 Stack size/offset = 12 */
/* 220 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Procedure Finish_Work */
/* 222 */	0x33,		/* FC_AUTO_HANDLE */
			0x6c,		/* Old Flags:  object, Oi2 */
/* 224 */	NdrFcLong( 0x0 ),	/* 0 */
/* 228 */	NdrFcShort( 0x6 ),	/* 6 */
/* 230 */	NdrFcShort( 0xc ),	/* x86 Stack size/offset = 12 */
/* 232 */	NdrFcShort( 0x0 ),	/* 0 */
/* 234 */	NdrFcShort( 0x24 ),	/* 36 */
/* 236 */	0x64,		/* Oi2 Flags:  has return, has ext, has async uuid, */
			0x2,		/* 2 */
/* 238 */	0x8,		/* 8 */
			0x1,		/* Ext Flags:  new corr desc, */
/* 240 */	NdrFcShort( 0x0 ),	/* 0 */
/* 242 */	NdrFcShort( 0x0 ),	/* 0 */
/* 244 */	NdrFcShort( 0x0 ),	/* 0 */
	/* Parameter value */
/* 246 */	NdrFcShort( 0x2150 ),	/* Flags:  out, base type, simple ref, srv alloc size=8 */
/* 248 */	NdrFcShort( 0x4 ),	/* x86 Stack size/offset = 4 */
/* 250 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */
	/* Return value */
/* 252 */	NdrFcShort( 0x70 ),	/* Flags:  out, return, base type, */
/* 254 */	NdrFcShort( 0x8 ),	/* x86 Stack size/offset = 8 */
/* 256 */	0x8,		/* FC_LONG */
			0x0,		/* 0 */

			0x0

        }
    };

/* widl: one FC_RP entry per [out] or [in, out] parameter (7 here); MIDL
 * emits each distinct type once */
static const midl_work_MIDL_TYPE_FORMAT_STRING midl_work__MIDL_TypeFormatString =
    {
        0,
        {
			NdrFcShort( 0x0 ),	/* 0 */
/*  2 */
			0x11, 0x8,	/* FC_RP [simple_pointer] */
/*  4 */	0x8,		/* FC_LONG */
			0x5c,		/* FC_PAD */

			0x0
        }
    };

static const midl_work_MIDL_EXPR_FORMAT_STRING midl_work__MIDL_ExprFormatString =
    {
        0,
        {
			0x0
        }
    };


/* Standard interface: __MIDL_itf_midl_work_0000_0000, ver. 0.0,
   GUID={0x00000000,0x0000,0x0000,{0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00}} */


/* Object interface: IUnknown, ver. 0.0,
   GUID={0x00000000,0x0000,0x0000,{0xC0,0x00,0x00,0x00,0x00,0x00,0x00,0x46}} */


/* Object interface: IOcMidlWork, ver. 0.0,
   GUID={0x6f1c0a10,0x5b1e,0x4c61,{0x9a,0x57,0x0c,0x7e,0x0a,0x5f,0x00,0x40}} */

#pragma code_seg(".orpc")
static const unsigned short IOcMidlWork_FormatStringOffsetTable[] =
    {
    0,
    54
    };

static const MIDL_STUBLESS_PROXY_INFO IOcMidlWork_ProxyInfo =
    {
    &Object_StubDesc,
    midl_work__MIDL_ProcFormatString.Format,
    &IOcMidlWork_FormatStringOffsetTable[-3],
    0,
    0,
    0
    };


static const MIDL_SERVER_INFO IOcMidlWork_ServerInfo =
    {
    &Object_StubDesc,
    0,
    midl_work__MIDL_ProcFormatString.Format,
    &IOcMidlWork_FormatStringOffsetTable[-3],
    0,
    0,
    0,
    0};

/* widl: "static", with the header and the methods in two inner braces and
 * "(void *)-1"; MIDL: external linkage, one flat list, "(void *) (INT_PTR) -1"
 * for each stubless method */
CINTERFACE_PROXY_VTABLE(5) _IOcMidlWorkProxyVtbl =
{
    &IOcMidlWork_ProxyInfo,
    &IID_IOcMidlWork,
    IUnknown_QueryInterface_Proxy,
    IUnknown_AddRef_Proxy,
    IUnknown_Release_Proxy ,
    (void *) (INT_PTR) -1 /* IOcMidlWork::Add */ ,
    (void *) (INT_PTR) -1 /* IOcMidlWork::Work */
};

/* widl: "static const", no comment on the dispatch table; MIDL's is
 * writable (rpcrt4's NdrDllGetClassObject fills its NULL methods in) */
CInterfaceStubVtbl _IOcMidlWorkStubVtbl =
{
    &IID_IOcMidlWork,
    &IOcMidlWork_ServerInfo,
    5,
    0, /* pure interpreted */
    CStdStubBuffer_METHODS
};


/* Object interface: AsyncIOcMidlWork, ver. 0.0,
   GUID={0x6f1c0a10,0x5b1e,0x4c61,{0x9a,0x57,0x0c,0x7e,0x0a,0x5f,0x00,0x41}} */

#pragma code_seg(".orpc")
static const unsigned short AsyncIOcMidlWork_FormatStringOffsetTable[] =
    {
    96,
    138,
    180,
    222
    };

static const MIDL_STUBLESS_PROXY_INFO AsyncIOcMidlWork_ProxyInfo =
    {
    &Object_StubDesc,
    midl_work__MIDL_ProcFormatString.Format,
    &AsyncIOcMidlWork_FormatStringOffsetTable[-3],
    0,
    0,
    0
    };


static const MIDL_SERVER_INFO AsyncIOcMidlWork_ServerInfo =
    {
    &Object_StubDesc,
    0,
    midl_work__MIDL_ProcFormatString.Format,
    &AsyncIOcMidlWork_FormatStringOffsetTable[-3],
    0,
    0,
    0,
    0};
CINTERFACE_PROXY_VTABLE(7) _AsyncIOcMidlWorkProxyVtbl =
{
    &AsyncIOcMidlWork_ProxyInfo,
    &IID_AsyncIOcMidlWork,
    IUnknown_QueryInterface_Proxy,
    IUnknown_AddRef_Proxy,
    IUnknown_Release_Proxy ,
    (void *) (INT_PTR) -1 /* AsyncIOcMidlWork::Begin_Add */ ,
    (void *) (INT_PTR) -1 /* AsyncIOcMidlWork::Finish_Add */ ,
    (void *) (INT_PTR) -1 /* AsyncIOcMidlWork::Begin_Work */ ,
    (void *) (INT_PTR) -1 /* AsyncIOcMidlWork::Finish_Work */
};

/* widl: the asynchronous stub is pure interpreted too (dispatch table 0);
 * MIDL names NdrDcomAsyncStubCall for each of AsyncIFoo's own methods,
 * the table pointed to at [-3] like the offset table */
/* (the casts are ours: NdrDcomAsyncStubCall returns a long, a
 * PRPC_STUB_FUNCTION nothing; MSVC takes MIDL's uncast names with a
 * warning, gcc 14 refuses them) */
static const PRPC_STUB_FUNCTION AsyncIOcMidlWork_table[] =
{
    (PRPC_STUB_FUNCTION) NdrDcomAsyncStubCall,
    (PRPC_STUB_FUNCTION) NdrDcomAsyncStubCall,
    (PRPC_STUB_FUNCTION) NdrDcomAsyncStubCall,
    (PRPC_STUB_FUNCTION) NdrDcomAsyncStubCall
};

/* CStdAsyncStubBuffer_METHODS: Windows' rpcproxy.h and mingw's both make
 * it zeros, for NdrDllGetClassObject to fill in with rpcrt4's
 * asynchronous stub buffer methods (Wine puts its CStdStubBuffer ones) */
CInterfaceStubVtbl _AsyncIOcMidlWorkStubVtbl =
{
    &IID_AsyncIOcMidlWork,
    &AsyncIOcMidlWork_ServerInfo,
    7,
    &AsyncIOcMidlWork_table[-3],
    CStdAsyncStubBuffer_METHODS
};


/* widl: "{0}, 0, 0, 0, 0," for the handle union and tables, MIDL
 * version 0x50200ca (5.2.202); MIDL 8.01.0622 writes 0x801026e.  Both:
 * NDR version 0x50002 and mFlags 1. */
static const MIDL_STUB_DESC Object_StubDesc =
    {
    0,
    NdrOleAllocate,
    NdrOleFree,
    { 0 },
    0,
    0,
    0,
    0,
    midl_work__MIDL_TypeFormatString.Format,
    1, /* -error bounds_check flag */
    0x50002, /* Ndr library version */
    0,
    0x801026e, /* MIDL Version 8.1.622 */
    0,
    0,
    0,  /* notify & notify_flag routine table */
    0x1, /* MIDL flag */
    0, /* cs routines */
    0,   /* proxy/server info */
    0
    };

/* widl: static lists, "(const CInterfaceProxyVtbl*)" casts; MIDL: external
 * linkage, the interfaces sorted by IID (the lookup below is a binary
 * search over that order: ...0040 < ...0041) */
const CInterfaceProxyVtbl * const _midl_work_ProxyVtblList[] =
{
    ( CInterfaceProxyVtbl *) &_IOcMidlWorkProxyVtbl,
    ( CInterfaceProxyVtbl *) &_AsyncIOcMidlWorkProxyVtbl,
    0
};

const CInterfaceStubVtbl * const _midl_work_StubVtblList[] =
{
    ( CInterfaceStubVtbl *) &_IOcMidlWorkStubVtbl,
    ( CInterfaceStubVtbl *) &_AsyncIOcMidlWorkStubVtbl,
    0
};

PCInterfaceName const _midl_work_InterfaceNamesList[] =
{
    "IOcMidlWork",
    "AsyncIOcMidlWork",
    0
};


#define _midl_work_CHECK_IID(n)	IID_GENERIC_CHECK_IID( _midl_work, pIID, n)

/* widl: a while loop over low/high; MIDL: rpcproxy.h's IID_BS_LOOKUP
 * macros (for two interfaces: the split at 1, then the one below) */
int __stdcall _midl_work_IID_Lookup( const IID * pIID, int * pIndex )
{
    IID_BS_LOOKUP_SETUP

    IID_BS_LOOKUP_INITIAL_TEST( _midl_work, 2, 1 )
    IID_BS_LOOKUP_RETURN_RESULT( _midl_work, 2, *pIndex )

}

/* widl: "(IID*)(LONG_PTR)-1" and no comment, static, named
 * _AsyncInterfaceTable; the same entries: per interface of the list, its
 * async IID, -1 for an asynchronous interface itself, 0 for none */
static const IID * _midl_work_AsyncInterfaceTable[] =
{
    (IID*) &IID_AsyncIOcMidlWork,
    (IID*) -1, /* AsyncIOcMidlWork */
    0
};

/* widl: DECLSPEC_HIDDEN, without the list casts' "&"; the same values:
 * TableSize 2, TableVersion 6 (2, with bit 4 for the asynchronous table) */
const ExtendedProxyFileInfo midl_work_ProxyFileInfo =
{
    (PCInterfaceProxyVtblList *) & _midl_work_ProxyVtblList,
    (PCInterfaceStubVtblList *) & _midl_work_StubVtblList,
    (const PCInterfaceName * ) & _midl_work_InterfaceNamesList,
    0, /* no delegation */
    & _midl_work_IID_Lookup,
    2,
    6,
    (const IID**) &_midl_work_AsyncInterfaceTable[0], /* async interface table */
    0, /* Filler1 */
    0, /* Filler2 */
    0  /* Filler3 */
};


#endif /* !defined(_M_IA64) && !defined(_M_AMD64) && !defined(_ARM_) */

