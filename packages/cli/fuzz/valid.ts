/** Placeholder: random valid workloads × every policy; another helper writes the real one. */
export async function runValid(_o: {
  runs: number;
  seed: number;
}): Promise<{ lines: string[]; failed: boolean }> {
  return { lines: ['valid: not built yet'], failed: false };
}
