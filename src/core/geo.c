/* GeoJSON polygon validation for grid boundaries (core/geo.h). Bad input is told apart precisely
 * (which ring, which position) because admins paste boundaries from GIS tools by hand. */
#include "core/geo.h"

#include <string.h>

struct geo_walk {
    const char *field;
    struct fq_error *e;
    size_t points;              /* positions seen, all rings */
    double sum_lat, sum_lon;    /* over outer rings' vertices */
    size_t vertices;
};

static int bad(struct geo_walk *w, const char *what)
{
    return fq_fail(w->e, FQ_EINVAL, "invalid_geometry", w->field, "边界无效 (invalid polygon): %s", what);
}

/* One linear ring; outer rings add their vertices to the centre. */
static int ring_check(struct geo_walk *w, json_t *ring, int outer)
{
    size_t n = json_is_array(ring) ? json_array_size(ring) : 0;
    if (n < 4)
        return bad(w, "每个环至少 4 个点 (a ring needs 4 positions)");
    if ((w->points += n) > GEO_MAX_POINTS)
        return fq_fail(w->e, FQ_EINVAL, "too_long", w->field, "边界最多 %d 个点 (at most %d positions)", GEO_MAX_POINTS,
                       GEO_MAX_POINTS);
    double first[2] = {0, 0}, last[2] = {0, 0};
    for (size_t i = 0; i < n; i++) {
        json_t *p = json_array_get(ring, i);
        size_t dims = json_is_array(p) ? json_array_size(p) : 0;
        if (dims < 2 || dims > 3 || !json_is_number(json_array_get(p, 0)) || !json_is_number(json_array_get(p, 1)) ||
            (dims == 3 && !json_is_number(json_array_get(p, 2))))
            return bad(w, "坐标须为 [经度, 纬度] 数字 (positions are [lon, lat] numbers)");
        double lon = json_number_value(json_array_get(p, 0)), lat = json_number_value(json_array_get(p, 1));
        if (!(lon >= -180 && lon <= 180) || !(lat >= -90 && lat <= 90))
            return fq_fail(w->e, FQ_EINVAL, "out_of_range", w->field, "经度须在 ±180、纬度须在 ±90 之间 (lon/lat out of range)");
        if (i == 0) {
            first[0] = lon;
            first[1] = lat;
        }
        last[0] = lon;
        last[1] = lat;
        if (outer && i + 1 < n) {
            w->sum_lon += lon;
            w->sum_lat += lat;
            w->vertices++;
        }
    }
    if (first[0] != last[0] || first[1] != last[1])
        return bad(w, "环未闭合：首尾坐标须相同 (ring not closed)");
    return 0;
}

/* The rings of one polygon: the first is the outer boundary, the others holes. */
static int polygon_check(struct geo_walk *w, json_t *rings)
{
    size_t n = json_is_array(rings) ? json_array_size(rings) : 0;
    if (n == 0)
        return bad(w, "多边形至少一个环 (a polygon needs a ring)");
    for (size_t i = 0; i < n; i++) {
        int rc = ring_check(w, json_array_get(rings, i), i == 0);
        if (rc)
            return rc;
    }
    return 0;
}

int geo_polygon_check(json_t *g, const char *field, double *lat, double *lon, struct fq_error *e)
{
    struct geo_walk w = {.field = field, .e = e};
    const char *key;
    json_t *v;
    if (!json_is_object(g))
        return fq_fail(e, FQ_EINVAL, "invalid_type", field, "字段 %s 必须是 GeoJSON 对象 (must be an object)", field);
    json_object_foreach(g, key, v)
    {
        if (strcmp(key, "type") && strcmp(key, "coordinates"))
            return fq_fail(e, FQ_EINVAL, "unknown_field", field, "GeoJSON 只接受 type 与 coordinates (unknown member %.40s)", key);
    }
    const char *type = json_string_value(json_object_get(g, "type"));
    json_t *coords = json_object_get(g, "coordinates");
    int rc;
    if (type && !strcmp(type, "Polygon")) {
        rc = polygon_check(&w, coords);
    } else if (type && !strcmp(type, "MultiPolygon")) {
        size_t n = json_is_array(coords) ? json_array_size(coords) : 0;
        rc = n ? 0 : bad(&w, "MultiPolygon 至少一个多边形 (needs a polygon)");
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = polygon_check(&w, json_array_get(coords, i));
    } else {
        rc = fq_fail(e, FQ_EINVAL, "invalid_value", field, "type 须为 Polygon 或 MultiPolygon");
    }
    if (rc)
        return rc;
    *lat = w.sum_lat / (double)w.vertices;
    *lon = w.sum_lon / (double)w.vertices;
    return 0;
}
