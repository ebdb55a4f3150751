/*
 * auth.c — token generation, hashing and lookup. A hall full of phones on
 * shared Wi-Fi is the threat model: tokens carry 256 random bits, the
 * database only ever sees their SHA-256. A lookup finds the entry through an
 * index on that hash and compares the whole hash in constant time: its
 * timing can at most tell which index slot SHA-256(guess) falls into, which
 * says nothing about any token (see SECURITY.md).
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

/*
 * Hashes a token with SHA-256. The implementation is fetched once: with
 * EVP_sha256() OpenSSL 3 looks it up again on every call, half the cost
 * of hashing a token.
 */
void
auth_hash(const char *token, size_t len, uint8_t out[AUTH_HASH_LEN])
{
	static EVP_MD	*sha256;
	unsigned int	 n = AUTH_HASH_LEN;

	if (sha256 == NULL)
		sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	EVP_Digest(token, len, out, &n, sha256 != NULL ? sha256 : EVP_sha256(),
	    NULL);
}

/* The index slot a hash starts probing at: its first 8 bytes, masked. */
static size_t
auth_slot_of(const uint8_t hash[AUTH_HASH_LEN], size_t nslots)
{
	uint64_t	v;

	memcpy(&v, hash, sizeof v);
	return (size_t)v & (nslots - 1);
}

/* Puts entry I into the index, which has a free slot. */
static void
auth_index_put(struct auth_table *t, size_t i)
{
	size_t	k = auth_slot_of(t->entries[i].hash, t->nslots);

	while (t->slots[k] != 0)
		k = (k + 1) & (t->nslots - 1);
	t->slots[k] = (uint32_t)(i + 1);
}

/* Rebuilds the index with at least twice as many slots as entries. */
static int
auth_index_rebuild(struct auth_table *t)
{
	size_t		 nslots = 32, i;
	uint32_t	*slots;

	while (nslots < 2 * t->n)
		nslots *= 2;
	if ((slots = calloc(nslots, sizeof *slots)) == NULL)
		return -1;
	free(t->slots);
	t->slots = slots;
	t->nslots = nslots;
	for (i = 0; i < t->n; i++)
		auth_index_put(t, i);
	return 0;
}

/* Adds or replaces the entry of (kind, subject). */
int
auth_table_set(struct auth_table *t, enum auth_kind kind, const char *subject,
    const uint8_t hash[AUTH_HASH_LEN])
{
	struct auth_entry	*e;
	size_t			 i;

	if (strlen(subject) >= sizeof e->subject || t->n >= UINT32_MAX - 1)
		return -1;
	for (i = 0; i < t->n; i++) {
		e = &t->entries[i];
		if (e->kind == kind && strcmp(e->subject, subject) == 0) {
			/* The hash moves: rebuild rather than delete from a probe chain. */
			memcpy(e->hash, hash, AUTH_HASH_LEN);
			return auth_index_rebuild(t);
		}
	}
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
	memcpy(e->hash, hash, AUTH_HASH_LEN);
	if (t->nslots >= 2 * t->n) {
		auth_index_put(t, t->n - 1);
		return 0;
	}
	if (auth_index_rebuild(t) == -1) {
		t->n--;		/* not findable, so not added */
		return -1;
	}
	return 0;
}

/* Frees the entries and the index. */
void
auth_table_clear(struct auth_table *t)
{
	if (t->entries != NULL)
		OPENSSL_cleanse(t->entries, t->cap * sizeof *t->entries);
	free(t->entries);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

/* Hashes the token and looks the hash up; every comparison is constant-time. */
int
auth_lookup(const struct auth_table *t, const char *token, size_t len,
    struct principal *out)
{
	uint8_t		 h[AUTH_HASH_LEN];
	size_t		 k;
	uint32_t	 s;

	if (len == 0 || len > 256 || t->nslots == 0)
		return -1;
	auth_hash(token, len, h);
	/* Never full (nslots >= 2n), so the probe ends at an empty slot. */
	for (k = auth_slot_of(h, t->nslots); (s = t->slots[k]) != 0;
	    k = (k + 1) & (t->nslots - 1)) {
		const struct auth_entry *e = &t->entries[s - 1];

		if (CRYPTO_memcmp(h, e->hash, AUTH_HASH_LEN) == 0) {
			out->kind = e->kind;
			strcpy(out->subject, e->subject);
			return 0;
		}
	}
	return -1;
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
