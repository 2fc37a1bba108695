#!/usr/bin/env node
// The command line's entry: `tprop run | env | agent | replay | list | help`. Fatal-error handlers come first and each
// command is loaded when asked for, so help is instant. Built, this is the package's `tprop`
// executable (dist/cli/main.js); in the repository cli/tprop.js runs it from the sources.

import { createRequire, register } from 'node:module';
import { CliError, EXIT, reportError } from './cli-error.js';
import { parseAgentArgs, parseEnvArgs, parseReplayArgs } from './nats-options.js';
import { parseRunArgs } from './run-options.js';
import { usageOf } from './usage.js';

const COMMANDS = ['run', 'env', 'agent', 'replay', 'list', 'help'] as const;

/** Set by `run --verbose`: a user's error is followed by its stack. */
let verbose = false;

// Whatever escapes a command is reported as the rest are: one line for a user's error (exit 2), the
// stack of an unexpected one (exit 1).
function exitOnFatal(error: unknown): never {
  process.exit(reportError(error, undefined, verbose));
}
process.on('uncaughtException', exitOnFatal);
process.on('unhandledRejection', exitOnFatal);

// Environment modules anywhere on disk may `import … from 'tprop'` and get this very copy.
register('./tprop-resolve-hooks.js', import.meta.url, { data: { home: import.meta.url } });

function version(): string {
  // By the package's own name: the manifest is one folder up from the sources, two from dist/cli.
  const manifest = createRequire(import.meta.url)('tprop/package.json') as { version: string };
  return manifest.version;
}

function listArgs(args: readonly string[]): { help: boolean; json: boolean } {
  const flags = { help: args.includes('--help') || args.includes('-h'), json: args.includes('--json') };
  const stray = args.find((a) => !['--help', '-h', '--json'].includes(a));
  if (stray !== undefined && !flags.help)
    throw new CliError(`list: expected only --json, but got ${JSON.stringify(stray)} (see tprop list --help)`);
  return flags;
}

/** Runs the command in `argv` (the arguments after the program) and returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
        process.stderr.write(usageOf(undefined));
        return EXIT.userError;
      case '-h':
      case '--help':
      case 'help':
        process.stdout.write(usageOf(rest[0]));
        return EXIT.ok;
      case '-v':
      case '--version':
        process.stdout.write(`tprop ${version()}\n`);
        return EXIT.ok;
      case 'run': {
        const parsed = parseRunArgs(rest);
        if (parsed.help) {
          process.stdout.write(usageOf('run'));
          return EXIT.ok;
        }
        verbose = parsed.options.verbose;
        // The whole stack, not V8's first ten frames: enough to follow a fault from the user's code to the run.
        if (verbose) Error.stackTraceLimit = 100;
        const { runCommand } = await import('./run-command.js');
        return await runCommand(parsed.options);
      }
      case 'env': {
        const parsed = parseEnvArgs(rest);
        if (parsed.help) {
          process.stdout.write(usageOf('env'));
          return EXIT.ok;
        }
        const { envCommand } = await import('./env-command.js');
        return await envCommand(parsed.options);
      }
      case 'agent': {
        const parsed = parseAgentArgs(rest);
        if (parsed.help) {
          process.stdout.write(usageOf('agent'));
          return EXIT.ok;
        }
        const { agentCommand } = await import('./agent-command.js');
        return await agentCommand(parsed.options);
      }
      case 'replay': {
        const parsed = parseReplayArgs(rest);
        if (parsed.help) {
          process.stdout.write(usageOf('replay'));
          return EXIT.ok;
        }
        const { replayCommand } = await import('./replay-command.js');
        return await replayCommand(parsed.options);
      }
      case 'list': {
        const flags = listArgs(rest);
        if (flags.help) {
          process.stdout.write(usageOf('list'));
          return EXIT.ok;
        }
        const { listCommand } = await import('./list-command.js');
        return listCommand(flags.json);
      }
      default:
        throw new CliError(
          `expected a command among [${COMMANDS.join(', ')}], but got ${JSON.stringify(command)} (see tprop --help)`,
        );
    }
  } catch (error) {
    return reportError(error, undefined, verbose);
  }
}

const status = await main(process.argv.slice(2));
process.exitCode = status;
// Whatever a library may have left running (a timer, a handle) must not keep a finished run alive.
setTimeout(() => process.exit(status), 2000).unref();
