// Deno runs CommonJS through `createRequire`: cjs.cjs, required.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./cjs.cjs');
