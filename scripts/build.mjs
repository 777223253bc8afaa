// Bundles each Lambda handler into dist/lambda/<name>/index.mjs (ESM, Node 22, arm64-agnostic JS, minified, source maps).
import { build } from 'esbuild';
import { rm } from 'node:fs/promises';

const handlers = { 'data-processor': 'src/handlers/data-processor.ts', 'market-processor': 'src/handlers/market-processor.ts' };

await rm('dist/lambda', { recursive: true, force: true });
await Promise.all(
  Object.entries(handlers).map(([name, entry]) =>
    build({
      entryPoints: [entry],
      outfile: `dist/lambda/${name}/index.mjs`,
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      minify: true,
      sourcemap: true,
      legalComments: 'none',
      logLevel: 'warning',
      // Some dependencies are CommonJS and call require(); give the ESM bundle one.
      banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
    }),
  ),
);
console.log(
  `bundled ${Object.keys(handlers)
    .map((n) => `dist/lambda/${n}/index.mjs`)
    .join(', ')}`,
);
