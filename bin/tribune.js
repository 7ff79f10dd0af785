#!/usr/bin/env node
// The `tribune` command. Runs the compiled CLI (npm run build writes dist/).
import { main, processIO } from '../dist/core/cli/main.js';

const code = await main(process.argv.slice(2), processIO());
if (code !== undefined && code !== null) process.exitCode = code;
