module.exports = {
  ...require('../../jest.preset.js')(__dirname),
  // onnxruntime-node's tensors need the host realm's typed arrays (see the file).
  testEnvironment: require('node:path').join(__dirname, 'test/ort-environment.js'),
};
