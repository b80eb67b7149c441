/*
 * midl_ps.dll's proxy file list and exports, as MIDL's dlldata.c gives
 * them (compiled with -DREGISTER_PROXY_DLL and PROXY_CLSID_IS, as a
 * Windows project does for a self-registering proxy/stub DLL)
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
 * widl: also includes objbase.h first; otherwise the same macros (and no
 * PROXY_DELEGATION here, as MIDL: no interface delegates to a base proxy).
 */

#include <rpcproxy.h>

#ifdef __cplusplus
extern "C"   {
#endif

EXTERN_PROXY_FILE( midl_work )


PROXYFILE_LIST_START
/* Start of list */
  REFERENCE_PROXY_FILE( midl_work ),
/* End of list */
PROXYFILE_LIST_END


DLLDATA_ROUTINES( aProxyFileList, GET_DLL_CLSID )

#ifdef __cplusplus
}  /*extern "C" */
#endif

/* end of generated dlldata file */
