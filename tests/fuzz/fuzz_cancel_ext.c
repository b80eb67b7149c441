/*
 * olecancel: fuzzes the cancel extension parser (cancel_ext.c) natively
 *
 * Copyright 2026 the olecancel developers
 *
 * This library is free software; you can redistribute it and/or
 * modify it under the terms of the GNU Lesser General Public
 * License as published by the Free Software Foundation; either
 * version 2.1 of the License, or (at your option) any later version.
 *
 * Built natively by the Makefile (build/fuzz/fuzz_cancel_ext, with
 * AddressSanitizer and UBSan) and run by `make check` with 1 M inputs:
 *   build/fuzz/fuzz_cancel_ext [iterations] [seed]
 * runs "iterations" extension inputs through cancel_ext_parse and as many
 * whole requests through cancel_ext_find_in_request (default 2 M each).
 * Every input sits in a buffer of exactly its size, so AddressSanitizer
 * reports any read past the end.  Exit code 0 = no crash, no violated rule.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cancel_ext.h"

static unsigned long long rng_state;

static unsigned int rnd(void)
{
    /* xorshift64*: reproducible from the seed */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (unsigned int)((rng_state * 2685821657736338717ull) >> 32);
}

static unsigned long failures;

static void check(int cond, const char *what, unsigned long iter)
{
    if (cond) return;
    if (failures++ < 20) fprintf(stderr, "iteration %lu: %s\n", iter, what);
}

int main(int argc, char **argv)
{
    unsigned long iterations = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000000;
    unsigned long seed = argc > 2 ? strtoul(argv[2], NULL, 0) : 20260101;
    unsigned long i, counts[4] = { 0 };
    unsigned char valid[CANCEL_EXT_CANCEL_SIZE], id[16], out[16];

    rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
    for (i = 0; i < iterations; i++)
    {
        unsigned char scratch[128];
        unsigned long size, rep = CANCEL_EXT_LITTLE_ENDIAN_REP, j;
        unsigned char *buf;
        enum cancel_ext_kind kind;
        unsigned int mode = rnd() % 6;

        for (j = 0; j < 16; j++) id[j] = rnd();
        switch (mode)
        {
        case 0:     /* pure noise */
            size = rnd() % 64;
            for (j = 0; j < size; j++) scratch[j] = rnd();
            break;
        case 1:     /* a valid cancellable extension, some bits flipped */
        case 2:     /* a valid plain extension, some bits flipped */
            size = cancel_ext_write(scratch, sizeof(scratch), mode == 1 ? id : NULL);
            for (j = rnd() % 4; j; j--) scratch[rnd() % size] ^= 1u << (rnd() % 8);
            break;
        case 3:     /* truncated or extended valid data */
            size = cancel_ext_write(scratch, sizeof(scratch), (rnd() & 1) ? id : NULL);
            if (rnd() & 1) size = rnd() % size;
            else { j = size; size += rnd() % 40; for (; j < size; j++) scratch[j] = rnd(); }
            break;
        case 4:     /* unmodified, but a foreign data representation now and then */
            size = cancel_ext_write(scratch, sizeof(scratch), (rnd() & 1) ? id : NULL);
            if (rnd() % 4 == 0) rep = rnd();
            break;
        default:    /* right header, random sizes and flags */
            size = cancel_ext_write(scratch, sizeof(scratch), id);
            scratch[6] = rnd(); scratch[7] = (rnd() % 8) ? 0 : rnd();
            size = rnd() % 48;
            for (j = CANCEL_EXT_CANCEL_SIZE; j < size; j++) scratch[j] = rnd();
            break;
        }

        buf = malloc(size ? size : 1);
        memcpy(buf, scratch, size);
        memset(out, 0xcc, sizeof(out));
        kind = cancel_ext_parse(size ? buf : (rnd() & 1 ? buf : NULL), size, rep, out);
        counts[kind]++;

        /* rules the parser promises */
        check(kind <= CANCEL_EXT_CANCEL, "kind out of range", i);
        if (kind == CANCEL_EXT_PLAIN) check(size == CANCEL_EXT_PLAIN_SIZE, "plain with wrong size", i);
        if (kind == CANCEL_EXT_CANCEL)
        {
            check(size == CANCEL_EXT_CANCEL_SIZE, "cancellable with wrong size", i);
            check(!memcmp(out, buf + 8, 16), "id not copied", i);
        }
        if (kind == CANCEL_EXT_NONE) check(size == 0, "none with data", i);
        if (mode == 4 && (rep & 0xf0) == CANCEL_EXT_LITTLE_ENDIAN_REP)
            check(kind == (size == CANCEL_EXT_CANCEL_SIZE ? CANCEL_EXT_CANCEL : CANCEL_EXT_PLAIN),
                  "valid data rejected", i);
        free(buf);
    }

    /* round trip */
    cancel_ext_write(valid, sizeof(valid), id);
    check(cancel_ext_parse(valid, sizeof(valid), CANCEL_EXT_LITTLE_ENDIAN_REP, out) == CANCEL_EXT_CANCEL
          && !memcmp(out, id, 16), "round trip", iterations);

    /* whole requests for cancel_ext_find_in_request */
    for (i = 0; i < iterations; i++)
    {
        static const unsigned char ext_id[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
        unsigned char req[512], *buf;
        unsigned long len = 48, n = rnd() % 4, j, k, ours = rnd() % (n + 1);
        enum cancel_ext_kind kind;

        for (j = 0; j < 48; j++) req[j] = rnd();
        req[0] = 5; req[1] = 0;
        req[28] = 1; req[29] = req[30] = req[31] = 0;
        req[32] = n; req[33] = req[34] = req[35] = 0;
        req[44] = (n + 1) & ~1; req[45] = req[46] = req[47] = 0;
        for (j = 0; j < n; j++)
        {
            unsigned long size = (j == ours) ? CANCEL_EXT_CANCEL_SIZE : rnd() % 40, conf = (size + 7) & ~7ul;
            req[len] = conf; req[len + 1] = req[len + 2] = req[len + 3] = 0;
            for (k = 0; k < 16; k++) req[len + 4 + k] = (j == ours) ? ext_id[k] : rnd();
            req[len + 20] = size; req[len + 21] = req[len + 22] = req[len + 23] = 0;
            if (j == ours) cancel_ext_write(req + len + 24, conf, id);
            else for (k = 0; k < conf; k++) req[len + 24 + k] = rnd();
            len += 24 + conf;
        }
        if (rnd() % 3 == 0) for (j = rnd() % 4; j; j--) req[rnd() % len] ^= 1u << (rnd() % 8);
        if (rnd() % 4 == 0) len = rnd() % (len + 1);
        buf = malloc(len ? len : 1);
        memcpy(buf, req, len);
        kind = cancel_ext_find_in_request(buf, len, ext_id, out);
        counts[kind]++;
        check(kind <= CANCEL_EXT_CANCEL, "request: kind out of range", i);
        free(buf);
    }

    printf("fuzz_cancel_ext: %lu extension inputs + %lu requests (seed %lu): %lu invalid, %lu none, %lu plain, %lu cancellable; %lu failures\n",
           iterations, iterations, seed, counts[CANCEL_EXT_INVALID], counts[CANCEL_EXT_NONE], counts[CANCEL_EXT_PLAIN],
           counts[CANCEL_EXT_CANCEL], failures);
    return failures ? 1 : 0;
}
