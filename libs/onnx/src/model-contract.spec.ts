import { checkSignature, checkSmokeOutput, ContractError, resolveFeatureNames } from './model-contract';

const f32 = (name: string, ...shape: (number | string)[]) => ({ name, type: 'float32', shape });
const req = { featureNames: [], inputName: '', outputName: '' };

describe('the model contract', () => {
  it('resolves feature names from the header or the metadata, and refuses conflicts and duplicates', () => {
    expect(resolveFeatureNames(['a', 'b'], {})).toEqual(['a', 'b']);
    expect(resolveFeatureNames([], { feature_names: '["x"]' })).toEqual(['x']);
    expect(() => resolveFeatureNames([], { feature_names: 'x,y' })).toThrow('metadata_props "feature_names" must be a JSON array of strings, found "x,y"');
    expect(() => resolveFeatureNames(['a', 'a'], {})).toThrow('[1] "a" is listed twice');
    expect(() => resolveFeatureNames([], {})).toThrow(ContractError);
  });

  it('needs the input named when there are several, and an unambiguous score output', () => {
    expect(() => checkSignature([f32('a', 'N', 2), f32('b', 'N', 2)], [f32('y', 'N', 1)], req, 2)).toThrow('the model has 2 inputs ["a","b"]');
    expect(checkSignature([f32('a', 'N', 2), f32('b', 'N', 2)], [f32('y', 'N', 1)], { ...req, inputName: 'b' }, 2)).toEqual({ inputName: 'b', outputName: 'y' });
    expect(() => checkSignature([f32('x', 'N', 2)], [f32('p', 'N', 1), f32('q', 'N')], req, 2)).toThrow('name the score output in output_name');
    expect(() => checkSignature([f32('x', 'N', 2)], [f32('y', 'N', 3)], req, 2)).toThrow('output "y" has shape [N, 3], expected [N], [N, 1] or [N, 2]');
    expect(() => checkSignature([f32('x', 4, 2)], [f32('y', 'N', 1)], req, 2)).toThrow('input "x" has a fixed batch size 4');
    expect(checkSignature([f32('x', -1, -1)], [f32('y', -1)], req, 7)).toEqual({ inputName: 'x', outputName: 'y' });
  });

  it('reads the positive-class column of [N, 2] and refuses non-finite scores', () => {
    expect(checkSmokeOutput('p', [2, 2], [0.9, 0.1, 0.2, 0.8], 2)).toBe(2);
    expect(() => checkSmokeOutput('p', [2, 2], [0.5, 0.5, 0, Infinity], 2)).toThrow('gave Infinity for row 1');
    expect(() => checkSmokeOutput('y', [3], [1, 2, 3], 2)).toThrow('for 2 rows has shape [3]');
  });
});
