import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type dynalite from 'dynalite';

export interface EmbeddedDynamo {
  /** e.g. http://127.0.0.1:41523 */
  readonly endpoint: string;
  close(): Promise<void>;
}

/** What the server's thread tells the one that started it. */
type ServerMessage = { readonly listening: number } | { readonly closed: true; readonly error?: string };

/**
 * The server's thread: dynalite (and LevelDB under it) answering on loopback, until told to close. Plain CommonJS run
 * from a string, so that it needs no TypeScript loader; dynalite is loaded from the path this module resolved.
 */
const SERVER_THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const server = require(workerData.dynalite)(workerData.options);
server.once('error', (error) => { throw error; });
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ listening: server.address().port }));
parentPort.on('message', () =>
  server.close((error) => {
    parentPort.postMessage({ closed: true, ...(error && { error: error.message }) });
    parentPort.close();
  }),
);
`;

const DYNALITE = createRequire(import.meta.url).resolve('dynalite');

/** What the server's thread passes to dynalite. */
type ServerOptions = Parameters<typeof dynalite>[0];

/**
 * Start an embedded DynamoDB-compatible server on loopback with an ephemeral port, on a thread of its own: the
 * functions' SDK work and the server's (request parsing, LevelDB) then run side by side instead of taking turns on
 * one thread, as they do on AWS. Like a listening socket, it keeps the process alive until closed. With `path`, data is kept on disk (LevelDB) so a
 * later run sees it; without, it lives in memory.
 */
export async function startDynalite(options: { path?: string } = {}): Promise<EmbeddedDynamo> {
  const worker = new Worker(SERVER_THREAD, {
    eval: true,
    workerData: {
      dynalite: DYNALITE,
      options: {
        ...(options.path !== undefined && { path: options.path }),
        createTableMs: 0,
        deleteTableMs: 0,
        updateTableMs: 0,
      } satisfies ServerOptions,
    },
  });
  const next = () =>
    new Promise<ServerMessage>((resolve, reject) => {
      const failed = (error: Error) => (cleanup(), reject(error));
      const exited = (code: number) => (cleanup(), reject(new Error(`the embedded DynamoDB server stopped (exit code ${code})`)));
      const answered = (message: ServerMessage) => (cleanup(), resolve(message));
      const cleanup = () => worker.off('error', failed).off('exit', exited).off('message', answered);
      worker.once('error', failed).once('exit', exited).once('message', answered);
    });
  const started = await next();
  if (!('listening' in started)) throw new Error('the embedded DynamoDB server did not start');
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${started.listening}`,
    close: () =>
      (closing ??= (async () => {
        const answer = next();
        worker.postMessage('close');
        const closed = await answer;
        await worker.terminate();
        if ('error' in closed && closed.error) throw new Error(`the embedded DynamoDB server did not close cleanly: ${closed.error}`);
      })()),
  };
}
