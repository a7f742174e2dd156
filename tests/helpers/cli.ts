// Spawns the CLI as a user would run it (through tsx, so the tests need no build step), with only the environment
// the test gives: no credentials leak in from the developer's shell.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/pipeline-audit.ts');
// The TypeScript loader, by path: the CLI runs with a temp dir as its working directory.
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `nodeArgs`: extra Node flags before the loader (a test fakes an older Node with an --import). */
export function runCli(args: string[], env: Record<string, string>, cwd: string, nodeArgs: string[] = []): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', TSX, BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: cwd, NO_PROXY: '127.0.0.1,localhost', SNOWFLAKE_DISABLE_PLATFORM_DETECTION: 'true', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
