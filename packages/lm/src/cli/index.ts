// @longshort/lm/cli — the `longshort` command line (Node only), run by bin/longshort.js.
export { main, runCli } from './main.js';
export { commands, commandHelp, type CliIO, type Command } from './commands.js';
export { UsageError, parseFlags, formatHelp, type FlagSpec, type FlagSpecs, type Flags, type FlagValue } from './args.js';
export { ProgressBar, formatDuration, type ProgressBarOptions, type ProgressStream } from './progress.js';
export { useBackend, type BackendName } from './backend.js';
