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
#define SCB_AIRCR REG32(0xE000ED0Cu)
#define SCB_AIRCR_SYSRESETREQ 0x05FA0004u /* VECTKEY | SYSRESETREQ */
#define SCB_CPACR REG32(0xE000ED88u)
#define SCB_CCSIDR REG32(0xE000ED80u)
#define SCB_CSSELR REG32(0xE000ED84u)
#define SCB_ICIALLU REG32(0xE000EF50u)
#define SCB_DCISW REG32(0xE000EF60u)
#define SCB_CCR_DC (1u << 16)
#define SCB_CCR_IC (1u << 17)

/* Debug halting control: C_DEBUGEN (bit 0) is set while a debugger is
 * attached. Semihosting is a BKPT served by the debugger; without one it
 * faults. (QEMU reads it as 0 even with semihosting on.) */
#define DHCSR REG32(0xE000EDF0u)
#define DHCSR_C_DEBUGEN (1u << 0)

/* Data watchpoint and trace unit: the cycle counter. */
#define DEMCR REG32(0xE000EDFCu)
#define DEMCR_TRCENA (1u << 24)
#define DWT_CTRL REG32(0xE0001000u)
#define DWT_CYCCNT REG32(0xE0001004u)
#define DWT_LAR REG32(0xE0001FB0u)

/* Per board: the core clock SysTick counts (the clock after reset unless
 * the H743 is built with CLOCK=400|480, see clock.c), whether it has a cycle counter, and whether
 * semihosting may be used only while a debugger is attached. */
#if defined(BOARD_STM32H743)
#define BOARD_NAME "stm32h743"
#if CLOCK_MHZ
/* make CLOCK=400|480: clock.c sets PLL1 up in board_init and measures the
 * result (480 falls back to 400 on rev Y silicon). */
extern uint32_t cpu_hz, pclk1_hz;
void clock_init(void);
#define CPU_HZ cpu_hz
#define PCLK1_HZ pclk1_hz
#else
#define CPU_HZ 64000000u /* HSI after reset */
#define PCLK1_HZ CPU_HZ  /* APB1 = HSI after reset: USART3's kernel clock */
#endif
#define HAVE_DWT 1       /* DWT->CYCCNT: cycles per batch */
#define HAVE_CACHES 1    /* Cortex-M7 L1 caches, off after reset */
#define HAVE_BOARD_IO 1  /* LEDs, USART3, IWDG1, the rev Y workaround */
#define SEMIHOST_NEEDS_DEBUGGER 1 /* check DHCSR.C_DEBUGEN before any BKPT */
#elif defined(BOARD_MPS2_AN500)
#define BOARD_NAME "mps2-an500"
#define CPU_HZ 25000000u /* QEMU's SYSCLK for the MPS2 boards */
#define PCLK1_HZ CPU_HZ
#define HAVE_DWT 0       /* QEMU has no DWT: count instructions with the plugin */
#define HAVE_CACHES 0
#define HAVE_BOARD_IO 0
/* QEMU serves semihosting when started with -semihosting-config enable=on
 * but its DHCSR reads 0: the semihosting build trusts the build choice. */
#define SEMIHOST_NEEDS_DEBUGGER 0
#else
#error "define BOARD_STM32H743 or BOARD_MPS2_AN500"
#endif

#ifndef CLOCK_MHZ
#define CLOCK_MHZ 0 /* make CLOCK=400|480 (STM32H743 only): PLL1 set-up */
#endif

#define TICK_HZ 1000u

/* The output backend, chosen at build time (make OUTPUT=uart|semihost):
 * OUTPUT_UART 1 sends the report to a polled UART (USART3 on the
 * NUCLEO-H743ZI, the ST-LINK virtual COM port; the CMSDK UART0 on
 * mps2-an500) and never executes BKPT; 0 sends it over semihosting. */
#ifndef OUTPUT_UART
#define OUTPUT_UART 0
#endif
#define OUTPUT_NAME (OUTPUT_UART ? "uart" : "semihosting")

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
/* board.c: the output backend, LEDs, the watchdog, and how the firmware
 * ends. */
void console_init(void);
void console_write(const char *s); /* a NUL-terminated line */
void console_drain(void);          /* waits until the last byte is out */
int semihosting_usable(void);      /* a BKPT now would be served */
void watchdog_start(void);
void watchdog_kick(void);
void led_pass_toggle(void);         /* LD1 (PB0) on the NUCLEO-H743ZI */
void led_fail_on(void);             /* LD3 (PB14) */
void system_reset(void) __attribute__((noreturn));
/* The end of every run: `status` 0 passed, 1 a check or set-up failed,
 * 2 exp-rs panicked, 3 a fault, 4 abort(). With semihosting served it is
 * QEMU's (or the debugger's) exit status; otherwise a pass blinks LD1 and a
 * failure lights LD3 and resets (on mps2-an500 every end is a reset, which
 * QEMU -no-reboot turns into its exit). */
void fw_exit(int status) __attribute__((noreturn));
void stack_paint(void);
uint32_t stack_high_water(void);
uint32_t stack_size(void);

/* Set by the linker script. */
extern uint32_t _sstack[], _estack[];

#endif
