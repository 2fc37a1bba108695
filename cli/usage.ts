// The help texts of the command line: one per command, each with every flag and an example.

export const MAIN_USAGE = `Usage: tprop <command> [options]

Agents that learn online, one observation at a time, by target propagation.

Commands:
  run <environment> [options]  learn online from an environment (an id or a module path)
  list [--json]                the registered environments and agents
  help [command]               this text, or the options of a command

Options:
  -h, --help                   this text
  -v, --version                the version of tprop

Examples:
  tprop run EmbeddedReber-v0 --viewer
  tprop run Reber-v0 --steps 5000 --seed 1 --json
  tprop help run
`;

export const RUN_USAGE = `Usage: tprop run <environment> [options]

Learns online from <environment>, one observation at a time, and reports the agent's running
prequential metrics. <environment> is a registered id (see \`tprop list\`) or the path of a
module (anything with a "/" or ending in .ts, .js or .mjs) whose default export, or named
export createEnvironment, is a factory of environments called with --env-options; a module
is checked against the environment contract before the run starts. A fault of the module's
own code (a throw, a syntax error, an async step()) is ERR_ENVIRONMENT naming its file and line.
A data file (.csv, .tsv, .jsonl, .ndjson) is replayed a row per step, once unless --steps or
--episodes asks for more: its columns of numbers, standardised online (each row by the rows
before it), are the observation; --env-options takes DataStream's options (minStd, clip,
missing, normalize).

Environment:
  --env-options JSON   options of the environment, e.g. '{"length":20}' (default {})
  --columns A,B        data file: the columns to learn (default every column of numbers)
  --labels C,D         data file: label columns, each a discrete modality (empty cell: missing)
  --timestamp T        data file: the column of times (ISO 8601, UTC unless zoned, or Unix s)
  --time-features      data file: add time of day and day of week (sin, cos) to the input
  --seed S             seed of the first reset, and of a new agent whose config sets no seed
                       (with --load, a resumed run keeps its own)

Agent:
  --agent KIND         agent kind (default predictive; see \`tprop list\`)
  --config FILE        JSON agent config, e.g. {"kind":"predictive","layers":[128]}
  --load FILE          resume the run saved in FILE exactly where it stopped: its agent (kind
                       and options come with it), its environment (the same id and
                       --env-options; its state, or a replay of its steps) and step count;
                       --steps and --episodes count on from there. An agent-only checkpoint
                       of an older tprop loads the agent, and the environment starts fresh
  --save FILE          save the whole run to FILE when it ends, also on Ctrl-C

Length (default: until Ctrl-C):
  --steps N            stop after N steps (with --workers: N steps of each stream)
  --episodes N         stop after N finished episodes

Workers (every core learning; the main thread only reports):
  --workers W          learn in W worker threads: S copies of the environment (stream i
                       seeded seed + i) cut into W contiguous shares, each worker with its
                       own agent of its share (seed: the config's or --seed, plus the
                       worker's index); progress and --json count stream steps; --viewer
                       shows worker 0's agent. Not with --load, --save, --episodes,
                       --progress-steps or a data file
  --streams S          with --workers: the streams of the whole run (default W, at least W)

Output:
  --json               JSON lines on stdout: {"step":n,"stepsPerSecond":x,"metrics":{...}}
                       about every second (with "anomaly":{modality:score}, the largest
                       anomaly score since the line before), last {"done":true,...}.
                       For a data file, a line per row instead: {"step","row","timestamp",
                       "actual","prediction","error" (in the columns' units),"anomaly"}
  --progress-steps N   report progress every N steps instead of by the clock
                       (--json and non-terminal output)
  --verbose            after a user's error, its stack (for a throw in an environment
                       module, the stack of what its code threw)

Viewer:
  --viewer             serve the live viewer of the run; once the run ends it stays up
                       until Ctrl-C
  --exit-when-done     with --viewer: exit when the run ends
  --host H             interface to bind (default 127.0.0.1; off loopback — localhost, 127/8, ::1 — a token)
  --port P             port (default 8080; 0 for any free port)
  --token T            the token the page must present (generated off loopback)
  --frame-ms N         at least N ms between frames (default 16 with --viewer, else 1000)

  -h, --help           this text

Ctrl-C stops the run cleanly: it saves (with --save), closes the viewer and exits with 130;
a second Ctrl-C exits at once, and so does one during set-up (large layers can take minutes
to initialise; layers or a window too large for memory are refused before that). Exit
status: 0 done, 2 a usage or tprop error (one line "tprop: ERR_CODE: message" on stderr),
1 an unexpected error.

Examples:
  tprop run Reber-v0 --steps 5000 --seed 1
  tprop run EmbeddedReber-v0 --config cli/demo-agent.json --viewer --save reber.tprop
  tprop run EmbeddedReber-v0 --load reber.tprop --steps 10000 --json
  tprop run ./my-environment.ts --env-options '{"period":7}' --steps 2000
  tprop run data.csv --columns value --timestamp time --time-features --json
  tprop run Reber-v0 --workers 2 --streams 16 --steps 2000 --json
`;

export const LIST_USAGE = `Usage: tprop list [--json]

Lists the registered environments (id and description) and agent kinds (kind and
description). With --json: one object {"environments":[{id,description,defaults}],
"agents":[{kind,description}]} on stdout.

Options:
  --json               one JSON object on stdout
  -h, --help           this text

Example:
  tprop list --json
`;

/** The help of `command`, or of the whole command line when there is none (or it is unknown). */
export function usageOf(command: string | undefined): string {
  if (command === 'run') return RUN_USAGE;
  if (command === 'list') return LIST_USAGE;
  return MAIN_USAGE;
}
