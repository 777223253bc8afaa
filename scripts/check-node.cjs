// Runs before `npm start` and `npm test`: on a Node.js older than package.json's "engines", one clear line instead of
// an error deep inside a dependency (Map.groupBy is not a function, ...). Plain ES5 and CommonJS, so that it parses
// and runs on any Node.js old enough to need it.
'use strict';
var engines = require('../package.json').engines.node;
var minimum = engines
  .replace(/^>=\s*/, '')
  .split('.')
  .map(Number);
var current = process.versions.node.split('.').map(Number);

function older(a, b) {
  for (var i = 0; i < 3; i++) {
    if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) < (b[i] || 0);
  }
  return false;
}

if (older(current, minimum)) {
  process.stderr.write(
    'error: Node.js ' +
      process.versions.node +
      ' is too old for this project: it needs Node.js ' +
      minimum.join('.') +
      ' or newer (24 LTS recommended); install it (nvm install 24, or from nodejs.org) and run npm ci again\n',
  );
  process.exit(1);
}
