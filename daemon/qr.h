/* qr.h — QR codes as SVG, for the attendees' badge sheet. */
#ifndef TAKT_QR_H
#define TAKT_QR_H

#define QR_QUIET	4	/* modules of white border the standard asks for */

/*
 * Encodes text (UTF-8, as 8-bit data, error correction M) as a standalone
 * SVG element one unit per module; returns a malloc'd string or NULL.
 */
char	*qr_svg(const char *text);

#endif
