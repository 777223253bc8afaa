/**
 * The dependency rule of the code layout (README, "Code layout"): each room imports only the rooms listed here and
 * its own, and the types of those in TYPES_OF; no import cycles; nothing imports the CLI. `npm run lint` runs it
 * (depcruise src).
 */
const ROOMS = {
  'src/domain': [],
  'src/shared': [],
  'src/resources': ['src/domain'],
  'src/pipeline': ['src/domain'],
  'src/adapters': ['src/pipeline', 'src/domain', 'src/resources', 'src/shared'],
  'src/handlers': ['src/adapters', 'src/pipeline', 'src/domain', 'src/resources', 'src/shared'],
  'src/infra': ['src/resources', 'src/shared'],
  'src/local/formats': ['src/domain', 'src/resources', 'src/shared'],
  'src/local/sample': [],
  'src/local/emulation': ['src/local/formats', 'src/handlers', 'src/adapters', 'src/pipeline', 'src/domain', 'src/resources', 'src/shared'],
  'src/local/sessions': [
    'src/local/emulation',
    'src/local/formats',
    'src/local/sample',
    'src/handlers',
    'src/adapters',
    'src/pipeline',
    'src/domain',
    'src/resources',
    'src/shared',
  ],
  'src/app': ['src/local', 'src/adapters', 'src/pipeline', 'src/domain', 'src/resources', 'src/shared'],
  'src/cli': ['src/app', 'src/domain', 'src/resources', 'src/shared'],
};

/**
 * Rooms whose types (`import type`), and nothing else, a room may import: the CLI shows what the local runtime
 * returns through the application API (a run's summary, a backtest's result, dead letters), but runs it only
 * through that API.
 */
const TYPES_OF = {
  'src/cli': ['src/local'],
};

const folder = (path) => `^${path.replaceAll('/', '[/]')}[/]`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...Object.entries(ROOMS).map(([room, allowed]) => ({
      name: `room:${room}`,
      comment: `${room} may import only ${allowed.length ? allowed.join(', ') : 'nothing of the project'} and itself`,
      severity: 'error',
      from: { path: folder(room) },
      to: { path: '^src[/]', pathNot: [room, ...allowed, ...(TYPES_OF[room] ?? [])].map(folder) },
    })),
    ...Object.entries(TYPES_OF).map(([room, typed]) => ({
      name: `types-only:${room}`,
      comment: `${room} may import only the types of ${typed.join(', ')}`,
      severity: 'error',
      from: { path: folder(room) },
      to: { path: typed.map(folder), dependencyTypesNot: ['type-only'] },
    })),
    {
      name: 'no-cycles',
      comment: 'an import cycle ties modules together so that neither can change alone',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'nothing-imports-the-cli',
      severity: 'error',
      from: { pathNot: '^src[/]cli[/]' },
      to: { path: '^src[/]cli[/]' },
    },
    {
      name: 'unknown-room',
      comment: 'every source file lives in a room of the layout, so that the rules above cover it',
      severity: 'error',
      from: { path: '^src[/]', pathNot: Object.keys(ROOMS).map(folder) },
      to: {},
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'not-to-dev-dependency',
      comment: 'runtime code must not import what `npm ci --omit=dev` leaves out',
      severity: 'error',
      from: { path: '^src[/]', pathNot: '^src[/]infra[/]' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
