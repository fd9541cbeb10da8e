/* ARM semihosting: text out, the command line in, the exit status out.
 * Needs a debugger that serves it (QEMU -semihosting-config enable=on,
 * OpenOCD `arm semihosting enable`, pyOCD, J-Link): without one the BKPT
 * instruction faults, so call these only when semihosting_usable() (board.c).
 * And the report writer, which sends whole lines to the output backend. */
#ifndef SEMIHOST_H
#define SEMIHOST_H

#include <stddef.h>
#include <stdint.h>

void sh_write0(const char *s);
/* The command line (QEMU: the -semihosting-config arg= words); 0 on success. */
int sh_get_cmdline(char *buf, size_t len);
/* SYS_EXIT_EXTENDED: QEMU exits with `status`; returns if the debugger
 * lets the program go on. (fw_exit in board.c is the way to end a run.) */
void sh_exit(int status);

/* A line-buffered text writer for the report: no printf, no malloc. */
void out_str(const char *s);
void out_char(char c);
void out_u(uint64_t v);
void out_i(int64_t v);
void out_hex(uint32_t v);
void out_fixed(double v, int decimals);
void out_sci(double v); /* 2 significant digits: 1.2e-15 */
void out_nl(void);
void out_flush(void); /* sends a partial line */

#endif
