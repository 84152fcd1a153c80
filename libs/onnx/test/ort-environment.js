// onnxruntime-node creates output tensors with the main realm's typed arrays,
// while jest runs tests in a vm context with its own: `instanceof
// Float32Array` then fails inside onnxruntime ("A float32 tensor's data must be
// type of function Float32Array"). Sharing the typed-array constructors with
// the test realm fixes it for suites that call onnxruntime in-process.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = ['Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array', 'ArrayBuffer'];

class OrtEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OrtEnvironment;
