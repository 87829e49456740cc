/* The demo city: a believable prefecture (枫桥示范市) built in seconds for trying the platform,
 * for the browser tests and for the early-warning evaluation — divisions down to grids, centres
 * and departments, accounts for every role, and months of cases driven through the real case
 * lifecycle with simulated times, so every timeline, deadline and hash chain is genuine.
 *
 * Deterministic for a given seed and clock: its own PRNG, never rand(). The plan is drawn against
 * the day, not the instant: a demo built later the same day has the same cases with the same
 * codes and texts (but for today's and the few in-flight ones, placed relative to now), each as
 * far along its life as the clock allows. */
#ifndef FQ_CORE_DEMO_H
#define FQ_CORE_DEMO_H

#include <stdio.h>

#include "core/domain.h"
#include "util/err.h"

/* Password of every demo account. */
#define DEMO_PASSWORD "Fengqiao@2026"

enum {
    DEMO_SURGES_NONE,
    DEMO_SURGES_ESCALATION, /* 8 group disputes, each building up over 3-10 days to its peak */
    DEMO_SURGES_BURST,      /* the first shape: 4 bursts of 2-3 days, no precursors */
    DEMO_SURGES_SUDDEN,     /* the 8 peaks of the escalation model alone: shocks, no build-up */
};

struct demo_opts {
    int counties; /* counties/districts, 1..7 (0 = 7) */
    int cases;    /* cases to generate (0 = none; the planted extras come on top) */
    int months;   /* months of history ending now, 1..36 (0 = 12) */
    unsigned seed;
    int plant_surges; /* DEMO_SURGES_*: plant surges of similar cases and list them in the setting
                         "demo.surges" (JSON) for the early-warning work (docs/WARNING.md) */
    /* progress (may be NULL): stage names "divisions", "departments", "users", "plan", "cases" */
    void (*progress)(const char *stage, long done, long total, void *arg);
    void *progress_arg;
};

/* Builds the demo into the store of d, which must hold the reference data (seed_reference) and
 * no demo yet. Writes through store_write_bulk, committing every few thousand rows; 0, or an
 * FQ_E* code with e filled (what was committed before the failure stays). */
int demo_build(struct fq_domain *d, const struct demo_opts *o, struct fq_error *e);

/* Prints the table of demo accounts (one per role) and their password to f. */
void demo_print_accounts(FILE *f);

#endif
