/**
 * wasm-bindgen's `*_bg.js` glue is an ES module made only of top-level declarations, some of
 * them exported, with no imports. Node 20 can `require()` such a module, but Jest's module
 * registry cannot on Node < 24.9, and loading it natively from inside a Jest sandbox would put
 * the glue in another realm than the driver adapter it talks to (its `instanceof Promise`
 * checks would then fail). Turning it into a function body and evaluating that in the
 * caller's realm works in both places.
 */

const EXPORTED_DECLARATION = /^export (async function|function|class|const|let|var) ([A-Za-z_$][\w$]*)/gm;
const REMAINING_MODULE_SYNTAX = /^\s*(import|export)\b|\bimport\.meta\b/m;

export interface FunctionBody {
  /** Source for `new Function(body)`: runs the module and returns its exports. */
  body: string;
  exportNames: string[];
}

/**
 * Rewrites `export function f…` / `export class C…` to plain declarations and appends
 * `return { f, C }`. Throws if anything else module-specific is left, so a glue file of a
 * different shape fails loudly instead of half-working.
 */
export function esmGlueToFunctionBody(source: string, sourceUrl: string): FunctionBody {
  const exportNames: string[] = [];
  const declarations = source.replace(EXPORTED_DECLARATION, (_match, kind: string, name: string) => {
    exportNames.push(name);
    return `${kind} ${name}`;
  });
  const leftover = REMAINING_MODULE_SYNTAX.exec(declarations);
  if (leftover) {
    throw new Error(
      `${sourceUrl}: unsupported module syntax "${leftover[0].trim()}" (the loader only handles exported declarations)`,
    );
  }
  if (exportNames.length === 0) throw new Error(`${sourceUrl}: no exports found`);
  const body = [
    '"use strict";',
    declarations,
    `return { ${exportNames.join(', ')} };`,
    // Names the evaluated code in stack traces after the file it came from.
    `//# sourceURL=${sourceUrl}`,
  ].join('\n');
  return { body, exportNames };
}
