import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';
import { esmGlueToFunctionBody } from './esm-glue';

/** What we use of `@prisma/schema-engine-wasm`'s glue module (`schema_engine_bg.js`). */
export interface SchemaEngineBindings {
  SchemaEngine: typeof SchemaEngine;
  /** Git hash of prisma-engines the WebAssembly was built from. */
  version(): string;
}

type WasmExports = Record<string, unknown>;

// TypeScript declares WebAssembly in its DOM lib, which this project does not load; Node
// provides it globally. Just what is used here:
declare const WebAssembly: {
  instantiate(
    bytes: Uint8Array,
    imports: Record<string, object>,
  ): Promise<{ instance: { exports: WasmExports } }>;
};

interface GlueModule extends SchemaEngineBindings {
  __wbg_set_wasm(exports: WasmExports): void;
}

// wasm-bindgen names the import module after the glue file the .wasm was built with.
const GLUE_IMPORT_MODULE = './schema_engine_bg.js';

let loaded: Promise<SchemaEngineBindings> | undefined;

/**
 * The engine races some operations against timers it never cancels (a 10 s limit on taking
 * the migration advisory lock, for one), which would keep a finished process alive for those
 * 10 s. Its timers therefore do not hold the process open; `withSchemaEngine` holds it open
 * while the engine works.
 */
function unrefSetTimeout(callback: () => void, milliseconds: number): NodeJS.Timeout {
  return setTimeout(callback, milliseconds).unref();
}

/**
 * The package entry does `import * as wasm from "./schema_engine_bg.wasm"`, which Node 20
 * refuses, so this does by hand what that entry does: instantiate the .wasm with the glue
 * module as its imports, hand the instance to the glue, run the start function.
 * Once per process (per Jest module registry): the glue keeps the instance in module state.
 */
export function loadSchemaEngine(): Promise<SchemaEngineBindings> {
  loaded ??= instantiate().catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}

/** Drops the loaded instance (after a trap); the next `loadSchemaEngine()` starts afresh. */
export function forgetSchemaEngine(): void {
  loaded = undefined;
}

async function instantiate(): Promise<SchemaEngineBindings> {
  const gluePath = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const wasmPath = path.join(path.dirname(gluePath), 'schema_engine_bg.wasm');
  const [glueSource, wasmBytes] = await Promise.all([readFile(gluePath, 'utf8'), readFile(wasmPath)]);

  const { body } = esmGlueToFunctionBody(glueSource, gluePath);
  // The code is the pinned package's own glue, read from node_modules like `require` would.
  // It sees our `setTimeout` instead of the global one, see below.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const glue = (new Function('setTimeout', body) as (timer: typeof unrefSetTimeout) => GlueModule)(
    unrefSetTimeout,
  );

  const { instance } = await WebAssembly.instantiate(wasmBytes, { [GLUE_IMPORT_MODULE]: glue });
  glue.__wbg_set_wasm(instance.exports);
  const start = instance.exports.__wbindgen_start;
  if (typeof start !== 'function') throw new Error(`${wasmPath}: no __wbindgen_start export`);
  (start as () => void)();
  return glue;
}
