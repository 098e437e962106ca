/** `1234567` → `1,234,567`. */
export function formatInteger(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** Bytes as KiB with one decimal, such as `612.3 KiB`. */
export function formatKiB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

/** Bytes as MiB with one decimal, such as `88.2 MiB`. */
export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Bytes as GiB with one decimal, such as `23.5 GiB`. */
export function formatGiB(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(1)} GiB`;
}

/** Ratio with two decimals and a multiplication sign, such as `1.23×`. */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

export function formatMs(ms: number): string {
  return `${ms.toFixed(1)} ms`;
}

/** Returns `met` when `ratio` is within `target`, and otherwise how far it exceeds it, such as `missed by 12%`. */
export function describeVerdict(ratio: number, target: number): string {
  if (ratio <= target) {
    return 'met';
  }
  return `missed by ${((ratio / target - 1) * 100).toFixed(0)}%`;
}

/** Renders rows as a Markdown table; the first row is the header. */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  const [header, ...body] = rows;
  if (header === undefined) {
    return '';
  }
  const line = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
}

/** Renders rows as a plain-text table with aligned columns; the first row is the header. */
export function textTable(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]?.map((_cell, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  const [header, ...body] = rows;
  return header === undefined ? '' : [line(header), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}
