// @ts-check
// ESLint flat config: typescript-eslint with type information for the promise and import rules, and the layer
// boundaries of DESIGN §2 as `no-restricted-imports` patterns per directory. What a specifier pattern cannot express
// (import cycles, resolved paths) is checked by test/architecture/.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** `regex` restrictions match the import specifier as written; every layer imports its neighbours relatively. */
const up = '^(\\.\\./)+';

const uiPackages = {
  regex: '^(react|ink|commander|chalk)(/.*)?$|^ink-',
  message: 'core is headless (DESIGN §2): no React, Ink, commander or chalk.',
};

/** Outside core, core is reached through its index or a sub-module's index, never a file inside a core subfolder. */
const coreSubfolderFile = {
  regex: `${up}core/[^/]+/(?!index\\.js$)`,
  message:
    "Import from core's index (core/index.js) or a sub-module index (core/<sub>/index.js), not a file inside it.",
};

/**
 * console, scripted and cli use core's public surface only: core/index.js or a sub-module index. node, domain and
 * the gateway assembly may also import core's top-level modules (types, errors, validation, …) directly: node must
 * not load core/api through the index (DESIGN §2), and core's producers import domain.
 */
const coreTopLevelFile = {
  regex: `${up}core/(?!index\\.js$)[^/]+$`,
  message: "Import from core's index (core/index.js) or a sub-module index (core/<sub>/index.js).",
};

/** @param {string[]} dirs @param {string} message */
const layers = (dirs, message) => ({ regex: `${up}(${dirs.join('|')})(/|$)`, message });

/** @param {...{regex: string, message: string}} patterns */
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

const tests = ['**/*.test.ts', '**/*.test.tsx', 'test/**'];

export default defineConfig(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'fixtures/'] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        // The few root, bench and bin scripts are outside tsconfig's include; type them with the default project.
        projectService: { allowDefaultProject: ['eslint.config.js', 'vitest.config.ts', 'bench/*.js', 'bin/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // Plain Node scripts (bench, bin, this file): Node's globals.
    files: ['**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        ['process', 'console', 'global', 'Buffer', 'URL']
          .concat(['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate'])
          .map((g) => [g, 'readonly']),
      ),
    },
  },

  // Layer boundaries (DESIGN §2): cli -> gateway -> console|scripted -> core; node is reached from core only through
  // the request/response link. Tests are exempt: like the CLI, they assemble real gateways and nodes, and they reach
  // inside core to test its internals.
  {
    files: ['src/core/**'],
    ignores: tests,
    rules: {
      ...restrict(
        uiPackages,
        layers(['node', 'console', 'scripted', 'cli', 'gateway'], 'core imports no outer layer (DESIGN §2).'),
      ),
      // core reports through its log function and errors; the process and the terminal belong to cli and console.
      'no-console': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'exit', message: 'core never exits the process: throw a GaterError.' },
      ],
    },
  },
  {
    files: ['src/console/**', 'src/scripted/**'],
    ignores: tests,
    rules: restrict(
      layers(
        ['cli', 'node', 'gateway'],
        'console and scripted receive an opened gateway (DESIGN §2): nothing from cli, node or gateway.',
      ),
      coreSubfolderFile,
      coreTopLevelFile,
    ),
  },
  {
    files: ['src/cli/**'],
    ignores: tests,
    rules: restrict(coreSubfolderFile, coreTopLevelFile),
  },
  {
    files: ['src/node/**'],
    ignores: tests,
    rules: restrict(
      layers(
        ['cli', 'console', 'scripted', 'gateway'],
        'node imports no cli, console, scripted or gateway (DESIGN §2).',
      ),
      { regex: `${up}core/api(/|$)`, message: 'node never imports core/api (DESIGN §2).' },
      {
        regex: `${up}core/index\\.js$`,
        message: "core's index loads core/api, which node never imports (DESIGN §2): import the core module itself.",
      },
      coreSubfolderFile,
    ),
  },
  {
    files: ['src/gateway/**', 'src/domain/**'],
    ignores: tests,
    rules: restrict(coreSubfolderFile),
  },
);
