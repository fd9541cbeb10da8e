//! The expression sets: fasteval's, exmex's and tinyexpr's own benchmark
//! expressions, and the firmware demo's 7-expression batch.

/// A library in the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lib {
    ExpRs,
    Native,
    Tinyexpr,
    Fasteval,
    Exmex,
    Meval,
    Evalexpr,
}

impl Lib {
    /// Every library, exp-rs first.
    pub const ALL: [Lib; 7] = [
        Lib::ExpRs,
        Lib::Native,
        Lib::Tinyexpr,
        Lib::Fasteval,
        Lib::Exmex,
        Lib::Meval,
        Lib::Evalexpr,
    ];

    /// The name the tables print.
    pub fn name(self) -> &'static str {
        match self {
            Lib::ExpRs => "exp-rs",
            Lib::Native => "native",
            Lib::Tinyexpr => "tinyexpr",
            Lib::Fasteval => "fasteval",
            Lib::Exmex => "exmex",
            Lib::Meval => "meval",
            Lib::Evalexpr => "evalexpr",
        }
    }
}

/// One benchmark expression.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// The set it belongs to.
    pub set: &'static str,
    /// The expression as exp-rs reads it (SPEC.md).
    pub src: &'static str,
    /// Its variables, in slot order.
    pub vars: &'static [&'static str],
    /// Sample values of the variables (each bench iteration nudges them).
    pub at: &'static [f64],
    /// The same formula for peers that read it differently or lack a
    /// feature: `(library, source)`; a library not listed reads `src`.
    pub rewrites: &'static [(Lib, &'static str)],
    /// The formula in Rust.
    pub native: fn(&[f64]) -> f64,
}

impl Case {
    /// The source a library evaluates.
    pub fn source_for(&self, lib: Lib) -> &'static str {
        self.rewrites
            .iter()
            .find(|r| r.0 == lib)
            .map_or(self.src, |r| r.1)
    }
}

/// fasteval's "large" constant benchmark expression.
const BIG: &str = "((((87))) - 73) + (97 + (((15 / 55 * ((31)) + 35))) + (15 - (9)) - (39 / 26) / 20 / 91 + 27 / (33 * 26 + 28 - (7) / 10 + 66 * 6) + 60 / 35 - ((29) - (69) / 44 / (92)) / (89) + 2 + 87 / 47 * ((2)) * 83 / 98 * 42 / (((67)) * ((97))) / (34 / 89 + 77) - 29 + 70 * (20)) + ((((((92))) + 23 * (98) / (95) + (((99) * (41))) + (5 + 41) + 10) - (36) / (6 + 80 * 52 + (90))))";

/// [`BIG`] with every literal a float, for evalexpr (whose `15 / 55` is an
/// integer division).
const BIG_FLOAT: &str = "((((87.0))) - 73.0) + (97.0 + (((15.0 / 55.0 * ((31.0)) + 35.0))) + (15.0 - (9.0)) - (39.0 / 26.0) / 20.0 / 91.0 + 27.0 / (33.0 * 26.0 + 28.0 - (7.0) / 10.0 + 66.0 * 6.0) + 60.0 / 35.0 - ((29.0) - (69.0) / 44.0 / (92.0)) / (89.0) + 2.0 + 87.0 / 47.0 * ((2.0)) * 83.0 / 98.0 * 42.0 / (((67.0)) * ((97.0))) / (34.0 / 89.0 + 77.0) - 29.0 + 70.0 * (20.0)) + ((((((92.0))) + 23.0 * (98.0) / (95.0) + (((99.0) * (41.0))) + (5.0 + 41.0) + 10.0) - (36.0) / (6.0 + 80.0 * 52.0 + (90.0))))";

/// Rust of `3 * 3 - 3 / 3`.
#[allow(clippy::eq_op)]
fn three_three(_: &[f64]) -> f64 {
    3.0 * 3.0 - 3.0 / 3.0
}

/// Rust of [`BIG`], term for term.
#[allow(clippy::eq_op, clippy::identity_op)]
fn big(_: &[f64]) -> f64 {
    ((87.0) - 73.0)
        + (97.0 + (15.0 / 55.0 * (31.0) + 35.0) + (15.0 - (9.0)) - (39.0 / 26.0) / 20.0 / 91.0
            + 27.0 / (33.0 * 26.0 + 28.0 - (7.0) / 10.0 + 66.0 * 6.0)
            + 60.0 / 35.0
            - ((29.0) - (69.0) / 44.0 / (92.0)) / (89.0)
            + 2.0
            + 87.0 / 47.0 * (2.0) * 83.0 / 98.0 * 42.0 / ((67.0) * (97.0)) / (34.0 / 89.0 + 77.0)
            - 29.0
            + 70.0 * (20.0))
        + ((92.0) + 23.0 * (98.0) / (95.0) + ((99.0) * (41.0)) + (5.0 + 41.0) + 10.0)
        - (36.0) / (6.0 + 80.0 * 52.0 + (90.0))
}

/// The sets, in table order.
pub const CASES: &[Case] = &[
    // --- fasteval's set ---
    Case {
        set: "fasteval",
        src: "3 * 3 - 3 / 3",
        vars: &[],
        at: &[],
        rewrites: &[(Lib::Evalexpr, "3.0 * 3.0 - 3.0 / 3.0")],
        native: three_three,
    },
    Case {
        set: "fasteval",
        src: "2 ^ 3 ^ 4",
        vars: &[],
        at: &[],
        rewrites: &[
            (Lib::Tinyexpr, "2 ^ (3 ^ 4)"),
            (Lib::Exmex, "2 ^ (3 ^ 4)"),
            (Lib::Evalexpr, "2.0 ^ (3.0 ^ 4.0)"),
        ],
        native: |_| 2f64.powf(81.0),
    },
    Case {
        set: "fasteval",
        src: "x * 2",
        vars: &["x"],
        at: &[2.5],
        rewrites: &[],
        native: |v| v[0] * 2.0,
    },
    Case {
        set: "fasteval",
        src: "sin(x)",
        vars: &["x"],
        at: &[0.7],
        rewrites: &[(Lib::Evalexpr, "math::sin(x)")],
        native: |v| v[0].sin(),
    },
    Case {
        set: "fasteval",
        src: "(-z + (z^2 - 4*x*y)^0.5) / (2*x)",
        vars: &["x", "y", "z"],
        at: &[1.0, 2.0, 10.0],
        rewrites: &[(Lib::Evalexpr, "(-z + (z^2.0 - 4.0*x*y)^0.5) / (2.0*x)")],
        native: |v| (-v[2] + (v[2] * v[2] - 4.0 * v[0] * v[1]).powf(0.5)) / (2.0 * v[0]),
    },
    Case {
        set: "fasteval",
        src: BIG,
        vars: &[],
        at: &[],
        rewrites: &[(Lib::Evalexpr, BIG_FLOAT)],
        native: big,
    },
    // --- exmex's set ---
    Case {
        set: "exmex",
        src: "sin(x)+sin(y)+sin(z)",
        vars: &["x", "y", "z"],
        at: &[0.3, 1.1, 2.0],
        rewrites: &[(Lib::Evalexpr, "math::sin(x)+math::sin(y)+math::sin(z)")],
        native: |v| v[0].sin() + v[1].sin() + v[2].sin(),
    },
    Case {
        set: "exmex",
        src: "x^2+y*y+z^z",
        vars: &["x", "y", "z"],
        at: &[1.5, 2.5, 1.2],
        rewrites: &[(Lib::Evalexpr, "x^2.0+y*y+z^z")],
        native: |v| v[0].powf(2.0) + v[1] * v[1] + v[2].powf(v[2]),
    },
    Case {
        set: "exmex",
        src: "x*0.02*sin(-(3*(2*sin(x-1/(sin(y*5)+(5.0-1/z))))))",
        vars: &["x", "y", "z"],
        at: &[1.5, 2.5, 1.2],
        rewrites: &[(
            Lib::Evalexpr,
            "x*0.02*math::sin(-(3.0*(2.0*math::sin(x-1.0/(math::sin(y*5.0)+(5.0-1.0/z))))))",
        )],
        native: |v| {
            let (x, y, z) = (v[0], v[1], v[2]);
            x * 0.02
                * (-(3.0 * (2.0 * (x - 1.0 / ((y * 5.0).sin() + (5.0 - 1.0 / z))).sin()))).sin()
        },
    },
    Case {
        set: "exmex",
        src: "x*0.2*5/4+x*2*4*1*1*1*1*1*1*1+7*sin(y)-z/sin(3.0/2/(1-x*4*1*1*1*1))",
        vars: &["x", "y", "z"],
        at: &[1.5, 2.5, 1.2],
        rewrites: &[(
            Lib::Evalexpr,
            "x*0.2*5.0/4.0+x*2.0*4.0*1.0*1.0*1.0*1.0*1.0*1.0*1.0+7.0*math::sin(y)-z/math::sin(3.0/2.0/(1.0-x*4.0*1.0*1.0*1.0*1.0))",
        )],
        native: |v| {
            let (x, y, z) = (v[0], v[1], v[2]);
            x * 0.2 * 5.0 / 4.0
                + x * 2.0 * 4.0 * 1.0 * 1.0 * 1.0 * 1.0 * 1.0 * 1.0 * 1.0
                + 7.0 * y.sin()
                - z / (3.0 / 2.0 / (1.0 - x * 4.0 * 1.0 * 1.0 * 1.0 * 1.0)).sin()
        },
    },
    // --- tinyexpr's set ---
    Case {
        set: "tinyexpr",
        src: "sqrt(a^1.5+a^2.5)",
        vars: &["a"],
        at: &[3.0],
        rewrites: &[
            (Lib::Fasteval, "(a^1.5+a^2.5)^0.5"),
            (Lib::Evalexpr, "math::sqrt(a^1.5+a^2.5)"),
        ],
        native: |v| (v[0].powf(1.5) + v[0].powf(2.5)).sqrt(),
    },
    Case {
        set: "tinyexpr",
        src: "a+5",
        vars: &["a"],
        at: &[3.0],
        rewrites: &[(Lib::Evalexpr, "a+5.0")],
        native: |v| v[0] + 5.0,
    },
    Case {
        set: "tinyexpr",
        src: "a+(5*2)",
        vars: &["a"],
        at: &[3.0],
        rewrites: &[(Lib::Evalexpr, "a+(5.0*2.0)")],
        native: |v| v[0] + (5.0 * 2.0),
    },
    Case {
        set: "tinyexpr",
        src: "(a+5)*2",
        vars: &["a"],
        at: &[3.0],
        rewrites: &[(Lib::Evalexpr, "(a+5.0)*2.0")],
        native: |v| (v[0] + 5.0) * 2.0,
    },
    Case {
        set: "tinyexpr",
        src: "(1/(a+1)+2/(a+2)+3/(a+3))",
        vars: &["a"],
        at: &[3.0],
        rewrites: &[(Lib::Evalexpr, "(1.0/(a+1.0)+2.0/(a+2.0)+3.0/(a+3.0))")],
        native: |v| 1.0 / (v[0] + 1.0) + 2.0 / (v[0] + 2.0) + 3.0 / (v[0] + 3.0),
    },
    // --- the firmware demo's batch: 7 sensor expressions ---
    Case {
        set: "firmware",
        src: "t_raw * 0.0625 - 4.5",
        vars: &["t_raw"],
        at: &[812.0],
        rewrites: &[],
        native: |v| v[0] * 0.0625 - 4.5,
    },
    Case {
        set: "firmware",
        src: "sqrt(ax*ax + ay*ay + az*az)",
        vars: &["ax", "ay", "az"],
        at: &[0.3, -0.2, 9.7],
        rewrites: &[
            (Lib::Fasteval, "(ax*ax + ay*ay + az*az)^0.5"),
            (Lib::Evalexpr, "math::sqrt(ax*ax + ay*ay + az*az)"),
        ],
        native: |v| (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt(),
    },
    Case {
        set: "firmware",
        src: "prev + alpha * (ax - prev)",
        vars: &["prev", "alpha", "ax"],
        at: &[0.25, 0.1, 0.3],
        rewrites: &[],
        native: |v| v[0] + v[1] * (v[2] - v[0]),
    },
    Case {
        set: "firmware",
        src: "t_raw * 0.0625 - 4.5 > 40 ? 1 : 0",
        vars: &["t_raw"],
        at: &[812.0],
        rewrites: &[
            (Lib::Fasteval, "(t_raw * 0.0625 - 4.5 > 40)"),
            (Lib::Evalexpr, "if(t_raw * 0.0625 - 4.5 > 40.0, 1.0, 0.0)"),
            (Lib::Meval, "max(0, signum(t_raw * 0.0625 - 4.5 - 40))"),
            (
                Lib::Exmex,
                "(signum(t_raw * 0.0625 - 44.5) + abs(signum(t_raw * 0.0625 - 44.5))) / 2",
            ),
            (
                Lib::Tinyexpr,
                "(1 + (t_raw * 0.0625 - 44.5) / abs(t_raw * 0.0625 - 44.5)) / 2",
            ),
        ],
        native: |v| if v[0] * 0.0625 - 4.5 > 40.0 { 1.0 } else { 0.0 },
    },
    Case {
        set: "firmware",
        src: "clamp(gain * (set - p_raw * 0.01), -10, 10)",
        vars: &["gain", "set", "p_raw"],
        at: &[2.0, 5.0, 180.0],
        rewrites: &[
            (
                Lib::Fasteval,
                "min(max(gain * (set - p_raw * 0.01), -10), 10)",
            ),
            (Lib::Meval, "min(max(gain * (set - p_raw * 0.01), -10), 10)"),
            (
                Lib::Evalexpr,
                "min(max(gain * (set - p_raw * 0.01), -10.0), 10.0)",
            ),
            (
                Lib::Exmex,
                "(abs(gain * (set - p_raw * 0.01) + 10) - abs(gain * (set - p_raw * 0.01) - 10)) / 2",
            ),
            (
                Lib::Tinyexpr,
                "(abs(gain * (set - p_raw * 0.01) + 10) - abs(gain * (set - p_raw * 0.01) - 10)) / 2",
            ),
        ],
        native: |v| (v[0] * (v[1] - v[2] * 0.01)).clamp(-10.0, 10.0),
    },
    Case {
        set: "firmware",
        src: "atan2(ay, az) * 57.29577951308232",
        vars: &["ay", "az"],
        at: &[-0.2, 9.7],
        rewrites: &[
            (Lib::Fasteval, "atan(ay / az) * 57.29577951308232"),
            (Lib::Exmex, "atan(ay / az) * 57.29577951308232"),
            (Lib::Evalexpr, "math::atan2(ay, az) * 57.29577951308232"),
        ],
        native: |v| v[0].atan2(v[1]) * 57.29577951308232,
    },
    Case {
        set: "firmware",
        src: "v_raw * 11 / 4095 * 3.3",
        vars: &["v_raw"],
        at: &[2048.0],
        rewrites: &[(Lib::Evalexpr, "v_raw * 11.0 / 4095.0 * 3.3")],
        native: |v| v[0] * 11.0 / 4095.0 * 3.3,
    },
];
