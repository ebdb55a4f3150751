/*
 * api_report.c — GET /api/v1/reports/{name}.{json,csv,html} (organiser) and
 * the public exports. Data is read into plain arrays and handed to the pure
 * report and export modules.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "clock.h"
#include "export.h"
#include "report.h"
#include "store.h"
#include "taktd.h"

/* Fills the slots of every stage (statuses and projections from memory). */
static int
api_report_slots(struct report_data *d, int64_t now)
{
	size_t	total = 0, i, j, k = 0;

	for (i = 0; i < env->nstages; i++)
		total += env->stages[i].nslots;
	if ((d->slots = calloc(total > 0 ? total : 1, sizeof *d->slots)) == NULL)
		return -1;
	for (i = 0; i < env->nstages; i++) {
		const struct stage	*st = &env->stages[i];
		int64_t			 proj[st->nslots > 0 ? st->nslots : 1];

		agenda_project(&st->timer, now, proj);
		for (j = 0; j < st->nslots; j++, k++) {
			struct report_slot *rs = &d->slots[k];
			const struct timer_slot *ts = &st->slots[j];

			rs->id = ts->id;
			rs->stage = st->id;
			rs->stage_name = st->name;
			rs->position = (int)j + 1;
			rs->startup = st->info[j].startup;
			rs->presenter = st->info[j].presenter;
			rs->title = st->info[j].title;
			rs->contact = st->info[j].contact;
			rs->status = slot_status_name(ts->status);
			rs->length_ms = ts->length_ms;
			rs->planned_start_ms = ts->planned_start_ms;
			rs->projected_start_ms = proj[j];
			rs->actual_start_ms = ts->actual_start_ms;
			rs->actual_end_ms = ts->actual_end_ms;
		}
	}
	d->in.slots = d->slots;
	d->in.nslots = total;
	return 0;
}

/* The event fields every report and export carries. */
static void
api_report_event(struct report_data *d, int64_t now)
{
	const struct config *c = env->cfg;

	d->in.title = c->title;
	d->in.venue = c->venue;
	d->in.date = c->date;
	d->in.timezone = c->timezone;
	d->in.language = c->language;
	d->in.now_ms = now;
}

/* GET /api/v1/reports/{name}.{format} */
void
api_report(struct http_req *r)
{
	struct report_data	 d;
	char			 name[32], *dot, *out;
	int			 rn, rf;
	size_t			 len;
	int64_t			 now = clock_now_ms();

	if (strlen(r->arg[0]) >= sizeof name)
		return http_error(r->req, 404, "unknown_report", "no such report");
	strcpy(name, r->arg[0]);
	if ((dot = strrchr(name, '.')) == NULL)
		return http_error(r->req, 404, "unknown_report",
		    "ask for NAME.json, NAME.csv or NAME.html");
	*dot++ = '\0';
	if ((rn = report_name_parse(name)) < 0 || (rf = report_format_parse(dot)) < 0)
		return http_error(r->req, 404, "unknown_report",
		    "reports are timing, attendance, interest and followups, "
		    "as json, csv or html");
	memset(&d, 0, sizeof d);
	api_report_event(&d, now);
	if (api_report_slots(&d, now) == -1 || store_report_load(env->store, &d) == -1) {
		store_report_free(&d);
		return http_error(r->req, 500, "storage", "the report data could not be read");
	}
	out = report_render(&d.in, (enum report_name)rn, (enum report_format)rf, &len);
	store_report_free(&d);
	if (out == NULL)
		return http_error(r->req, 500, "internal", "out of memory");
	http_reply_raw(r->req, 200, report_content_type((enum report_format)rf),
	    out, len);
	free(out);
}

/* Builds the slot-only input the public exports need (no personal data). */
static void
api_export(struct http_req *r, bool ics)
{
	struct report_data	 d;
	char			*out;
	size_t			 len;
	int64_t			 now = clock_now_ms();

	memset(&d, 0, sizeof d);
	api_report_event(&d, now);
	if (api_report_slots(&d, now) == -1) {
		store_report_free(&d);
		return http_error(r->req, 500, "internal", "out of memory");
	}
	out = ics ? export_agenda_ics(&d.in, &len) : export_schedule_json(&d.in, &len);
	store_report_free(&d);
	if (out == NULL)
		return http_error(r->req, 500, "internal", "out of memory");
	http_reply_raw(r->req, 200, ics ? "text/calendar; charset=utf-8" :
	    "application/json", out, len);
	free(out);
}

/* GET /api/v1/export/schedule.json */
void
api_export_schedule(struct http_req *r)
{
	api_export(r, false);
}

/* GET /api/v1/export/agenda.ics */
void
api_export_ics(struct http_req *r)
{
	api_export(r, true);
}
