// Shared by the report's node tests: load packages from third_party/js (skipping the test when
// they are not installed) and read the chart specs out of a written report.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export const SKIP = 77;  // CTest SKIP_RETURN_CODE

/** Imports `name` from `jsDir`/node_modules; exits with SKIP and a message when it is missing. */
export async function importPackage(jsDir, name) {
  const require = createRequire(join(resolve(jsDir), 'package.json'));
  let entry;
  try {
    entry = require.resolve(name);
  } catch {
    console.log(`SKIP: ${name} is not installed in ${jsDir}/node_modules; run scripts/setup.sh`);
    process.exit(SKIP);
  }
  return import(pathToFileURL(entry).href);
}

/** Every Vega-Lite spec embedded in the report at `path`, in page order. */
export function readSpecs(path) {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  const html = readFileSync(path, 'utf8');
  const pattern = /<script type="application\/json" class="oh-vega-lite-spec" data-chart="([^"]+)">([\s\S]*?)<\/script>/g;
  return [...html.matchAll(pattern)].map((m) => ({ chart: m[1], spec: JSON.parse(m[2]) }));
}
