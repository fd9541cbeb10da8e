// Type-checked (not run) by `tsc -p wasm/tests` in the `node` job: the
// package's .d.ts describes the API as the README shows it.
import init, {
  Context,
  ExpRsError,
  compile,
  errorKindTable,
  errorKinds,
  evaluate,
  simplify,
  type AstNode,
  type CompileOptions,
  type ErrorKind,
  type ErrorKindInfo,
  type Expression,
  type Limits,
  type Operand,
  type ProgramView,
  type Stats,
  type Tier,
} from 'exp-rs';

export async function demo(): Promise<number> {
  await init();
  const a: number = evaluate('2 * x', { x: 1 });
  const f: Expression = compile('x * sin(y) + z');
  const params: string[] = f.params;
  const b: number = f.eval([1, 2, 3]) + f.eval(new Float64Array(3)) + f.eval({ x: 1, y: 2, z: 3 });
  const out: Float64Array = f.evalBatch([new Float64Array(2), new Float64Array(2), new Float64Array(2)]);
  f.evalBatch([new Float64Array(1)], new Float64Array(1));
  const ast: AstNode = f.ast();
  if (ast.kind === 'binary') {
    const [left, right]: [AstNode, AstNode] = ast.children;
    const op: string = ast.op;
    void [left, right, op];
  }
  if (ast.kind === 'number') {
    const v: number = ast.value;
    const text: string = ast.text;
    void [v, text];
  }
  const [start, end]: [number, number] = ast.span;
  const listing: string = f.program();
  const df: Expression = f.derivative('x');
  const printed: string = df.toString() + String(f) + simplify('x * 1');
  void printed;
  const view: ProgramView = f.programView();
  const first: Operand = view.instructions[0].operands[0];
  const slot: number = first.kind === 'param' ? first.slot : -1;
  const fn: number | null = view.instructions[0].function;
  const folded: [number, number][] = view.folded;
  void [slot, fn, folded, view.functions[0]?.entry, view.stackSize + view.callDepth];
  const stats: Stats = f.stats();
  const allocations: number = stats.allocationsLastEval + stats.bytesAllocatedLastEval;
  const tier: 'codegen' | 'interpreter' = stats.tier;
  const moduleSize: number = stats.moduleSize;
  const options: CompileOptions = { tier: 'interpreter' };
  const interpreted: Expression = compile('x', ['x'], options);
  const chosen: Tier = 'auto';
  compile('x', null, { tier: chosen });
  const wat: string | undefined = interpreted.wat();
  void [tier, moduleSize, interpreted, wat];
  f.free();

  const ctx = new Context();
  ctx.setConstant('g', 9.81);
  ctx.addFunction('twice', (x: number) => 2 * x);
  ctx.addFunction('three', () => 3, 0);
  ctx.addVariadicFunction('hypot', Math.hypot, 1);
  ctx.addExpressionFunction('hyp(a, b) = sqrt(a^2 + b^2)');
  ctx.setDerivative('hyp', 0, 'hyp');
  ctx.addArray('lut', [0, 10, 20]);
  ctx.addArray('lut2', new Float64Array([1, 2]));
  ctx.addObject('cal', { gain: 2 });
  ctx.setLimits({ maxDepth: 100, maxSteps: 2_000_000 });
  ctx.setLimits({ maxArenaBytes: null });
  const limits: Limits = ctx.limits();
  const steps: number = limits.maxSteps;
  const removed: boolean = ctx.remove('g');
  const names: string[] = ctx.functionNames().concat(ctx.constantNames());
  const c: number = ctx.evaluate('twice(x)', { x: 2 }) + ctx.compile('x', ['x']).eval([1]);
  const empty: Context = Context.empty();
  empty.free();
  ctx.free();

  try {
    evaluate('1 +');
  } catch (e) {
    if (e instanceof ExpRsError) {
      const kind: ErrorKind = e.kind;
      const where: number = e.start + e.end + e.code + (e.row ?? 0);
      const msg: string = e.message;
      void [kind, where, msg];
    }
  }
  const kinds: string[] = errorKinds();
  const table: ErrorKindInfo[] = errorKindTable();
  const step: ErrorKind | undefined = table.find((k) => k.code === 22)?.name;
  const text: string = table[0].message;
  void [steps, params, out, start, end, listing, allocations, limits, removed, names, kinds, step, text];
  return a + b + c;
}
