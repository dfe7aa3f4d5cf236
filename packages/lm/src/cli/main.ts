// The `longshort` command line: `longshort <train|eval|generate|info> [flags]`. Exit codes: 0 done,
// 1 a failure (typed errors print their message), 2 a bad command line (UsageError).
import { TensorError } from '@longshort/tensor';
import { UsageError, parseFlags } from './args.js';
import { commandHelp, commands, type CliIO } from './commands.js';

const overview = [
  'Usage: longshort <command> [flags]',
  '',
  'The long-short transformer character language model (Zhu et al. 2021).',
  '',
  'Commands:',
  ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(9)} ${c.summary}`),
  '',
  "Run 'longshort <command> --help' for its flags.",
].join('\n');

/**
 * Runs the CLI on `argv` (the arguments after `longshort`) and returns the exit code.
 * @example process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${overview}\n`);
    return name === undefined ? 2 : 0;
  }
  try {
    const command = commands[name];
    if (!command) throw new UsageError('longshort', 'command', `one of ${Object.keys(commands).join(', ')}`, JSON.stringify(name));
    const flags = parseFlags(`longshort ${name}`, rest, command.flags);
    if (flags.help === true) {
      io.stdout.write(`${commandHelp(name)}\n`);
      return 0;
    }
    return await command.run(flags, io);
  } catch (error) {
    if (!TensorError.isInstance(error)) throw error;
    io.stderr.write(`\nerror (${error.name}): ${error.message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

/**
 * The process entry point: Ctrl-C stops training after the current step (a checkpoint is saved); a
 * second Ctrl-C exits at once.
 * @example await runCli(); // in bin/longshort.js
 */
export async function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  const onInterrupt = () => {
    if (controller.signal.aborted) process.exit(130);
    process.stderr.write('\nstopping after this step (Ctrl-C again to quit now)…\n');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  try {
    process.exitCode = await main(argv, { stdout: process.stdout, stderr: process.stderr, signal: controller.signal });
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
