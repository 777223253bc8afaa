import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSTALL_HINT, hasChromium, launchChromium, type Browser } from '../support/chromium.js';
import { marketData } from '../support/cli.js';
import { SLOW_TEST_TIMEOUT_MS } from '../support/timeouts.js';

/** The few browser types the page functions use (the project's TypeScript has no DOM library). */
interface Dataset {
  readonly dataset: Record<string, string | undefined>;
}
interface Canvas {
  readonly width: number;
  readonly height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
}

const browserAvailable = hasChromium();
if (!browserAvailable) console.warn(`backtest report browser test skipped: ${INSTALL_HINT}`);

const title = `backtest report in Chromium${browserAvailable ? '' : ` (skipped: ${INSTALL_HINT})`}`;

/** The report as a person sees it: opened from disk in headless Chromium, with nothing but the file itself. */
describe.skipIf(!browserAvailable)(title, { timeout: SLOW_TEST_TIMEOUT_MS }, () => {
  let home: string;
  let browser: Browser;
  const env = () => ({ MARKET_DATA_HOME: home, ENVIRONMENT_SUFFIX: 'report' });

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'market-data-report-'));
    browser = await launchChromium();
  }, SLOW_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await browser?.close();
    await rm(home, { recursive: true, force: true });
  }, SLOW_TEST_TIMEOUT_MS);

  /** Run a backtest with --report and --json; open the report; return the page, the alerts and what went wrong in the page. */
  async function open(file: string, extra: string[] = []) {
    const report = join(home, `${Math.random().toString(36).slice(2)}.html`);
    const run = await marketData(['backtest', file, '--json', '--report', report, ...extra], env());
    expect(run.code).toBe(0);
    const total = (JSON.parse(run.stdout) as { totals: { alerts: { total: number } } }).totals.alerts.total;
    const page = await browser.context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('request', (request) => !request.url().startsWith('file:') && requests.push(request.url()));
    await page.goto(pathToFileURL(report).href);
    // The page marks its body once every chart has drawn. A selector, not a waitForFunction string: polling a string
    // evaluates it in the page, which the report's CSP (no unsafe-eval) refuses whenever the charts are not drawn yet.
    await page.locator('body[data-charts-ready]').waitFor({ state: 'attached' });
    return { page, total, errors, requests };
  }

  /** Markers drawn per chart (what the page counted while drawing) and the alerts each chart holds. */
  const markerCounts = (page: Awaited<ReturnType<typeof open>>['page']) =>
    page.$$eval('[data-chart]', (charts) =>
      charts.map((c) => ({
        drawn: Number((c as unknown as Dataset).dataset.markersDrawn),
        alerts: Number((c as unknown as Dataset).dataset.alerts),
      })),
    );

  /** Pixels of a chart's canvas that are not transparent: the line, the thresholds and the markers. */
  const inkedPixels = (page: Awaited<ReturnType<typeof open>>['page']) =>
    page.$$eval('[data-chart] canvas', (canvases) =>
      canvases.map((canvas) => {
        const c = canvas as unknown as Canvas;
        const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let inked = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) inked++;
        return inked;
      }),
    );

  it('draws every chart and one marker per alert for generated history, with no console error and no request', async () => {
    const file = join(home, 'history.jsonl');
    expect((await marketData(['generate', '-n', '20000', '--seed', '3', '-o', file], env())).code).toBe(0);
    const { page, total, errors, requests } = await open(file);
    expect(total).toBeGreaterThan(5);
    const counts = await markerCounts(page);
    expect(counts).toHaveLength(8);
    expect(counts.every((c) => c.drawn === c.alerts)).toBe(true);
    expect(counts.reduce((n, c) => n + c.drawn, 0)).toBe(total);
    const inked = await inkedPixels(page);
    expect(inked).toHaveLength(8);
    for (const n of inked) expect(n).toBeGreaterThan(1_000);

    // Zooming into the first chart shows fewer of its markers; Reset shows them all again.
    const busiest = counts.findIndex((c) => c.alerts === Math.max(...counts.map((x) => x.alerts)));
    const toolbar = page.locator(`[data-toolbar="${busiest}"]`);
    for (let i = 0; i < 6; i++) await toolbar.getByRole('button', { name: 'Zoom in' }).click();
    expect((await markerCounts(page))[busiest]!.drawn).toBeLessThan(counts[busiest]!.alerts);
    await toolbar.getByRole('button', { name: 'Reset' }).click();
    expect((await markerCounts(page))[busiest]!.drawn).toBe(counts[busiest]!.alerts);

    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('shows the sample session, its rule overrides and its problems, markers included', async () => {
    const rules = join(home, 'rules.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      rules,
      JSON.stringify([
        { symbol: 'AAPL', above: 152 },
        { symbol: 'KO', below: 61.5, mode: 'every' },
      ]),
    );
    const { page, total, errors } = await open('src/local/sample/session.jsonl', ['--rules', rules]);
    const counts = await markerCounts(page);
    expect(counts.reduce((n, c) => n + c.drawn, 0)).toBe(total);
    expect(counts.every((c) => c.drawn === c.alerts)).toBe(true);
    expect(await page.locator('h2', { hasText: 'Rules' }).count()).toBe(1);
    expect(await page.locator('table', { hasText: 'symbol override' }).locator('tbody tr').count()).toBe(2);
    expect(await page.getByText('line 64 (tick): price: must be greater than 0').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
