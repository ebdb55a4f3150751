/* api.h — the routing table of SPEC §4 and its handlers. */
#ifndef TAKT_API_H
#define TAKT_API_H

#include <stddef.h>

#include "http.h"

extern const struct http_route	api_routes[];
extern const size_t		api_nroutes;

#endif
