// A tiny static server for the playground: the page from this directory,
// the npm package (`cargo xtask wasm` builds it into wasm/pkg/) under
// /pkg/. `.wasm` goes out as application/wasm, which streaming compilation
// needs. Only node's standard library; it binds 127.0.0.1 by default.
//
//   node playground/serve.mjs [--port 8080] [--host 127.0.0.1]
//
// The tests import `serve` and start it on a free port.

import { createServer } from 'node:http';
import { createReadStream, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const PKG = resolve(HERE, '..', 'wasm', 'pkg');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

// Same policy as the page's <meta> tag: nothing from any other host.
const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; " +
  "style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The file a request path maps to, or null (outside the roots, hidden). */
function lookup(urlPath, { root, pkg }) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  if (path.includes('\0')) return null;
  let base = root;
  if (path === '/pkg' || path.startsWith('/pkg/')) {
    base = pkg;
    path = path.slice(4);
  } else if (/^\/(tests|node_modules)(\/|$)/.test(path) || path === '/serve.mjs') {
    return null;
  }
  if (path === '' || path.endsWith('/')) path += 'index.html';
  const file = resolve(base, '.' + path);
  if (file !== base && !file.startsWith(base + sep)) return null;
  try {
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

/** An http.Server for the playground (not yet listening). */
export function playgroundServer({ root = HERE, pkg = PKG } = {}) {
  const roots = { root: resolve(root), pkg: resolve(pkg) };
  return createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    const file = lookup(req.url ?? '/', roots);
    if (!file) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`not found: ${req.url}\n`);
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': CSP,
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
}

/** Starts the server; resolves to `{ server, url }` once it listens. */
export function serve({ host = '127.0.0.1', port = 8080, ...roots } = {}) {
  const server = playgroundServer(roots);
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      const { port: bound } = server.address();
      ok({ server, url: `http://${host}:${bound}/` });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
  };
  const port = Number(opt('port', process.env.PORT ?? 8080));
  const host = opt('host', '127.0.0.1');
  try {
    statSync(join(PKG, 'web.js'));
  } catch {
    console.error(`No npm package in ${PKG}: run \`cargo xtask playground\` (or \`cargo xtask wasm\`) first.`);
    process.exit(1);
  }
  serve({ host, port }).then(
    ({ url }) => {
      console.log(`exp-rs playground: ${url}  (Ctrl-C stops it)`);
    },
    (e) => {
      console.error(e.code === 'EADDRINUSE'
        ? `Port ${port} on ${host} is in use: stop what runs there, or pass --port N.`
        : `Cannot serve on ${host}:${port}: ${e.message}`);
      process.exit(1);
    },
  );
  process.on('SIGINT', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}
