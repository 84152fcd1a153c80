module.exports = {
  ...require('../../jest.preset.js')(__dirname),
  // `recsys train` scores the active model with onnxruntime in-process (see the file).
  testEnvironment: require('node:path').join(__dirname, '../../libs/onnx/test/ort-environment.js'),
};
