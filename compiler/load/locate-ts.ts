import { existsSync } from "node:fs";
import path from "node:path";
import type TSNS from "typescript";
import type { SpecPath } from "../model.js";
import { parseSource } from "./source-files.js";
import type { SourcePosition } from "./types.js";

type TS = typeof TSNS;
interface At {
  file: string;
  /** What to point at: the property name or the array element. */
  anchor: TSNS.Node;
  /** The expression that holds the value. */
  value: TSNS.Expression;
}

/**
 * Maps a spec path (["environments", 3, "rollout"]) to the literal that wrote it, walking object
 * and array literals, define*() calls, `as const`/`satisfies`, spreads and identifiers bound to
 * const initialisers, across local imports. Falls back to the deepest ancestor it could find.
 */
export function locateInTypeScript(ts: TS, entry: string, sources: Map<string, string>, specPath: SpecPath): SourcePosition | undefined {
  const ast = (file: string) => parseSource(ts, file, sources.get(file) ?? "");

  const position = (at: { file: string; anchor: TSNS.Node }): SourcePosition => {
    const sf = ast(at.file);
    const pos = sf.getLineAndCharacterOfPosition(at.anchor.getStart(sf));
    return { file: at.file, line: pos.line + 1, column: pos.character + 1 };
  };

  const defaultExport = (file: string): At | undefined => {
    const sf = ast(file);
    for (const statement of sf.statements) {
      if (ts.isExportAssignment(statement) && !statement.isExportEquals) return { file, anchor: statement, value: statement.expression };
    }
    return undefined;
  };

  const resolveLocal = (from: string, request: string): string | undefined => {
    const base = path.resolve(path.dirname(from), request);
    return [base, base.replace(/\.js$/, ".ts"), `${base}.ts`, path.join(base, "index.ts")].find((c) => c.endsWith(".ts") && (sources.has(c) || existsSync(c)));
  };

  const exportedConst = (file: string, name: string, seen: Set<string>): At | undefined => {
    if (name === "default") return defaultExport(file);
    return binding(file, name, seen);
  };

  /** The initialiser of the const (or imported const) named `name` in `file`. */
  const binding = (file: string, name: string, seen: Set<string>): At | undefined => {
    const key = `${file}#${name}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    const sf = ast(file);
    for (const statement of sf.statements) {
      if (ts.isVariableStatement(statement)) {
        for (const decl of statement.declarationList.declarations) {
          if (ts.isIdentifier(decl.name) && decl.name.text === name && decl.initializer) return { file, anchor: decl.name, value: decl.initializer };
        }
      }
      if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && statement.importClause) {
        const target = statement.moduleSpecifier.text.startsWith(".") ? resolveLocal(file, statement.moduleSpecifier.text) : undefined;
        if (!target || !sources.has(target)) continue;
        const clause = statement.importClause;
        if (clause.name?.text === name) return exportedConst(target, "default", seen);
        const named = clause.namedBindings;
        if (named && ts.isNamedImports(named)) {
          for (const element of named.elements) {
            if (element.name.text === name) return exportedConst(target, (element.propertyName ?? element.name).text, seen);
          }
        }
      }
      if (ts.isExportDeclaration(statement) && statement.exportClause && ts.isNamedExports(statement.exportClause) && !statement.moduleSpecifier) {
        for (const element of statement.exportClause.elements) {
          if (element.name.text === name && element.propertyName) return binding(file, element.propertyName.text, seen);
        }
      }
    }
    return undefined;
  };

  /** Strips wrappers until an object or array literal (or something we cannot see through). */
  const unwrap = (at: { file: string; value: TSNS.Expression }): { file: string; value: TSNS.Expression } => {
    let { file, value } = at;
    for (let guard = 0; guard < 50; guard++) {
      if (ts.isParenthesizedExpression(value) || ts.isAsExpression(value) || ts.isSatisfiesExpression(value) || ts.isNonNullExpression(value) || ts.isTypeAssertionExpression(value)) {
        value = value.expression;
      } else if (ts.isCallExpression(value) && value.arguments.length > 0) {
        value = value.arguments[0]!;
      } else if (ts.isIdentifier(value)) {
        const bound = binding(file, value.text, new Set());
        if (!bound) break;
        file = bound.file;
        value = bound.value;
      } else {
        break;
      }
    }
    return { file, value };
  };

  const stepObject = (holder: { file: string; value: TSNS.Expression }, key: string): At | undefined => {
    const { file, value } = unwrap(holder);
    if (!ts.isObjectLiteralExpression(value)) return undefined;
    // Later properties win, as at run time.
    for (let i = value.properties.length - 1; i >= 0; i--) {
      const prop = value.properties[i]!;
      if (ts.isSpreadAssignment(prop)) {
        const inner = stepObject({ file, value: prop.expression }, key);
        if (inner) return inner;
        continue;
      }
      const name = prop.name && (ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name) || ts.isNumericLiteral(prop.name)) ? prop.name.text : undefined;
      if (name !== key) continue;
      if (ts.isPropertyAssignment(prop)) return { file, anchor: prop.name, value: prop.initializer };
      if (ts.isShorthandPropertyAssignment(prop)) return { file, anchor: prop.name, value: prop.name };
      if (ts.isMethodDeclaration(prop)) return { file, anchor: prop.name, value: prop.name as unknown as TSNS.Expression };
    }
    return undefined;
  };

  const stepArray = (holder: { file: string; value: TSNS.Expression }, index: number): At | undefined => {
    const { file, value } = unwrap(holder);
    if (!ts.isArrayLiteralExpression(value)) return undefined;
    let seen = 0;
    for (const element of value.elements) {
      if (ts.isSpreadElement(element)) {
        const inner = unwrap({ file, value: element.expression });
        if (!ts.isArrayLiteralExpression(inner.value)) return undefined;
        const count = inner.value.elements.length;
        if (index < seen + count) return stepArray(inner, index - seen);
        seen += count;
        continue;
      }
      if (seen === index) return { file, anchor: element, value: element };
      seen++;
    }
    return undefined;
  };

  const start = defaultExport(entry);
  if (!start) return { file: entry, line: 1, column: 1 };
  let current: At = start;
  let best: At = start;
  for (const segment of specPath) {
    const next: At | undefined = typeof segment === "number" ? stepArray(current, segment) : stepObject(current, segment);
    if (!next) break;
    best = next;
    current = next;
  }
  return position(best);
}
