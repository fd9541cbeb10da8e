/* ARM semihosting calls and a tiny formatted writer on top of them. */
#include "semihost.h"

#include <math.h>
#include <string.h>

#include "board.h"

#define SYS_WRITE0 0x04
#define SYS_GET_CMDLINE 0x15
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

static int semihost(int op, void *arg) {
#if OUTPUT_UART
    /* The UART build holds no BKPT at all (cargo xtask firmware checks the
     * image): semihosting_usable() is 0 there and nothing gets here. */
    (void)op;
    (void)arg;
    return -1;
#else
    register int r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
#endif
}

void sh_write0(const char *s) { semihost(SYS_WRITE0, (void *)s); }

int sh_get_cmdline(char *buf, size_t len) {
    uint32_t block[2] = {(uint32_t)(uintptr_t)buf, (uint32_t)len};
    if (len == 0) return -1;
    buf[0] = '\0';
    return semihost(SYS_GET_CMDLINE, block);
}

void sh_exit(int status) {
    uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
    semihost(SYS_EXIT_EXTENDED, block);
    /* The debugger did not end the session: the caller goes on (fw_exit
     * falls back to the LEDs and a reset), never to another BKPT. */
}

/* ---- the writer: one line at a time to the output backend (board.c) ---- */

static char line[200];
static size_t line_len;

static void flush(void) {
    line[line_len] = '\0';
    console_write(line);
    line_len = 0;
}

void out_flush(void) {
    if (line_len) flush();
}

void out_char(char c) {
    if (line_len + 1 >= sizeof line) flush();
    line[line_len++] = c;
    if (c == '\n') flush();
}

void out_str(const char *s) {
    while (*s) out_char(*s++);
}

void out_nl(void) { out_char('\n'); }

void out_u(uint64_t v) {
    char digits[24];
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) out_char(digits[--n]);
}

void out_i(int64_t v) {
    if (v < 0) {
        out_char('-');
        out_u((uint64_t)0 - (uint64_t)v);
    } else {
        out_u((uint64_t)v);
    }
}

void out_hex(uint32_t v) {
    out_str("0x");
    for (int shift = 28; shift >= 0; shift -= 4) out_char("0123456789abcdef"[(v >> shift) & 0xF]);
}

static int special(double v) {
    if (isnan(v)) {
        out_str("nan");
        return 1;
    }
    if (isinf(v)) {
        out_str(v < 0 ? "-inf" : "inf");
        return 1;
    }
    return 0;
}

void out_fixed(double v, int decimals) {
    if (special(v)) return;
    uint64_t scale = 1;
    for (int i = 0; i < decimals; i++) scale *= 10;
    double a = fabs(v);
    if (a * (double)scale >= 1.8e19) { /* does not fit: fall back */
        out_sci(v);
        return;
    }
    uint64_t n = (uint64_t)(a * (double)scale + 0.5);
    if (v < 0 && n != 0) out_char('-');
    out_u(n / scale);
    if (decimals > 0) {
        out_char('.');
        uint64_t frac = n % scale;
        for (uint64_t d = scale / 10; d > 0; d /= 10) {
            out_char((char)('0' + frac / d));
            frac %= d;
        }
    }
}

void out_sci(double v) {
    if (special(v)) return;
    if (v == 0) {
        out_char('0');
        return;
    }
    if (v < 0) {
        out_char('-');
        v = -v;
    }
    int exp10 = 0;
    while (v >= 10) {
        v /= 10;
        exp10++;
    }
    while (v < 1) {
        v *= 10;
        exp10--;
    }
    unsigned tenths = (unsigned)(v * 10 + 0.5);
    if (tenths >= 100) {
        tenths /= 10;
        exp10++;
    }
    out_u(tenths / 10);
    out_char('.');
    out_u(tenths % 10);
    out_char('e');
    out_i(exp10);
}
