// The page's floor: Chromium 80 (Android System WebView and WeChat's engine
// since 2020) and Safari 13.4 (iOS 13.4). Every file given must parse as an
// ECMAScript 2020 module and use nothing those browsers lack. Prints one line
// per problem (file:line: what, and since when) and exits 1 if there is any.
//   node tests/page/floor.cjs web/js/*.js       (NODE_PATH=/usr/share/nodejs: Debian's acorn)
"use strict";
const fs = require("fs");
const acorn = require("acorn");
const walk = require("acorn-walk");

// Methods and properties newer than the floor, by name (their first Chromium and Safari).
const NEWER_MEMBERS = {
  at: "Array/String.prototype.at (Chromium 92, Safari 15.4)",
  replaceAll: "String.prototype.replaceAll (Chromium 85)",
  findLast: "Array.prototype.findLast (Chromium 97, Safari 15.4)",
  findLastIndex: "Array.prototype.findLastIndex (Chromium 97, Safari 15.4)",
  hasOwn: "Object.hasOwn (Chromium 93, Safari 15.4)",
  toSorted: "Array.prototype.toSorted (Chromium 110, Safari 16)",
  toReversed: "Array.prototype.toReversed (Chromium 110, Safari 16)",
  toSpliced: "Array.prototype.toSpliced (Chromium 110, Safari 16)",
  groupBy: "Object.groupBy (Chromium 117, Safari 17.4)",
  any: "Promise.any (Chromium 85, Safari 14)",
  replaceChildren: "Element.replaceChildren (Chromium 86, Safari 14)",
  ListFormat: "Intl.ListFormat (Safari 14.1)",
  RelativeTimeFormat: "Intl.RelativeTimeFormat (Safari 14)",
  DisplayNames: "Intl.DisplayNames (Chromium 81, Safari 14.1)",
  Segmenter: "Intl.Segmenter (Chromium 87, Safari 14.1)",
};
// Globals newer than the floor.
const NEWER_GLOBALS = {
  structuredClone: "structuredClone (Chromium 98, Safari 15.4)",
  AggregateError: "AggregateError (Chromium 85, Safari 14)",
  WeakRef: "WeakRef (Chromium 84, Safari 14.1)",
  FinalizationRegistry: "FinalizationRegistry (Chromium 84, Safari 14.1)",
};

const has = (table, name) => Object.prototype.hasOwnProperty.call(table, name);
let problems = 0;
function report(file, line, what) {
  problems += 1;
  console.log(`${file}:${line}: ${what}`);
}

for (const file of process.argv.slice(2)) {
  const source = fs.readFileSync(file, "utf8");
  let ast;
  try {
    ast = acorn.parse(source, { ecmaVersion: 2020, sourceType: "module", locations: true });
  } catch (error) {
    report(file, error.loc ? error.loc.line : 0, `not ECMAScript 2020: ${error.message}`);
    continue;
  }
  walk.full(ast, (node) => {
    // Called or constructed: `x.at(-1)`, `new Intl.ListFormat()` (a field named `at` is data, not the method).
    const callee = (node.type === "CallExpression" || node.type === "NewExpression") ? node.callee : null;
    if (callee && callee.type === "MemberExpression" && !callee.computed && has(NEWER_MEMBERS, callee.property.name)) {
      report(file, node.loc.start.line, `.${callee.property.name}(): ${NEWER_MEMBERS[callee.property.name]}`);
    } else if (node.type === "Identifier" && has(NEWER_GLOBALS, node.name)) {
      report(file, node.loc.start.line, NEWER_GLOBALS[node.name]);
    } else if (node.type === "Literal" && node.regex && /\(\?<[=!]/.test(node.regex.pattern)) {
      // Safari before 16.4 cannot even parse a file with one: the whole module fails.
      report(file, node.loc.start.line, "a regular expression lookbehind (Safari 16.4)");
    }
  });
}
process.exit(problems ? 1 : 0);
