import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../src/shared/project-root.js';
import { COMMAND_TIMEOUT_MS, SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

const DEPCRUISE = join(PROJECT_ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

/** Runs `npm run lint`'s dependency check, with the project's rules, over a small tree that breaks them on purpose. */
function violationsIn(files: Record<string, string>): string[] {
  const root = mkdtempSync(join(tmpdir(), 'dependency-rule-'));
  roots.push(root);
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  const run = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', join(PROJECT_ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json'], {
    cwd: root,
    encoding: 'utf8',
    timeout: COMMAND_TIMEOUT_MS,
  });
  expect(run.status, run.stderr).toBe(0);
  const report = JSON.parse(run.stdout) as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
  return report.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
}

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

describe('the dependency rule (npm run lint)', { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  it('reports an upward import, an import of the CLI, a cycle, a file outside every room and a value taken where only types may be', () => {
    expect(
      violationsIn({
        'src/domain/engine.ts': "import '../cli/main.js';\nexport const engine = 1;\n",
        'src/cli/main.ts': 'export const main = 1;\n',
        'src/pipeline/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
        'src/pipeline/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
        'src/app/rules.ts': "import '../handlers/config.js';\n",
        'src/handlers/config.ts': 'export const config = 1;\n',
        'src/misc/helper.ts': "import '../domain/engine.js';\n",
        'src/local/sessions/run.ts': 'export const run = 1;\n',
        'src/cli/run.ts': "import { run } from '../local/sessions/run.js';\nexport const shown = run;\n",
      }),
    ).toEqual([
      'no-cycles: src/pipeline/a.ts → src/pipeline/b.ts',
      'nothing-imports-the-cli: src/domain/engine.ts → src/cli/main.ts',
      'room:src/app: src/app/rules.ts → src/handlers/config.ts',
      'room:src/domain: src/domain/engine.ts → src/cli/main.ts',
      'types-only:src/cli: src/cli/run.ts → src/local/sessions/run.ts',
      'unknown-room: src/misc/helper.ts → src/domain/engine.ts',
    ]);
  });

  it('accepts the imports the layout allows', () => {
    expect(
      violationsIn({
        'src/domain/types.ts': 'export type Price = number;\n',
        'src/resources/index.ts': "import type { Price } from '../domain/types.js';\nexport const limit: Price = 1;\n",
        'src/adapters/store.ts': "import { limit } from '../resources/index.js';\nexport const store = limit;\n",
        'src/handlers/handler.ts': "import { store } from '../adapters/store.js';\nexport const handler = store;\n",
        'src/local/emulation/pipeline.ts':
          "import { handler } from '../../handlers/handler.js';\nexport const pipeline = handler;\nexport type Pipeline = typeof pipeline;\n",
        'src/app/run.ts': "import { pipeline } from '../local/emulation/pipeline.js';\nexport const run = pipeline;\n",
        'src/cli/main.ts':
          "import { run } from '../app/run.js';\nimport type { Pipeline } from '../local/emulation/pipeline.js';\nexport const main: Pipeline = run;\n",
      }),
    ).toEqual([]);
  });

  it('finds nothing to report in the project itself', () => {
    const run = spawnSync(process.execPath, [DEPCRUISE, 'src', '--config', '.dependency-cruiser.cjs'], {
      cwd: PROJECT_ROOT,
      encoding: 'utf8',
      timeout: COMMAND_TIMEOUT_MS,
    });
    expect(run.status, run.stdout).toBe(0);
  });
});
