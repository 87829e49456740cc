/* Tests for core/bus.c: delivery with copies of the message, overflow reported once as -1 and
 * then the newest messages, timeouts, close waking a blocked reader, and a publisher thread
 * feeding several reader threads (ids strictly increasing, nothing lost or duplicated unless
 * reported as dropped), and the notify callback (every delivery, none after unsubscribe). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/bus.h"

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_deliver(void **state)
{
    (void)state;
    struct bus *b = bus_new();
    assert_false(bus_has_subscribers(b));
    struct bus_sub *s1 = bus_subscribe(b, 4), *s2 = bus_subscribe(b, 4);
    assert_non_null(s1);
    assert_true(bus_has_subscribers(b));
    int64_t deps[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    char json[] = "{\"code\":\"a\"}";
    bus_publish(b, "110105001001", deps, 2, json);
    json[10] = 'b'; /* the bus holds its own copy */
    bus_publish(b, "110105001002999", deps, 10, "{\"code\":\"c\"}");

    struct bus_msg m;
    assert_int_equal(bus_next(s1, 0, &m), 1);
    assert_string_equal(m.json, "{\"code\":\"a\"}");
    assert_string_equal(m.division, "110105001001");
    assert_int_equal(m.ndepartments, 2);
    assert_int_equal(m.departments[1], 2);
    int64_t first = m.id;
    free(m.json);
    assert_int_equal(bus_next(s1, 0, &m), 1);
    assert_true(m.id > first);
    assert_string_equal(m.division, "110105001002"); /* cut to 12 */
    assert_int_equal(m.ndepartments, 8);             /* at most 8 */
    assert_int_equal(m.departments[7], 8);
    free(m.json);
    assert_int_equal(bus_next(s1, 0, &m), 0);
    assert_null(m.json);

    /* the other subscriber has its own copies */
    assert_int_equal(bus_next(s2, 0, &m), 1);
    assert_string_equal(m.json, "{\"code\":\"a\"}");
    free(m.json);
    bus_unsubscribe(b, s1);
    bus_publish(b, NULL, NULL, 0, NULL);
    assert_int_equal(bus_next(s2, 0, &m), 1);
    free(m.json);
    assert_int_equal(bus_next(s2, 0, &m), 1);
    assert_string_equal(m.json, "");
    assert_string_equal(m.division, "");
    free(m.json);
    bus_unsubscribe(b, s2);
    assert_false(bus_has_subscribers(b));
    s2 = bus_subscribe(b, 4);
    /* bus_free releases subscribers still attached and their queued messages */
    bus_publish(b, "x", NULL, 0, "left over");
    bus_free(b);
    bus_free(NULL);
}

static void test_overflow(void **state)
{
    (void)state;
    struct bus *b = bus_new();
    struct bus_sub *s = bus_subscribe(b, 2);
    char json[16];
    for (int i = 1; i <= 5; i++) {
        snprintf(json, sizeof json, "%d", i);
        bus_publish(b, "", NULL, 0, json);
    }
    struct bus_msg m;
    assert_int_equal(bus_next(s, 0, &m), -1);
    assert_int_equal(m.id, 3); /* three lost */
    assert_null(m.json);
    assert_int_equal(bus_next(s, 0, &m), 1); /* then the newest two */
    assert_string_equal(m.json, "4");
    free(m.json);
    assert_int_equal(bus_next(s, 0, &m), 1);
    assert_string_equal(m.json, "5");
    free(m.json);
    assert_int_equal(bus_next(s, 0, &m), 0);
    bus_unsubscribe(b, s);
    bus_free(b);
}

static void test_timeout(void **state)
{
    (void)state;
    struct bus *b = bus_new();
    struct bus_sub *s = bus_subscribe(b, 2);
    struct bus_msg m;
    int64_t t0 = mono_ms();
    assert_int_equal(bus_next(s, 120, &m), 0);
    int64_t waited = mono_ms() - t0;
    assert_true(waited >= 110);
    assert_true(waited < 2000);
    bus_unsubscribe(b, s);
    bus_free(b);
}

struct waiter {
    struct bus_sub *s;
    int timeout_ms;
    int rc;
    char json[32];
};

static void *wait_one(void *arg)
{
    struct waiter *w = arg;
    struct bus_msg m;
    w->rc = bus_next(w->s, w->timeout_ms, &m);
    if (w->rc == 1)
        snprintf(w->json, sizeof w->json, "%s", m.json);
    free(m.json);
    return NULL;
}

static void test_wakeups(void **state)
{
    (void)state;
    struct bus *b = bus_new();
    struct waiter w = {bus_subscribe(b, 4), 10000, -2, ""};
    pthread_t t;
    /* a publish wakes a reader blocked on a long timeout */
    int64_t t0 = mono_ms();
    assert_int_equal(pthread_create(&t, NULL, wait_one, &w), 0);
    nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
    bus_publish(b, "", NULL, 0, "wake");
    pthread_join(t, NULL);
    assert_int_equal(w.rc, 1);
    assert_string_equal(w.json, "wake");
    assert_true(mono_ms() - t0 < 5000);

    /* close wakes a reader waiting without limit, and later reads return at once */
    w.timeout_ms = -1;
    w.rc = -2;
    assert_int_equal(pthread_create(&t, NULL, wait_one, &w), 0);
    nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
    bus_close(b);
    pthread_join(t, NULL);
    assert_int_equal(w.rc, 0);
    struct bus_msg m;
    t0 = mono_ms();
    assert_int_equal(bus_next(w.s, 5000, &m), 0);
    assert_true(mono_ms() - t0 < 1000);
    bus_unsubscribe(b, w.s);
    bus_free(b);
}

static void count_notify(void *arg)
{
    (*(int *)arg)++;
}

static void test_notify(void **state)
{
    (void)state;
    struct bus *b = bus_new();
    int n1 = 0, n2 = 0;
    struct bus_sub *s1 = bus_subscribe_notify(b, 2, count_notify, &n1);
    struct bus_sub *s2 = bus_subscribe_notify(b, 8, count_notify, &n2);
    assert_non_null(s1);
    for (int i = 0; i < 3; i++)
        bus_publish(b, "", NULL, 0, "x");
    assert_int_equal(n1, 3); /* every delivery, overflowing ones included */
    assert_int_equal(n2, 3);
    struct bus_msg m;
    assert_int_equal(bus_next(s1, 0, &m), -1);
    assert_int_equal(m.id, 1);
    bus_unsubscribe(b, s1);
    bus_publish(b, "", NULL, 0, "y");
    assert_int_equal(n1, 3); /* never after unsubscribe */
    assert_int_equal(n2, 4);
    bus_unsubscribe(b, s2);
    bus_free(b);
}

#define NMSG 3000
#define NREADERS 3

struct reader {
    struct bus_sub *s;
    int received, dropped, out_of_order;
    int64_t last_id;
    int last_n;
};

static void *read_all(void *arg)
{
    struct reader *r = arg;
    struct bus_msg m;
    for (;;) {
        int rc = bus_next(r->s, 2000, &m);
        if (rc == 0)
            break;
        if (rc < 0) {
            r->dropped += (int)m.id;
            continue;
        }
        int n = atoi(m.json);
        if (m.id <= r->last_id || n <= r->last_n)
            r->out_of_order++;
        r->last_id = m.id;
        r->last_n = n;
        r->received++;
        free(m.json);
        if (n == NMSG)
            break;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    struct bus *b = bus_new();
    struct reader r[NREADERS];
    pthread_t t[NREADERS];
    for (int i = 0; i < NREADERS; i++) {
        memset(&r[i], 0, sizeof r[i]);
        /* one reader with room for everything, the others with small rings */
        r[i].s = bus_subscribe(b, i == 0 ? NMSG : 16);
        assert_int_equal(pthread_create(&t[i], NULL, read_all, &r[i]), 0);
    }
    char json[16];
    for (int n = 1; n <= NMSG; n++) {
        snprintf(json, sizeof json, "%d", n);
        bus_publish(b, "110105000000", NULL, 0, json);
    }
    for (int i = 0; i < NREADERS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(r[i].out_of_order, 0);
        assert_int_equal(r[i].last_n, NMSG); /* the newest message always arrives */
        assert_int_equal(r[i].received + r[i].dropped, NMSG);
        bus_unsubscribe(b, r[i].s);
    }
    assert_int_equal(r[0].received, NMSG);
    bus_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deliver), cmocka_unit_test(test_overflow),
        cmocka_unit_test(test_timeout), cmocka_unit_test(test_wakeups),
        cmocka_unit_test(test_notify),  cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
