import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript } from '../../../src/cli/backtest/report/escape.js';
import { formatDuration, formatTime } from '../../../src/cli/backtest/report/format.js';
import { renderReport } from '../../../src/cli/backtest/report/html.js';
import type { BacktestResult } from '../../../src/local/sessions/backtest/session.js';
import { SymbolData, SymbolRun } from '../../../src/local/sessions/backtest/symbol-stats.js';

describe('report text', () => {
  it('escapes markup and keeps embedded JSON inside its script element', () => {
    expect(escapeHtml(`<a href="x" title='y'>&`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;');
    const json = jsonForScript({ reason: '</script><!-- & \u2028' });
    expect(json).toBe('{"reason":"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u2028"}');
    expect(JSON.parse(json)).toEqual({ reason: '</script><!-- & \u2028' });
  });

  it('gives durations to their two largest units', () => {
    expect([250, 45_000, 7_980_000, 277_200_000, 86_400_000].map(formatDuration)).toEqual(['250 ms', '45s', '2h 13m', '3d 5h', '1d']);
    expect(formatTime(Date.UTC(2026, 10, 20))).toBe('2026-11-20T00:00:00.000Z');
    expect(formatTime(Infinity)).toBe('–');
  });
});

describe('report page', () => {
  const T0 = Date.UTC(2026, 10, 20, 14, 30);
  const data = new SymbolData();
  data.tick(T0, 151);
  data.tick(T0 + 1000, 149);
  const run = new SymbolRun({ above: 150, below: 50, mode: 'cross' });
  run.tick(T0, 151);
  run.tick(T0 + 1000, 149);
  const alert = {
    alertId: 'a'.repeat(32),
    symbol: 'AAPL',
    alertType: 'HIGH' as const,
    price: 151,
    threshold: 150,
    mode: 'cross' as const,
    eventTime: T0,
    tickKey: 'k',
  };
  run.alert(alert);
  const result: BacktestResult = {
    inputs: ['/data/<b>week.jsonl'],
    records: {
      ticks: 2,
      eventTicks: 0,
      eventsWithoutPrice: 0,
      invalid: 1,
      invalidWithoutSymbol: 1,
      unmatchedEvents: 0,
      unreadableLines: 0,
      untimed: 0,
    },
    symbols: new Map([['AAPL', data]]),
    runs: [
      {
        ruleSet: { label: 'the defaults and <i>rules</i>.json', defaultRule: { above: 150, below: 50, mode: 'cross' }, overrides: new Map() },
        symbols: new Map([['AAPL', run]]),
        alerts: [alert],
        totals: { HIGH: 1, LOW: 0, INSIDE: 0, late: 0, failed: 0 },
        warnings: [],
      },
    ],
    series: new Map([
      [
        'AAPL',
        [
          [T0, 151],
          [T0 + 1000, 149],
        ],
      ],
    ]),
    problems: [
      {
        kind: 'tick',
        outcome: 'dead-lettered',
        reason: 'body is not valid JSON (Unexpected token \'<\', "<script>alert(1)</script>")',
        origin: { file: '/data/<b>week.jsonl', line: 3 },
      },
    ],
    wallTimeMs: 5,
    ticksPerSecond: null,
  };
  const assets = { chartLibrary: 'window.uPlot = 1;', chartLibraryCss: '.u{}', chartScript: 'void 0;', css: 'body{}' };
  const html = renderReport(result, assets, new Date(T0));

  it('lets only its own scripts run, by hash, and loads nothing', () => {
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    expect(html).toContain(
      `content="default-src 'none'; script-src ${hash('window.uPlot = 1;')} ${hash('void 0;')}; style-src 'unsafe-inline'; img-src data:"`,
    );
    expect(html.match(/<script\b/g)).toHaveLength(3);
  });

  it('escapes file names, rule labels and reasons, and carries the chart data as JSON', () => {
    expect(html).not.toMatch(/<b>|<i>|<script>alert/);
    expect(html).toContain('<title>Backtest: &lt;b&gt;week.jsonl</title>');
    expect(html).toContain('<code>/data/&lt;b&gt;week.jsonl</code>');
    expect(html).toContain('(the defaults and &lt;i&gt;rules&lt;/i&gt;.json)');
    expect(html).toContain('&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
    expect(html).toContain('<div class="chart" data-chart="0" data-alerts="1"></div>');
    const data = JSON.parse(/<script type="application\/json" id="backtest-data">(.*?)<\/script>/.exec(html)![1]!) as unknown;
    expect(data).toEqual({
      charts: [
        {
          symbol: 'AAPL',
          rule: { above: 150, below: 50, mode: 'cross' },
          x: [T0 / 1000, T0 / 1000 + 1],
          y: [151, 149],
          alerts: [[T0 / 1000, 151, 1]],
        },
      ],
    });
    expect(html).toMatch(/<tr><td class="high">HIGH<\/td><td class="num">1s<\/td><td class="num">100\.0%<\/td><\/tr>/);
  });

  it('gives a rate only for runs of a second or more, on the page and on the terminal', async () => {
    const { formatBacktest } = await import('../../../src/cli/backtest/output.js');
    expect(html).not.toContain('ticks/s');
    expect(formatBacktest(result)).toMatch(/\n0\.01 s; nothing was written to any store$/);
    const long = { ...result, wallTimeMs: 2500, ticksPerSecond: 800 };
    expect(renderReport(long, assets, new Date(T0))).toContain(' · 800 ticks/s · the deployed validation');
    expect(formatBacktest(long)).toMatch(/\n2\.50 s, 800 ticks\/s; nothing was written to any store$/);
  });

  it('shows control characters, line breaks and direction overrides from the input as escapes', async () => {
    const { formatBacktest } = await import('../../../src/cli/backtest/output.js');
    const text = formatBacktest({ ...result, inputs: ['a\u001b[2Jb\u0007c\u202ed\te\nf'] });
    expect(text).toContain('read a\\x1b[2Jb\\x07c\\u202ed\\te\\nf: ');
  });
});
