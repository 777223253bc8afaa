// Preloaded into a spawned command (node --import) to stand in for a full disk: every append through a file handle
// fails as write(2) does when the disk is full. LevelDB's own writes are native and not affected.
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const probe = await open(join(tmpdir(), `full-disk-probe-${process.pid}`), 'w');
const FileHandle = Object.getPrototypeOf(probe);
await probe.close();
FileHandle.appendFile = async function appendFile() {
  throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
};
