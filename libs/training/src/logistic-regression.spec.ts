import * as ort from 'onnxruntime-node';
import { buildLinearModel, seededRandom } from '@recsys/onnx';
import { trainLogistic } from './logistic-regression';

describe('logistic regression', () => {
  it('recovers known weights from labels drawn with them, and its ONNX export scores as it does', async () => {
    const rnd = seededRandom(11);
    const truth = { weights: [1.5, -2, 0.5], bias: -0.3 };
    const rows = 20_000;
    const width = 3;
    // Features on different scales and offsets: the standardisation must undo them.
    const scale = [1, 3, 0.5];
    const offset = [0, 2, -1];
    const x = new Float32Array(rows * width);
    const y = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let z = truth.bias;
      for (let f = 0; f < width; f++) {
        const v = offset[f]! + scale[f]! * (rnd() * 2 - 1) * 1.7;
        x[r * width + f] = v;
        z += truth.weights[f]! * x[r * width + f]!;
      }
      y[r] = rnd() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    }
    const model = trainLogistic(x, width, y);
    model.weights.forEach((w, f) => expect(Math.abs(w - truth.weights[f]!)).toBeLessThan(0.15));
    expect(Math.abs(model.bias - truth.bias)).toBeLessThan(0.3);

    const session = await ort.InferenceSession.create(buildLinearModel({ weights: model.weights, bias: model.bias, featureNames: ['a', 'b', 'c'], sigmoid: true }));
    const sample = x.subarray(0, 50 * width);
    const out = (await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', Float32Array.from(sample), [50, width]) }))[session.outputNames[0]!]!;
    await session.release();
    for (let r = 0; r < 50; r++) {
      let z = model.bias;
      for (let f = 0; f < width; f++) z += model.weights[f]! * sample[r * width + f]!;
      expect((out.data as Float32Array)[r]).toBeCloseTo(1 / (1 + Math.exp(-z)), 5);
    }
  }, 60_000);
});
