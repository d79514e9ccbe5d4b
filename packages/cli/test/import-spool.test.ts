/**
 * The import's spool is copied to the output as bytes, its placeholders filled in place: the same
 * text as filling the decoded lines, wherever a placeholder falls (across the 1 MiB block
 * boundary too), with a `$` that starts no placeholder kept and non-ASCII text untouched.
 */
import { describe, expect, it } from 'vitest';
import { type Fills, IO, ReplayFile, TRAP, WIDEST } from '../src/import/replay.js';

const FILLS: Fills = [
  [TRAP, 'avx'],
  [WIDEST, 'avx512'],
  [IO, 'io'],
];
const BLOCK = 1 << 20;

/** The spool of `lines` copied as bytes equals the lines filled as text. */
async function copiedAsText(lines: readonly string[]): Promise<void> {
  const spool = new ReplayFile(true);
  try {
    for (const [i, l] of lines.entries()) spool.line(i, l);
    await spool.close();
    const blocks: Buffer[] = [];
    for (const b of spool.bytes(FILLS)) blocks.push(Buffer.from(b)); // each valid until the next
    const got = Buffer.concat(blocks).toString();
    let want = `${lines.join('\n')}\n`;
    for (const [p, t] of FILLS) want = want.replaceAll(p, t);
    expect(got.length).toBe(want.length);
    expect(got).toBe(want);
  } finally {
    spool.remove();
  }
}

describe('the import spool, copied as bytes', () => {
  it('fills every placeholder in lines of every length over several blocks', async () => {
    const lines: string[] = [];
    for (let i = 0, chars = 0; chars < 3.5 * BLOCK; i++) {
      const pad = 'x'.repeat(i % 97);
      const line =
        i % 5 === 0
          ? `{"op":"exit","reason":"${IO}","label":"é${pad}$5"}`
          : i % 5 === 1
            ? `{"op":"use","unit":"${TRAP}"}${pad}{"w":"${WIDEST}${WIDEST}"}`
            : `{"op":"run","pad":"${pad}"}`;
      lines.push(line);
      chars += line.length + 1;
    }
    await copiedAsText(lines);
  });

  it('fills a placeholder that the first block boundary cuts, at every offset', async () => {
    for (const p of [IO, TRAP, WIDEST])
      for (let k = 1; k < p.length; k++) {
        // one line up to BLOCK - 40 bytes, then a line whose placeholder starts k bytes before BLOCK
        const first = 'y'.repeat(BLOCK - 40 - 1);
        const lead = `{"op":"exit","reason":"`;
        const second = `${lead}${'z'.repeat(40 - k - lead.length)}${p}"}`;
        await copiedAsText([first, second, `{"after":"${p}"}`]);
      }
  });
});
