/* TEMPORARY: stands in for report.c / export.c until they land. */
#include <stdlib.h>
#include <string.h>
#include "export.h"
#include "report.h"
#ifndef HAVE_REPORT
int report_name_parse(const char *s) { (void)s; return -1; }
int report_format_parse(const char *s) { (void)s; return -1; }
char *report_render(const struct report_input *in, enum report_name n, enum report_format f, size_t *len) { (void)in; (void)n; (void)f; *len = 0; return NULL; }
const char *report_content_type(enum report_format f) { (void)f; return "text/plain"; }
#endif
#ifndef HAVE_EXPORT
char *export_schedule_json(const struct report_input *in, size_t *len) { (void)in; *len = 2; return strdup("{}"); }
char *export_agenda_ics(const struct report_input *in, size_t *len) { (void)in; *len = 0; return strdup(""); }
#endif
