/* Optional STM32H743 clock set-up (make CLOCK=400 or CLOCK=480): PLL1 from
 * the 64 MHz HSI, with the supply, voltage scale and flash wait states the
 * target frequency needs, and the silicon revision checked. Without CLOCK=
 * this file is empty and the core runs at the 64 MHz HSI it resets to.
 *
 * Built and size-reported by `cargo xtask firmware`; never run there (QEMU
 * does not model the H7's RCC, PWR or flash interface), so try it on a board
 * (`make CLOCK=480 hil`) before relying on it.
 *
 * References are to RM0433 (STM32H742/743/750/753 reference manual) rev 7:
 * chapter 4 (embedded flash), 6 (PWR), 8 (RCC), 12 (SYSCFG), 60 (DBGMCU).
 * Section numbers differ between revisions of the manual: the register
 * names are what to look up. */
#include <stdint.h>

#include "board.h"

#if defined(BOARD_STM32H743) && CLOCK_MHZ

#if CLOCK_MHZ != 400 && CLOCK_MHZ != 480
#error "CLOCK must be 400 or 480 (MHz)"
#endif

/* DBGMCU_IDCODE (ch. 60, DBGMCU): REV_ID in bits 31:16. */
#define DBGMCU_IDCODE REG32(0x5C001000u)
#define REV_ID_Y 0x1003u /* rev Y: at most 400 MHz (VOS1) */
#define REV_ID_V 0x2003u /* rev V: 480 MHz at VOS0 */

/* PWR (ch. 6, PWR registers), base 0x58024800. */
#define PWR_BASE 0x58024800u
#define PWR_CSR1 REG32(PWR_BASE + 0x04u)
#define PWR_CSR1_ACTVOSRDY (1u << 13)     /* the VOS in use is ready */
#define PWR_CR3 REG32(PWR_BASE + 0x0Cu)
#define PWR_CR3_BYPASS (1u << 0)
#define PWR_CR3_LDOEN (1u << 1)
#define PWR_CR3_SCUEN (1u << 2)           /* supply config writable; a write locks it */
#define PWR_D3CR REG32(PWR_BASE + 0x18u)
#define PWR_D3CR_VOSRDY (1u << 13)
#define PWR_D3CR_VOS_SHIFT 14u            /* bits 15:14 */
#define PWR_D3CR_VOS_MASK (3u << PWR_D3CR_VOS_SHIFT)
#define PWR_D3CR_VOS1 (3u << PWR_D3CR_VOS_SHIFT) /* 11: scale 1 (VOS0 = scale 1 + ODEN) */

/* SYSCFG (ch. 12, SYSCFG registers), base 0x58000400. */
#define SYSCFG_PWRCR REG32(0x58000400u + 0x2Cu)
#define SYSCFG_PWRCR_ODEN (1u << 0)       /* overdrive: scale 1 -> scale 0 */

/* Embedded flash (ch. 4, FLASH registers), base 0x52002000. */
#define FLASH_ACR REG32(0x52002000u)
#define FLASH_ACR_LATENCY_SHIFT 0u        /* bits 3:0: wait states */
#define FLASH_ACR_WRHIGHFREQ_SHIFT 4u     /* bits 5:4: programming delay */
#define FLASH_ACR_MASK 0x3Fu

/* RCC (ch. 8, RCC registers), base 0x58024400. */
#define RCC_BASE 0x58024400u
#define RCC_CR REG32(RCC_BASE + 0x00u)
#define RCC_CR_HSIDIV_SHIFT 3u                /* bits 4:3: HSI / 1, 2, 4, 8 */
#define RCC_CR_PLL1ON (1u << 24)
#define RCC_CR_PLL1RDY (1u << 25)
#define RCC_CFGR REG32(RCC_BASE + 0x10u)
#define RCC_CFGR_SW_MASK 7u                   /* bits 2:0 */
#define RCC_CFGR_SWS_SHIFT 3u                 /* bits 5:3 */
#define RCC_CFGR_SW_HSI 0u
#define RCC_CFGR_SW_PLL1 3u
#define RCC_D1CFGR REG32(RCC_BASE + 0x18u)
#define RCC_D1CFGR_HPRE_SHIFT 0u              /* bits 3:0: AXI/AHB (rcc_hclk) */
#define RCC_D1CFGR_D1PPRE_SHIFT 4u            /* bits 6:4: APB3 */
#define RCC_D1CFGR_D1CPRE_SHIFT 8u            /* bits 11:8: the core (sys_d1cpre_ck) */
#define RCC_D2CFGR REG32(RCC_BASE + 0x1Cu)
#define RCC_D2CFGR_D2PPRE1_SHIFT 4u           /* bits 6:4: APB1 (USART3) */
#define RCC_D2CFGR_D2PPRE2_SHIFT 8u           /* bits 10:8: APB2 */
#define RCC_D3CFGR REG32(RCC_BASE + 0x20u)
#define RCC_D3CFGR_D3PPRE_SHIFT 4u            /* bits 6:4: APB4 */
#define RCC_PLLCKSELR REG32(RCC_BASE + 0x28u)
#define RCC_PLLCKSELR_PLLSRC_MASK 3u          /* bits 1:0: 00 HSI */
#define RCC_PLLCKSELR_DIVM1_SHIFT 4u          /* bits 9:4 */
#define RCC_PLLCKSELR_DIVM1_MASK (0x3Fu << RCC_PLLCKSELR_DIVM1_SHIFT)
#define RCC_PLLCFGR REG32(RCC_BASE + 0x2Cu)
#define RCC_PLLCFGR_PLL1FRACEN (1u << 0)
#define RCC_PLLCFGR_PLL1VCOSEL (1u << 1)      /* 0: wide VCO, 192..960 MHz (rev V) */
#define RCC_PLLCFGR_PLL1RGE_SHIFT 2u          /* bits 3:2 */
#define RCC_PLLCFGR_PLL1RGE_8_16 (3u << RCC_PLLCFGR_PLL1RGE_SHIFT) /* ref 8..16 MHz */
#define RCC_PLLCFGR_DIVP1EN (1u << 16)
#define RCC_PLLCFGR_DIVQ1EN (1u << 17)
#define RCC_PLLCFGR_DIVR1EN (1u << 18)
#define RCC_PLLCFGR_PLL1_MASK (0xFu | RCC_PLLCFGR_DIVP1EN | RCC_PLLCFGR_DIVQ1EN | RCC_PLLCFGR_DIVR1EN)
#define RCC_PLL1DIVR REG32(RCC_BASE + 0x30u)  /* each field holds divider - 1 */
#define RCC_PLL1DIVR_DIVN1_SHIFT 0u           /* bits 8:0 */
#define RCC_PLL1DIVR_DIVP1_SHIFT 9u           /* bits 15:9 */
#define RCC_PLL1DIVR_DIVQ1_SHIFT 16u          /* bits 22:16 */
#define RCC_PLL1DIVR_DIVR1_SHIFT 24u          /* bits 30:24 */
#define RCC_APB4ENR REG32(RCC_BASE + 0xF4u)
#define RCC_APB4ENR_SYSCFGEN (1u << 1)

#define HSI_HZ 64000000u
/* Prescaler encodings: HPRE/D1CPRE 0xxx = /1, 1000 = /2; D1PPRE, D2PPRE1/2,
 * D3PPRE 0xx = /1, 100 = /2. */
#define DIV1_4BIT 0u
#define DIV2_4BIT 8u
#define DIV2_3BIT 4u

/* PLL1 from HSI: ref = 64 MHz / DIVM1 4 = 16 MHz (PLL1RGE 8..16 MHz);
 * VCO = ref * DIVN1 (wide range); sys_ck = VCO / DIVP1 2. */
#define PLL_DIVM1 4u
#define PLL_DIVP1 2u
#define PLL_DIVN1_400 50u /* VCO 800 MHz -> 400 MHz */
#define PLL_DIVN1_480 60u /* VCO 960 MHz -> 480 MHz */

uint32_t cpu_hz = HSI_HZ;
uint32_t pclk1_hz = HSI_HZ;

static uint32_t ahb_div(uint32_t f) { return (f & 8u) ? (f < 12u ? 2u << (f & 7u) : 4u << (f & 7u)) : 1u; }
static uint32_t apb_div(uint32_t f) { return (f & 4u) ? 2u << (f & 3u) : 1u; }

/* The core and APB1 clocks as the registers say they are now (HSI or
 * PLL1 P, the only two sources this file selects). HPRE and D1CPRE encode
 * /2, /4, /8, /16, then /64, /128, /256, /512 (ahb_div skips /32). */
static void clock_measure(void) {
    uint32_t sws = (RCC_CFGR >> RCC_CFGR_SWS_SHIFT) & 7u;
    uint32_t hsi = HSI_HZ >> ((RCC_CR >> RCC_CR_HSIDIV_SHIFT) & 3u);
    uint32_t sys = hsi;
    if (sws == RCC_CFGR_SW_PLL1) {
        uint32_t m = (RCC_PLLCKSELR & RCC_PLLCKSELR_DIVM1_MASK) >> RCC_PLLCKSELR_DIVM1_SHIFT;
        uint32_t divr = RCC_PLL1DIVR;
        uint32_t n = ((divr >> RCC_PLL1DIVR_DIVN1_SHIFT) & 0x1FFu) + 1u;
        uint32_t p = ((divr >> RCC_PLL1DIVR_DIVP1_SHIFT) & 0x7Fu) + 1u;
        sys = m ? hsi / m * n / p : 0u;
    }
    uint32_t d1 = RCC_D1CFGR;
    cpu_hz = sys / ahb_div((d1 >> RCC_D1CFGR_D1CPRE_SHIFT) & 0xFu);
    uint32_t hclk = cpu_hz / ahb_div((d1 >> RCC_D1CFGR_HPRE_SHIFT) & 0xFu);
    pclk1_hz = hclk / apb_div((RCC_D2CFGR >> RCC_D2CFGR_D2PPRE1_SHIFT) & 7u);
}

void clock_init(void) {
    uint32_t rev = DBGMCU_IDCODE >> 16;
    /* 480 MHz needs VOS0, which only rev V has; rev Y (and anything
     * unknown) gets 400 MHz at VOS1. */
    int mhz480 = CLOCK_MHZ == 480 && rev == REV_ID_V;

    /* 1. Supply: the LDO, as on the NUCLEO-H743ZI (PWR_CR3, "power supplies"). The
     *    supply configuration can be written once after power-on; the
     *    write clears SCUEN, which locks it. Wait until the regulator runs
     *    at the VOS asked for. */
    PWR_CR3 = (PWR_CR3 & ~(PWR_CR3_SCUEN | PWR_CR3_LDOEN | PWR_CR3_BYPASS)) | PWR_CR3_LDOEN;
    while (!(PWR_CSR1 & PWR_CSR1_ACTVOSRDY)) {}

    /* 2. Voltage scale (PWR "voltage scaling"): VOS1 (reset is VOS3), then for 480 MHz
     *    VOS0 = VOS1 plus SYSCFG_PWRCR.ODEN, each time waiting for VOSRDY. */
    PWR_D3CR = (PWR_D3CR & ~PWR_D3CR_VOS_MASK) | PWR_D3CR_VOS1;
    while (!(PWR_D3CR & PWR_D3CR_VOSRDY)) {}
    if (mhz480) {
        RCC_APB4ENR |= RCC_APB4ENR_SYSCFGEN;
        (void)RCC_APB4ENR; /* the clock is on before the first access */
        SYSCFG_PWRCR |= SYSCFG_PWRCR_ODEN;
        while (!(PWR_D3CR & PWR_D3CR_VOSRDY)) {}
    }

    /* 3. Flash wait states for the AXI clock (rcc_aclk = rcc_hclk3 = sys_ck
     *    / 2 here) at that scale, set before the clock goes up: RM0433
     *    Table 17 "FLASH recommended number of wait states and programming
     *    delay" .
     *      400 MHz, AXI 200 MHz, VOS1: row "185 < f <= 210 MHz": LATENCY 2,
     *      WRHIGHFREQ 2 (10b).
     *      480 MHz, AXI 240 MHz, VOS0: row "225 < f <= 240 MHz" (VOS0
     *      only): LATENCY 4, WRHIGHFREQ 2 (10b).
     *    Reset is 7 wait states, so lowering it now, still at 64 MHz, is
     *    safe. Read back until it has taken. */
    uint32_t acr = ((mhz480 ? 4u : 2u) << FLASH_ACR_LATENCY_SHIFT) | (2u << FLASH_ACR_WRHIGHFREQ_SHIFT);
    FLASH_ACR = (FLASH_ACR & ~FLASH_ACR_MASK) | acr;
    while ((FLASH_ACR & FLASH_ACR_MASK) != acr) {}

    /* 4. Bus prescalers, before the switch (RCC_D1CFGR/D2CFGR/D3CFGR, and the datasheet's
     *    limits: VOS1 AHB <= 200 MHz, APB <= 100 MHz; VOS0 240/120 MHz):
     *    core /1 (400 or 480 MHz), AHB/AXI /2 (200 or 240), every APB /2
     *    (100 or 120). */
    RCC_D1CFGR = (DIV1_4BIT << RCC_D1CFGR_D1CPRE_SHIFT) | (DIV2_4BIT << RCC_D1CFGR_HPRE_SHIFT) |
                 (DIV2_3BIT << RCC_D1CFGR_D1PPRE_SHIFT);
    RCC_D2CFGR = (DIV2_3BIT << RCC_D2CFGR_D2PPRE1_SHIFT) | (DIV2_3BIT << RCC_D2CFGR_D2PPRE2_SHIFT);
    RCC_D3CFGR = DIV2_3BIT << RCC_D3CFGR_D3PPRE_SHIFT;

    /* 5. PLL1 from HSI (RCC PLL section): source HSI, DIVM1 4 -> 16 MHz reference
     *    (PLL1RGE 8..16 MHz), wide VCO, integer mode, only the P output on
     *    (Q and R stay off: at a 960 MHz VCO their /2 would exceed their
     *    limits). PLL1 is off after reset, so it may be configured. */
    RCC_PLLCKSELR = (RCC_PLLCKSELR & ~(RCC_PLLCKSELR_PLLSRC_MASK | RCC_PLLCKSELR_DIVM1_MASK)) |
                    (PLL_DIVM1 << RCC_PLLCKSELR_DIVM1_SHIFT);
    uint32_t n = mhz480 ? PLL_DIVN1_480 : PLL_DIVN1_400;
    RCC_PLL1DIVR = ((n - 1u) << RCC_PLL1DIVR_DIVN1_SHIFT) | ((PLL_DIVP1 - 1u) << RCC_PLL1DIVR_DIVP1_SHIFT) |
                   (1u << RCC_PLL1DIVR_DIVQ1_SHIFT) | (1u << RCC_PLL1DIVR_DIVR1_SHIFT);
    RCC_PLLCFGR = (RCC_PLLCFGR & ~RCC_PLLCFGR_PLL1_MASK) | RCC_PLLCFGR_PLL1RGE_8_16 | RCC_PLLCFGR_DIVP1EN;
    RCC_CR |= RCC_CR_PLL1ON;
    while (!(RCC_CR & RCC_CR_PLL1RDY)) {}

    /* 6. Switch sys_ck to PLL1 P and wait until SWS says so (RCC_CFGR). */
    RCC_CFGR = (RCC_CFGR & ~RCC_CFGR_SW_MASK) | RCC_CFGR_SW_PLL1;
    while (((RCC_CFGR >> RCC_CFGR_SWS_SHIFT) & 7u) != RCC_CFGR_SW_PLL1) {}

    /* 7. CPU_HZ (SysTick, delays) and the APB1 clock (USART3's kernel clock
     *    after reset) from the registers, not from the plan. */
    clock_measure();
}

#else
typedef int clock_unused; /* ISO C wants something in a translation unit */
#endif
