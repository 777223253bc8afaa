#!/usr/bin/env node
// Runs the TypeScript CLI directly (no build step): tsx compiles each module on first use and caches it.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
