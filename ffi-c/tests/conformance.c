/* The data-driven conformance table (core/tests/conformance.txt; its header
 * describes the format and the fixture) run through the C API:
 *  - every row with exp_rs_context_eval (declared variables, so an unbound
 *    name is UnknownVariable), in the precision this program is built for;
 *  - every row whose expected result is not UnknownVariable once more
 *    through a batch builder (variables declared with add_param), the path
 *    firmware uses.
 * Usage: conformance path/to/conformance.txt */
#include "exp_rs.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>

#include "check.h"

#define MAX_ITEMS 32

static exp_rs_real add3(void *u, const exp_rs_real *a, size_t n) {
    (void)u;
    (void)n;
    return a[0] + a[1] + a[2];
}

static exp_rs_real sum(void *u, const exp_rs_real *a, size_t n) {
    (void)u;
    exp_rs_real s = 0;
    for (size_t i = 0; i < n; i++) s += a[i];
    return s;
}

static bool fail(void *u, const exp_rs_real *a, size_t n, exp_rs_real *out) {
    (void)u;
    (void)a;
    (void)n;
    (void)out;
    return false;
}

/* The fixture of the table's header. */
static ExpRsContext *fixture(void) {
    static const char *defs[] = {
        "hyp(a, b) = sqrt(a^2 + b^2)",
        "sq(x) = x * x",
        "fact(n) = n <= 1 ? 1 : n * fact(n - 1)",
        "fib(n) = n < 2 ? n : fib(n - 1) + fib(n - 2)",
        "forever(n) = forever(n + 1)",
        "outer(x) = sq(x) + 1",
        "shadow_idx(a) = a[0]",
        "shadow_fld(p) = p.x",
        "shadow_val(pi) = pi * 2",
        "shadow_call(sq) = sq(sq)",
    };
    ExpRsContext *ctx = exp_rs_context_new();
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        CHECK_OK(exp_rs_context_add_expression_function(ctx, defs[i]));
    CHECK_OK(exp_rs_context_add_function(ctx, "add3", 3, false, add3, NULL));
    CHECK_OK(exp_rs_context_add_function(ctx, "sum", 1, true, sum, NULL));
    CHECK_OK(exp_rs_context_add_fallible_function(ctx, "fail", 1, false, fail, NULL));
    return ctx;
}

/* "IndexOutOfBounds" -> the status named "INDEX_OUT_OF_BOUNDS". */
static int status_of_kind(const char *kind) {
    char want[64];
    size_t w = 0;
    for (size_t i = 0; kind[i] && w + 2 < sizeof want; i++) {
        if (i > 0 && isupper((unsigned char)kind[i])) want[w++] = '_';
        want[w++] = (char)toupper((unsigned char)kind[i]);
    }
    want[w] = 0;
    for (int s = 1; s < 200; s++)
        if (strcmp(exp_rs_status_name(s), want) == 0) return s;
    return -1;
}

static char *trim(char *s) {
    while (*s == ' ') s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\r')) s[--n] = 0;
    return s;
}

static void unescape(char *s) {
    char *o = s;
    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            s++;
            *o++ = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s;
        } else {
            *o++ = *s;
        }
    }
    *o = 0;
}

struct row {
    int line;
    const char *src;
    int want_status; /* 0: a value */
    int has_span;
    unsigned span_start, span_end;
    double want;
    /* bindings */
    size_t n_vars;
    const char *var_names[MAX_ITEMS];
    exp_rs_real var_values[MAX_ITEMS];
};

static int rows_run = 0, rows_failed = 0, builder_rows = 0;

static void report(const struct row *r, const char *how, int got, double value,
                   const exp_rs_error *err) {
    rows_failed++;
    fprintf(stderr, "conformance.txt:%d (%s): `%s`\n    got %s", r->line, how, r->src,
            exp_rs_status_name(got));
    if (got == 0) fprintf(stderr, " %.17g", value);
    if (got != 0 && err) fprintf(stderr, "@%u..%u", err->span_start, err->span_end);
    fprintf(stderr, ", want %s", exp_rs_status_name(r->want_status));
    if (r->want_status == 0) fprintf(stderr, " %.17g", r->want);
    if (r->has_span) fprintf(stderr, "@%u..%u", r->span_start, r->span_end);
    fprintf(stderr, "\n");
}

static int matches(const struct row *r, int got, double value, const exp_rs_error *err) {
    if (got != r->want_status) return 0;
    if (got == 0) return near(value, r->want);
    if (r->has_span && err)
        return err->span_start == r->span_start && err->span_end == r->span_end;
    return 1;
}

static void run_row(struct row *r, ExpRsContext *ctx) {
    rows_run++;
    /* 1. One-shot against the fixture context. */
    exp_rs_real out = 0;
    exp_rs_error err = {0, 0, 0, SIZE_MAX};
    int got = exp_rs_context_eval(ctx, r->src, r->var_names, r->var_values, r->n_vars, &out, &err);
    if (matches(r, got, (double)out, &err)) {
        check_passed++;
    } else {
        check_failed++;
        report(r, "context_eval", got, (double)out, &err);
    }
    /* 2. The batch builder, where free names would become parameters. */
    if (r->want_status == status_of_kind("UnknownVariable")) return;
    builder_rows++;
    ExpRsArena *arena = exp_rs_arena_new(0);
    ExpRsBatchBuilder *b = exp_rs_batch_builder_new(arena, ctx);
    for (size_t i = 0; i < r->n_vars; i++)
        CHECK_OK(exp_rs_batch_builder_add_param(b, r->var_names[i], r->var_values[i], NULL));
    got = exp_rs_batch_builder_add_expression(b, r->src);
    if (got == 0) got = exp_rs_batch_builder_eval(b, ctx);
    if (got == 0) CHECK_OK(exp_rs_batch_builder_result(b, 0, &out));
    CHECK_OK(exp_rs_batch_builder_last_error(b, &err));
    if (matches(r, got, (double)out, &err)) {
        check_passed++;
    } else {
        check_failed++;
        report(r, "batch builder", got, (double)out, &err);
    }
    exp_rs_batch_builder_free(b);
    exp_rs_arena_free(arena);
}

/* Parses "<expected> ;; <bindings> ;; <source>" and runs it. */
static void parse_and_run(char *line, int line_no) {
    char *sep1 = strstr(line, " ;; ");
    if (!sep1) {
        check_failed++;
        fprintf(stderr, "conformance.txt:%d: no separator\n", line_no);
        return;
    }
    char *sep2 = strstr(sep1 + 4, " ;; ");
    if (!sep2) {
        check_failed++;
        fprintf(stderr, "conformance.txt:%d: one separator only\n", line_no);
        return;
    }
    *sep1 = 0;
    *sep2 = 0;
    char *expected = trim(line);
    char *bindings = trim(sep1 + 4);
    char *src = trim(sep2 + 4);
    unescape(src);

    struct row r;
    memset(&r, 0, sizeof r);
    r.line = line_no;
    r.src = src;
    if (expected[0] == '!') {
        char *at = strchr(expected, '@');
        if (at) {
            *at = 0;
            r.has_span = sscanf(at + 1, "%u..%u", &r.span_start, &r.span_end) == 2;
        }
        r.want_status = status_of_kind(expected + 1);
        if (r.want_status < 0) {
            check_failed++;
            fprintf(stderr, "conformance.txt:%d: unknown kind %s\n", line_no, expected + 1);
            return;
        }
    } else {
        char *end = NULL;
        r.want = strtod(expected, &end);
        char *f32 = strstr(expected, "f32=");
        if (f32 && sizeof(exp_rs_real) == sizeof(float)) r.want = strtod(f32 + 4, NULL);
    }

    ExpRsContext *ctx = fixture();
    /* Objects: up to MAX_ITEMS fields of up to 8 objects, grouped by name. */
    char *obj_names[8];
    const char *obj_fields[8][MAX_ITEMS];
    exp_rs_real obj_values[8][MAX_ITEMS];
    size_t obj_n[8];
    size_t n_obj = 0;
    if (strcmp(bindings, "-") != 0) {
        char *p = bindings;
        while (*p) {
            /* One item: up to a comma outside brackets. */
            char *item = p;
            int depth = 0;
            while (*p && !(*p == ',' && depth == 0)) {
                if (*p == '[') depth++;
                if (*p == ']') depth--;
                p++;
            }
            if (*p == ',') *p++ = 0;
            item = trim(item);
            char *eq = strchr(item, '=');
            if (!eq) continue;
            *eq = 0;
            char *name = trim(item);
            char *value = trim(eq + 1);
            char *dot = strchr(name, '.');
            if (value[0] == '[') {
                exp_rs_real vals[MAX_ITEMS];
                size_t n = 0;
                char *q = value + 1;
                while (*q && *q != ']' && n < MAX_ITEMS) {
                    char *e2 = NULL;
                    vals[n++] = (exp_rs_real)strtod(q, &e2);
                    q = e2;
                    while (*q == ',' || *q == ' ') q++;
                }
                CHECK_OK(exp_rs_context_add_array(ctx, name, vals, n));
            } else if (dot) {
                *dot = 0;
                size_t k = 0;
                while (k < n_obj && strcmp(obj_names[k], name) != 0) k++;
                if (k == n_obj && n_obj < 8) {
                    obj_names[n_obj] = name;
                    obj_n[n_obj++] = 0;
                }
                if (k < n_obj && obj_n[k] < MAX_ITEMS) {
                    obj_fields[k][obj_n[k]] = dot + 1;
                    obj_values[k][obj_n[k]++] = (exp_rs_real)strtod(value, NULL);
                }
            } else if (r.n_vars < MAX_ITEMS) {
                r.var_names[r.n_vars] = name;
                r.var_values[r.n_vars++] = (exp_rs_real)strtod(value, NULL);
            }
        }
    }
    for (size_t k = 0; k < n_obj; k++)
        CHECK_OK(exp_rs_context_add_object(ctx, obj_names[k], obj_fields[k], obj_values[k],
                                           obj_n[k]));
    run_row(&r, ctx);
    exp_rs_context_free(ctx);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s conformance.txt\n", argv[0]);
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    text[size] = 0;
    fclose(f);

    int line_no = 0;
    for (char *line = text; line && *line;) {
        char *next = strchr(line, '\n');
        if (next) *next++ = 0;
        line_no++;
        /* Comments and blank lines (only spaces) are skipped; the row with
         * an empty source keeps its trailing space after the separator. */
        char *t = line;
        while (*t == ' ' || *t == '\r') t++;
        if (*t != 0 && *t != '#') parse_and_run(line, line_no);
        line = next;
    }
    free(text);
    printf("conformance (%s): %d rows, %d through a batch builder too, %d mismatches\n",
           sizeof(exp_rs_real) == sizeof(float) ? "f32" : "f64", rows_run, builder_rows,
           rows_failed);
    if (rows_run < 100) {
        check_failed++;
        fprintf(stderr, "too few rows: is %s the conformance table?\n", argv[1]);
    }
    return check_summary();
}
