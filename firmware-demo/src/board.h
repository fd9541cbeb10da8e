/* Board and core registers: the few the demo touches, without CMSIS. */
#ifndef BOARD_H
#define BOARD_H

#include <stdint.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

/* SysTick. */
#define SYST_CSR REG32(0xE000E010u)
#define SYST_RVR REG32(0xE000E014u)
#define SYST_CVR REG32(0xE000E018u)
#define SYST_CSR_ENABLE (1u << 0)
#define SYST_CSR_TICKINT (1u << 1)
#define SYST_CSR_CLKSOURCE (1u << 2) /* the processor clock */

/* System control block. */
#define SCB_CCR REG32(0xE000ED14u)
#define SCB_SHPR3 REG32(0xE000ED20u)
#define SCB_SHCSR REG32(0xE000ED24u)
#define SCB_CFSR REG32(0xE000ED28u)
#define SCB_HFSR REG32(0xE000ED2Cu)
#define SCB_MMFAR REG32(0xE000ED34u)
#define SCB_BFAR REG32(0xE000ED38u)
#define SCB_VTOR REG32(0xE000ED08u)
#define SCB_CPACR REG32(0xE000ED88u)
#define SCB_CCSIDR REG32(0xE000ED80u)
#define SCB_CSSELR REG32(0xE000ED84u)
#define SCB_ICIALLU REG32(0xE000EF50u)
#define SCB_DCISW REG32(0xE000EF60u)
#define SCB_CCR_DC (1u << 16)
#define SCB_CCR_IC (1u << 17)

/* Data watchpoint and trace unit: the cycle counter. */
#define DEMCR REG32(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL REG32(0xE0001000u)
#define DWT_CYCCNT REG32(0xE0001004u)
#define DWT_LAR REG32(0xE0001FB0u)

/* Per board: the core clock SysTick counts (the clock after reset; the
 * demo does not touch the PLL) and whether it has a cycle counter. */
#if defined(BOARD_STM32H743)
#define BOARD_NAME "stm32h743"
#define CPU_HZ 64000000u /* HSI after reset */
#define HAVE_DWT 1       /* DWT->CYCCNT: cycles per batch */
#define HAVE_CACHES 1    /* Cortex-M7 L1 caches, off after reset */
#elif defined(BOARD_MPS2_AN500)
#define BOARD_NAME "mps2-an500"
#define CPU_HZ 25000000u /* QEMU's SYSCLK for the MPS2 boards */
#define HAVE_DWT 0       /* QEMU has no DWT: count instructions with the plugin */
#define HAVE_CACHES 0
#else
#error "define BOARD_STM32H743 or BOARD_MPS2_AN500"
#endif

#define TICK_HZ 1000u

static inline void dsb_isb(void) { __asm__ volatile("dsb\n\tisb" ::: "memory"); }
static inline void irq_disable(void) { __asm__ volatile("cpsid i" ::: "memory"); }
static inline void irq_enable(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static inline void wait_for_interrupt(void) { __asm__ volatile("wfi" ::: "memory"); }
static inline uintptr_t stack_pointer(void) {
    uintptr_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    return sp;
}

/* startup.c */
void board_init(void);
void stack_paint(void);
uint32_t stack_high_water(void);
uint32_t stack_size(void);

/* Set by the linker script. */
extern uint32_t _sstack[], _estack[];

#endif
