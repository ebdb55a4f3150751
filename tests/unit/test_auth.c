/*
 * test_auth.c — bearer tokens: the format of a new token, and the hashed
 * lookup table (every token found by its own text and no other, replacement,
 * growth past thousands of entries, clearing).
 */

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "auth.h"

#define MANY	5000	/* well past one index growth step */

/* Adds a token for (kind, subject) to the table and returns it in out. */
static void
add_token(struct auth_table *t, enum auth_kind kind, const char *subject,
    char out[AUTH_TOKEN_LEN + 1])
{
	uint8_t	h[AUTH_HASH_LEN];

	ck_assert_int_eq(auth_token_new(out), 0);
	auth_hash(out, strlen(out), h);
	ck_assert_int_eq(auth_table_set(t, kind, subject, h), 0);
}

/* A new token is 43 base64url characters, and two are never the same. */
START_TEST(test_token_format)
{
	char	a[AUTH_TOKEN_LEN + 1], b[AUTH_TOKEN_LEN + 1];

	ck_assert_int_eq(auth_token_new(a), 0);
	ck_assert_int_eq(auth_token_new(b), 0);
	ck_assert_uint_eq(strlen(a), AUTH_TOKEN_LEN);
	ck_assert_uint_eq(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_"), AUTH_TOKEN_LEN);
	ck_assert_str_ne(a, b);
}
END_TEST

/* The SHA-256 of "abc" is the published test vector. */
START_TEST(test_hash_vector)
{
	static const uint8_t want[AUTH_HASH_LEN] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
		0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
		0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad };
	uint8_t	h[AUTH_HASH_LEN];

	auth_hash("abc", 3, h);
	ck_assert_mem_eq(h, want, AUTH_HASH_LEN);
}
END_TEST

/* Each of thousands of tokens finds its own subject; strangers find none. */
START_TEST(test_lookup_many)
{
	struct auth_table	 t = { 0 };
	struct principal	 p;
	char			(*tok)[AUTH_TOKEN_LEN + 1];
	char			 subject[48], stranger[AUTH_TOKEN_LEN + 1];
	int			 i;

	tok = calloc(MANY, sizeof *tok);
	ck_assert_ptr_nonnull(tok);
	add_token(&t, AUTH_ORGANISER, "-", tok[0]);
	add_token(&t, AUTH_MODERATOR, "-", tok[1]);
	for (i = 2; i < MANY; i++) {
		snprintf(subject, sizeof subject, "a%04d", i);
		add_token(&t, AUTH_ATTENDEE, subject, tok[i]);
	}
	ck_assert_uint_eq(t.n, MANY);
	ck_assert_uint_ge(t.nslots, 2 * t.n);
	for (i = 0; i < MANY; i++) {
		memset(&p, 0, sizeof p);
		ck_assert_int_eq(auth_lookup(&t, tok[i], strlen(tok[i]), &p), 0);
		if (i == 0) {
			ck_assert_int_eq(p.kind, AUTH_ORGANISER);
		} else if (i == 1) {
			ck_assert_int_eq(p.kind, AUTH_MODERATOR);
		} else {
			snprintf(subject, sizeof subject, "a%04d", i);
			ck_assert_int_eq(p.kind, AUTH_ATTENDEE);
			ck_assert_str_eq(p.subject, subject);
		}
	}
	for (i = 0; i < 200; i++) {
		ck_assert_int_eq(auth_token_new(stranger), 0);
		ck_assert_int_eq(auth_lookup(&t, stranger, strlen(stranger), &p), -1);
	}
	/* A prefix or an extension of a real token is a different token. */
	ck_assert_int_eq(auth_lookup(&t, tok[7], AUTH_TOKEN_LEN - 1, &p), -1);
	ck_assert_int_eq(auth_lookup(&t, "", 0, &p), -1);
	auth_table_clear(&t);
	ck_assert_uint_eq(t.n, 0);
	ck_assert_int_eq(auth_lookup(&t, tok[0], strlen(tok[0]), &p), -1);
	free(tok);
}
END_TEST

/* Setting (kind, subject) again replaces its token: the old one stops working. */
START_TEST(test_replace)
{
	struct auth_table	 t = { 0 };
	struct principal	 p;
	char			 old[AUTH_TOKEN_LEN + 1], fresh[AUTH_TOKEN_LEN + 1];
	char			 other[AUTH_TOKEN_LEN + 1], subject[48];
	int			 i;

	for (i = 0; i < 40; i++) {
		snprintf(subject, sizeof subject, "a%02d", i);
		add_token(&t, AUTH_ATTENDEE, subject, other);
	}
	add_token(&t, AUTH_ATTENDEE, "a07", old);	/* replaces a07's token */
	ck_assert_uint_eq(t.n, 40);
	add_token(&t, AUTH_ATTENDEE, "a07", fresh);
	ck_assert_uint_eq(t.n, 40);
	ck_assert_int_eq(auth_lookup(&t, old, strlen(old), &p), -1);
	ck_assert_int_eq(auth_lookup(&t, fresh, strlen(fresh), &p), 0);
	ck_assert_str_eq(p.subject, "a07");
	/* The last one added is still found after the rebuild. */
	ck_assert_int_eq(auth_lookup(&t, other, strlen(other), &p), 0);
	ck_assert_str_eq(p.subject, "a39");
	/* The same subject under another kind is another entry. */
	add_token(&t, AUTH_MODERATOR, "a07", old);
	ck_assert_uint_eq(t.n, 41);
	ck_assert_int_eq(auth_lookup(&t, old, strlen(old), &p), 0);
	ck_assert_int_eq(p.kind, AUTH_MODERATOR);
	auth_table_clear(&t);
}
END_TEST

/* Subjects that do not fit are refused, not cut. */
START_TEST(test_subject_too_long)
{
	struct auth_table	 t = { 0 };
	uint8_t			 h[AUTH_HASH_LEN] = { 0 };
	char			 subject[64];

	memset(subject, 'x', sizeof subject - 1);
	subject[sizeof subject - 1] = '\0';
	ck_assert_int_eq(auth_table_set(&t, AUTH_ATTENDEE, subject, h), -1);
	ck_assert_uint_eq(t.n, 0);
	auth_table_clear(&t);
}
END_TEST

static Suite *
auth_suite(void)
{
	Suite	*s = suite_create("auth");
	TCase	*tc = tcase_create("tokens");

	tcase_add_test(tc, test_token_format);
	tcase_add_test(tc, test_hash_vector);
	tcase_add_test(tc, test_lookup_many);
	tcase_add_test(tc, test_replace);
	tcase_add_test(tc, test_subject_too_long);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return (s);
}

int
main(void)
{
	SRunner	*sr = srunner_create(auth_suite());
	int	 failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return (failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE);
}
