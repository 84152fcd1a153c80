import { metricSample } from './bench-kit';

const text = [
  '# HELP ranking_log_rows_written_total Recommendation log rows written to PostgreSQL.',
  '# TYPE ranking_log_rows_written_total counter',
  'ranking_log_rows_written_total{service="ranking-service"} 1200',
  'grpc_server_handling_seconds_sum{service="profile-service",grpc_method="GetProfile",grpc_type="unary"} 0.25',
  'grpc_server_handling_seconds_sum{service="profile-service",grpc_method="TrackEvents",grpc_type="unary"} 4.5',
  'plain_gauge 3',
].join('\n');

describe('metricSample', () => {
  it('finds a sample by name whatever default labels it carries, and by the labels asked for', () => {
    expect(metricSample(text, 'ranking_log_rows_written_total')).toBe(1200);
    expect(metricSample(text, 'grpc_server_handling_seconds_sum', { grpc_method: 'TrackEvents' })).toBe(4.5);
    expect(metricSample(text, 'plain_gauge')).toBe(3);
  });

  it('is NaN when there is no such sample', () => {
    expect(metricSample(text, 'ranking_log_rows_written')).toBeNaN();
    expect(metricSample(text, 'grpc_server_handling_seconds_sum', { grpc_method: 'Recommend' })).toBeNaN();
  });
});
