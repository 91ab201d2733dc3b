// The harness build: webpack 5 in production mode with no wasm or worker rules, as Stage's
// widget build has none (its webpack.config.ts); only a TypeScript loader. The package's
// workers (new Worker(new URL(…, import.meta.url))) and wasm (new URL(…, import.meta.url)) must
// come out of webpack's defaults.
const path = require('path');

const modules = path.resolve(__dirname, 'node_modules');

module.exports = {
  mode: 'production',
  context: __dirname,
  entry: { main: './src/index.tsx' },
  output: {
    path: path.resolve(__dirname, 'dist'),
    filename: '[name].js',
    chunkFilename: '[name].[contenthash:8].js',
    clean: true,
  },
  resolve: {
    extensions: ['.tsx', '.ts', '.js'],
    // The drop-in lives outside this folder (integrations/cloudify-stage): resolve its imports here.
    modules: [modules, 'node_modules'],
  },
  module: {
    rules: [
      {
        test: /\.tsx?$/,
        loader: 'ts-loader',
        exclude: /node_modules/,
        options: { transpileOnly: true, compilerOptions: { noEmit: false } },
      },
    ],
  },
  performance: { hints: false },
  devtool: false,
};
