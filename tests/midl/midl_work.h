/*
 * tests/midl/midl_work.idl's declarations as MIDL's header gives them
 * (C only: MIDL's C++ half, MIDL_INTERFACE structs, is left out)
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
 * widl: guards "__WIDL_MIDL_WORK_H", declares the IIDs with DEFINE_GUID
 * and __CRT_UUID_DECL, adds inline wrapper functions; MIDL: the guards
 * below, "EXTERN_C const IID", macros only.
 */

/* verify that the <rpcndr.h> version is high enough to compile this file*/
#ifndef __REQUIRED_RPCNDR_H_VERSION__
#define __REQUIRED_RPCNDR_H_VERSION__ 500
#endif

#include "rpc.h"
#include "rpcndr.h"

#ifndef __RPCNDR_H_VERSION__
#error this stub requires an updated version of <rpcndr.h>
#endif /* __RPCNDR_H_VERSION__ */

#ifndef COM_NO_WINDOWS_H
#include "windows.h"
#include "ole2.h"
#endif /*COM_NO_WINDOWS_H*/

#ifndef __midl_work_h__
#define __midl_work_h__

/* Forward Declarations */

#ifndef __IOcMidlWork_FWD_DEFINED__
#define __IOcMidlWork_FWD_DEFINED__
typedef interface IOcMidlWork IOcMidlWork;

#endif 	/* __IOcMidlWork_FWD_DEFINED__ */


#ifndef __AsyncIOcMidlWork_FWD_DEFINED__
#define __AsyncIOcMidlWork_FWD_DEFINED__
typedef interface AsyncIOcMidlWork AsyncIOcMidlWork;

#endif 	/* __AsyncIOcMidlWork_FWD_DEFINED__ */


/* header files for imported files */
#include "unknwn.h"

#ifdef __cplusplus
extern "C"{
#endif


#ifndef __IOcMidlWork_INTERFACE_DEFINED__
#define __IOcMidlWork_INTERFACE_DEFINED__

/* interface IOcMidlWork */
/* [async_uuid][unique][uuid][object] */


EXTERN_C const IID IID_IOcMidlWork;

    typedef struct IOcMidlWorkVtbl
    {
        BEGIN_INTERFACE

        HRESULT ( STDMETHODCALLTYPE *QueryInterface )(
            IOcMidlWork * This,
            /* [in] */ REFIID riid,
            /* [annotation][iid_is][out] */
            void **ppvObject);

        ULONG ( STDMETHODCALLTYPE *AddRef )(
            IOcMidlWork * This);

        ULONG ( STDMETHODCALLTYPE *Release )(
            IOcMidlWork * This);

        HRESULT ( STDMETHODCALLTYPE *Add )(
            IOcMidlWork * This,
            /* [in] */ LONG a,
            /* [in] */ LONG b,
            /* [out] */ LONG *sum,
            /* [out] */ LONG *served);

        HRESULT ( STDMETHODCALLTYPE *Work )(
            IOcMidlWork * This,
            /* [in] */ DWORD ms,
            /* [out][in] */ LONG *value);

        END_INTERFACE
    } IOcMidlWorkVtbl;

    interface IOcMidlWork
    {
        CONST_VTBL struct IOcMidlWorkVtbl *lpVtbl;
    };



#ifdef COBJMACROS


#define IOcMidlWork_QueryInterface(This,riid,ppvObject)	\
    ( (This)->lpVtbl -> QueryInterface(This,riid,ppvObject) )

#define IOcMidlWork_AddRef(This)	\
    ( (This)->lpVtbl -> AddRef(This) )

#define IOcMidlWork_Release(This)	\
    ( (This)->lpVtbl -> Release(This) )


#define IOcMidlWork_Add(This,a,b,sum,served)	\
    ( (This)->lpVtbl -> Add(This,a,b,sum,served) )

#define IOcMidlWork_Work(This,ms,value)	\
    ( (This)->lpVtbl -> Work(This,ms,value) )

#endif /* COBJMACROS */


#endif 	/* __IOcMidlWork_INTERFACE_DEFINED__ */


#ifndef __AsyncIOcMidlWork_INTERFACE_DEFINED__
#define __AsyncIOcMidlWork_INTERFACE_DEFINED__

/* interface AsyncIOcMidlWork */
/* [uuid][unique][object] */


EXTERN_C const IID IID_AsyncIOcMidlWork;

    typedef struct AsyncIOcMidlWorkVtbl
    {
        BEGIN_INTERFACE

        HRESULT ( STDMETHODCALLTYPE *QueryInterface )(
            AsyncIOcMidlWork * This,
            /* [in] */ REFIID riid,
            /* [annotation][iid_is][out] */
            void **ppvObject);

        ULONG ( STDMETHODCALLTYPE *AddRef )(
            AsyncIOcMidlWork * This);

        ULONG ( STDMETHODCALLTYPE *Release )(
            AsyncIOcMidlWork * This);

        HRESULT ( STDMETHODCALLTYPE *Begin_Add )(
            AsyncIOcMidlWork * This,
            /* [in] */ LONG a,
            /* [in] */ LONG b);

        HRESULT ( STDMETHODCALLTYPE *Finish_Add )(
            AsyncIOcMidlWork * This,
            /* [out] */ LONG *sum,
            /* [out] */ LONG *served);

        HRESULT ( STDMETHODCALLTYPE *Begin_Work )(
            AsyncIOcMidlWork * This,
            /* [in] */ DWORD ms,
            /* [out][in] */ LONG *value);

        HRESULT ( STDMETHODCALLTYPE *Finish_Work )(
            AsyncIOcMidlWork * This,
            /* [out][in] */ LONG *value);

        END_INTERFACE
    } AsyncIOcMidlWorkVtbl;

    interface AsyncIOcMidlWork
    {
        CONST_VTBL struct AsyncIOcMidlWorkVtbl *lpVtbl;
    };



#ifdef COBJMACROS


#define AsyncIOcMidlWork_QueryInterface(This,riid,ppvObject)	\
    ( (This)->lpVtbl -> QueryInterface(This,riid,ppvObject) )

#define AsyncIOcMidlWork_AddRef(This)	\
    ( (This)->lpVtbl -> AddRef(This) )

#define AsyncIOcMidlWork_Release(This)	\
    ( (This)->lpVtbl -> Release(This) )


#define AsyncIOcMidlWork_Begin_Add(This,a,b)	\
    ( (This)->lpVtbl -> Begin_Add(This,a,b) )

#define AsyncIOcMidlWork_Finish_Add(This,sum,served)	\
    ( (This)->lpVtbl -> Finish_Add(This,sum,served) )

#define AsyncIOcMidlWork_Begin_Work(This,ms,value)	\
    ( (This)->lpVtbl -> Begin_Work(This,ms,value) )

#define AsyncIOcMidlWork_Finish_Work(This,value)	\
    ( (This)->lpVtbl -> Finish_Work(This,value) )

#endif /* COBJMACROS */


#endif 	/* __AsyncIOcMidlWork_INTERFACE_DEFINED__ */


/* Additional Prototypes for ALL interfaces */

/* end of Additional Prototypes */

#ifdef __cplusplus
}
#endif

#endif
