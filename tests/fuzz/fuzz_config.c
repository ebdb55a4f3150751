/*
 * fuzz_config.c — libFuzzer harness for the configuration loader.
 *
 * config_load() takes a path, so each input is written to one memfd that
 * lives as long as the process and handed over as /proc/self/fd/N. Checks:
 * no crash or leak (ASan), a config xor at least one error, and every
 * error in the "file:line:column: key: message" form with line and column
 * counted from 1.
 */

#define _GNU_SOURCE		/* memfd_create */

#include <sys/mman.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	fuzz_config_fd = -1;
static char	fuzz_config_path[64];

/* Stops the run on a broken invariant, naming it. */
static void
fuzz_config_fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_config: %s: %s\n", what, detail);
	abort();
}

/* Creates the memfd every input is written to. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if ((fuzz_config_fd = memfd_create("fuzz_config.yaml", 0)) == -1) {
		fprintf(stderr, "memfd_create: %s\n", strerror(errno));
		exit(1);
	}
	(void)snprintf(fuzz_config_path, sizeof fuzz_config_path,
	    "/proc/self/fd/%d", fuzz_config_fd);
	/* Reports format times; keep the zone fixed whatever the machine says. */
	(void)setenv("TZ", "UTC", 1);
	return (0);
}

/* Checks one message: "PATH:LINE:COLUMN: KEY: MESSAGE". */
static void
fuzz_config_check_error(const char *msg)
{
	size_t		 plen = strlen(fuzz_config_path);
	const char	*p;
	char		*end;
	unsigned long	 line, column;

	if (strncmp(msg, fuzz_config_path, plen) != 0 || msg[plen] != ':')
		fuzz_config_fail("error does not start with the path", msg);
	p = msg + plen + 1;
	errno = 0;
	line = strtoul(p, &end, 10);
	if (end == p || *end != ':' || line == 0 || errno != 0)
		fuzz_config_fail("error has no line", msg);
	p = end + 1;
	column = strtoul(p, &end, 10);
	if (end == p || *end != ':' || column == 0 || errno != 0)
		fuzz_config_fail("error has no column", msg);
	p = end + 1;
	if (*p != ' ' || p[1] == ' ' || p[1] == '\0')
		fuzz_config_fail("error has no key", msg);
	if ((p = strstr(p + 1, ": ")) == NULL || p[2] == '\0')
		fuzz_config_fail("error has no message", msg);
	if (strchr(msg, '\n') != NULL)
		fuzz_config_fail("error spans lines", msg);
}

/* Loads one input as a config file. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_errors	 errs = { NULL, 0 };
	struct config		*cfg;
	size_t			 off = 0, i;
	ssize_t			 w;

	if (ftruncate(fuzz_config_fd, 0) == -1)
		fuzz_config_fail("ftruncate", strerror(errno));
	while (off < size) {
		w = pwrite(fuzz_config_fd, data + off, size - off, (off_t)off);
		if (w <= 0)
			fuzz_config_fail("pwrite", strerror(errno));
		off += (size_t)w;
	}

	cfg = config_load(fuzz_config_path, &errs);
	if (cfg != NULL) {
		if (errs.n != 0)
			fuzz_config_fail("config and errors", errs.msgs[0]);
		if (cfg->nstages == 0)
			fuzz_config_fail("config without a stage", "");
		for (i = 0; i < cfg->nstages; i++) {
			if (config_stage_find(cfg, cfg->stages[i].id) == NULL)
				fuzz_config_fail("stage not found",
				    cfg->stages[i].id);
		}
		config_free(cfg);
	} else if (errs.n == 0)
		fuzz_config_fail("no config and no error", "");
	for (i = 0; i < errs.n; i++)
		fuzz_config_check_error(errs.msgs[i]);
	config_errors_clear(&errs);
	if (errs.n != 0 || errs.msgs != NULL)
		fuzz_config_fail("config_errors_clear left messages", "");
	return (0);
}
