/* Geometry the administration accepts: a grid's boundary as a GeoJSON Polygon or MultiPolygon
 * (RFC 7946: positions are [longitude, latitude] in WGS 84, every ring closed). */
#ifndef FQ_CORE_GEO_H
#define FQ_CORE_GEO_H

#include <jansson.h>

#include "util/err.h"

#define GEO_MAX_POINTS 2000

/* Checks the geometry g (borrowed): type Polygon or MultiPolygon and nothing but type and
 * coordinates; each ring at least 4 positions of 2 or 3 numbers, longitude in [-180, 180],
 * latitude in [-90, 90], first position equal to the last; at most GEO_MAX_POINTS positions in
 * all. 0 with *lat, *lon set to the mean of the outer rings' vertices (the closing one not
 * counted twice), or FQ_EINVAL with e naming `field`. */
int geo_polygon_check(json_t *g, const char *field, double *lat, double *lon, struct fq_error *e);

#endif
