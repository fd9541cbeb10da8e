/* Cortex-M7 start-up: the vector table, reset (FPU on, stack painted,
 * .data copied, .bss zeroed), the fault handlers, and per-board set-up
 * (caches and the cycle counter on the STM32H7). */
#include <stdint.h>

#include "board.h"
#include "semihost.h"

extern uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[];

int main(void);
void Reset_Handler(void) __attribute__((naked, noreturn));
void reset_c(void) __attribute__((noreturn, used));
void SysTick_Handler(void); /* main.c */
void Fault_Handler(void);
static void Default_Handler(void);

/* What the painted stack holds where it was never written. */
#define STACK_PAINT 0x5A5A5A5Au

/* The STM32H743's full table: 16 system exceptions and 150 interrupt lines
 * (RM0433, table 143; the last is WAKEUP_PIN, IRQ 149). The demo enables no
 * interrupt, so every line goes to Default_Handler; an application puts its
 * handlers at 16 + IRQn. 166 words = 664 B: VTOR needs the table aligned to
 * the next power of two, 1 KB (ld/sections.ld). mps2-an500 has fewer lines;
 * the extra entries are never fetched. */
#define N_IRQS 150
__attribute__((section(".isr_vector"), used)) static void (*const vectors[16 + N_IRQS])(void) = {
    (void (*)(void))(uintptr_t)_estack, /* initial main stack pointer */
    Reset_Handler,
    Fault_Handler,   /* NMI */
    Fault_Handler,   /* HardFault */
    Fault_Handler,   /* MemManage */
    Fault_Handler,   /* BusFault */
    Fault_Handler,   /* UsageFault */
    0, 0, 0, 0,
    Default_Handler, /* SVCall */
    Default_Handler, /* DebugMonitor */
    0,
    Default_Handler, /* PendSV */
    SysTick_Handler,
    [16 ... 16 + N_IRQS - 1] = Default_Handler,
};
_Static_assert(sizeof vectors == 166 * 4, "the STM32H743 has 166 vectors");

/* Reset: load SP first (a debugger's "load and jump", or a boot loader, may
 * enter with any stack), then C. Naked: no prologue touches the old stack. */
void Reset_Handler(void) {
    __asm__ volatile(
        "ldr r0, =_estack\n\t"
        "mov sp, r0\n\t"
        "b reset_c\n\t"
        ".ltorg\n\t");
}

/* Runs before .data and .bss are set up, so it must not call memcpy or
 * memset (Rust's, from the archive, would run on an unset RAM): this file
 * is compiled with -fno-tree-loop-distribute-patterns (Makefile), which
 * stops GCC from turning the loops below into such calls, and cargo xtask
 * firmware checks the disassembly. */
void reset_c(void) {
    /* Full access to CP10/CP11, the FPU: the code is built for hard float. */
    SCB_CPACR |= 0xFu << 20;
    dsb_isb();
    SCB_VTOR = (uint32_t)(uintptr_t)vectors;
    /* MemManage, BusFault and UsageFault get reported as themselves. */
    SCB_SHCSR |= (1u << 16) | (1u << 17) | (1u << 18);

    stack_paint();
    for (uint32_t *src = _sidata, *dst = _sdata; dst < _edata;) *dst++ = *src++;
    for (uint32_t *dst = _sbss; dst < _ebss;) *dst++ = 0;

    fw_exit(main());
}

/* Paints the free part of the stack, from its bottom up to a little below
 * the current stack pointer. Called at reset and again after set-up, so
 * the loop's high-water mark is measured on its own. */
void stack_paint(void) {
    uint32_t *top = (uint32_t *)(stack_pointer() - 64);
    for (volatile uint32_t *p = _sstack; p < top; p++) *p = STACK_PAINT;
}

/* Bytes of stack ever used since the last paint: from the top down to the
 * lowest word that is no longer paint. */
uint32_t stack_high_water(void) {
    const uint32_t *p = _sstack;
    while (p < _estack && *p == STACK_PAINT) p++;
    return (uint32_t)((uintptr_t)_estack - (uintptr_t)p);
}

uint32_t stack_size(void) { return (uint32_t)((uintptr_t)_estack - (uintptr_t)_sstack); }

void board_init(void) {
#if defined(BOARD_STM32H743)
    /* ES0392 2.2.9: on revision Y (DBGMCU_IDCODE REV_ID 0x1003) a read
     * from AXI SRAM can return wrong data under concurrent accesses; set
     * READ_ISS_OVERRIDE in AXI_TARG7_FN_MOD before using it. The heap and
     * the arena live there. (Rev Y also tops out at 400 MHz; the demo runs
     * at the 64 MHz reset clock unless built with CLOCK=, see clock.c.) */
    if ((REG32(0x5C001000u) >> 16) == 0x1003u) REG32(0x51008108u) |= 1u;
#if CLOCK_MHZ
    clock_init(); /* make CLOCK=400|480: PLL1, VOS, flash wait states */
#endif
#endif
#if HAVE_CACHES
    /* Instruction cache: invalidate, then enable. */
    dsb_isb();
    SCB_ICIALLU = 0;
    dsb_isb();
    SCB_CCR |= SCB_CCR_IC;
    dsb_isb();
    /* Data cache: invalidate every set and way of L1, then enable. (DTCM,
     * where the stack and the variables are, is never cached; the heap and
     * the arena in AXI SRAM are.) */
    SCB_CSSELR = 0;
    dsb_isb();
    uint32_t ccsidr = SCB_CCSIDR;
    uint32_t sets = (ccsidr >> 13) & 0x7FFFu, ways = (ccsidr >> 3) & 0x3FFu;
    for (uint32_t s = 0; s <= sets; s++)
        for (uint32_t w = 0; w <= ways; w++) SCB_DCISW = (s << 5) | (w << 30);
    dsb_isb();
    SCB_CCR |= SCB_CCR_DC;
    dsb_isb();
#endif
#if HAVE_DWT
    DEMCR |= DEMCR_TRCENA;
    DWT_LAR = 0xC5ACCE55u; /* unlock (Cortex-M7) */
    DWT_CYCCNT = 0;
    DWT_CTRL |= 1u;        /* CYCCNTENA */
#endif
}

/* A fault: report where and why on the output backend, exit with status 3
 * (fw_exit: no BKPT unless a debugger serves it; LD3 and a reset on the
 * board). */
__attribute__((naked)) void Fault_Handler(void) {
    __asm__ volatile(
        "tst lr, #4\n\t"
        "ite eq\n\t"
        "mrseq r0, msp\n\t"
        "mrsne r0, psp\n\t"
        "mrs r1, ipsr\n\t"
        "b fault_report\n\t");
}

__attribute__((used, noreturn)) void fault_report(const uint32_t *frame, uint32_t ipsr) {
    static const char *const names[] = {"?", "?", "NMI", "HardFault", "MemManage", "BusFault",
                                        "UsageFault"};
    uint32_t n = ipsr & 0x1FFu;
    out_str("FAULT: ");
    out_str(n < 7 ? names[n] : "exception");
    out_str(" pc=");
    out_hex(frame[6]);
    out_str(" lr=");
    out_hex(frame[5]);
    out_str(" CFSR=");
    out_hex(SCB_CFSR);
    out_str(" HFSR=");
    out_hex(SCB_HFSR);
    out_str(" BFAR=");
    out_hex(SCB_BFAR);
    out_nl();
    out_str("result: FAIL (fault)");
    out_nl();
    fw_exit(3);
}

static void Default_Handler(void) {
    out_str("FAULT: unexpected exception");
    out_nl();
    fw_exit(3);
}

/* abort(): newlib's would pull in signals. Report and stop instead. */
void abort(void) {
    out_str("FAULT: abort()");
    out_nl();
    fw_exit(4);
}

/* The Rust objects in libexp_rs_ffi.a name the ARM EHABI personality
 * routine in their unwind tables, which would pull in libgcc's unwinder
 * (about 4 KB of flash). exp-rs is built with panic = "abort": nothing
 * ever unwinds, so nothing calls it. */
void __aeabi_unwind_cpp_pr0(void);
void __aeabi_unwind_cpp_pr0(void) { abort(); }

/* newlib references these when linked without its start files. */
void _init(void) {}
void _fini(void) {}
