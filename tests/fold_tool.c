/*
 * fold_tool.c - the name fold (kiosk/core/fold.h) as a filter, for tests
 * that compare it with other implementations (tests/fold_icu.py): reads
 * UTF-8 lines on standard input and writes, for each, its kfold and its
 * kfold_alt separated by a tab.
 */
#include <stdio.h>
#include <string.h>

#include "fold.h"

int main(void)
{
    char line[4096], a[4096], b[4096];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = '\0';
        kfold(line, a, sizeof a);
        kfold_alt(line, b, sizeof b);
        printf("%s\t%s\n", a, b);
    }
    return ferror(stdin) ? 1 : 0;
}
