// jest's node environment gives each test file its own global realm, so its
// Float32Array is not the one onnxruntime-node's native code creates outputs
// with, and onnxruntime-common's Tensor (loaded in the test realm) refuses them
// ("A float32 tensor's data must be type of function Float32Array()"). That
// only shows when a session runs on the test's own thread (small models score
// on the service thread: model-pool.ts); the worker thread is a plain realm.
// Sharing the process's Float32Array (the only tensor type we run) with the test realm fixes it.
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

class OnnxEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.Float32Array = Float32Array;
  }
}

module.exports = OnnxEnvironment;
