/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "<rootDir>/tsconfig.test.json" }] },
  setupFilesAfterEnv: ["<rootDir>/test/setup.js"],
  testTimeout: 60000,
  reporters: ["default", "<rootDir>/test/support/summary-reporter.js"],
};
