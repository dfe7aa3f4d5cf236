// `pnpm check:dist` (after `pnpm build`): imports every published package's built entry points the
// way a user's Node would (no source condition, so `import` → dist/), and runs a backward pass and a strided read on the built @longshort/tensor, which
// break when a bundler drops a module needed only for its effect.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as TensorModule from '@longshort/tensor';

const root = join(import.meta.dirname, '..', '..');
const problems: string[] = [];
let entries = 0;

for (const dir of readdirSync(join(root, 'packages'))) {
  const pkg = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };
  for (const subpath of Object.keys(pkg.exports)) {
    if (subpath === './package.json') continue;
    const specifier = pkg.name + subpath.slice(1);
    entries++;
    try {
      await import(specifier);
    } catch (error) {
      problems.push(`${specifier}: cannot import the built entry: ${(error as Error).message}`);
    }
  }
}

const t = (await import('@longshort/tensor')) as typeof TensorModule;
const x = t.tensor([1, 2, 3]).requireGrad();
t.sum(t.mul(x, x)).backward();
const grad = Array.from(await x.grad!.data());
if (grad.join() !== '2,4,6') problems.push(`@longshort/tensor (dist): backward() gave ${grad.join()}, expected 2,4,6`);
const transposed = Array.from(await t.transpose(t.tensor([[1, 2], [3, 4]])).data());
if (transposed.join() !== '1,3,2,4') problems.push(`@longshort/tensor (dist): a transposed read gave ${transposed.join()}, expected 1,3,2,4`);

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  console.error(`check-dist: ${problems.length} problem(s)`);
  process.exitCode = 1;
} else {
  console.log(`check-dist: OK (${entries} built entry points import; tensor backward and strided reads work)`);
}
