// The value-import graph of a TypeScript entry file: relative imports followed (`x.ts`, `x/index.ts`),
// `import type` / `export type` and all-`type` specifier lists skipped (erased at compile time), every
// other specifier (a package, a built-in, `require(…)`, `import(…)`) recorded with the chain of files
// that reaches it. Over-approximates: a value import used only as a type is still followed.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export interface ExternalImport {
  /** The specifier as written ('@temporalio/workflow', 'node:fs', 'zod'). */
  specifier: string;
  /** Files from the entry to the one that imports it, relative to the graph's root, then the specifier. */
  chain: string[];
}

export interface ImportGraph {
  /** Every file reached, relative to the root, in the order reached. */
  files: string[];
  externals: ExternalImport[];
}

/** Specifiers of the value imports of one file's source text. */
export function valueImports(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: string[] = [];
  const literal = (node: ts.Node | undefined) => (node && ts.isStringLiteralLike(node) ? node.text : undefined);
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings : undefined;
      const typeOnly = clause && (clause.isTypeOnly || (!clause.name && named && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)));
      if (!typeOnly) out.push(literal(node.moduleSpecifier)!);
      return;
    }
    if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause : undefined;
      const typeOnly = node.isTypeOnly || (named && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly));
      if (!typeOnly) out.push(literal(node.moduleSpecifier)!);
      return;
    }
    if (ts.isImportEqualsDeclaration(node) && !node.isTypeOnly && ts.isExternalModuleReference(node.moduleReference)) {
      out.push(literal(node.moduleReference.expression) ?? '<computed require>');
      return;
    }
    if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      out.push(literal(node.arguments[0]) ?? '<computed import>');
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

function resolveRelative(from: string, specifier: string): string | undefined {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => c.endsWith('.ts') && existsSync(c) && statSync(c).isFile());
}

/** Walks the value imports from `entry` (breadth first, so each chain is a shortest one). */
export function importGraph(entry: string, root = dirname(entry)): ImportGraph {
  const rel = (f: string) => relative(root, f);
  const chains = new Map<string, string[]>([[entry, [rel(entry)]]]);
  const queue = [entry];
  const externals: ExternalImport[] = [];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    const chain = chains.get(file)!;
    for (const specifier of valueImports(file, readFileSync(file, 'utf8'))) {
      if (!specifier.startsWith('.')) {
        externals.push({ specifier, chain: [...chain, specifier] });
        continue;
      }
      const target = resolveRelative(file, specifier);
      if (!target) throw new Error(`${chain.join(' → ')}: cannot resolve '${specifier}' to a .ts file or a folder's index.ts`);
      if (!chains.has(target)) {
        chains.set(target, [...chain, rel(target)]);
        queue.push(target);
      }
    }
  }
  return { files: [...chains.values()].map((c) => c.at(-1)!), externals };
}
