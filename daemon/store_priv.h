/*
 * store_priv.h — what the store_*.c files share: the store struct and the
 * prepared-statement helpers. Nothing outside the store includes this.
 */
#ifndef TAKT_STORE_PRIV_H
#define TAKT_STORE_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#define STORE_STMTS_MAX	96

struct store_stmt {
	const char	*sql;
	sqlite3_stmt	*st;
};

struct store {
	sqlite3			*db;
	struct store_stmt	 stmts[STORE_STMTS_MAX];
	size_t			 nstmts;
	int64_t			 data_version;
	int64_t			 tokens_stamp;		/* see store_tokens_changed */
};

/* The cached statement for a static SQL string, reset and unbound. */
sqlite3_stmt	*store_stmt(struct store *, const char *sql);
/* Steps a statement that returns no rows; 0 or -1. */
int		 store_done(struct store *, sqlite3_stmt *);
/* Binds TIMER_NONE as NULL. */
void		 store_bind_time(sqlite3_stmt *, int, int64_t);
/* Reads a nullable time column as TIMER_NONE. */
int64_t		 store_column_time(sqlite3_stmt *, int);
/* strdup of a text column ("" for NULL). */
char		*store_column_strdup(sqlite3_stmt *, int);
/* Runs plain SQL. */
int		 store_exec(struct store *, const char *sql);
/* True if the query with ?1 = id returns a row. */
bool		 store_exists(struct store *, const char *sql, const char *id);

#endif
