/* ARM semihosting: text out, the command line in, the exit status out.
 * Needs a debugger that serves it (QEMU -semihosting-config enable=on,
 * OpenOCD `arm semihosting enable`, pyOCD, J-Link): without one the BKPT
 * instruction faults. */
#ifndef SEMIHOST_H
#define SEMIHOST_H

#include <stddef.h>
#include <stdint.h>

void sh_write0(const char *s);
/* The command line (QEMU: the -semihosting-config arg= words); 0 on success. */
int sh_get_cmdline(char *buf, size_t len);
/* SYS_EXIT_EXTENDED: QEMU exits with `status`. Does not return. */
void sh_exit(int status) __attribute__((noreturn));

/* A line-buffered text writer for the report: no printf, no malloc. */
void out_str(const char *s);
void out_char(char c);
void out_u(uint64_t v);
void out_i(int64_t v);
void out_hex(uint32_t v);
void out_fixed(double v, int decimals);
void out_sci(double v); /* 2 significant digits: 1.2e-15 */
void out_nl(void);

#endif
