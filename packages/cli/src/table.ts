/** Plain-text tables for the human output: first column left-aligned, numbers right-aligned. */

export type Row = readonly [string, ...(string | number)[]] | 'rule';

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return n.toLocaleString('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
}

export function renderTable(header: readonly string[], rows: readonly Row[]): string {
  const cells = rows.map((r) =>
    r === 'rule' ? r : r.map((c) => (typeof c === 'number' ? formatNumber(c) : c)),
  );
  const widths = header.map((h) => h.length);
  for (const r of cells) {
    if (r === 'rule') continue;
    r.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const out = [line(header), widths.map((w) => '─'.repeat(w)).join('  ')];
  for (const r of cells) out.push(r === 'rule' ? '' : line(r));
  return `${out.join('\n')}\n`;
}
