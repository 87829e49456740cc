/* Tests for core/geo.c: which GeoJSON boundaries a grid accepts, the error each rejection names,
 * and the centre computed from the outer rings (holes and closing positions not counted). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/geo.h"

/* Checks the geometry text; the FQ_E* status, e filled. */
static int check(const char *text, double *lat, double *lon, struct fq_error *e)
{
    json_t *g = json_loads(text, 0, NULL);
    assert_non_null(g);
    memset(e, 0, sizeof *e);
    int rc = geo_polygon_check(g, "polygon", lat, lon, e);
    json_decref(g);
    return rc;
}

static void expect_error(const char *text, const char *code)
{
    double lat = 0, lon = 0;
    struct fq_error e;
    assert_int_equal(check(text, &lat, &lon, &e), FQ_EINVAL);
    assert_string_equal(e.code, code);
    assert_string_equal(e.field, "polygon");
}

static void test_square_and_centre(void **state)
{
    (void)state;
    double lat = 0, lon = 0;
    struct fq_error e;
    /* outer square centred on (120.5, 30.1) with a hole far off-centre: the hole is ignored */
    assert_int_equal(check("{\"type\":\"Polygon\",\"coordinates\":[[[120.4,30.0],[120.6,30.0],[120.6,30.2],[120.4,30.2],"
                           "[120.4,30.0]],[[120.55,30.15],[120.59,30.15],[120.59,30.19],[120.55,30.15]]]}",
                           &lat, &lon, &e),
                     0);
    assert_true(lat > 30.1 - 1e-9 && lat < 30.1 + 1e-9);
    assert_true(lon > 120.5 - 1e-9 && lon < 120.5 + 1e-9);
    /* a MultiPolygon: the mean over both outer rings' vertices; a third coordinate is allowed */
    assert_int_equal(check("{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0,5],[2,0,5],[2,2,5],[0,2,5],[0,0,5]]],"
                           "[[[10,10],[12,10],[12,12],[10,12],[10,10]]]]}",
                           &lat, &lon, &e),
                     0);
    assert_true(lat > 5.999 && lat < 6.001 && lon > 5.999 && lon < 6.001);
}

static void test_rejections(void **state)
{
    (void)state;
    expect_error("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}", "invalid_geometry"); /* open */
    expect_error("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}", "invalid_geometry");      /* 3 points */
    expect_error("{\"type\":\"Polygon\",\"coordinates\":[]}", "invalid_geometry");
    expect_error("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,\"0\"],[1,1],[0,0]]]}", "invalid_geometry");
    expect_error("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0,0,0],[1,1],[0,0]]]}", "invalid_geometry");
    expect_error("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[181,0],[1,1],[0,0]]]}", "out_of_range");
    expect_error("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,-90.5],[1,1],[0,0]]]}", "out_of_range");
    expect_error("{\"type\":\"Point\",\"coordinates\":[0,0]}", "invalid_value");
    expect_error("{\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]]}", "invalid_value");
    expect_error("{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,0]]],\"crs\":1}", "unknown_field");
    expect_error("{\"type\":\"MultiPolygon\",\"coordinates\":[]}", "invalid_geometry");
    expect_error("[1]", "invalid_type");
}

/* GEO_MAX_POINTS positions in all pass; one more does not, however the rings are split. */
static void test_point_limit(void **state)
{
    (void)state;
    char *text = malloc(64 * (GEO_MAX_POINTS + 8));
    assert_non_null(text);
    for (int total = GEO_MAX_POINTS; total <= GEO_MAX_POINTS + 1; total++) {
        /* two rings: the outer one with total - 4 positions from [0,1] back to [0,1], a hole of 4 */
        size_t n = (size_t)sprintf(text, "{\"type\":\"Polygon\",\"coordinates\":[[");
        for (int i = 0; i < total - 6; i++)
            n += (size_t)sprintf(text + n, "[0.%04d,1],", i);
        sprintf(text + n, "[1,1],[0,1]],[[0,0],[0.1,0],[0.1,0.1],[0,0]]]}");
        double lat, lon;
        struct fq_error e;
        int rc = check(text, &lat, &lon, &e);
        if (total == GEO_MAX_POINTS)
            assert_int_equal(rc, 0);
        else
            assert_string_equal(e.code, "too_long");
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_square_and_centre),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_point_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
