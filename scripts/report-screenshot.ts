/**
 * Makes docs/backtest-report.png, the README's picture of a backtest report: generates seeded history, runs
 * `market-data backtest --report` on it, opens the report in headless Chromium (Debian's chromium package) and takes
 * a screenshot of the top of the page. Usage: npx tsx scripts/report-screenshot.ts [out.png]
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { INSTALL_HINT, hasChromium, launchChromium } from '../test/support/chromium.js';
import { PROJECT_ROOT } from '../src/shared/project-root.js';

const out = resolve(process.argv[2] ?? join(PROJECT_ROOT, 'docs', 'backtest-report.png'));
if (!hasChromium()) {
  console.error(`error: ${INSTALL_HINT}`);
  process.exit(1);
}

const dir = await mkdtemp(join(tmpdir(), 'report-screenshot-'));
const cli = (args: string[]) => {
  const run = spawnSync(process.execPath, ['bin/market-data.js', ...args], {
    cwd: PROJECT_ROOT,
    encoding: 'utf8',
    env: { ...process.env, MARKET_DATA_HOME: dir },
  });
  if (run.status !== 0 && run.status !== null) throw new Error(`market-data ${args.join(' ')}: ${run.stderr}`);
  return run.stdout;
};
try {
  const history = join(dir, 'history.jsonl');
  const rules = join(dir, 'rules.json');
  const report = join(dir, 'report.html');
  cli([
    'generate',
    '-o',
    history,
    '-n',
    '30000',
    '--seed',
    '5',
    '--symbols',
    'AAPL,MSFT,INTC',
    '--start',
    '2026-11-16T14:30:00Z',
    '--interval',
    '2000',
    '--volatility',
    '1.2',
  ]);
  await writeFile(rules, JSON.stringify([{ symbol: 'MSFT', above: 155 }]));
  cli(['backtest', history, '--rules', rules, '--report', report]);
  const browser = await launchChromium({ width: 1280, height: 1500 });
  try {
    const page = await browser.context.newPage();
    await page.goto(pathToFileURL(report).href);
    await page.waitForFunction('document.body.dataset.chartsReady !== undefined');
    await page.screenshot({ path: out });
  } finally {
    await browser.close();
  }
  console.log(`wrote ${out}`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
