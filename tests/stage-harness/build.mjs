// Builds the harness with webpack's Node API (production mode) into dist/.
import { createRequire } from 'node:module';
import webpack from 'webpack';

const require = createRequire(import.meta.url);
const config = require('./webpack.config.cjs');

export function build() {
  return new Promise((resolve, reject) => {
    webpack(config, (err, stats) => {
      if (err) return reject(err);
      if (stats.hasErrors()) return reject(new Error(stats.toString({ all: false, errors: true, errorDetails: true })));
      resolve(stats.toJson({ all: false, assets: true, warnings: true }));
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t0 = Date.now();
  const stats = await build();
  for (const a of stats.assets) console.log(`${a.name}\t${a.size}`);
  for (const w of stats.warnings ?? []) console.warn('warning:', w.message ?? w);
  console.log(`built in ${Date.now() - t0} ms`);
}
