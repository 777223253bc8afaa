// dynalite is CommonJS without types: the one call the embedded server's thread makes.
declare module 'dynalite' {
  import type { Server } from 'node:http';
  export default function dynalite(options: Record<string, unknown>): Server;
}
