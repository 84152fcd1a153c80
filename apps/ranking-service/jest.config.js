const preset = require('../../jest.preset.js')(__dirname);

// onnxruntime sessions also run on the test's own thread here: see test/support/onnx-environment.js.
module.exports = { ...preset, testEnvironment: '<rootDir>/test/support/onnx-environment.js' };
