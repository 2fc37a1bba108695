// The help texts of the command line: one per command, each with every flag and an example.

export const MAIN_USAGE = `Usage: tprop <command> [options]

Agents that learn online, one observation at a time, by target propagation.

Commands:
  run <environment> [options]  learn online from an environment (an id or a module path)
  env <environment> --run NAME publish an environment's transitions to NATS JetStream
  agent --run NAME [options]   learn a run's observation streams from NATS JetStream
  replay --from RUN --run NEW  publish a recorded run (its JetStream stream) anew
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
  --watch AGENT        with --viewer, and no environment: serve the page of AGENT, an agent
                       learning in another process (tprop agent), from its frames on NATS
  --nats URL           with --watch: the NATS server (default nats://127.0.0.1:4222; user
                       and password, or a token, in the URL: nats://user:pass@host:4222)

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
  tprop run --viewer --nats nats://127.0.0.1:4222 --watch demo-0
  tprop run Reber-v0 --workers 2 --streams 16 --steps 2000 --json
`;

export const ENV_USAGE = `Usage: tprop env <environment> --run NAME [options]

Publishes the transitions of <environment> (an id, a module path or a data file, as for
tprop run) to NATS JetStream: --streams environments, stream k seeded with --seed + k, each
transition on tprop.obs.NAME.k with the message id NAME/k/step (see cluster/PROTOCOL-NATS.md).
The run is registered in the tprop_runs bucket; its stream TPROP_OBS_NAME keeps every
transition (a recording, for tprop replay). Started again, a stream goes on after the last
transition stored. An acting environment asks agent NAME-k for each action.

Options:
  --nats URL           NATS server (default nats://127.0.0.1:4222; credentials in the URL)
  --run NAME           the run (letters, digits, _ and -; required)
  --streams N          observation streams, each its own environment (default 1)
  --steps N            transitions per stream (default: until Ctrl-C)
  --seed S             seed of stream 0 (stream k: S + k; default 0)
  --env-options JSON   options of the environment, e.g. '{"length":20}' (default {})
  --rate HZ            at most HZ transitions per second per stream (default: as fast as stored)
  --json               a JSON line of counts every second on stdout, last {"done":true,...}
  -h, --help           this text

Example:
  tprop env Reber-v0 --run demo --streams 8 --steps 10000
`;

export const AGENT_USAGE = `Usage: tprop agent --run NAME [options]

Learns the observation streams of run NAME from NATS JetStream: one agent per stream (named
NAME-k, all made from --config), each from a durable consumer, in order, exactly once. Every
--checkpoint-every messages the agent is saved to the tprop_checkpoints bucket, and only then
are the messages acknowledged; started again, it resumes from its last checkpoint. Frames go
to tprop.frames.NAME-k, predictions to tprop.predictions.NAME-k. Runs until Ctrl-C (which saves).

Options:
  --nats URL           NATS server (default nats://127.0.0.1:4222; credentials in the URL)
  --run NAME           the run to learn (required; waits for it to be registered)
  --agent KIND         agent kind (default predictive; see \`tprop list\`)
  --config FILE        JSON agent config, e.g. {"kind":"predictive","layers":[32]}
  --seed S             seed of the agents whose config sets none
  --share K/N          learn the streams k with k mod N = K (N processes share a run)
  --share auto         share the streams out by leases among the processes alive on the
                       run: adding one takes its share, one that dies is taken over
  --lease-ms N         with --share auto: a lease lives N ms unless renewed (default 10000)
  --streams LIST       learn these streams, e.g. 0,1,5 (default: every stream)
  --checkpoint-every N messages between two checkpoints (default 200; a checkpoint is the
                       agent's whole state, 450 KB at 64 units: see docs/scale-out.md)
  --ack-wait-ms N      redeliver what is not acknowledged within N ms (default 60000); keep
                       it above the time --checkpoint-every messages take to come
  --frame-ms N         at least N ms between two frames of an agent (default 100; 0: none)
  --no-predictions     publish no predictions
  --json               a JSON line every second on stdout: counts, stepsPerSecond, the streams' mean
                       metrics, memory; last {"done":true,...}
  -h, --help           this text

Examples:
  tprop agent --run demo --share 0/2 --config agent.json
  tprop agent --run demo --share 1/2 --config agent.json
  tprop agent --run demo --share auto --config agent.json
`;

export const REPLAY_USAGE = `Usage: tprop replay --from RUN --run NEW [options]

Publishes every transition recorded in run RUN (its stream TPROP_OBS_RUN) anew into run NEW,
in order, for agents to learn as any run (tprop agent --run NEW).

Options:
  --nats URL           NATS server (default nats://127.0.0.1:4222; credentials in the URL)
  --from RUN           the recorded run (required)
  --run NEW            the run to replay into (required)
  --rate R             original (the recorded pace) or fast (default: as fast as stored;
                       the agents learn as fast as they can)
  --json               (the last line is JSON in any case)
  -h, --help           this text

Example:
  tprop replay --from demo --run demo-again --rate original
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
  if (command === 'env') return ENV_USAGE;
  if (command === 'agent') return AGENT_USAGE;
  if (command === 'replay') return REPLAY_USAGE;
  return MAIN_USAGE;
}
