/* What the unit tests share: where the reference data is, and removing a scratch directory. */
#ifndef FQ_TEST_FIXTURE_H
#define FQ_TEST_FIXTURE_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* The project's data/ folder (reference tables); FQ_DATA_DIR overrides it (ctest sets it). */
static inline const char *fx_data_dir(void)
{
    const char *dir = getenv("FQ_DATA_DIR");
    return dir && *dir ? dir : "data";
}

/* Removes dir and the files in it (a test's scratch directory: no subdirectories). */
static inline void fx_rm_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *de;
        char p[512];
        while ((de = readdir(d)))
            if (de->d_name[0] != '.') {
                snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
                unlink(p);
            }
        closedir(d);
    }
    rmdir(dir);
}

#endif
