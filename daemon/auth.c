/*
 * auth.c — token generation, hashing and lookup. A hall full of phones on
 * shared Wi-Fi is the threat model: tokens carry 256 random bits, the
 * database only ever sees their SHA-256, and a lookup touches every entry so
 * its timing says nothing about which one matched.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth.h"

static const char auth_b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Fills out with a new base64url token from OpenSSL's CSPRNG. */
int
auth_token_new(char *out)
{
	unsigned char	raw[AUTH_TOKEN_BYTES + 1];
	size_t		i, o = 0;

	if (RAND_bytes(raw, AUTH_TOKEN_BYTES) != 1)
		return -1;
	raw[AUTH_TOKEN_BYTES] = 0;
	/* 32 bytes = 256 bits = 42 full sextets + 4 bits: 43 characters. */
	for (i = 0; i < AUTH_TOKEN_BYTES; i += 3) {
		uint32_t v = (uint32_t)raw[i] << 16;
		if (i + 1 < AUTH_TOKEN_BYTES)
			v |= (uint32_t)raw[i + 1] << 8;
		if (i + 2 < AUTH_TOKEN_BYTES)
			v |= raw[i + 2];
		out[o++] = auth_b64url[(v >> 18) & 63];
		out[o++] = auth_b64url[(v >> 12) & 63];
		if (i + 1 < AUTH_TOKEN_BYTES)
			out[o++] = auth_b64url[(v >> 6) & 63];
		if (i + 2 < AUTH_TOKEN_BYTES)
			out[o++] = auth_b64url[v & 63];
	}
	out[o] = '\0';
	OPENSSL_cleanse(raw, sizeof raw);
	return o == AUTH_TOKEN_LEN ? 0 : -1;
}

/* Hashes a token with SHA-256. */
void
auth_hash(const char *token, size_t len, uint8_t out[AUTH_HASH_LEN])
{
	unsigned int	n = AUTH_HASH_LEN;

	EVP_Digest(token, len, out, &n, EVP_sha256(), NULL);
}

/* Adds or replaces the entry of (kind, subject). */
int
auth_table_set(struct auth_table *t, enum auth_kind kind, const char *subject,
    const uint8_t hash[AUTH_HASH_LEN])
{
	struct auth_entry	*e = NULL;
	size_t			 i;

	if (strlen(subject) >= sizeof e->subject)
		return -1;
	for (i = 0; i < t->n; i++) {
		if (t->entries[i].kind == kind &&
		    strcmp(t->entries[i].subject, subject) == 0) {
			e = &t->entries[i];
			break;
		}
	}
	if (e == NULL) {
		if (t->n == t->cap) {
			size_t ncap = t->cap ? t->cap * 2 : 16;
			struct auth_entry *ne = realloc(t->entries, ncap * sizeof *ne);
			if (ne == NULL)
				return -1;
			t->entries = ne;
			t->cap = ncap;
		}
		e = &t->entries[t->n++];
		e->kind = kind;
		strcpy(e->subject, subject);
	}
	memcpy(e->hash, hash, AUTH_HASH_LEN);
	return 0;
}

/* Frees the entries. */
void
auth_table_clear(struct auth_table *t)
{
	if (t->entries != NULL)
		OPENSSL_cleanse(t->entries, t->cap * sizeof *t->entries);
	free(t->entries);
	memset(t, 0, sizeof *t);
}

/* Compares the token's hash with every entry, without an early exit. */
int
auth_lookup(const struct auth_table *t, const char *token, size_t len,
    struct principal *out)
{
	uint8_t		h[AUTH_HASH_LEN];
	size_t		i, found = (size_t)-1;

	if (len == 0 || len > 256)
		return -1;
	auth_hash(token, len, h);
	for (i = 0; i < t->n; i++) {
		/* Branch-free select: the index of a match survives the loop. */
		size_t eq = (size_t)(CRYPTO_memcmp(h, t->entries[i].hash, AUTH_HASH_LEN) == 0);
		found = (found & (eq - 1)) | (i & ((size_t)0 - eq));
	}
	if (found == (size_t)-1)
		return -1;
	out->kind = t->entries[found].kind;
	strcpy(out->subject, t->entries[found].subject);
	return 0;
}

/* Names a kind as the tokens file and logs do. */
const char *
auth_kind_name(enum auth_kind k)
{
	switch (k) {
	case AUTH_ATTENDEE:	return "attendee";
	case AUTH_MODERATOR:	return "moderator";
	case AUTH_ORGANISER:	return "organiser";
	default:		return "public";
	}
}

/* Parses a token kind. */
int
auth_kind_parse(const char *s)
{
	if (strcmp(s, "attendee") == 0)
		return AUTH_ATTENDEE;
	if (strcmp(s, "moderator") == 0)
		return AUTH_MODERATOR;
	if (strcmp(s, "organiser") == 0)
		return AUTH_ORGANISER;
	return -1;
}
