/* The board's I/O: the output backend (semihosting or a polled UART, chosen
 * at build time), the LEDs, the independent watchdog, and how a run ends.
 * On the NUCLEO-H743ZI: USART3 on PD8/PD9 (the ST-LINK virtual COM port),
 * LD1 green on PB0, LD3 red on PB14, IWDG1. On QEMU's mps2-an500: the
 * CMSDK APB UART0; no LEDs, no watchdog. */
#include <stdint.h>

#include "board.h"
#include "semihost.h"

#if HAVE_BOARD_IO
/* STM32H743 registers (RM0433). */
#define RCC_AHB4ENR REG32(0x580244E0u)
#define RCC_AHB4ENR_GPIOB (1u << 1)
#define RCC_AHB4ENR_GPIOD (1u << 3)
#define RCC_APB1LENR REG32(0x580244E8u)
#define RCC_APB1LENR_USART3 (1u << 18)
#define GPIOB_BASE 0x58020400u
#define GPIOD_BASE 0x58020C00u
#define GPIO_MODER(b) REG32((b) + 0x00u)
#define GPIO_BSRR(b) REG32((b) + 0x18u)
#define GPIO_ODR(b) REG32((b) + 0x14u)
#define GPIO_AFRH(b) REG32((b) + 0x24u)
#define USART3_BASE 0x40004800u
#define USART_CR1 REG32(USART3_BASE + 0x00u)
#define USART_BRR REG32(USART3_BASE + 0x0Cu)
#define USART_ISR REG32(USART3_BASE + 0x1Cu)
#define USART_TDR REG32(USART3_BASE + 0x28u)
#define USART_CR1_UE (1u << 0)
#define USART_CR1_TE (1u << 3)
#define USART_ISR_TC (1u << 6)
#define USART_ISR_TXE (1u << 7)
#define IWDG1_KR REG32(0x58004800u)
#define IWDG1_PR REG32(0x58004804u)
#define IWDG1_RLR REG32(0x58004808u)
#define IWDG1_SR REG32(0x5800480Cu)
#define DBGMCU_APB4FZ1 REG32(0x5C001054u)
#define DBGMCU_APB4FZ1_IWDG1 (1u << 18)
#define UART_BAUD 115200u
#else
/* QEMU mps2-an500: CMSDK APB UART0. */
#define CMSDK_UART_BASE 0x40004000u
#define UART_DATA REG32(CMSDK_UART_BASE + 0x00u)
#define UART_STATE REG32(CMSDK_UART_BASE + 0x04u)
#define UART_CTRL REG32(CMSDK_UART_BASE + 0x08u)
#define UART_BAUDDIV REG32(CMSDK_UART_BASE + 0x10u)
#define UART_STATE_TX_FULL (1u << 0)
#define UART_CTRL_TX_EN (1u << 0)
#define UART_BAUD 115200u
#endif

int semihosting_usable(void) {
#if OUTPUT_UART
    return 0; /* the UART build never executes BKPT */
#elif SEMIHOST_NEEDS_DEBUGGER
    return (DHCSR & DHCSR_C_DEBUGEN) != 0;
#else
    return 1;
#endif
}

void console_init(void) {
#if OUTPUT_UART && HAVE_BOARD_IO
    RCC_AHB4ENR |= RCC_AHB4ENR_GPIOD;
    RCC_APB1LENR |= RCC_APB1LENR_USART3;
    (void)RCC_APB1LENR; /* read back: the clock is on before the first access */
    /* PD8 (TX), PD9 (RX): alternate function 7. */
    GPIO_AFRH(GPIOD_BASE) = (GPIO_AFRH(GPIOD_BASE) & ~0xFFu) | 0x77u;
    GPIO_MODER(GPIOD_BASE) = (GPIO_MODER(GPIOD_BASE) & ~(0xFu << 16)) | (0xAu << 16);
    /* The kernel clock is PCLK1 (USART234578SEL reset value). At reset
     * that is HSI 64 MHz: BRR = 64e6 / 115200, rounded (556: 115,108 baud,
     * -0.08 %); with CLOCK=480, 120 MHz: 1042 (115,163 baud, -0.03 %); with
     * CLOCK=400, 100 MHz: 868 (115,207 baud, +0.01 %). 8N1, oversampling
     * by 16. */
    USART_BRR = (PCLK1_HZ + UART_BAUD / 2) / UART_BAUD;
    USART_CR1 = USART_CR1_TE | USART_CR1_UE;
#elif OUTPUT_UART
    UART_BAUDDIV = CPU_HZ / UART_BAUD; /* QEMU ignores it but wants >= 16 */
    UART_CTRL = UART_CTRL_TX_EN;
#endif
}

void console_write(const char *s) {
#if OUTPUT_UART
    for (; *s; s++) {
        if (*s == '\n') {
            /* a terminal wants CR LF */
#if HAVE_BOARD_IO
            while (!(USART_ISR & USART_ISR_TXE)) {}
            USART_TDR = '\r';
#endif
        }
#if HAVE_BOARD_IO
        while (!(USART_ISR & USART_ISR_TXE)) {}
        USART_TDR = (uint8_t)*s;
#else
        while (UART_STATE & UART_STATE_TX_FULL) {}
        UART_DATA = (uint8_t)*s;
#endif
    }
#else
    /* Semihosting: dropped when nobody serves it (a BKPT would fault). */
    if (semihosting_usable()) sh_write0(s);
#endif
}

void console_drain(void) {
#if OUTPUT_UART && HAVE_BOARD_IO
    while (!(USART_ISR & USART_ISR_TC)) {}
#endif
}

/* IWDG1, clocked by the 32 kHz LSI: prescaler /64 (PR = 4) gives 500 Hz,
 * reload 1000: about 2 s without a kick resets the chip. Frozen while a
 * debugger halts the core. Once started it cannot be stopped. */
void watchdog_start(void) {
#if HAVE_BOARD_IO
    DBGMCU_APB4FZ1 |= DBGMCU_APB4FZ1_IWDG1;
    IWDG1_KR = 0xCCCCu; /* start (LSI comes on by itself) */
    IWDG1_KR = 0x5555u; /* unlock PR and RLR */
    IWDG1_PR = 4u;
    IWDG1_RLR = 1000u;
    while (IWDG1_SR & 0x7u) {} /* the update has reached the LSI domain */
    IWDG1_KR = 0xAAAAu;
#endif
}

void watchdog_kick(void) {
#if HAVE_BOARD_IO
    IWDG1_KR = 0xAAAAu;
#endif
}

#if HAVE_BOARD_IO
static void leds_init(void) {
    RCC_AHB4ENR |= RCC_AHB4ENR_GPIOB;
    (void)RCC_AHB4ENR;
    /* PB0 and PB14: general-purpose outputs (push-pull after reset). */
    GPIO_MODER(GPIOB_BASE) =
        (GPIO_MODER(GPIOB_BASE) & ~((3u << 0) | (3u << 28))) | (1u << 0) | (1u << 28);
}

/* Busy-waits about `ms` milliseconds at CPU_HZ, kicking the watchdog. */
static void delay_ms(uint32_t ms) {
    for (uint32_t i = 0; i < ms; i++) {
        watchdog_kick();
        for (volatile uint32_t n = 0; n < CPU_HZ / 4000u; n++) {}
    }
}
#endif

void led_pass_toggle(void) {
#if HAVE_BOARD_IO
    leds_init();
    GPIO_ODR(GPIOB_BASE) ^= 1u << 0;
#endif
}

void led_fail_on(void) {
#if HAVE_BOARD_IO
    leds_init();
    GPIO_BSRR(GPIOB_BASE) = 1u << 14;
#endif
}

void system_reset(void) {
    dsb_isb();
    SCB_AIRCR = SCB_AIRCR_SYSRESETREQ;
    dsb_isb();
    for (;;) {}
}

void fw_exit(int status) {
    static volatile int exiting;
    if (exiting++) system_reset(); /* a fault while ending: just reset */
    out_flush();
    if (semihosting_usable()) sh_exit(status); /* returns if not taken */
    out_str("exit: status ");
    out_u((uint64_t)status);
    out_str(status == 0 ? " (pass)" : " (fail), resetting");
    out_nl();
    console_drain();
#if HAVE_BOARD_IO
    if (status == 0)
        for (;;) { /* a passing run blinks LD1 at 2 Hz, watchdog kicked */
            led_pass_toggle();
            delay_ms(250);
        }
    led_fail_on(); /* LD3 for a second, then reset: set-up runs again */
    delay_ms(1000);
#endif
    /* mps2-an500: every end is a reset; QEMU -no-reboot exits on it. */
    system_reset();
}
