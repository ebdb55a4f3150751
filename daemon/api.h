/* api.h — the routing table of SPEC §4 and its handlers. */
#ifndef TAKT_API_H
#define TAKT_API_H

#include <stddef.h>

#include "http.h"

extern const struct http_route	api_routes[];

/* Handlers that live outside api.c. */
void	api_checkin(struct http_req *);
void	api_checkout(struct http_req *);
void	api_interest(struct http_req *);
void	api_me(struct http_req *);
void	api_screens(struct http_req *);
void	api_report(struct http_req *);
void	api_export_schedule(struct http_req *);
void	api_export_ics(struct http_req *);
void	api_attendees(struct http_req *);
void	api_badges(struct http_req *);
void	api_page(struct http_req *);
void	api_asset(struct http_req *);
extern const size_t		api_nroutes;

#endif
