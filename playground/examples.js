// The examples menu. The firmware group is the firmware demo's batch of
// seven sensor expressions (benches/src/cases.rs, set "firmware"), with the
// values it evaluates them at; `vars` gives [value, slider min, slider max].

export const DEFAULT = {
  expr: 'exp(-t / 2) * sin(2 * pi * f * t)',
  fns: '',
  vars: { t: [0.75, 0, 6], f: [1.5, 0, 5] },
  plot: ['t', 0, 6],
};

export const EXAMPLES = [
  {
    group: 'Firmware demo: 7 sensor expressions',
    items: [
      {
        title: 'Temperature from raw counts',
        expr: 't_raw * 0.0625 - 4.5',
        vars: { t_raw: [812, 0, 2048] },
        plot: ['t_raw', 0, 2048],
      },
      {
        title: 'Acceleration magnitude',
        expr: 'sqrt(ax*ax + ay*ay + az*az)',
        vars: { ax: [0.3, -20, 20], ay: [-0.2, -20, 20], az: [9.7, -20, 20] },
        plot: ['ax', -20, 20],
      },
      {
        title: 'Low-pass filter step',
        expr: 'prev + alpha * (ax - prev)',
        vars: { prev: [0.25, -1, 1], alpha: [0.1, 0, 1], ax: [0.3, -1, 1] },
        plot: ['alpha', 0, 1],
      },
      {
        title: 'Over-temperature flag',
        expr: 't_raw * 0.0625 - 4.5 > 40 ? 1 : 0',
        vars: { t_raw: [812, 0, 1600] },
        plot: ['t_raw', 0, 1600],
      },
      {
        title: 'Pressure controller, clamped',
        expr: 'clamp(gain * (set - p_raw * 0.01), -10, 10)',
        vars: { gain: [2, 0, 10], set: [5, 0, 10], p_raw: [180, 0, 1000] },
        plot: ['p_raw', 0, 1000],
      },
      {
        title: 'Tilt angle in degrees',
        expr: 'atan2(ay, az) * 57.29577951308232',
        vars: { ay: [-0.2, -10, 10], az: [9.7, -10, 10] },
        plot: ['ay', -10, 10],
      },
      {
        title: 'Battery voltage from ADC',
        expr: 'v_raw * 11 / 4095 * 3.3',
        vars: { v_raw: [2048, 0, 4095] },
        plot: ['v_raw', 0, 4095],
      },
    ],
  },
  {
    group: 'Language',
    items: [
      {
        title: 'Recursion: an expression function',
        expr: 'fact(n) / n^n',
        fns: 'fact(n) = n <= 1 ? 1 : n * fact(n - 1)',
        vars: { n: [5, 1, 12] },
        plot: ['n', 1, 12],
      },
      {
        title: 'Short-circuit: no division by zero',
        expr: 'y != 0 && x / y > 1',
        vars: { x: [3, -5, 5], y: [2, -5, 5] },
        plot: ['x', -5, 5],
      },
      {
        title: 'Constant folding',
        expr: 'x * 2 * 3 + sqrt(16) * pi - 1 / 4 * x',
        vars: { x: [1, -10, 10] },
        plot: ['x', -10, 10],
      },
      {
        title: 'Damped oscillation',
        ...DEFAULT,
      },
      {
        title: 'Constants and a helper function',
        expr: 'fall(t) + h0',
        fns: 'g = 9.81\nh0 = 100\nfall(t) = -g / 2 * t^2',
        vars: { t: [2, 0, 5] },
        plot: ['t', 0, 4.5],
      },
    ],
  },
  {
    group: 'Errors',
    items: [
      {
        title: 'Broken: two operators in a row',
        expr: 'sin(x +* 2)',
        vars: { x: [1, -10, 10] },
        plot: ['x', -10, 10],
      },
      {
        title: 'Broken: unknown function',
        expr: 'sqrt(x) + cube(x)',
        vars: { x: [1, -10, 10] },
        plot: ['x', -10, 10],
      },
    ],
  },
];
