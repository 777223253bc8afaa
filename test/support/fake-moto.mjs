// Stands in for moto_server in the tests of starting and stopping it: `-H host -p port`, answers /moto-api/, and
// starts a child of its own (as moto's reloader would), which must go when the group is stopped.
// FAKE_MOTO_FAIL=1: print a bind error and exit, as moto_server does when its port is taken.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const port = Number(args[args.indexOf('-p') + 1]);
if (process.env.FAKE_MOTO_FAIL) {
  console.error(`OSError: [Errno 98] Address already in use (port ${port})`);
  process.exit(1);
}
const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
if (process.env.FAKE_MOTO_CHILD_PID) writeFileSync(process.env.FAKE_MOTO_CHILD_PID, String(child.pid));
createServer((request, response) => {
  response.writeHead(request.url === '/moto-api/' ? 200 : 404);
  response.end('moto');
}).listen(port, args[args.indexOf('-H') + 1]);
