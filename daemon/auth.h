/*
 * auth.h — bearer tokens: random, shown once, kept only as SHA-256, and
 * compared in constant time.
 */
#ifndef TAKT_AUTH_H
#define TAKT_AUTH_H

#include <stddef.h>
#include <stdint.h>

#define AUTH_TOKEN_BYTES	32			/* 256 bits of randomness */
#define AUTH_TOKEN_LEN		43			/* base64url without padding */
#define AUTH_HASH_LEN		32

enum auth_kind {
	AUTH_PUBLIC	= 0,
	AUTH_ATTENDEE	= 1,
	AUTH_MODERATOR	= 2,
	AUTH_ORGANISER	= 3,
};
#define AUTH_BIT(k)	(1u << (k))

/* Who is asking: a kind and, for attendees, their id. */
struct principal {
	enum auth_kind	kind;
	char		subject[48];	/* attendee id, "-" for role tokens */
};

struct auth_entry {
	enum auth_kind	kind;
	char		subject[48];
	uint8_t		hash[AUTH_HASH_LEN];
};

/*
 * All live tokens, as hashes, with an open-addressing index on the hash so
 * a lookup costs the same with 5 tokens or 5,000.
 */
struct auth_table {
	struct auth_entry *entries;
	size_t		 n;
	size_t		 cap;
	uint32_t	*slots;		/* entry index + 1; 0 is an empty slot */
	size_t		 nslots;	/* a power of two, at least 2 * n */
};

/* Makes a fresh random token into out (AUTH_TOKEN_LEN + 1 bytes); 0 or -1. */
int		 auth_token_new(char *out);
/* SHA-256 of a token. */
void		 auth_hash(const char *token, size_t len, uint8_t out[AUTH_HASH_LEN]);
/* Adds or replaces the hash for (kind, subject). */
int		 auth_table_set(struct auth_table *, enum auth_kind, const char *subject,
		    const uint8_t hash[AUTH_HASH_LEN]);
/* Empties the table. */
void		 auth_table_clear(struct auth_table *);
/* Finds who a token belongs to by its hash, compared in constant time; 0 or -1. */
int		 auth_lookup(const struct auth_table *, const char *token, size_t len,
		    struct principal *out);
/* "organiser", "moderator", "attendee", "public". */
const char	*auth_kind_name(enum auth_kind);
/* The reverse, for the three token kinds; -1 otherwise. */
int		 auth_kind_parse(const char *);

#endif
