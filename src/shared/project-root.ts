import { fileURLToPath } from 'node:url';

/**
 * The project's root folder (this file is src/shared/project-root.ts), so that commands, scripts and tests find
 * the same files and the same local store whatever the working directory.
 */
export const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
