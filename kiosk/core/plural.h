/*
 * plural.h - gettext Plural-Forms: parsed once, evaluated for any n.
 *
 * A catalog's header says how its language picks a plural form:
 *
 *   Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 &&
 *                 n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);
 *
 * kplural_parse compiles the expression into a small tree of nodes held
 * in the struct itself (no allocation); kplural_index evaluates it for a
 * count.  So a new language's rule is data, never code.
 *
 * The language is gettext's (the C subset of its plural.y): the variable
 * n, decimal integers, parentheses, ! and unary -, * / %, + -,
 * < > <= >=, == !=, &&, ||, and ?: (right-associative).  Arithmetic is on
 * unsigned long as in gettext; division or remainder by zero gives 0
 * instead of a crash, and nesting is bounded (KPLURAL_DEPTH_MAX), so a
 * hostile header cannot take the kiosk down.
 */
#ifndef KIOSK_PLURAL_H
#define KIOSK_PLURAL_H

#include <stddef.h>

#ifndef KPLURAL_NODES_MAX
#define KPLURAL_NODES_MAX 96    /* nodes of one compiled expression */
#endif
#ifndef KPLURAL_DEPTH_MAX
#define KPLURAL_DEPTH_MAX 40    /* nesting of parentheses and operators */
#endif
#define KPLURAL_FORMS_MAX 6     /* Arabic has six; no language has more */

typedef struct kplural_node {
    unsigned char op;           /* KPL_ operation (plural.c) */
    unsigned char a, b, c;      /* operand node indices */
    unsigned long v;            /* value of a number */
} kplural_node;

typedef struct kplural {
    int nplurals;               /* 1..KPLURAL_FORMS_MAX */
    int root;                   /* index of the expression's top node */
    int nnodes;
    kplural_node node[KPLURAL_NODES_MAX];
} kplural;

/* Parses a Plural-Forms value ("nplurals=2; plural=(n != 1);").  Returns 0,
 * or -1 with a lower-case reason in why ("plural: expected ')' at column
 * 17").  p is then the English rule, so it is always usable. */
int kplural_parse(kplural *p, const char *spec, char *why, size_t why_cap);

/* Sets p to the English/Germanic rule: nplurals=2; plural=(n != 1). */
void kplural_default(kplural *p);

/* The raw value of the expression for n (may be >= nplurals). */
unsigned long kplural_eval(const kplural *p, unsigned long n);

/* The form to use for n: the expression's value, or 0 when the value is
 * out of range (as gettext does). */
int kplural_index(const kplural *p, unsigned long n);

#endif
