/*
 * test_qr.c — the badge QR codes. There is no decoder at hand, so the SVG
 * path is read back into a module matrix and compared with what libqrencode
 * itself produced for the same text: every dark module drawn, no light one.
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <qrencode.h>

#include "qr.h"

#define LINK "http://127.0.0.1:8080/me#token=" \
	"q3Vb1y0mZ8x2-_aLrT5sN7kP9wE4hJ6cD0fG8iU2oYt"

/* Reads "M x yhNv1h-Nz" runs back into a width x width matrix (quiet zone removed). */
static bool
parse_path(const char *svg, int width, unsigned char *m)
{
	const char	*p = strstr(svg, " d=\"");
	int		 x, y, n, n2, used;

	if (p == NULL)
		return false;
	p += 4;
	while (*p == 'M') {
		if (sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &n2, &used) != 4)
			return false;
		x -= QR_QUIET;
		y -= QR_QUIET;
		if (n != n2 || n < 1 || x < 0 || y < 0 || y >= width || x + n > width)
			return false;
		while (n-- > 0)
			m[y * width + x++] = 1;
		p += used;
	}
	return *p == '"';
}

/* Draws exactly libqrencode's dark modules, inside a quiet zone. */
START_TEST(test_matrix)
{
	QRcode		*q = QRcode_encodeString8bit(LINK, 0, QR_ECLEVEL_M);
	char		*svg = qr_svg(LINK), vb[64];
	unsigned char	*m;
	int		 i, dark = 0;

	ck_assert_ptr_nonnull(q);
	ck_assert_ptr_nonnull(svg);
	snprintf(vb, sizeof vb, "viewBox=\"0 0 %d %d\"", q->width + 2 * QR_QUIET,
	    q->width + 2 * QR_QUIET);
	ck_assert_ptr_nonnull(strstr(svg, vb));
	m = calloc((size_t)(q->width * q->width), 1);
	ck_assert(parse_path(svg, q->width, m));
	for (i = 0; i < q->width * q->width; i++) {
		ck_assert_int_eq(m[i], q->data[i] & 1);
		dark += m[i];
	}
	ck_assert_int_gt(dark, q->width);
	free(m);
	free(svg);
	QRcode_free(q);
}
END_TEST

/* A personal link fits a small version that phones read at badge size. */
START_TEST(test_version)
{
	QRcode	*q = QRcode_encodeString8bit(LINK, 0, QR_ECLEVEL_M);

	ck_assert_ptr_nonnull(q);
	ck_assert_int_le(q->version, 6);
	QRcode_free(q);
}
END_TEST

/* The document is one standalone SVG element, the same every time. */
START_TEST(test_shape)
{
	char	*a = qr_svg(LINK), *b = qr_svg(LINK), *c = qr_svg("other");

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(c);
	ck_assert(strncmp(a, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
	ck_assert(strcmp(a + strlen(a) - 6, "</svg>") == 0);
	ck_assert_str_eq(a, b);
	ck_assert_str_ne(a, c);
	ck_assert_ptr_null(strchr(a, '&'));
	free(a);
	free(b);
	free(c);
}
END_TEST

/* Nothing to encode gives NULL, not an empty code. */
START_TEST(test_empty)
{
	ck_assert_ptr_null(qr_svg(NULL));
	ck_assert_ptr_null(qr_svg(""));
}
END_TEST

/* Builds the suite. */
static Suite *
qr_suite(void)
{
	Suite	*s = suite_create("qr");
	TCase	*tc = tcase_create("svg");

	tcase_add_test(tc, test_matrix);
	tcase_add_test(tc, test_version);
	tcase_add_test(tc, test_shape);
	tcase_add_test(tc, test_empty);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(qr_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
