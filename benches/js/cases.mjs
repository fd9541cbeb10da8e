// The expressions of the JS benchmark, each with the plain JavaScript a
// programmer would write for it: `js`, one function for one point, and
// `batch`, the loop over the same Float64Array columns that evalBatch gets.
// Both are written out by hand, once per expression; the agreement check
// (`node bench.mjs --agree`, job `bench-agree`) compares every one of them
// with exp-rs, so a typo here fails the check instead of skewing a number.

/** `a ** b` and `Math.*` are what a JS programmer reaches for. */
const { sin, sqrt } = Math;

/**
 * `src` (the exp-rs, math.js and expr-eval source: all three read `^` as a
 * right-associative power and know these functions), `vars` in parameter
 * order, `at` a typical point (inputs are spread over [at, 1.5 × at)).
 */
export const CASES = [
  {
    src: 'x * 2',
    vars: ['x'],
    at: [2.5],
    js: (x) => x * 2,
    batch: ([xs], out) => {
      for (let i = 0; i < out.length; i++) out[i] = xs[i] * 2;
    },
  },
  {
    src: 'sin(x)',
    vars: ['x'],
    at: [0.7],
    js: (x) => sin(x),
    batch: ([xs], out) => {
      for (let i = 0; i < out.length; i++) out[i] = sin(xs[i]);
    },
  },
  {
    src: 'x*x*0.5 + 3*x - 1/(x + 2)',
    vars: ['x'],
    at: [1.5],
    js: (x) => x * x * 0.5 + 3 * x - 1 / (x + 2),
    batch: ([xs], out) => {
      for (let i = 0; i < out.length; i++) {
        const x = xs[i];
        out[i] = x * x * 0.5 + 3 * x - 1 / (x + 2);
      }
    },
  },
  {
    src: '1/(x+1) + 2/(x+2) + 3/(x+3)',
    vars: ['x'],
    at: [3],
    js: (x) => 1 / (x + 1) + 2 / (x + 2) + 3 / (x + 3),
    batch: ([xs], out) => {
      for (let i = 0; i < out.length; i++) {
        const x = xs[i];
        out[i] = 1 / (x + 1) + 2 / (x + 2) + 3 / (x + 3);
      }
    },
  },
  {
    src: '(-z + (z^2 - 4*x*y)^0.5) / (2*x)',
    vars: ['x', 'y', 'z'],
    at: [1, 2, 10],
    js: (x, y, z) => (-z + sqrt(z * z - 4 * x * y)) / (2 * x),
    batch: ([xs, ys, zs], out) => {
      for (let i = 0; i < out.length; i++) {
        const x = xs[i];
        const z = zs[i];
        out[i] = (-z + sqrt(z * z - 4 * x * ys[i])) / (2 * x);
      }
    },
  },
  {
    src: 'sin(x)+sin(y)+sin(z)',
    vars: ['x', 'y', 'z'],
    at: [0.3, 1.1, 2],
    js: (x, y, z) => sin(x) + sin(y) + sin(z),
    batch: ([xs, ys, zs], out) => {
      for (let i = 0; i < out.length; i++) out[i] = sin(xs[i]) + sin(ys[i]) + sin(zs[i]);
    },
  },
  {
    src: 'y + 0.1 * (x - y) * z',
    vars: ['x', 'y', 'z'],
    at: [2, 1, 0.5],
    js: (x, y, z) => y + 0.1 * (x - y) * z,
    batch: ([xs, ys, zs], out) => {
      for (let i = 0; i < out.length; i++) {
        const y = ys[i];
        out[i] = y + 0.1 * (xs[i] - y) * zs[i];
      }
    },
  },
  {
    src: 'x^2+y*y+z^z',
    vars: ['x', 'y', 'z'],
    at: [1.5, 2.5, 1.2],
    js: (x, y, z) => x * x + y * y + z ** z,
    batch: ([xs, ys, zs], out) => {
      for (let i = 0; i < out.length; i++) {
        const x = xs[i];
        const y = ys[i];
        const z = zs[i];
        out[i] = x * x + y * y + z ** z;
      }
    },
  },
  {
    src: 'x*0.02*sin(-(3*(2*sin(x-1/(sin(y*5)+(5.0-1/z))))))',
    vars: ['x', 'y', 'z'],
    at: [1.5, 2.5, 1.2],
    js: (x, y, z) => x * 0.02 * sin(-(3 * (2 * sin(x - 1 / (sin(y * 5) + (5.0 - 1 / z)))))),
    batch: ([xs, ys, zs], out) => {
      for (let i = 0; i < out.length; i++) {
        const x = xs[i];
        out[i] = x * 0.02 * sin(-(3 * (2 * sin(x - 1 / (sin(ys[i] * 5) + (5.0 - 1 / zs[i]))))));
      }
    },
  },
  {
    src: 'sqrt(a^1.5+a^2.5)',
    vars: ['a'],
    at: [3],
    js: (a) => sqrt(a ** 1.5 + a ** 2.5),
    batch: ([as], out) => {
      for (let i = 0; i < out.length; i++) out[i] = sqrt(as[i] ** 1.5 + as[i] ** 2.5);
    },
  },
  {
    src: '(1/(a+1)+2/(a+2)+3/(a+3))',
    vars: ['a'],
    at: [3],
    js: (a) => 1 / (a + 1) + 2 / (a + 2) + 3 / (a + 3),
    batch: ([as], out) => {
      for (let i = 0; i < out.length; i++) {
        const a = as[i];
        out[i] = 1 / (a + 1) + 2 / (a + 2) + 3 / (a + 3);
      }
    },
  },
  {
    src: 'sqrt(ax*ax + ay*ay + az*az)',
    vars: ['ax', 'ay', 'az'],
    at: [0.3, -0.2, 9.7],
    js: (ax, ay, az) => sqrt(ax * ax + ay * ay + az * az),
    batch: ([axs, ays, azs], out) => {
      for (let i = 0; i < out.length; i++) {
        const ax = axs[i];
        const ay = ays[i];
        const az = azs[i];
        out[i] = sqrt(ax * ax + ay * ay + az * az);
      }
    },
  },
  {
    src: 'prev + alpha * (ax - prev)',
    vars: ['prev', 'alpha', 'ax'],
    at: [0.25, 0.1, 0.3],
    js: (prev, alpha, ax) => prev + alpha * (ax - prev),
    batch: ([prevs, alphas, axs], out) => {
      for (let i = 0; i < out.length; i++) {
        const prev = prevs[i];
        out[i] = prev + alphas[i] * (axs[i] - prev);
      }
    },
  },
];

/**
 * The compile-time probe: an expression of about 50 tokens (the report
 * counts them with `tokens`), compiled and evaluated once per measurement.
 */
export const COMPILE_CASE = {
  src: 'x*x*0.5 + 3*x - 1/(x + 2) + sin(y)*cos(z) - (x - y)^2 / (1 + z*z) + sqrt(x*y)',
  vars: ['x', 'y', 'z'],
  at: [1.5, 2.5, 1.2],
};

/** Tokens of `src` as exp-rs reads them: numbers, names, operators, brackets. */
export function tokens(src) {
  return src.match(/\d+(\.\d*)?([eE][+-]?\d+)?|\.\d+|[A-Za-z_]\w*|&&|\|\||[<>=!]=|\S/g)?.length ?? 0;
}

/**
 * True when `src` is arithmetic only (no function call, no power): the rows
 * the "evalBatch within 1.5 × hand-written JS" target is about.
 */
export function arithmeticOnly(src) {
  return !/[A-Za-z_]\w*\s*\(/.test(src) && !src.includes('^');
}
