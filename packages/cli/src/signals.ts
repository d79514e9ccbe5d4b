/**
 * Temporary files removed when the process is interrupted (SIGINT, SIGTERM, SIGHUP) or exits
 * before they were committed. The handlers are installed only while such a file exists; after
 * removing the files the signal is raised again, so the process ends as the signal asks.
 */
import { rmSync } from 'node:fs';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const pending = new Set<string>();

function removeAll(): void {
  for (const p of pending) rmSync(p, { force: true });
  pending.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  uninstall();
  process.kill(process.pid, signal);
}

function install(): void {
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', removeAll);
}

function uninstall(): void {
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('exit', removeAll);
}

/** Removes `path` if the process is interrupted; call the returned function once it is settled. */
export function removeOnSignal(path: string): () => void {
  if (pending.size === 0) install();
  pending.add(path);
  return () => {
    if (!pending.delete(path)) return;
    if (pending.size === 0) uninstall();
  };
}
