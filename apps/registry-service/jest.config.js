module.exports = {
  ...require('../../jest.preset.js')(__dirname),
  // The stall test loads a model with onnxruntime in the test process, which needs the host realm's typed arrays.
  testEnvironment: require('node:path').join(__dirname, '../../libs/onnx/test/ort-environment.js'),
};
