/**
 * Mutation scores per group of folders, from Stryker's JSON report (`npm run mutate` prints them after the run).
 * Score = detected ÷ valid mutants, as Stryker counts them: killed and timed-out mutants are detected; survived and
 * uncovered ones are not; mutants that do not compile or were ignored do not count. Exits 1 below a group's target.
 */
import { readFileSync } from 'node:fs';

const GROUPS = [
  { name: 'domain + pipeline + handlers', folders: ['src/domain/', 'src/pipeline/', 'src/handlers/'], target: 90 },
  { name: 'adapters + infra', folders: ['src/adapters/', 'src/infra/'], target: 80 },
];
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

const reportFile = process.argv[2] ?? 'reports/mutation/mutation.json';
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
let failed = false;
const rows = GROUPS.map(({ name, folders, target }) => {
  let detected = 0;
  let undetected = 0;
  for (const [file, { mutants }] of Object.entries(report.files)) {
    if (!folders.some((f) => file.replaceAll('\\', '/').includes(f))) continue;
    for (const { status } of mutants) {
      if (DETECTED.has(status)) detected++;
      else if (UNDETECTED.has(status)) undetected++;
    }
  }
  const valid = detected + undetected;
  const score = valid === 0 ? 100 : (100 * detected) / valid;
  if (score < target) failed = true;
  return { group: name, mutants: valid, detected, survived: undetected, 'score %': score.toFixed(1), 'target %': target };
});
console.table(rows);
if (failed) {
  console.error('mutation score below target: see reports/mutation/index.html for the surviving mutants');
  process.exitCode = 1;
}
