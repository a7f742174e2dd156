// A live per-scope progress line on a terminal (stderr). Off when stderr is not a TTY.
import type { ProgressEvent } from '../audit.js';

export function createProgress(stream: NodeJS.WriteStream): { onProgress: (e: ProgressEvent) => void; done: () => void } {
  if (!stream.isTTY) return { onProgress: () => {}, done: () => {} };
  const state = new Map<string, string>();
  let drawn = 0;
  const draw = () => {
    if (drawn > 0) stream.write(`\x1b[${drawn}A`);
    const lines = [...state.entries()].map(([k, v]) => `\x1b[2K  ${k}  ${v}`);
    stream.write(lines.join('\n') + '\n');
    drawn = lines.length;
  };
  return {
    onProgress(e) {
      const key = `${e.platform.padEnd(13)} ${e.scope}`;
      if (e.type === 'scope-start') state.set(key, `collecting since ${e.window.start.toISOString()}…`);
      else if (e.type === 'chunk-done') state.set(key, `chunk ${e.chunk}/${e.chunks} committed (${e.runs} runs)`);
      else state.set(key, e.report.error ? 'failed' : e.report.complete ? `done, ${e.report.runsSeen} runs` : 'incomplete');
      draw();
    },
    done() {
      drawn = 0;
    },
  };
}
