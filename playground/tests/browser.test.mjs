// Browser tests of the playground, run by `cargo xtask test` (job
// `browser`): Debian's Chromium, headless, driven by playwright-core
// (never a downloaded browser). The page is served by ../serve.mjs on a
// free port; any console error or uncaught exception fails the test that
// caused it. Leaves a screenshot in target/playground-screenshot.png.
//
//   node --test playground/tests/          (after `cargo xtask wasm`)
//   EXP_RS_CHROMIUM=/path/to/chromium      another browser binary

import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { serve } from '../serve.mjs';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const SCREENSHOT = join(ROOT, 'target', 'playground-screenshot.png');
const CHROMIUM = process.env.EXP_RS_CHROMIUM
  ?? ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => existsSync(p))
  ?? '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];
const T = { timeout: 30_000 };

let server;
let base;
let profile;
let browser;
/** Console errors, uncaught exceptions and foreign requests since the last check. */
let problems = [];
/** Content types of the responses, by path. */
const served = new Map();

before(async () => {
  ({ server, url: base } = await serve({ port: 0 }));
  profile = mkdtempSync(join(tmpdir(), 'exp-rs-playground-'));
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1360, height: 900 },
  });
  const origin = new URL(base).origin;
  browser.on('request', (req) => {
    const u = new URL(req.url());
    if (u.origin !== origin && u.protocol !== 'data:') problems.push(`request to another host: ${req.url()}`);
  });
  browser.on('response', (res) => {
    const u = new URL(res.url());
    served.set(u.pathname, res.headers()['content-type']);
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${u.pathname}`);
  });
});

after(async () => {
  await browser?.close();
  server?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

afterEach(() => {
  const seen = problems;
  problems = [];
  assert.deepEqual(seen, [], 'console errors, page errors or foreign requests');
});

/** A fresh page at `hash`, with the module loaded and the first view drawn. */
async function open(hash = '') {
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(base + hash);
  await page.waitForSelector('body.ready', { timeout: 15_000 });
  return page;
}

/** Waits until the cost panel has measured the current expression. */
async function measured(page) {
  await page.waitForFunction(() => {
    const s = document.getElementById('stats');
    return !s.classList.contains('stale') && s.dataset.source === document.getElementById('src').value;
  }, null, { timeout: 15_000 });
}

/** A hash for expression `e` and further `key=value` parts. */
const hash = (e, ...rest) => `#e=${encodeURIComponent(e)}${rest.map((r) => `&${r}`).join('')}`;
const text = (page, sel) => page.locator(sel).innerText();
const result = async (page) => Number(await page.locator('#result').getAttribute('data-value'));

/** Sets variable `name` by typing into its number input. */
async function setVar(page, name, value) {
  await page.locator(`.var[data-name="${name}"] .var-num`).fill(String(value));
}

describe('playground', () => {
  test('loads the module and draws the default view', T, async () => {
    const page = await open();
    assert.equal(served.get('/pkg/exp_rs_bg.wasm'), 'application/wasm');
    assert.match(await page.inputValue('#src'), /sin/);
    assert.ok(Number.isFinite(await result(page)));
    await measured(page);
    assert.equal(await text(page, '#s-allocs'), '0');
    await page.close();
  });

  test('typing an expression: result, tree, costs', T, async () => {
    const page = await open();
    await page.locator('#src').fill('');
    await page.locator('#src').pressSequentially('2 * x + sqrt(y)');
    const names = await page.locator('.var').evaluateAll((rows) => rows.map((r) => r.dataset.name));
    assert.deepEqual(names, ['x', 'y']);
    await setVar(page, 'x', 3);
    await setVar(page, 'y', 16);
    assert.equal(await result(page), 10);
    assert.equal(await text(page, '#result'), '10');
    // binary +, binary *, number 2, name x, call sqrt, name y
    assert.equal(await page.locator('#ast-count').getAttribute('data-count'), '6');
    assert.equal(await page.locator('#ast .node').count(), 6);
    await measured(page);
    assert.ok(Number(await page.locator('#s-arena').getAttribute('data-value')) > 0, 'arena bytes > 0');
    assert.equal(await page.locator('#s-allocs').getAttribute('data-value'), '0', 'allocations per evaluation');
    assert.match(await text(page, '#s-ns'), /^[\d.]+ ns$/);
    assert.match(await text(page, '#s-batch'), /^[\d.]+ ns$/);
    const [, runs] = /^0 B over ([\d,]+) evals \+ 1 batch$/.exec(await text(page, '#s-bytes')) ?? [];
    assert.ok(Number(runs?.replace(/,/g, '')) >= 100, 'allocations counted over 100+ evaluations');
    assert.match(await text(page, '#s-len'), /^\d+ instr$/);
    assert.equal(await text(page, '#s-nodes'), '6');
    assert.match(await text(page, '#program'), /instructions?, stack/);
    await page.close();
  });

  test('the slider changes the variable and the result', T, async () => {
    const page = await open(hash('x*x', 'v=x:2:-10:10', 'p=x:-10:10'));
    assert.equal(await result(page), 4);
    const slider = page.locator('.var[data-name="x"] .var-slider');
    await slider.fill('5'); // sets the value and fires input
    assert.equal(await page.locator('.var[data-name="x"] .var-num').inputValue(), '5');
    assert.equal(await result(page), 25);
    await page.close();
  });

  test('the plot is drawn with evalBatch', T, async () => {
    const page = await open(hash('sin(x)', 'v=x:1:-10:10', 'p=x:-6:6'));
    const canvas = page.locator('#plot');
    assert.ok(Number(await canvas.getAttribute('data-points')) > 500);
    const linePixels = await page.evaluate(() => {
      const c = document.getElementById('plot');
      const line = getComputedStyle(document.documentElement).getPropertyValue('--plot-line').trim();
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(line.slice(i, i + 2), 16));
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - r) < 24 && Math.abs(data[i + 1] - g) < 24 && Math.abs(data[i + 2] - b) < 24 && data[i + 3] > 200) n++;
      }
      return n;
    });
    assert.ok(linePixels > 500, `curve pixels on the canvas: ${linePixels}`);
    // A new range redraws.
    await page.locator('#plot-to').fill('-7');
    assert.ok(await page.locator('#plot-range.bad').count() === 1, 'from ≥ to is refused');
    await page.locator('#plot-to').fill('3');
    await page.waitForFunction(() => location.hash.endsWith('p=x:-6:3'));
    assert.match(await text(page, '#plot-note'), /601 points in one evalBatch call/);
    await page.close();
  });

  test('the f′ toggle plots the derivative and shows its source and program', T, async () => {
    const page = await open(hash('x^3 * y', 'v=x:1:-10:10', 'v=y:2:-10:10', 'p=x:-2:2'));
    assert.ok(await page.locator('#deriv').isHidden());
    assert.equal(await page.locator('#plot').getAttribute('data-points2'), '0');
    await page.locator('#plot-deriv').check();
    await page.waitForFunction(() => location.hash.endsWith('&d=1'));
    assert.equal(await text(page, '#deriv-src'), '3 * x^2 * y');
    assert.match(await text(page, '#deriv-program'), /\S/);
    assert.ok(Number(await page.locator('#plot').getAttribute('data-points2')) > 500);
    const pixels = await page.evaluate(() => {
      const c = document.getElementById('plot');
      const line = getComputedStyle(document.documentElement).getPropertyValue('--plot-line-2').trim();
      const [r, g, b] = [1, 3, 5].map((i) => parseInt(line.slice(i, i + 2), 16));
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (Math.abs(data[i] - r) < 24 && Math.abs(data[i + 1] - g) < 24 && Math.abs(data[i + 2] - b) < 24 && data[i + 3] > 200) n++;
      }
      return n;
    });
    assert.ok(pixels > 200, `f′ pixels on the canvas: ${pixels}`);
    // Along y instead: the derivative follows the plotted variable.
    await page.locator('#plot-var').selectOption('y');
    assert.equal(await text(page, '#deriv-src'), 'x^3');
    // Recursion is not differentiable: the reason is shown, f still plots.
    await page.locator('#src').fill('x > 0 ? x : fact(x)');
    await page.locator('#fns').fill('fact(n) = n <= 1 ? 1 : n * fact(n - 1)');
    await page.waitForFunction(() => document.getElementById('deriv-src').textContent.startsWith('NotDifferentiable'));
    assert.ok(Number(await page.locator('#plot').getAttribute('data-points')) > 100);
    // Off again: hidden, and the link forgets it.
    await page.locator('#plot-deriv').uncheck();
    assert.ok(await page.locator('#deriv').isHidden());
    await page.close();
  });

  test('an error shows its caret under the span', T, async () => {
    const page = await open();
    await page.locator('#src').fill('sin(x +* 2)');
    const err = page.locator('#error');
    assert.equal(await err.locator('.error-kind').innerText(), 'ExpectedOperand');
    const caret = await err.locator('.caret').innerText();
    const [src, mark] = caret.split('\n');
    assert.equal(src, 'sin(x +* 2)');
    assert.equal(mark.indexOf('^'), 7, 'caret under the `*`');
    assert.match(mark, /expected an operand, found `\*`/);
    assert.equal(await page.locator('#backdrop mark.err').innerText(), '*');
    assert.equal(await text(page, '#result'), '—');
    // A long line is cut to a window around the span.
    await page.locator('#src').fill(`${'y + '.repeat(100)}y +* 2`);
    const [longSrc, longMark] = (await err.locator('.caret').innerText()).split('\n');
    assert.ok(longSrc.startsWith('…') && longSrc.length < 140, longSrc);
    assert.equal(longSrc[longMark.indexOf('^')], '*');
    // Fixing it brings everything back.
    await page.locator('#src').fill('sin(x + 2)');
    assert.equal(await err.innerText(), '');
    assert.equal(await page.locator('body.has-error').count(), 0);
    await page.close();

    // Typed key by key, `si` compiles (a parameter `si`), then nothing
    // does until the error: the plot offers no stale parameter.
    const typed = await open();
    await typed.locator('#src').fill('');
    await typed.locator('#src').pressSequentially('sin(x +* 2)');
    assert.equal(await typed.locator('body.has-error').count(), 1);
    assert.deepEqual(await typed.locator('#plot-var option').allInnerTexts(), []);
    assert.equal(await typed.locator('#plot-var').isDisabled(), true);
    await typed.locator('#src').fill('sin(x + 2)');
    assert.deepEqual(await typed.locator('#plot-var option').allInnerTexts(), ['x']);
    assert.equal(await typed.inputValue('#plot-var'), 'x');
    await typed.close();

    // A link to a broken expression keeps its variables.
    const broken = await open(hash('sin(x +* 2) + y', 'v=x:3:-10:10', 'v=y:4:0:9', 'v=unused:1:0:2'));
    assert.equal(await broken.locator('body.has-error').count(), 1);
    await broken.waitForFunction(() => location.hash.includes('v=x:3:-10:10&v=y:4:0:9&p='));
    await broken.close();
  });

  test('hovering a tree node highlights its span; clicking folds it', T, async () => {
    const page = await open(hash('2*x+sqrt(y)', 'v=x:1:-10:10', 'v=y:4:-10:10'));
    const call = page.locator('#ast .node[data-kind="call"]');
    await call.hover();
    assert.equal(await page.locator('#backdrop mark.hl').innerText(), 'sqrt(y)');
    assert.equal(await page.locator('#src').getAttribute('data-highlight'), '4-11');
    await call.click();
    assert.equal(await page.locator('#ast li.closed').count(), 1);
    assert.equal(await page.locator('#ast .node:visible').count(), 5);
    await page.close();
  });

  test('constant folding is shown next to the program', T, async () => {
    const page = await open(hash('x*2*3+sqrt(16)*pi', 'v=x:1:-10:10'));
    const folded = await page.locator('.fold-list li').allInnerTexts();
    assert.deepEqual(folded, [`sqrt(16)*pi → ${4 * Math.PI}`]);
    const program = await text(page, '#program');
    assert.match(program, /x, 6/, 'x*2*3 became x*6');
    assert.match(program, /12\.566370614359172/);
    assert.equal(await page.locator('#ast .badge.folded').count(), 1);
    await page.close();
  });

  test('the program listing is drawn from programView', T, async () => {
    const page = await open(hash('x*2*3', 'v=x:1:-10:10'));
    const rows = page.locator('#program .ins[data-pc]');
    assert.equal(await rows.count(), 1, 'x*2*3 is one instruction');
    assert.equal(await rows.first().innerText(), '   0  *       x, 6');
    assert.equal(await rows.first().locator('.lit').innerText(), '6');
    assert.match(await text(page, '#program .comment'), /^; 1 instructions, stack \d+, call depth 0$/);
    await rows.first().hover();
    assert.equal(await page.locator('#backdrop mark.hl').innerText(), 'x*2*3');
    // Jumps and a function block, labelled; hovering a tree node marks the
    // instructions lowered from it.
    await page.locator('#fns').fill('fact(n) = n <= 1 ? 1 : n * fact(n - 1)');
    await page.locator('#src').fill('x > 0 ? fact(x) : 2 * pi');
    const listing = await text(page, '#program');
    assert.match(listing, /^fact\/1:$/m);
    assert.match(listing, /jfalse/);
    assert.match(listing, /call\s+fact\/1/);
    assert.match(listing, /6\.283185307179586/, '2 * pi folded');
    await page.locator('#ast .node[data-kind="call"]').hover();
    assert.ok(await page.locator('#program .ins.hot').count() >= 1);
    await page.close();
  });

  test('a runaway evaluation stops at the step budget', T, async () => {
    const page = await open();
    // Each level calls the one below 20 times: d(x) makes 8,421 calls
    // (under the 10,000-call limit) but runs ~8,000,000 instructions.
    const group = `(${Array(10).fill('x').join('+')})`;
    const fns = [
      `a(x) = ${Array(100).fill(group).join('+')}`,
      `b(x) = ${Array(20).fill('a(x)').join('+')}`,
      `c(x) = ${Array(20).fill('b(x)').join('+')}`,
      `d(x) = ${Array(20).fill('c(x)').join('+')}`,
    ].join('\n');
    await page.locator('#fns').fill(fns);
    assert.equal(await text(page, '#fn-count'), '4 defined');
    await page.locator('#src').fill('c(x)');
    await setVar(page, 'x', 1);
    assert.equal(await result(page), 400000);
    const t0 = Date.now();
    await page.locator('#src').fill('d(x)');
    assert.equal(await text(page, '#result'), 'StepLimit');
    assert.match(await text(page, '#result-note'), /step limit/);
    await measured(page);
    assert.match(await text(page, '#s-bytes'), /evaluation fails: StepLimit/);
    assert.ok(Date.now() - t0 < 10_000, 'the page stayed responsive');
    await page.close();
  });

  test('the context panel defines recursive expression functions', T, async () => {
    const page = await open();
    await page.locator('#fns').fill('fact(n) = n <= 1 ? 1 : n * fact(n - 1)\ng = 9.81');
    await page.locator('#src').fill('fact(k) + g');
    await setVar(page, 'k', 5);
    assert.equal(await result(page), 120 + 9.81);
    assert.equal(await text(page, '#fn-count'), '2 defined');
    await measured(page);
    assert.equal(await page.locator('#s-allocs').getAttribute('data-value'), '0');
    // A broken definition is reported with its caret; the rest still work.
    await page.locator('#fns').fill('fact(n) = n <= 1 ? 1 : n * fact(n - 1)\nbad(x) = x +');
    assert.equal(await page.locator('#fn-errors .fn-line').innerText(), 'line 2');
    assert.match(await page.locator('#fn-errors .caret').innerText(), /bad\(x\) = x \+\n {12}\^ expected an operand/);
    await page.locator('#fns').fill('  k = 2 *\nnot a definition');
    const carets = await page.locator('#fn-errors .caret').allInnerTexts();
    assert.match(carets[0], /^k = 2 \*\n {7}\^ expected an operand/);
    assert.match(carets[1], /expected `name\(params\) = body` or `name = value`/);
    await page.close();
  });

  test('exponential recursion is an error, and the page stays responsive', T, async () => {
    const page = await open(hash('twice(n)', `f=${encodeURIComponent('twice(n) = n < 1 ? 0 : twice(n - 1) + twice(n - 1)')}`, 'v=n:3:0:200', 'p=n:0:200'));
    assert.equal(await result(page), 0);
    // Past n = 12 every point exceeds the playground's budget of 10,000
    // calls: the plot shows them as gaps (and gives up after 300 ms
    // rather than freeze on slower machines).
    assert.match(await text(page, '#plot-note'), /some points fail \(RecursionLimit\), shown as gaps/);
    await setVar(page, 'n', 200);
    assert.equal(await text(page, '#result'), 'RecursionLimit');
    await setVar(page, 'n', 4);
    assert.equal(await result(page), 0);
    // Sources are capped at 4 KB here, which bounds a body's size.
    await page.locator('#src').fill(`${'1+'.repeat(2100)}1`);
    assert.equal(await page.locator('#error .error-kind').innerText(), 'TooLong');
    await page.close();
  });

  test('every example loads; the broken ones show errors', T, async () => {
    const page = await open();
    const options = await page.locator('#examples option[value]').evaluateAll((os) => os.map((o) => [o.value, o.textContent, o.parentElement.label]));
    assert.ok(options.length >= 10);
    assert.equal(options.filter(([, , g]) => g.startsWith('Firmware')).length, 7);
    for (const [value, title, group] of options) {
      await page.selectOption('#examples', value);
      const broken = group === 'Errors';
      assert.equal(await page.locator('body.has-error').count(), broken ? 1 : 0, title);
      if (!broken) {
        assert.ok(Number.isFinite(await result(page)), `${title}: a finite result`);
        assert.ok(Number(await page.locator('#plot').getAttribute('data-points')) > 0, `${title}: plotted`);
      }
    }
    // The firmware demo's first expression at its demo value.
    await page.selectOption('#examples', options[0][0]);
    assert.equal(await result(page), 812 * 0.0625 - 4.5);
    await page.close();
  });

  test('a shared link restores the view', T, async () => {
    const page = await open();
    await page.locator('#fns').fill('sq(v) = v * v');
    await page.locator('#src').fill('sq(a) - b / 2');
    await setVar(page, 'a', 3);
    await setVar(page, 'b', 4);
    await page.locator('#plot-var').selectOption('b');
    await page.locator('#plot-from').fill('-2');
    await page.locator('#plot-to').fill('8');
    await page.locator('#share').click();
    assert.equal(await page.locator('#share.done').count(), 1, 'Copy link confirms');
    assert.ok(page.url().includes('p=b:-2:8'), 'the address bar holds the link at once');
    const link = page.url();
    await page.close();

    const again = await open(link.slice(base.length));
    assert.equal(await again.inputValue('#src'), 'sq(a) - b / 2');
    assert.equal(await again.inputValue('#fns'), 'sq(v) = v * v');
    assert.equal(await again.locator('.var[data-name="a"] .var-num').inputValue(), '3');
    assert.equal(await again.locator('.var[data-name="b"] .var-num').inputValue(), '4');
    assert.equal(await again.inputValue('#plot-var'), 'b');
    assert.equal(await again.inputValue('#plot-from'), '-2');
    assert.equal(await again.inputValue('#plot-to'), '8');
    assert.equal(await result(again), 7);
    await again.close();
  });

  test('works offline once loaded', T, async () => {
    const page = await open();
    await browser.setOffline(true);
    try {
      await page.selectOption('#examples', { label: 'Recursion: an expression function' });
      assert.equal(await result(page), 120 / 3125);
      await page.locator('#src').fill('fact(n) * 2');
      assert.equal(await result(page), 240);
      assert.ok(Number(await page.locator('#plot').getAttribute('data-points')) > 0);
      await measured(page);
      assert.equal(await page.locator('#s-allocs').getAttribute('data-value'), '0');
    } finally {
      await browser.setOffline(false);
    }
    await page.close();
  });

  test('the tier toggle switches between code generation and the interpreter', T, async (t) => {
    const page = await open(hash('x*x*0.5 + 3*x - 1/(x + 2)', 'v=x:1.5:-10:10', 'p=x:-1:6'));
    if (await page.locator('#tier-toggle').getAttribute('data-available') !== 'true') {
      await page.close();
      t.skip('this build of the package has no code-generation tier (covered by the next test)');
      return;
    }
    const want = 1.5 * 1.5 * 0.5 + 3 * 1.5 - 1 / 3.5;
    // auto chooses code generation where the runtime allows it.
    assert.equal(await page.locator('#tier-toggle [aria-checked="true"]').getAttribute('data-tier'), 'auto');
    assert.equal(await page.locator('#s-tier').getAttribute('data-value'), 'codegen');
    assert.equal(await result(page), want);
    const size = Number(await page.locator('#s-module').getAttribute('data-value'));
    assert.ok(size > 0 && size <= 4096, `module size ${size} B`);
    assert.equal(await text(page, '#s-module'), `${size.toLocaleString('en-US')} B`);
    await measured(page);
    for (const tier of ['codegen', 'interpreter']) {
      assert.ok(Number(await page.locator('#s-tiers').getAttribute(`data-${tier}`)) > 0, `time per evaluation on ${tier}`);
    }
    assert.match(await text(page, '#s-tiers'), /^code generation [\d.]+ ns · interpreter [\d.]+ ns$/);
    assert.equal(await page.locator('#s-tiers .running').getAttribute('data-tier'), 'codegen');
    const curve = await page.locator('#plot').getAttribute('data-points');

    // The interpreter: same result, no module, the link remembers it.
    await page.locator('#tier-toggle [data-tier="interpreter"]').click();
    assert.equal(await page.locator('#tier-toggle [aria-checked="true"]').getAttribute('data-tier'), 'interpreter');
    assert.equal(await page.locator('#s-tier').getAttribute('data-value'), 'interpreter');
    assert.equal(await text(page, '#s-tier'), 'interpreter');
    assert.equal(await text(page, '#s-module'), '—');
    assert.equal(await result(page), want, 'both tiers give the same bits');
    assert.equal(await page.locator('#plot').getAttribute('data-points'), curve);
    await measured(page);
    assert.equal(await page.locator('#s-tiers .running').getAttribute('data-tier'), 'interpreter');
    assert.equal(await page.locator('#s-allocs').getAttribute('data-value'), '0');
    await page.waitForFunction(() => location.hash.endsWith('&t=interpreter'));
    const link = page.url();

    // Code generation, chosen: the module again, and its listing if offered.
    await page.locator('#tier-toggle [data-tier="codegen"]').click();
    assert.equal(await page.locator('#s-tier').getAttribute('data-value'), 'codegen');
    assert.equal(await text(page, '#s-tier'), 'code generation');
    assert.equal(await result(page), want);
    await measured(page);
    assert.equal(await page.locator('#s-allocs').getAttribute('data-value'), '0');
    if (await page.evaluate(() => !document.getElementById('wat-box').hidden)) {
      assert.match(await page.locator('#wat').textContent(), /func/);
    }
    await page.close();

    const again = await open(link.slice(base.length));
    assert.equal(await again.locator('#tier-toggle [aria-checked="true"]').getAttribute('data-tier'), 'interpreter');
    assert.equal(await again.locator('#s-tier').getAttribute('data-value'), 'interpreter');
    await again.close();
  });

  test('without code generation the tier panel degrades cleanly', T, async () => {
    // A build without tiers shows that; a build with them is made to lack
    // code generation, as a runtime that refuses to compile wasm would.
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    await page.addInitScript(() => {
      WebAssembly.Module = new Proxy(WebAssembly.Module, {
        construct() {
          throw new WebAssembly.CompileError('code generation disabled by the test');
        },
      });
    });
    await page.goto(base + hash('x * 2 + 1', 'v=x:3:-10:10', 'p=x:-10:10'));
    await page.waitForSelector('body.ready', { timeout: 15_000 });
    const available = await page.locator('#tier-toggle').getAttribute('data-available') === 'true';
    assert.equal(await result(page), 7);
    assert.equal(await page.locator('#s-tier').getAttribute('data-value'), 'interpreter');
    assert.equal(await text(page, '#s-module'), '—');
    assert.equal(await page.evaluate(() => document.getElementById('wat-box').hidden), true);
    await measured(page);
    assert.equal(await page.locator('#s-allocs').getAttribute('data-value'), '0');
    assert.match(await text(page, '#s-tiers'), /^interpreter [\d.]+ ns$/);
    if (available) {
      assert.match(await text(page, '#tier-note'), /not available/);
      await page.locator('#tier-toggle [data-tier="codegen"]').click();
      assert.equal(await page.locator('#s-tier').getAttribute('data-value'), 'interpreter', 'codegen asked for, the interpreter runs');
      assert.match(await text(page, '#tier-note'), /not available/);
      assert.equal(await result(page), 7);
    } else {
      assert.match(await text(page, '#tier-note'), /one tier: the interpreter/);
      assert.equal(await page.locator('#tier-toggle button:disabled').count(), 3);
      assert.equal(await page.locator('#tier-toggle [aria-checked="true"]').getAttribute('data-tier'), 'auto');
    }
    await page.close();
    if (!available) {
      // A link asking for a tier still works on a build without tiers.
      const linked = await open(hash('x * 2 + 1', 'v=x:4:-10:10', 't=codegen'));
      assert.equal(await result(linked), 9);
      assert.equal(await linked.locator('#s-tier').getAttribute('data-value'), 'interpreter');
      await linked.close();
    }
  });

  test('screenshot of the default view', T, async () => {
    const page = await open();
    await measured(page);
    await page.locator('#ast .node').nth(3).hover();
    mkdirSync(join(ROOT, 'target'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    assert.ok(existsSync(SCREENSHOT));
    await page.close();
  });
});
