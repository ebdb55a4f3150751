/*
 * tokens.c — turns names into fresh tokens. The plain token exists only in
 * what this writes out; the store keeps its hash.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "auth.h"
#include "clock.h"
#include "tokens.h"

/* Issues one token and prints its line. */
static int
tokens_one(struct store *s, enum auth_kind kind, const char *subject, FILE *out)
{
	char	token[AUTH_TOKEN_LEN + 1];
	uint8_t	hash[AUTH_HASH_LEN];

	if (auth_token_new(token) == -1)
		return -1;
	auth_hash(token, strlen(token), hash);
	if (store_token_put(s, kind, subject, hash, clock_now_ms()) == -1)
		return -1;
	fprintf(out, "%s %s %s\n", auth_kind_name(kind), subject, token);
	OPENSSL_cleanse(token, sizeof token);
	return 0;
}

/* True if id names an attendee of the config. */
static bool
tokens_is_attendee(const struct config *cfg, const char *id)
{
	size_t	i;

	for (i = 0; i < cfg->nattendees; i++)
		if (strcmp(cfg->attendees[i].id, id) == 0)
			return true;
	return false;
}

/* Issues tokens for the named subjects (or all) in one transaction. */
int
tokens_issue(struct store *s, const struct config *cfg, char *const *who,
    size_t n, FILE *out, char *err, size_t errlen)
{
	size_t	i;
	int	rc = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(who[i], "organiser") != 0 &&
		    strcmp(who[i], "moderator") != 0 &&
		    !tokens_is_attendee(cfg, who[i])) {
			snprintf(err, errlen, "\"%s\" is neither organiser, "
			    "moderator nor an attendee id", who[i]);
			return -1;
		}
	}
	if (store_begin(s) == -1)
		goto fail;
	if (n == 0) {
		rc |= tokens_one(s, AUTH_ORGANISER, "-", out);
		rc |= tokens_one(s, AUTH_MODERATOR, "-", out);
		for (i = 0; i < cfg->nattendees; i++)
			rc |= tokens_one(s, AUTH_ATTENDEE, cfg->attendees[i].id, out);
	}
	for (i = 0; i < n; i++) {
		if (strcmp(who[i], "organiser") == 0)
			rc |= tokens_one(s, AUTH_ORGANISER, "-", out);
		else if (strcmp(who[i], "moderator") == 0)
			rc |= tokens_one(s, AUTH_MODERATOR, "-", out);
		else
			rc |= tokens_one(s, AUTH_ATTENDEE, who[i], out);
	}
	if (rc != 0 || store_commit(s) == -1)
		goto fail;
	return 0;
fail:
	store_rollback(s);
	snprintf(err, errlen, "cannot store tokens: %s", store_error(s));
	return -1;
}

/* Writes every token into a new private file. */
int
tokens_issue_file(struct store *s, const struct config *cfg, const char *path)
{
	char	err[256];
	FILE	*f;
	int	fd, rc;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	rc = tokens_issue(s, cfg, NULL, 0, f, err, sizeof err);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		rc = -1;
	fclose(f);
	return rc;
}
