/*
 * export.h — public exports of the agenda (no personal data): a frab-style
 * schedule JSON as pretalx emits it, with actual times added, and an
 * iCalendar (RFC 5545) of the projected agenda. Pure module.
 */
#ifndef TAKT_EXPORT_H
#define TAKT_EXPORT_H

#include <stddef.h>

#include "report.h"

/*
 * GET /api/v1/export/schedule.json. Uses the event fields and slots of in
 * (never attendees, contacts or interests). Malloc'd, *len set; NULL on
 * memory failure.
 */
char	*export_schedule_json(const struct report_input *in, size_t *len);
/* The same with absolute URLs under base_url ("https://host/"); NULL or ""
 * gives root-relative ones, which is what export_schedule_json does. */
char	*export_schedule_json_base(const struct report_input *in,
	    const char *base_url, size_t *len);

/* GET /api/v1/export/agenda.ics: one VEVENT per slot that is not skipped or
 * withdrawn, at its projected (or actual) start. CRLF lines folded at 75
 * octets without splitting UTF-8 sequences. */
char	*export_agenda_ics(const struct report_input *in, size_t *len);

/* Folds and escapes one iCalendar content line "NAME:VALUE" (value escaped
 * per RFC 5545 TEXT); appends CRLF. Exposed for the tests. Malloc'd. */
char	*export_ics_line(const char *name, const char *value);

#endif
