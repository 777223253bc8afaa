/**
 * One contender for the store lock, run as its own process by the lock tests: waits for a common start time, tries
 * to take the lock, and if it gets it writes `enter`/`exit` lines around a short critical section.
 * Usage: node --import tsx test/support/lock-contender.ts <lock file> <log file> <start at (epoch ms)>
 */
import { appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreInUseError, acquireStoreLock } from '../../src/local/emulation/store-lock.js';

const [lock = '', log = '', startAt = '0'] = process.argv.slice(2);
await sleep(Math.max(0, Number(startAt) - Date.now()));
try {
  const release = await acquireStoreLock(lock, dirname(lock));
  appendFileSync(log, `enter ${process.pid}\n`);
  await sleep(100);
  appendFileSync(log, `exit ${process.pid}\n`);
  await release();
  process.stdout.write('held');
} catch (error) {
  if (!(error instanceof StoreInUseError)) throw error;
  process.stdout.write('busy');
}
