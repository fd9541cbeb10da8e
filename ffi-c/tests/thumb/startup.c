/* Minimal Cortex-M7 start-up for the QEMU smoke test of the thumbv7em
 * staticlib: vector table, .data/.bss set-up, FPU on, semihosting output
 * and exit (SYS_EXIT_EXTENDED, so QEMU exits with our status). */
#include <stdint.h>
#include <string.h>

extern uint32_t _sidata, _sdata, _edata, _sbss, _ebss, _estack;
int main(void);

void semihost_write(const char *s);
void semihost_exit(int code) __attribute__((noreturn));

static int semihost(int op, void *arg) {
    register int r0 __asm__("r0") = op;
    register void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void semihost_write(const char *s) { semihost(0x04 /* SYS_WRITE0 */, (void *)s); }

void semihost_exit(int code) {
    uint32_t block[2] = {0x20026 /* ADP_Stopped_ApplicationExit */, (uint32_t)code};
    semihost(0x20 /* SYS_EXIT_EXTENDED */, block);
    for (;;) {
    }
}

void Reset_Handler(void) {
    /* Full access to CP10 and CP11: the FPU (hard-float code needs it). */
    volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88u;
    *cpacr |= 0xFu << 20;
    __asm__ volatile("dsb\n isb" ::: "memory");
    memcpy(&_sdata, &_sidata, (size_t)((char *)&_edata - (char *)&_sdata));
    memset(&_sbss, 0, (size_t)((char *)&_ebss - (char *)&_sbss));
    semihost_exit(main());
}

static void Fault_Handler(void) {
    semihost_write("fault\n");
    semihost_exit(3);
}

/* The vector table: the initial stack pointer, then the handlers. */
struct vector_table {
    const void *stack;
    void (*handlers[15])(void);
};

__attribute__((section(".vectors"), used)) static const struct vector_table vectors = {
    &_estack,
    {
        Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
        Fault_Handler, 0, 0, 0, 0, Fault_Handler, Fault_Handler, 0, Fault_Handler,
        Fault_Handler,
    },
};

/* newlib wants these when linked without its start files. */
void _init(void) {}
void _fini(void) {}
