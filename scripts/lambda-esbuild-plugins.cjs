// esbuild plugins of the Lambda bundles (serverless.yml custom.esbuild.plugins loads this file).
const { readFileSync, writeFileSync } = require('node:fs');
const { decode, encode } = require('@jridgewell/sourcemap-codec');

/**
 * A source map that maps kanari's own code only: code from node_modules is left unmapped (a
 * stack frame there shows its bundle position) and names only kanari's are kept, so the map is
 * a tenth of its size. `sources` is kept whole: it lists every module the bundle holds.
 */
const ownCodeOnly = (map) => {
  const own = map.sources.map((source) => !source.includes('node_modules/'));
  const names = new Map(); // old name index -> new, in the order first kept
  const nameOf = (i) => {
    if (!names.has(i)) names.set(i, names.size);
    return names.get(i);
  };
  // Decoded segments are absolute: [column, source, line, sourceColumn, name?].
  const mappings = decode(map.mappings).map((line) => {
    const out = [];
    let mapped = false;
    for (const segment of line) {
      const keep = segment.length > 1 && own[segment[1]];
      if (keep)
        out.push(segment.length === 5 ? [...segment.slice(0, 4), nameOf(segment[4])] : segment);
      // The first segment after own code ends its range: a column with no source.
      else if (mapped) out.push([segment[0]]);
      mapped = keep;
    }
    return out;
  });
  return {
    ...map,
    names: [...names.keys()].map((i) => map.names[i]),
    mappings: encode(mappings),
  };
};

/** Rewrites each source map esbuild wrote to map kanari's own code only. */
const ownCodeSourceMaps = {
  name: 'kanari-own-code-source-maps',
  setup(build) {
    build.initialOptions.metafile = true;
    build.onEnd((result) => {
      for (const file of Object.keys(result.metafile?.outputs ?? {})) {
        if (!file.endsWith('.map')) continue;
        writeFileSync(file, JSON.stringify(ownCodeOnly(JSON.parse(readFileSync(file, 'utf8')))));
      }
    });
  },
};

module.exports = [ownCodeSourceMaps];
module.exports.ownCodeOnly = ownCodeOnly;
