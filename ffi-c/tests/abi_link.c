/* The `ffi-link` job links this program against archives of both
 * precisions: it must link (and print 3) only against the archive whose
 * precision it was compiled for (EXP_RS_F32 or not), and fail to link, on
 * the undefined exp_rs_abi_v1_<precision>, against the other. */
#include <stdio.h>

#include "exp_rs.h"
#include "exp_rs.h" /* twice, as headers that include it each make happen */

int main(void) {
    exp_rs_real out = 0;
    exp_rs_status s = exp_rs_eval("1.5 * 2", NULL, NULL, 0, &out);
    printf("status %d, result %g\n", (int)s, (double)out);
    return s == EXP_RS_STATUS_OK && out == 3 ? 0 : 1;
}
