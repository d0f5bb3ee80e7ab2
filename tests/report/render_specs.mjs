// node render_specs.mjs JS_DIR REPORT.html...
// Compiles every Vega-Lite spec in each report with vega-lite and renders it with vega's View to
// SVG, without a browser. Fails on any warning or error, or a chart that draws no data marks.
import { importPackage, readSpecs } from './report_js_env.mjs';

const [jsDir, ...reports] = process.argv.slice(2);
if (!jsDir || reports.length === 0) {
  console.error('usage: node render_specs.mjs JS_DIR REPORT.html...');
  process.exit(2);
}
const vega = await importPackage(jsDir, 'vega');
const vegaLite = await importPackage(jsDir, 'vega-lite');

// A logger that remembers warnings and errors, so none can pass unnoticed.
function recordingLogger(problems, where) {
  let level = vega.Warn;
  return {
    level(value) { if (value === undefined) return level; level = value; return this; },
    error(...args) { problems.push(`${where}: error: ${args.join(' ')}`); return this; },
    warn(...args) { problems.push(`${where}: warning: ${args.join(' ')}`); return this; },
    info() { return this; },
    debug() { return this; },
  };
}

// Items drawn by data marks (role 'mark'), as opposed to axes, legends and titles.
function countDataMarkItems(item) {
  let count = 0;
  for (const child of item.items ?? []) {
    if (child.marktype !== undefined) {  // a mark: its items are the drawn elements
      if (child.role === 'mark' && child.marktype !== 'group') count += child.items.length;
      for (const drawn of child.items) count += countDataMarkItems(drawn);
    } else {
      count += countDataMarkItems(child);
    }
  }
  return count;
}

const problems = [];
let rendered = 0;
for (const report of reports) {
  const charts = readSpecs(report);
  if (charts.length === 0) problems.push(`${report}: no chart specs found`);
  for (const { chart, spec } of charts) {
    const where = `${report}#${chart}`;
    try {
      const compiled = vegaLite.compile(spec, { logger: recordingLogger(problems, `${where} (vega-lite)`) });
      const view = new vega.View(vega.parse(compiled.spec), {
        renderer: 'none',
        logger: recordingLogger(problems, `${where} (vega)`),
      });
      const svg = await view.toSVG();
      const items = countDataMarkItems(view.scenegraph().root);
      view.finalize();
      if (!svg.startsWith('<svg') || items === 0) {
        problems.push(`${where}: rendered ${svg.length} bytes of SVG with ${items} data-mark items`);
      } else {
        console.log(`ok ${where}: ${items} data-mark items, ${svg.length} bytes of SVG`);
        rendered += 1;
      }
    } catch (error) {
      problems.push(`${where}: ${error.stack ?? error}`);
    }
  }
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`rendered ${rendered} charts from ${reports.length} reports`);
