import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

export interface EmbeddedDynamo {
  /** e.g. http://127.0.0.1:41523 */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Start an embedded DynamoDB-compatible server on loopback with an ephemeral port.
 * With `path`, data is kept on disk (LevelDB) so a later run sees it; without, it lives in memory.
 */
export async function startDynalite(options: { path?: string } = {}): Promise<EmbeddedDynamo> {
  const server = dynalite({
    ...(options.path !== undefined && { path: options.path }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
