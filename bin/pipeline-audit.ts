#!/usr/bin/env node
// The entry point. It checks the Node version first and loads the CLI only then, with a dynamic import: a static
// import would load undici and the drivers before the check could run (ESM evaluates imports first).
import { nodeVersionProblem } from './node-version.js';

const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(`pipeline-audit: ${problem}\n`);
  // 2: the environment is misconfigured, like any other configuration error (README, exit codes).
  process.exitCode = 2;
} else {
  await import('./cli.js');
}
