/**
 * "Did you mean": the one place vfpu words an unknown name of a closed set (an arch, a variant,
 * a policy, a preset, a format…) and suggests the near ones.
 */

/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  // three rows: i-2, i-1 and i
  let prev2 = new Array<number>(t.length + 1).fill(0);
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const cur = new Array<number>(t.length + 1).fill(0);
    cur[0] = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(
        (prev[j] as number) + 1,
        (cur[j - 1] as number) + 1,
        (prev[j - 1] as number) + cost,
      );
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        d = Math.min(d, (prev2[j - 2] as number) + 1);
      cur[j] = d;
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[t.length] as number;
}

/**
 * The choices near `value`, nearest first: those it begins (`arm` → `arm-vfp`), and those within
 * an edit distance of about a third of its length (`lazzy` → `lazy`, at most 3 edits).
 */
export function nearChoices(value: string, choices: readonly string[]): string[] {
  if (value === '') return [];
  const v = value.toLowerCase();
  const limit = Math.min(3, Math.max(1, Math.floor(value.length / 3)));
  const scored: { c: string; d: number }[] = [];
  for (const c of choices) {
    const d = editDistance(value, c);
    if (d <= limit) scored.push({ c, d });
    else if (v.length >= 2 && c.toLowerCase().startsWith(v)) scored.push({ c, d: limit + 1 });
  }
  return scored.sort((x, y) => x.d - y.d).map((x) => x.c);
}

/** `; did you mean "x"?` (or `"x" or "y"`), or '' when nothing is near. */
export function didYouMean(value: string, choices: readonly string[]): string {
  const near = nearChoices(value, choices).slice(0, 2);
  return near.length === 0 ? '' : `; did you mean ${near.map((c) => `"${c}"`).join(' or ')}?`;
}

/** `unknown arch "arm" (known: mips-vz, arm-vfp, …); did you mean "arm-vfp"?` */
export function unknownChoice(what: string, value: string, choices: readonly string[]): string {
  return `unknown ${what} "${value}" (known: ${choices.join(', ')})${didYouMean(value, choices)}`;
}
