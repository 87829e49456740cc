/* Experiment for bench/run, not part of the program: LD_PRELOAD this into `fengqiao serve` to see
 * what turning SQLite's memory statistics off would give. With them on (SQLite's default),
 * every sqlite3_malloc and sqlite3_free takes one process-wide mutex, which the writer thread and
 * the HTTP threads' read connections then contend for. The fix in the program itself is one call,
 * sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0), in main() before any other SQLite call. */
#include <sqlite3.h>
#include <stdio.h>

__attribute__((constructor)) static void memstatus_off(void)
{
    if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
        fprintf(stderr, "memstatus_off: sqlite3_config refused (SQLite already initialised?)\n");
}
