/*
 * plural.c - parse and evaluate gettext Plural-Forms (see plural.h).
 *
 * A recursive-descent parser over C's precedence levels, lowest first:
 *
 *   cond  := or [ '?' cond ':' cond ]
 *   or    := and { '||' and }
 *   and   := eq { '&&' eq }
 *   eq    := rel { ('==' | '!=') rel }
 *   rel   := add { ('<' | '>' | '<=' | '>=') add }
 *   add   := mul { ('+' | '-') mul }
 *   mul   := unary { ('*' | '/' | '%') unary }
 *   unary := ('!' | '-') unary | prim
 *   prim  := 'n' | DIGITS | '(' cond ')'
 *
 * Each rule appends nodes to the fixed array in kplural and returns the
 * index of its top node, or -1 after writing the reason.  The recursion is
 * bounded by KPLURAL_DEPTH_MAX, so neither parsing nor evaluation (whose
 * depth is that of the tree) can exhaust the stack.
 */
#include "plural.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum {
    KPL_N, KPL_NUM, KPL_NOT, KPL_NEG, KPL_MUL, KPL_DIV, KPL_MOD, KPL_ADD, KPL_SUB,
    KPL_LT, KPL_GT, KPL_LE, KPL_GE, KPL_EQ, KPL_NE, KPL_AND, KPL_OR, KPL_COND
};

typedef struct kpl_parser {
    const char *s;      /* the whole Plural-Forms value */
    size_t pos;
    kplural *p;
    int depth;
    char *why;
    size_t why_cap;
    int failed;
} kpl_parser;

static int parse_cond(kpl_parser *ps);

/* Records the first error with the column it happened at; returns -1. */
__attribute__((format(printf, 2, 3)))
static int fail(kpl_parser *ps, const char *fmt, ...)
{
    if (ps->failed)
        return -1;
    ps->failed = 1;
    if (ps->why && ps->why_cap) {
        char msg[160];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(ps->why, ps->why_cap, "plural: %s at column %zu", msg, ps->pos + 1);
    }
    return -1;
}

/* Skips spaces, tabs and newlines (headers may fold long rules). */
static void skip_ws(kpl_parser *ps)
{
    while (ps->s[ps->pos] == ' ' || ps->s[ps->pos] == '\t' || ps->s[ps->pos] == '\n' ||
           ps->s[ps->pos] == '\r')
        ps->pos++;
}

/* Consumes tok (after spaces) if it is next; 1 if it was. */
static int accept(kpl_parser *ps, const char *tok)
{
    skip_ws(ps);
    size_t n = strlen(tok);
    if (strncmp(ps->s + ps->pos, tok, n) != 0)
        return 0;
    /* "<" must not swallow the first half of "<=", "!" not of "!=". */
    if (n == 1 && (tok[0] == '<' || tok[0] == '>' || tok[0] == '!' || tok[0] == '=') &&
        ps->s[ps->pos + 1] == '=')
        return 0;
    ps->pos += n;
    return 1;
}

/* Appends a node; returns its index or -1 when the array is full. */
static int node(kpl_parser *ps, int op, int a, int b, int c, unsigned long v)
{
    if (a < 0 || b < -1 || c < -1)
        return -1;
    if (ps->p->nnodes >= KPLURAL_NODES_MAX)
        return fail(ps, "expression longer than %d nodes", KPLURAL_NODES_MAX);
    int i = ps->p->nnodes++;
    kplural_node *nd = &ps->p->node[i];
    nd->op = (unsigned char)op;
    nd->a = (unsigned char)a;
    nd->b = (unsigned char)(b < 0 ? 0 : b);
    nd->c = (unsigned char)(c < 0 ? 0 : c);
    nd->v = v;
    return i;
}

/* prim := 'n' | DIGITS | '(' cond ')' */
static int parse_prim(kpl_parser *ps)
{
    skip_ws(ps);
    char ch = ps->s[ps->pos];
    if (ch == 'n') {
        char next = ps->s[ps->pos + 1];
        if ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || next == '_')
            return fail(ps, "unknown name (only n is allowed)");
        ps->pos++;
        int i = node(ps, KPL_N, 0, -1, -1, 0);
        return i < 0 ? -1 : i;
    }
    if (ch >= '0' && ch <= '9') {
        unsigned long v = 0;
        while (ps->s[ps->pos] >= '0' && ps->s[ps->pos] <= '9') {
            unsigned d = (unsigned)(ps->s[ps->pos] - '0');
            if (v > (ULONG_MAX - d) / 10)
                return fail(ps, "number too large");
            v = v * 10 + d;
            ps->pos++;
        }
        int i = node(ps, KPL_NUM, 0, -1, -1, v);
        return i < 0 ? -1 : i;
    }
    if (ch == '(') {
        ps->pos++;
        int e = parse_cond(ps);
        if (e < 0)
            return -1;
        if (!accept(ps, ")"))
            return fail(ps, "expected ')'");
        return e;
    }
    if (ch == '\0' || ch == ';')
        return fail(ps, "expression ends too soon");
    return fail(ps, "unexpected '%c'", ch);
}

/* unary := ('!' | '-') unary | prim */
static int parse_unary(kpl_parser *ps)
{
    if (++ps->depth > KPLURAL_DEPTH_MAX)
        return fail(ps, "expression nested deeper than %d", KPLURAL_DEPTH_MAX);
    int r;
    if (accept(ps, "!"))
        r = node(ps, KPL_NOT, parse_unary(ps), -1, -1, 0);
    else if (accept(ps, "-"))
        r = node(ps, KPL_NEG, parse_unary(ps), -1, -1, 0);
    else
        r = parse_prim(ps);
    ps->depth--;
    return r;
}

/* A left-associative level: operand { op operand }. */
static int parse_level(kpl_parser *ps, int (*operand)(kpl_parser *), const char *const *toks,
                       const int *ops, int ntoks)
{
    int l = operand(ps);
    while (l >= 0) {
        int k = -1;
        for (int i = 0; i < ntoks && k < 0; i++)
            if (accept(ps, toks[i]))
                k = i;
        if (k < 0)
            break;
        l = node(ps, ops[k], l, operand(ps), -1, 0);
    }
    return l;
}

/* mul := unary { ('*' | '/' | '%') unary } */
static int parse_mul(kpl_parser *ps)
{
    static const char *const t[] = {"*", "/", "%"};
    static const int o[] = {KPL_MUL, KPL_DIV, KPL_MOD};
    return parse_level(ps, parse_unary, t, o, 3);
}

/* add := mul { ('+' | '-') mul } */
static int parse_add(kpl_parser *ps)
{
    static const char *const t[] = {"+", "-"};
    static const int o[] = {KPL_ADD, KPL_SUB};
    return parse_level(ps, parse_mul, t, o, 2);
}

/* rel := add { ('<=' | '>=' | '<' | '>') add } */
static int parse_rel(kpl_parser *ps)
{
    static const char *const t[] = {"<=", ">=", "<", ">"};
    static const int o[] = {KPL_LE, KPL_GE, KPL_LT, KPL_GT};
    return parse_level(ps, parse_add, t, o, 4);
}

/* eq := rel { ('==' | '!=') rel } */
static int parse_eq(kpl_parser *ps)
{
    static const char *const t[] = {"==", "!="};
    static const int o[] = {KPL_EQ, KPL_NE};
    return parse_level(ps, parse_rel, t, o, 2);
}

/* and := eq { '&&' eq } */
static int parse_and(kpl_parser *ps)
{
    static const char *const t[] = {"&&"};
    static const int o[] = {KPL_AND};
    return parse_level(ps, parse_eq, t, o, 1);
}

/* or := and { '||' and } */
static int parse_or(kpl_parser *ps)
{
    static const char *const t[] = {"||"};
    static const int o[] = {KPL_OR};
    return parse_level(ps, parse_and, t, o, 1);
}

/* cond := or [ '?' cond ':' cond ] */
static int parse_cond(kpl_parser *ps)
{
    if (++ps->depth > KPLURAL_DEPTH_MAX)
        return fail(ps, "expression nested deeper than %d", KPLURAL_DEPTH_MAX);
    int c = parse_or(ps);
    if (c >= 0 && accept(ps, "?")) {
        int t = parse_cond(ps);
        if (t >= 0 && !accept(ps, ":"))
            t = fail(ps, "expected ':'");
        int f = t >= 0 ? parse_cond(ps) : -1;
        c = f >= 0 ? node(ps, KPL_COND, c, t, f, 0) : -1;
    }
    ps->depth--;
    return c;
}

/* Evaluates node i for n. */
static unsigned long eval(const kplural *p, int i, unsigned long n)
{
    const kplural_node *nd = &p->node[i];
    unsigned long a, b;
    switch (nd->op) {
    case KPL_N: return n;
    case KPL_NUM: return nd->v;
    case KPL_NOT: return !eval(p, nd->a, n);
    case KPL_NEG: return 0UL - eval(p, nd->a, n);
    case KPL_AND: return eval(p, nd->a, n) && eval(p, nd->b, n);
    case KPL_OR: return eval(p, nd->a, n) || eval(p, nd->b, n);
    case KPL_COND: return eval(p, nd->a, n) ? eval(p, nd->b, n) : eval(p, nd->c, n);
    default: break;
    }
    a = eval(p, nd->a, n);
    b = eval(p, nd->b, n);
    switch (nd->op) {
    case KPL_MUL: return a * b;
    case KPL_DIV: return b ? a / b : 0;
    case KPL_MOD: return b ? a % b : 0;
    case KPL_ADD: return a + b;
    case KPL_SUB: return a - b;
    case KPL_LT: return a < b;
    case KPL_GT: return a > b;
    case KPL_LE: return a <= b;
    case KPL_GE: return a >= b;
    case KPL_EQ: return a == b;
    case KPL_NE: return a != b;
    default: return 0;
    }
}

/* The rule of English and most Germanic and Romance languages. */
void kplural_default(kplural *p)
{
    memset(p, 0, sizeof *p);
    p->nplurals = 2;
    p->nnodes = 3;
    p->node[0] = (kplural_node){KPL_N, 0, 0, 0, 0};
    p->node[1] = (kplural_node){KPL_NUM, 0, 0, 0, 1};
    p->node[2] = (kplural_node){KPL_NE, 0, 1, 0, 0};
    p->root = 2;
}

/* Reads "name=" at the parser position; 1 if name is next. */
static int accept_key(kpl_parser *ps, const char *name)
{
    size_t save = ps->pos;
    if (accept(ps, name) && accept(ps, "="))
        return 1;
    ps->pos = save;
    return 0;
}

/* Parses "nplurals=N; plural=EXPR;" in either order. */
int kplural_parse(kplural *p, const char *spec, char *why, size_t why_cap)
{
    kplural tmp;
    memset(&tmp, 0, sizeof tmp);
    kpl_parser ps = {spec ? spec : "", 0, &tmp, 0, why, why_cap, 0};
    int have_n = 0, have_expr = 0;
    tmp.nplurals = 0;
    tmp.root = -1;
    while (!ps.failed) {
        skip_ws(&ps);
        if (ps.s[ps.pos] == '\0')
            break;
        if (accept_key(&ps, "nplurals")) {
            skip_ws(&ps);
            int v = 0;
            if (ps.s[ps.pos] < '0' || ps.s[ps.pos] > '9')
                fail(&ps, "nplurals must be a number");
            while (!ps.failed && ps.s[ps.pos] >= '0' && ps.s[ps.pos] <= '9' && v <= 1000)
                v = v * 10 + (ps.s[ps.pos++] - '0');
            if (!ps.failed && (v < 1 || v > KPLURAL_FORMS_MAX))
                fail(&ps, "nplurals must be 1 to %d", KPLURAL_FORMS_MAX);
            tmp.nplurals = v;
            have_n = 1;
        } else if (accept_key(&ps, "plural")) {
            tmp.root = parse_cond(&ps);
            have_expr = tmp.root >= 0;
        } else {
            fail(&ps, "expected nplurals= or plural=");
        }
        if (!ps.failed && !accept(&ps, ";")) {
            skip_ws(&ps);
            if (ps.s[ps.pos] != '\0')
                fail(&ps, "expected ';'");
        }
    }
    if (!ps.failed && (!have_n || !have_expr))
        fail(&ps, "%s missing", have_n ? "plural=" : "nplurals=");
    if (ps.failed) {
        kplural_default(p);
        return -1;
    }
    *p = tmp;
    return 0;
}

/* Evaluates the compiled expression. */
unsigned long kplural_eval(const kplural *p, unsigned long n)
{
    if (!p || p->root < 0 || p->root >= p->nnodes)
        return n != 1;
    return eval(p, p->root, n);
}

/* The form index for n, 0 when the rule's value is out of range. */
int kplural_index(const kplural *p, unsigned long n)
{
    unsigned long v = kplural_eval(p, n);
    return p && v < (unsigned long)p->nplurals ? (int)v : 0;
}
