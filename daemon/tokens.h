/* tokens.h — issuing tokens: `taktd --issue-tokens` and the first start. */
#ifndef TAKT_TOKENS_H
#define TAKT_TOKENS_H

#include <stdio.h>

#include "config.h"
#include "store.h"

/*
 * Issues fresh tokens for who (organiser, moderator or attendee ids; all when
 * n is 0), replacing old ones, and writes "KIND ID TOKEN" lines to out.
 * Returns 0, or -1 with a message in *err (unknown name, storage failure).
 */
int	tokens_issue(struct store *, const struct config *, char *const *who,
	    size_t n, FILE *out, char *err, size_t errlen);

/* Issues every token into PATH (created 0600), for the first start. */
int	tokens_issue_file(struct store *, const struct config *, const char *path);

#endif
