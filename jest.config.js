// Three suites, chosen by file suffix (Emmett's convention):
//   *.unit.spec.ts  pure code, no servers
//   *.int.spec.ts   real Postgres and nats-server on this machine
//   *.e2e.spec.ts   the real apps over HTTP
const fs = require('node:fs');
const swcConfig = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
delete swcConfig.$schema;

const moduleNameMapper = {
  // Generated code (Prisma) imports './x.js' that is './x.ts' before compilation.
  '^(\\.{1,2}/.*)\\.js$': '$1',
  '^@diplowatch/(contracts|config|domain|messaging|persistence|runtime|testing)$':
    '<rootDir>/libs/$1/src/index.ts',
};
// NestJS 12 ships ES modules only. Node 20.19+ loads them from CommonJS (require(esm)),
// but Jest's own module loader does not, so Jest compiles those packages to CommonJS.
const esmOnlyPackages = [
  '@nestjs',
  'uid',
  'path-to-regexp',
  'file-type',
  'load-esm',
  'strtok3',
  'token-types',
  // linkedom (the ingester's full-text extraction) requires these ES modules.
  'css-select',
  'css-what',
  'domutils',
  'boolbase',
  'nth-check',
  'domhandler',
  'dom-serializer',
  'domelementtype',
  'cssomnom',
  'entities',
];
const jsSwcConfig = { ...swcConfig, jsc: { ...swcConfig.jsc, parser: { syntax: 'ecmascript' } } };

const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', swcConfig],
    '^.+\\.m?js$': ['@swc/jest', jsSwcConfig],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages.join('|')})/)`],
  moduleNameMapper,
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // Real servers on a shared 2-core machine: 5 s is too tight for int tests under load.
  testTimeout: 30_000,
};

module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,scripts,test}/**/*.unit.spec.ts'] },
    {
      ...base,
      displayName: 'int',
      testMatch: ['<rootDir>/{apps,libs,scripts,test}/**/*.int.spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/{apps,libs,scripts,test}/**/*.e2e.spec.ts'],
      globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
      globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
    },
  ],
};
