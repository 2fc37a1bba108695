// Compiles src/math/kernels.wat (WebAssembly text) into src/math/kernels-wasm.ts (the binary
// as base64), which the fused engine loads. Needs wabt, the JS port of the WebAssembly Binary
// Toolkit, which is not a dependency of tprop: install it anywhere and point TPROP_WABT at it,
//   (cd /tmp/wabt && npm init -y && npm install wabt@1.0.39)
//   npm run build:kernels   (wabt is a devDependency; TPROP_WABT=/path/to/wabt overrides it)
// or add it as a devDependency (then TPROP_WABT is not needed). `--check` compares instead of
// writing, and exits 1 when the committed module is stale.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const KERNELS_WAT = fileURLToPath(new URL('./kernels.wat', import.meta.url));
export const KERNELS_MODULE = fileURLToPath(new URL('./kernels-wasm.ts', import.meta.url));

/** The WebAssembly features the kernels use. */
export const KERNEL_FEATURES = { simd: true } as const;

interface WabtModule {
  parseWat(
    filename: string,
    source: string,
    features?: Record<string, boolean>,
  ): {
    validate(): void;
    toBinary(options: Record<string, boolean>): { buffer: Uint8Array };
    destroy(): void;
  };
}

/** wabt, from TPROP_WABT (a path to the package) or the usual resolution; null when absent. */
export async function loadWabt(): Promise<WabtModule | null> {
  const candidates = [process.env.TPROP_WABT, 'wabt'].filter((c): c is string => !!c);
  for (const candidate of candidates) {
    try {
      const resolved =
        candidate === 'wabt' ? candidate : pathToFileURL(createRequire(import.meta.url).resolve(candidate)).href;
      const mod = (await import(resolved)) as { default?: () => Promise<WabtModule> };
      const init = mod.default ?? (mod as unknown as () => Promise<WabtModule>);
      return await init();
    } catch {
      // try the next candidate
    }
  }
  return null;
}

/** The binary compiled from kernels.wat. */
export function compileKernels(wabt: WabtModule, source = readFileSync(KERNELS_WAT, 'utf8')): Uint8Array {
  const module = wabt.parseWat('kernels.wat', source, { ...KERNEL_FEATURES });
  try {
    module.validate();
    return module.toBinary({ canonicalize_lebs: true, write_debug_names: false, log: false }).buffer.slice();
  } finally {
    module.destroy();
  }
}

/** The text of kernels-wasm.ts for a binary. */
export function kernelsModuleText(binary: Uint8Array): string {
  const base64 = Buffer.from(binary).toString('base64');
  const lines = base64.match(/.{1,100}/g) ?? [];
  return [
    '// GENERATED from src/math/kernels.wat by src/math/build-kernels.ts: do not edit. To regenerate,',
    '//   TPROP_WABT=/path/to/node_modules/wabt npx tsx src/math/build-kernels.ts',
    `// (${binary.length} bytes of WebAssembly, features: simd.)`,
    '',
    'export const KERNELS_WASM_BASE64 =',
    ...lines.map((l, i) => `  '${l}'${i === lines.length - 1 ? ';' : ' +'}`),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const wabt = await loadWabt();
  if (!wabt) {
    console.error(
      'build-kernels: wabt is not installed; install it (npm install wabt@1.0.39) and set TPROP_WABT to its folder',
    );
    process.exit(2);
  }
  const text = kernelsModuleText(compileKernels(wabt));
  const current = (() => {
    try {
      return readFileSync(KERNELS_MODULE, 'utf8');
    } catch {
      return '';
    }
  })();
  if (process.argv.includes('--check')) {
    console.log(
      current === text ? 'build-kernels: kernels-wasm.ts is up to date' : 'build-kernels: kernels-wasm.ts is stale',
    );
    process.exit(current === text ? 0 : 1);
  }
  writeFileSync(KERNELS_MODULE, text);
  console.log(`build-kernels: wrote ${KERNELS_MODULE}${current === text ? ' (unchanged)' : ''}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
