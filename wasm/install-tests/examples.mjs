// Writes every ```js example of the package's .d.ts comments to
// gen/example_N.ts, so the `types` job type-checks and runs them: a line
// `expr; // value` becomes a check that `expr` equals `value`.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const here = dirname(new URL(import.meta.url).pathname);
// The .d.ts the package resolves to for `import` (through its exports map).
const pkgJson = createRequire(join(here, 'x.js')).resolve('exp-rs/package.json');
const dts = readFileSync(join(dirname(pkgJson), 'exp_rs.d.ts'), 'utf8');

const examples = [];
for (const [, body] of dts.matchAll(/```js\n([\s\S]*?)```/g)) {
  examples.push(body.split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim());
}
if (examples.length === 0) throw new Error('no ```js examples in exp_rs.d.ts');

const out = join(here, 'gen');
rmSync(out, { recursive: true, force: true });
mkdirSync(out);
let checks = 0;
examples.forEach((code, i) => {
  const lines = code.split('\n').map((line) => {
    // `statement; // expected` with an expression statement.
    const m = /^(?!const |let |var )(.+?);\s*\/\/\s*(.+)$/.exec(line);
    if (!m) return line;
    checks += 1;
    return `check(${JSON.stringify(m[1])}, ${m[1]}, ${m[2]});`;
  });
  writeFileSync(
    join(out, `example_${i + 1}.ts`),
    [
      `// Example ${i + 1} of exp_rs.d.ts, written by examples.mjs.`,
      "import * as expRs from 'exp-rs';",
      'const { Context, compile, evaluate } = expRs;',
      'function check(what: string, got: unknown, want: unknown): void {',
      '  if (JSON.stringify(got) !== JSON.stringify(want)) {',
      '    throw new Error(`${what}: got ${JSON.stringify(got)}, the comment says ${JSON.stringify(want)}`);',
      '  }',
      '}',
      'await expRs.default();',
      code,
      `console.log('example ${i + 1}: ok');`,
      '',
    ].join('\n'),
  );
});
console.log(`${examples.length} examples, ${checks} commented results, in ${out}`);
