// node chromium_smoke.mjs JS_DIR REPORT.html
// Opens a written report from file:// in headless Chromium (/usr/bin/chromium, driven by
// playwright-core) and fails on any console error, page error, network request, or a chart
// that vega-embed did not draw with data marks.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { importPackage, readSpecs, SKIP } from './report_js_env.mjs';

const CHROMIUM = '/usr/bin/chromium';
const [jsDir, reportArg] = process.argv.slice(2);
if (!jsDir || !reportArg) {
  console.error('usage: node chromium_smoke.mjs JS_DIR REPORT.html');
  process.exit(2);
}
if (!existsSync(CHROMIUM)) {
  console.log(`SKIP: ${CHROMIUM} not found; run scripts/setup.sh`);
  process.exit(SKIP);
}
const playwright = await importPackage(jsDir, 'playwright-core');
const chromium = playwright.chromium ?? playwright.default.chromium;
const report = resolve(reportArg);
const expectedCharts = readSpecs(report).length;

const problems = [];
const userDataDir = mkdtempSync(join(tmpdir(), 'oh-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60000,
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // A report must be self-contained: it loads itself and nothing else.
  page.on('request', (request) => {
    const url = request.url();
    if (url !== pathToFileURL(report).href && !url.startsWith('data:')) problems.push(`request: ${url}`);
  });

  await page.goto(pathToFileURL(report).href, { waitUntil: 'load' });
  await page.waitForFunction(
    () => [...document.querySelectorAll('.oh-chart')].every((chart) => chart.dataset.rendered),
    undefined, { timeout: 30000 });
  const charts = await page.evaluate(() => [...document.querySelectorAll('.oh-chart')].map((chart) => ({
    id: chart.id,
    rendered: chart.dataset.rendered,
    text: chart.textContent.slice(0, 200),
    // Drawn elements of data marks (vega's SVG renderer tags them role-mark), not axes or legends.
    marks: chart.querySelectorAll('svg g.role-mark > path, svg g.role-mark > rect, svg g.role-mark > line')
      .length,
  })));
  if (charts.length !== expectedCharts) {
    problems.push(`the page shows ${charts.length} charts, the file holds ${expectedCharts} specs`);
  }
  for (const chart of charts) {
    if (chart.rendered !== 'true') problems.push(`${chart.id}: not rendered (${chart.text})`);
    else if (chart.marks === 0) problems.push(`${chart.id}: rendered without data marks`);
    else console.log(`ok ${chart.id}: ${chart.marks} data-mark elements`);
  }
} catch (error) {
  problems.push(String(error.stack ?? error));
} finally {
  await context?.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`${report}: ${expectedCharts} charts drawn in headless Chromium`);
