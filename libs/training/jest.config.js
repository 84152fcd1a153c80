module.exports = {
  ...require('../../jest.preset.js')(__dirname),
  // The exports are checked in onnxruntime in-process: its tensors need the host realm's typed arrays.
  testEnvironment: require('node:path').join(__dirname, '../onnx/test/ort-environment.js'),
};
