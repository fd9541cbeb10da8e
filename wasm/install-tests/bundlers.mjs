// The `bundlers` job (run by `cargo xtask test --only bundlers`): installs
// the packed npm package into two copies of a tiny app (from the tarball, and
// linked as `npm install ../path` makes it), builds the app with each bundler
// with no configuration beyond entry and output, loads every result in
// headless Chromium and checks what the page computed. Writes each bundle's
// size (JS + wasm, raw and gzip) as a Markdown table for wasm/README.md.
//
//   node bundlers.mjs TARBALL UNPACKED_PACKAGE WORK_DIR SIZES_MD
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import nodeResolve from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import * as vite from 'vite';
import webpack from 'webpack';

const HERE = dirname(fileURLToPath(import.meta.url));
const [tarball, unpacked, work, sizesMd] = process.argv.slice(2).map((p) => resolve(p));
if (!sizesMd) throw new Error('usage: node bundlers.mjs TARBALL UNPACKED_PACKAGE WORK_DIR SIZES_MD');

/** What the app writes into `#out` when everything works. */
const EXPECTED = '1.5 42 ExpectedOperand';
const CHROMIUM = process.env.EXP_RS_CHROMIUM
  ?? ['/usr/bin/chromium', '/usr/lib/chromium/chromium'].find((p) => existsSync(p))
  ?? '/usr/bin/chromium';
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];
const MIME = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css',
};

/** Runs a program in `cwd`, its output shown; throws if it fails. */
function run(cwd, program, args) {
  console.log(`$ cd ${relative(process.cwd(), cwd) || '.'} && ${program} ${args.join(' ')}`);
  execFileSync(program, args, { cwd, stdio: 'inherit' });
}

/** A fresh copy of the app in `work/name` with exp-rs installed from `spec`. */
function makeApp(name, spec) {
  const dir = join(work, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  cpSync(join(HERE, 'app'), dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true, "type": "module" }\n');
  run(dir, 'npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', spec]);
  return dir;
}

/** Serves `root` on 127.0.0.1 with the right content types. */
async function serveDir(root) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = join(root, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

/** The head of the test pages (no favicon request). */
const HEAD = '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">';

/** An index.html next to a bundle `main.js` (a classic script for webpack). */
function page(dir, module = true) {
  const tag = module ? '<script type="module" src="main.js"></script>' : '<script src="main.js"></script>';
  writeFileSync(join(dir, 'index.html'), `${HEAD}<p id="out"></p>${tag}\n`);
}

let browser;
let profile;

/**
 * Loads `url`, waits for the app's result and fails on a wrong result, a
 * page error, a console error or an HTTP error. Returns the JS and wasm
 * bytes the page received: [{ type, raw, gzip }].
 */
async function check(name, url) {
  const problems = [];
  const received = [];
  const tab = await browser.newPage();
  tab.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  tab.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  tab.on('response', async (res) => {
    if (res.status() >= 400) problems.push(`HTTP ${res.status()} for ${res.url()}`);
    const type = res.headers()['content-type'] ?? '';
    const kind = /javascript/.test(type) ? 'js' : /wasm/.test(type) ? 'wasm' : null;
    if (kind && res.status() === 200) {
      received.push(res.body().then((b) => ({ kind, raw: b.length, gzip: gzipSync(b, { level: 9 }).length })));
    }
  });
  await tab.goto(url);
  let text = '';
  try {
    await tab.waitForFunction(() => document.getElementById('out')?.textContent, null, { timeout: 20_000 });
    text = await tab.textContent('#out');
  } catch (e) {
    problems.push(`no result on the page: ${e.message.split('\n')[0]}`);
  }
  await tab.close();
  if (text !== EXPECTED) problems.push(`page says ${JSON.stringify(text)}, expected ${JSON.stringify(EXPECTED)}`);
  if (problems.length) throw new Error(`${name}:\n  ${problems.join('\n  ')}`);
  console.log(`ok: ${name}: ${text}`);
  return Promise.all(received);
}

/** Sums what a page received, by kind. */
function total(files) {
  const sum = { js: { raw: 0, gzip: 0 }, wasm: { raw: 0, gzip: 0 } };
  for (const f of files) {
    sum[f.kind].raw += f.raw;
    sum[f.kind].gzip += f.gzip;
  }
  return sum;
}

const builds = {
  // Exactly the command of the issue: no loader, no plugin, no flag.
  esbuild(app, out) {
    run(app, join(HERE, 'node_modules', '.bin', 'esbuild'), ['main.js', '--bundle', '--format=esm', `--outfile=${join(out, 'main.js')}`, '--log-level=warning']);
    page(out);
  },
  async webpack(app, out) {
    const stats = await new Promise((ok, fail) => webpack({
      mode: 'production',
      context: app,
      entry: './main.js',
      output: { path: out, filename: 'main.js' },
    }, (err, s) => (err ? fail(err) : ok(s))));
    // Its size hints (bundle over 244 KiB) come with any .wasm of this size
    // too; any other warning fails.
    const { errors, warnings } = stats.toJson({ all: false, errors: true, warnings: true });
    const real = warnings.filter((w) => !/size limit|performance recommendations/.test(w.message));
    if (errors.length || real.length) throw new Error(`webpack:\n${stats.toString('errors-warnings')}`);
    page(out, false);
  },
  // Rollup reads only relative paths without node-resolve: its one plugin.
  async rollup(app, out) {
    const warnings = [];
    const bundle = await rollup({
      input: join(app, 'main.js'),
      plugins: [nodeResolve({ browser: true, rootDir: app })],
      onwarn: (w) => warnings.push(w.message),
    });
    await bundle.write({ file: join(out, 'main.js'), format: 'es' });
    await bundle.close();
    if (warnings.length) throw new Error(`rollup:\n  ${warnings.join('\n  ')}`);
    page(out);
  },
  async 'vite build'(app, out) {
    await vite.build({ root: app, configFile: false, logLevel: 'warn', build: { outDir: out, emptyOutDir: true } });
  },
};

async function main() {
  mkdirSync(work, { recursive: true });
  profile = mkdtempSync(join(tmpdir(), 'exp-rs-bundlers-'));
  const apps = {
    tarball: makeApp('tarball', tarball),
    linked: makeApp('linked', relative(join(work, 'linked'), unpacked)),
  };
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  const rows = [];
  const failures = [];
  const attempt = async (name, f) => {
    try {
      await f();
    } catch (e) {
      failures.push(e.message);
      console.log(`FAILED: ${e.message}`);
    }
  };
  for (const [name, build] of Object.entries(builds)) {
    for (const [install, app] of Object.entries(apps)) {
      // Every bundler with the tarball; Vite build also linked.
      if (install === 'linked' && name !== 'vite build') continue;
      const label = `${name} (${install})`;
      await attempt(label, async () => {
        const out = join(app, 'dist', name.replace(' ', '-'));
        rmSync(out, { recursive: true, force: true });
        mkdirSync(out, { recursive: true });
        await build(app, out);
        const server = await serveDir(out);
        try {
          const files = await check(label, server.url);
          if (install === 'tarball') rows.push({ name, ...total(files) });
        } finally {
          server.close();
        }
      });
    }
  }
  for (const [install, app] of Object.entries(apps)) {
    await attempt(`vite dev (${install})`, async () => {
      const server = await vite.createServer({
        root: app, configFile: false, logLevel: 'warn', server: { host: '127.0.0.1', port: 0, strictPort: false },
      });
      await server.listen();
      try {
        await check(`vite dev (${install})`, server.resolvedUrls.local[0]);
      } finally {
        await server.close();
      }
    });
  }
  // No bundler: the README's `<script type="module">`, importing web.js.
  await attempt('plain <script type="module">', async () => {
    const app = apps.tarball;
    const code = readFileSync(join(app, 'main.js'), 'utf8').replace("from 'exp-rs'", "from './node_modules/exp-rs/web.js'");
    writeFileSync(join(app, 'plain.html'), `${HEAD}<p id="out"></p>\n<script type="module">\n${code}</script>\n`);
    const server = await serveDir(app);
    try {
      const files = await check('plain <script type="module">', `${server.url}plain.html`);
      rows.push({ name: 'none (`<script type="module">`)', ...total(files) });
    } finally {
      server.close();
    }
  });
  await browser.close();
  rmSync(profile, { recursive: true, force: true });

  const pkg = join(apps.tarball, 'node_modules', 'exp-rs');
  const gz = (f) => gzipSync(readFileSync(join(pkg, f)), { level: 9 }).length;
  const kb = (n) => n.toLocaleString('en-US');
  const lines = [
    '| bundler | JS | JS gzip | wasm | wasm gzip | total gzip |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${kb(r.js.raw)} | ${kb(r.js.gzip)} | ${kb(r.wasm.raw)} | ${kb(r.wasm.gzip)} | ${kb(r.js.gzip + r.wasm.gzip)} |`),
    '',
    `Bytes the page loaded (minified where the bundler minifies by default). The module inlined (gzipped, base64) (\`exp_rs_inline.js\`) is ${kb(gz('exp_rs_inline.js'))} bytes gzipped; \`exp_rs_bg.wasm\` alone is ${kb(gz('exp_rs_bg.wasm'))}: inlining costs ${kb(gz('exp_rs_inline.js') - gz('exp_rs_bg.wasm'))} bytes gzipped.`,
  ];
  writeFileSync(sizesMd, `${lines.join('\n')}\n`);
  console.log(lines.join('\n'));
  if (failures.length) {
    console.error(`\n${failures.length} install path(s) failed:\n${failures.join('\n')}`);
    process.exit(1);
  }
}

await main();
