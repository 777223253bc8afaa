import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { describeRule, type Alert, type Zone } from '../../../domain/index.js';
import type { MoveHorizon } from '../../../local/sessions/backtest/moves-after.js';
import type { BacktestResult, RunResult } from '../../../local/sessions/backtest/session.js';
import type { SymbolData, SymbolRun } from '../../../local/sessions/backtest/symbol-stats.js';
import { plural } from '../../../shared/text.js';
import { formatProblem } from '../../run-summary.js';
import { sortedSymbols, zoneShares } from '../output.js';
import { escapeHtml as e, jsonForScript } from './escape.js';
import { formatDuration, formatTime } from './format.js';

/** What the report inlines so it works offline: the charting library, its styles, and ours. */
export interface ReportAssets {
  readonly chartLibrary: string;
  readonly chartLibraryCss: string;
  readonly chartScript: string;
  readonly css: string;
}

/** Rows of the overview table; the rest of the symbols are counted (and all are in --json). */
const OVERVIEW_ROWS = 1_000;
/** Alerts listed per symbol under its chart; the chart marks every one of them. */
const ALERT_ROWS = 200;

const ZONES: readonly Zone[] = ['HIGH', 'NORMAL', 'LOW'];
const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
const num = (n: number | string): string => `<td class="num">${e(n)}</td>`;
const zoneClass = (zone: Zone | string): string => (zone === 'HIGH' ? 'high' : zone === 'LOW' ? 'low' : '');

/** The data the charts draw: times in seconds (uPlot's unit), alerts as [time, price, 1 for HIGH / 0 for LOW / 2 for INSIDE]. */
function chartData(result: BacktestResult, run: RunResult, charted: readonly string[]) {
  const bySymbol = Map.groupBy(run.alerts ?? [], (a) => a.symbol);
  return {
    charts: charted.map((symbol) => {
      const points = result.series.get(symbol) ?? [];
      const rule = run.symbols.get(symbol)?.rule ?? run.ruleSet.defaultRule;
      return {
        symbol,
        rule,
        x: points.map(([t]) => t / 1000),
        y: points.map(([, p]) => p),
        alerts: (bySymbol.get(symbol) ?? []).map((a) => [a.eventTime / 1000, a.price, a.alertType === 'HIGH' ? 1 : a.alertType === 'LOW' ? 0 : 2]),
      };
    }),
  };
}

function rulesSection(run: RunResult): string {
  const overrides = [...run.ruleSet.overrides].sort(([a], [b]) => a.localeCompare(b));
  const rows = overrides
    .map(
      ([symbol, o]) =>
        `<tr><td>${e(symbol)}</td><td>${e(
          Object.entries(o)
            .map(([k, v]) => `${k} ${String(v)}`)
            .join(', '),
        )}</td><td>${e(describeRule(run.symbols.get(symbol)?.rule ?? run.ruleSet.defaultRule))}</td></tr>`,
    )
    .join('');
  return `<h2>Rules</h2>
<p>Default rule (symbols without an override): <strong>${e(describeRule(run.ruleSet.defaultRule))}</strong> <span class="muted">(${e(run.ruleSet.label)})</span>.
HIGH above <em>above</em>, LOW below <em>below</em>; <em>cross</em> alerts once per run of HIGH or LOW ticks in event time, <em>every</em> on each such tick; with <em>rearm</em>, a run ends only once the price is back inside the band by that much; <em>crosses</em> alerts at each crossing of its level; <em>channel</em> on entering, exiting, or each stretch inside or outside the band (◆ INSIDE); <em>until</em> ends a rule.</p>
${overrides.length > 0 ? `<table><thead><tr><th>symbol override</th><th>as written</th><th>rule applied</th></tr></thead><tbody>${rows}</tbody></table>` : '<p class="muted">No per-symbol overrides.</p>'}
${run.warnings.map((w) => `<p class="low">warning: ${e(w)}</p>`).join('\n')}`;
}

function overviewSection(result: BacktestResult, run: RunResult, anchors: ReadonlyMap<string, number>): string {
  const symbols = sortedSymbols(result);
  const rows = symbols.slice(0, OVERVIEW_ROWS).map((symbol) => {
    const data = result.symbols.get(symbol)!;
    const s = run.symbols.get(symbol);
    const shares = zoneShares(s);
    const anchor = anchors.get(symbol);
    const name = anchor === undefined ? e(symbol) : `<a href="#symbol-${anchor}">${e(symbol)}</a>`;
    return `<tr><td>${name}</td>${num(data.ticks)}${num(s?.alerts.HIGH ?? 0)}${num(s?.alerts.LOW ?? 0)}${ZONES.map((z) => num(percent(shares[z]))).join('')}${num(data.invalid)}${num(s?.late ?? 0)}</tr>`;
  });
  const r = result.records;
  const more =
    symbols.length > OVERVIEW_ROWS
      ? `<p class="muted">… and ${symbols.length - OVERVIEW_ROWS} more symbols (all of them are in <code>--json</code>).</p>`
      : '';
  return `<h2>Summary</h2>
<p>${e(r.ticks)} ticks and ${e(r.eventTicks)} price-bearing bus events evaluated; ${e(r.eventsWithoutPrice)} bus events without a price;
${e(r.invalid)} invalid messages (deployed, they would go to the dead-letter queues)${r.invalidWithoutSymbol > 0 ? `, ${e(r.invalidWithoutSymbol)} of them without a valid symbol` : ''};
${e(r.unmatchedEvents)} bus events matched no rule; ${e(r.unreadableLines)} unreadable lines.
<strong>${e(run.totals.HIGH + run.totals.LOW + run.totals.INSIDE)} alerts</strong> (<span class="high">HIGH ${e(run.totals.HIGH)}</span>, <span class="low">LOW ${e(run.totals.LOW)}</span>${run.totals.INSIDE > 0 ? `, INSIDE ${e(run.totals.INSIDE)}` : ''}),${run.suppressedByRearm ? ` ${e(run.suppressedByRearm.total)} more without the rearm (hysteresis suppressed them),` : ''} ${e(run.totals.late)} late ticks (beyond the lateness horizon).</p>
${r.untimed > 0 ? `<p class="muted">${e(r.untimed)} messages had no timestamp: each was timed 1 ms after the record before it (file order).</p>` : ''}
<table><thead><tr><th>symbol</th><th class="num">ticks</th><th class="num">HIGH alerts</th><th class="num">LOW alerts</th><th class="num">in HIGH</th><th class="num">in NORMAL</th><th class="num">in LOW</th><th class="num">invalid</th><th class="num">late</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>${more}`;
}

/** A move after an alert: signed percent, – when the history ends first. */
const move = (value: number | null | undefined): string =>
  `<td class="num${value ? (value > 0 ? ' high' : ' low') : ''}">${value === null || value === undefined ? '–' : e(`${value > 0 ? '+' : ''}${value.toFixed(2)}%`)}</td>`;

function alertRows(alerts: readonly Alert[], moves: RunResult['moves']): string {
  // The horizons the backtest measured, in its order.
  const horizons = Object.keys(moves?.values().next().value ?? {}) as MoveHorizon[];
  const rows = alerts
    .slice(0, ALERT_ROWS)
    .map((a) => {
      const after = moves?.get(a.alertId);
      return `<tr><td>${e(formatTime(a.eventTime))}</td><td class="${zoneClass(a.alertType)}">${e(a.alertType)}</td>${num(a.price)}${num(a.threshold)}${horizons.map((label) => move(after?.[label])).join('')}<td><code>${e(a.alertId)}</code></td></tr>`;
    })
    .join('');
  const more =
    alerts.length > ALERT_ROWS ? `<p class="muted">The first ${ALERT_ROWS} of ${alerts.length} are listed; the chart marks all of them.</p>` : '';
  return `<details><summary>${plural(alerts.length, 'alert')}</summary>
<table><thead><tr><th>event time (UTC)</th><th>type</th><th class="num">price</th><th class="num">threshold</th>${horizons.map((label) => `<th class="num">after ${label.replace('m', ' min')}</th>`).join('')}<th>alert id</th></tr></thead><tbody>${rows}</tbody></table>${more}</details>`;
}

function symbolSection(symbol: string, index: number, data: SymbolData, s: SymbolRun | undefined, alerts: readonly Alert[], run: RunResult): string {
  const rule = s?.rule ?? run.ruleSet.defaultRule;
  const shares = zoneShares(s);
  const zoneRows = ZONES.map(
    (z) => `<tr><td class="${zoneClass(z)}">${z}</td>${num(formatDuration(s?.zones.ms[z] ?? 0))}${num(percent(shares[z]))}</tr>`,
  ).join('');
  return `<section class="symbol" id="symbol-${index}">
<h2>${e(symbol)} <span class="muted">${e(describeRule(rule))}${run.ruleSet.overrides.has(symbol) ? ' (override)' : ''}</span></h2>
<div class="toolbar" data-toolbar="${index}"><button type="button" data-action="in">Zoom in</button><button type="button" data-action="out">Zoom out</button><button type="button" data-action="left">◀ Earlier</button><button type="button" data-action="right">Later ▶</button><button type="button" data-action="reset">Reset</button>
<span class="hint">Drag to zoom into a range · Shift+drag to pan · Ctrl+wheel to zoom · double-click to reset</span>
<span class="legend-key high"></span>HIGH alert<span class="legend-key low"></span>LOW alert</div>
<div class="chart" data-chart="${index}" data-alerts="${alerts.length}"></div>
<p class="muted" data-note="${index}"></p>
<div class="grid">
<table><tbody>
<tr><th>ticks</th>${num(data.ticks)}</tr>
<tr><th>alerts</th>${num(alerts.length)}</tr>
<tr><th class="high">HIGH alerts</th>${num(s?.alerts.HIGH ?? 0)}</tr>
<tr><th class="low">LOW alerts</th>${num(s?.alerts.LOW ?? 0)}</tr>${run.suppressedByRearm ? `<tr><th>suppressed by rearm</th>${num(run.suppressedByRearm.symbols.get(symbol) ?? 0)}</tr>` : ''}
<tr><th>invalid messages</th>${num(data.invalid)}</tr>
<tr><th>late ticks</th>${num(s?.late ?? 0)}</tr>
<tr><th>bus events without a price</th>${num(data.eventsWithoutPrice)}</tr>
</tbody></table>
<table><thead><tr><th>zone</th><th class="num">time in zone</th><th class="num">share</th></tr></thead><tbody>${zoneRows}</tbody></table>
<table><tbody>
<tr><th>first tick</th><td>${e(formatTime(data.firstTime))}</td></tr>
<tr><th>last tick</th><td>${e(formatTime(data.lastTime))}</td></tr>
<tr><th>lowest price</th>${num(Number.isFinite(data.minPrice) ? data.minPrice : '–')}</tr>
<tr><th>highest price</th>${num(Number.isFinite(data.maxPrice) ? data.maxPrice : '–')}</tr>
</tbody></table>
</div>
${alertRows(alerts, run.moves)}
</section>`;
}

function problemsSection(result: BacktestResult): string {
  if (result.problems.length === 0) return '';
  const r = result.records;
  const total = r.invalid + r.unmatchedEvents + r.unreadableLines;
  const items = result.problems.map((p) => `<li><code>${e(p.origin?.file ?? '')}</code> ${e(formatProblem(p))}</li>`).join('\n');
  return `<h2>Problems</h2><p class="muted">${e(total)} in all${total > result.problems.length ? `; the first ${result.problems.length} are listed` : ''}.</p><ul>${items}</ul>`;
}

/**
 * One self-contained HTML page: rules, summary, a chart and tables per charted symbol, problems. Everything that comes
 * from the input is escaped, the data travels as escaped JSON, and the page's policy runs only its own two scripts
 * (by hash) and loads nothing: a crafted file can neither inject markup nor reach the network.
 */
export function renderReport(result: BacktestResult, assets: ReportAssets, generatedAt: Date = new Date()): string {
  const run = result.runs[0]!;
  const charted = [...result.series.keys()];
  const anchors = new Map(charted.map((symbol, i) => [symbol, i]));
  const bySymbol = Map.groupBy(run.alerts ?? [], (a) => a.symbol);
  const sections = charted.map((symbol, i) =>
    symbolSection(symbol, i, result.symbols.get(symbol)!, run.symbols.get(symbol), bySymbol.get(symbol) ?? [], run),
  );
  const uncharted = result.symbols.size - charted.length;
  const csp = `default-src 'none'; script-src ${sha256(assets.chartLibrary)} ${sha256(assets.chartScript)}; style-src 'unsafe-inline'; img-src data:`;
  const title = `Backtest: ${result.inputs.map((f) => basename(f)).join(', ')}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${assets.chartLibraryCss}</style>
<style>${assets.css}</style>
</head>
<body>
<header>
<h1>${e(title)}</h1>
<p class="muted">${result.inputs.map((f) => `<code>${e(f)}</code>`).join(', ')} · generated ${e(generatedAt.toISOString())} · ${result.ticksPerSecond === null ? '' : `${e(result.ticksPerSecond)} ticks/s · `}the deployed validation and alert engine, in memory: nothing was written to any store</p>
</header>
<main>
${rulesSection(run)}
${overviewSection(result, run, anchors)}
${uncharted > 0 ? `<p class="muted">${uncharted} symbol${uncharted === 1 ? ' is' : 's are'} not charted: choose the charts with <code>--chart AAPL,MSFT</code>.</p>` : ''}
${sections.join('\n')}
${problemsSection(result)}
</main>
<script type="application/json" id="backtest-data">${jsonForScript(chartData(result, run, charted))}</script>
<!-- uPlot, https://github.com/leeoniya/uPlot: The MIT License (MIT), Copyright (c) 2022 Leon Sorokin -->
<script>${assets.chartLibrary}</script>
<script>${assets.chartScript}</script>
</body>
</html>
`;
}
