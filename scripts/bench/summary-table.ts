import { describeVerdict, formatInteger, formatMiB, formatMs, formatRatio } from './format';
import { TARGETS, type BenchmarkResults } from './results';
import { median } from './stats';

const HEADER = ['Measure', 'Baseline', 'restCaller', 'Ratio', 'Target', 'Result'];

/**
 * Rows of the summary table, header first. The baseline is the minimal durable
 * handler for size and load time, and a bare `http.request` for the request rows.
 * Request ratios compare time per request, so higher means slower, and are the
 * median of the per-round ratios rather than the ratio of the two columns.
 */
export function summaryRows(results: BenchmarkResults): string[][] {
  const rows: string[][] = [HEADER];
  const { minimal, restCaller } = results.sizes;

  rows.push(targetRow('Zip with source map (bytes)', minimal.zipBytes, restCaller.zipBytes, formatInteger, TARGETS.zip));
  rows.push(infoRow('Zip without source map (bytes)', minimal.zipWithoutMapBytes, restCaller.zipWithoutMapBytes, formatInteger));

  results.coldLoads.forEach((load, index) => {
    const label = `${load.variant.script === 'require' ? 'Cold load' : 'Compile only'}${load.variant.nodeFlags.length > 0 ? ` ${load.variant.nodeFlags.join(' ')}` : ''}, median of ${results.coldLoadRuns}`;
    const baseline = median(load.minimal.ms);
    const measured = median(load.restCaller.ms);
    rows.push(index === 0 ? targetRow(label, baseline, measured, formatMs, TARGETS.coldLoad) : infoRow(label, baseline, measured, formatMs));
  });

  for (const size of results.stepOverhead) {
    const label = `Requests/s, ${size.bodyBytes / 1024} KiB JSON, bare vs step`;
    const row = [label, size.bareRequestsPerSecond.toFixed(0), size.stepRequestsPerSecond.toFixed(0), formatRatio(size.ratio)];
    rows.push(size.bodyBytes === 1024 ? [...row, `≤ ${formatRatio(TARGETS.stepOverhead1KiB)}`, describeVerdict(size.ratio, TARGETS.stepOverhead1KiB)] : [...row, '—', 'info']);
  }

  const largest = results.stepOverhead.reduce((a, b) => (b.bodyBytes > a.bodyBytes ? b : a));
  const barePeak = Math.max(...largest.bare.map((run) => run.peakRssBytes));
  const stepPeak = Math.max(...largest.step.map((run) => run.peakRssBytes));
  rows.push(infoRow(`Peak RSS, ${largest.bodyBytes / 1024} KiB JSON, bare vs step`, barePeak, stepPeak, formatMiB));

  for (const run of results.durable) {
    const perSecond = run.executions / (run.elapsedMs / 1000);
    const label = `Durable executions/s, local runner${run.skipTime ? ' with skipTime' : ', real timers'}, ${results.durablePlan.bodyBytes / 1024} KiB JSON`;
    rows.push([label, '—', perSecond.toFixed(1), '—', '—', 'info']);
  }
  return rows;
}

function targetRow(label: string, baseline: number, measured: number, format: (value: number) => string, target: number): string[] {
  const ratio = measured / baseline;
  return [label, format(baseline), format(measured), formatRatio(ratio), `≤ ${formatRatio(target)}`, describeVerdict(ratio, target)];
}

function infoRow(label: string, baseline: number, measured: number, format: (value: number) => string): string[] {
  return [label, format(baseline), format(measured), formatRatio(measured / baseline), '—', 'info'];
}
