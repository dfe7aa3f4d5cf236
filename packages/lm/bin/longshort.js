#!/usr/bin/env node
// The `longshort` command: runs the CLI of @longshort/lm through the package's own "./cli" export
// (dist/ when installed; src/ under `node --conditions=@longshort/source --import tsx`).
import { runCli } from '@longshort/lm/cli';

await runCli();
