import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import type { BacktestResult } from '../../../local/sessions/backtest/session.js';
import { UserError } from '../../../shared/user-error.js';
import { renderReport, type ReportAssets } from './html.js';

const require = createRequire(import.meta.url);
const own = (name: string) => new URL(name, import.meta.url);

/** uPlot (MIT) and the report's own script and styles, read from the installed packages and this folder. */
async function reportAssets(): Promise<ReportAssets> {
  const [chartLibrary, chartLibraryCss, chartScript, css] = await Promise.all([
    readFile(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    readFile(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
    readFile(own('chart.js'), 'utf8'),
    readFile(own('report.css'), 'utf8'),
  ]);
  return { chartLibrary, chartLibraryCss, chartScript, css };
}

/** Fail before a long run when the report could not be written: its folder must exist, and the path must not be a folder. */
export async function checkReportPath(file: string): Promise<void> {
  const folder = await stat(dirname(resolve(file))).catch(() => undefined);
  if (!folder?.isDirectory()) throw new UserError(`--report ${file}: the folder ${dirname(resolve(file))} does not exist`);
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) throw new UserError(`--report ${file}: is a folder; give a file name such as report.html`);
}

/** Write the report whole or not at all: a half-written page is never left where the old one was. */
export async function writeReport(result: BacktestResult, file: string): Promise<void> {
  const html = renderReport(result, await reportAssets());
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, html, 'utf8');
    await rename(temporary, file);
  } catch (error) {
    throw new UserError(`cannot write the report to ${file}: ${(error as Error).message}`);
  }
}
