/** Where a command writes and reads: the process's streams, or others given by whoever runs the command (tests). */
export type OutputStream = NodeJS.WritableStream & { readonly isTTY?: boolean };
export type InputStream = NodeJS.ReadableStream & { readonly isTTY?: boolean };

export interface CommandIO {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly stdin: InputStream;
}

export const processIO = (): CommandIO => ({ stdout: process.stdout, stderr: process.stderr, stdin: process.stdin });
