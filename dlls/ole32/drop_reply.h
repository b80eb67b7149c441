/*
 * olecancel: giving back the interface references of a dropped reply
 *
 * Copyright 2026 the olecancel developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#ifndef OLECANCEL_DROP_REPLY_H
#define OLECANCEL_DROP_REPLY_H

#include <windows.h>

/* the reply (NDR, with or without an ORPCTHAT in front) will never be
 * unmarshaled: the standard OBJREFs in it are unmarshaled in the MTA and
 * released, later, on a thread-pool thread; the buffer may go once this
 * returns */
void drop_reply(const void *buffer, ULONG len);
/* diagnostics: interfaces of dropped replies unmarshaled and released */
LONG drop_reply_refs_released(void);

#endif
