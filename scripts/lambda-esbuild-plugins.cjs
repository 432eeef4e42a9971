// esbuild plugins of the Lambda bundles (serverless.yml custom.esbuild.plugins loads this file).
const { readFileSync, writeFileSync } = require('node:fs');

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = Object.fromEntries([...B64].map((c, i) => [c, i]));

/** The numbers of one base64 VLQ source-map segment. */
const decode = (segment) => {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = DIGIT[char];
    value += (digit & 31) << shift;
    if (digit & 32) shift += 5;
    else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
};

const encode = (values) =>
  values
    .map((n) => {
      let vlq = n < 0 ? (-n << 1) | 1 : n << 1;
      let out = '';
      do {
        const digit = vlq & 31;
        vlq >>>= 5;
        out += B64[vlq ? digit | 32 : digit];
      } while (vlq);
      return out;
    })
    .join('');

/**
 * A source map that maps kanari's own code only: code from node_modules is left unmapped (a
 * stack frame there shows its bundle position) and names only kanari's are kept, so the map is
 * a tenth of its size. `sources` is kept whole: it lists every module the bundle holds.
 */
const ownCodeOnly = (map) => {
  const own = map.sources.map((source) => !source.includes('node_modules/'));
  const state = [0, 0, 0, 0]; // source, line, column, name: absolute, as decoded
  const last = [0, 0, 0, 0]; // the same, as last written (names renumbered)
  const names = new Map(); // the index of each kept name, in the order first written
  const lines = map.mappings.split(';').map((line) => {
    let column = 0;
    let lastColumn = 0;
    let mapped = false;
    const out = [];
    for (const segment of line ? line.split(',') : []) {
      const values = decode(segment);
      column += values[0];
      for (let i = 1; i < values.length; i++) state[i - 1] += values[i];
      const keep = values.length > 1 && own[state[0]];
      if (!keep && !mapped) continue;
      const written = [column - lastColumn];
      if (keep) {
        for (let i = 1; i < values.length; i++) {
          let value = state[i - 1];
          if (i === 4) {
            if (!names.has(value)) names.set(value, names.size);
            value = names.get(value);
          }
          written.push(value - last[i - 1]);
          last[i - 1] = value;
        }
      }
      out.push(encode(written));
      lastColumn = column;
      mapped = keep;
    }
    return out.join(',');
  });
  return { ...map, names: [...names.keys()].map((i) => map.names[i]), mappings: lines.join(';') };
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
