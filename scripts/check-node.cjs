// Runs before `npm start` and `npm test`: on a Node.js older than package.json's "engines", one clear line instead of
// an error deep inside a dependency (Map.groupBy is not a function, ...). Plain ES5 and CommonJS, so that it parses
// and runs on any Node.js old enough to need it. scripts/bootstrap-node.cjs reads the same minimum from here.
'use strict';
var path = require('path');

function parse(version) {
  return version
    .replace(/^[v>=\s]+/, '')
    .split('.')
    .map(Number);
}

/** The minimum of the project's "engines" field, as [major, minor, patch]. */
function minimumOf(root) {
  return parse(require(path.join(root, 'package.json')).engines.node);
}

function older(a, b) {
  for (var i = 0; i < 3; i++) {
    if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) < (b[i] || 0);
  }
  return false;
}

module.exports = { parse: parse, minimumOf: minimumOf, older: older };

if (require.main === module) {
  var minimum = minimumOf(path.join(__dirname, '..'));
  if (older(parse(process.versions.node), minimum)) {
    process.stderr.write(
      'error: Node.js ' +
        process.versions.node +
        ' is too old for this project: it needs Node.js ' +
        minimum.join('.') +
        ' or newer. Run npm ci (on an older Node.js it fetches Node.js 24 from the npm registry for npm start, npm test' +
        ' and npx market-data) and use those commands, or install Node.js 24 LTS\n',
    );
    process.exit(1);
  }
}
